//! The example of DESIGN.md, every item it generates used.

use supervision::{App, BoxError, Context, Drain, Service, supervision};

macro_rules! services {
    ($($name:ident),*) => {$(
        pub struct $name;
        impl Service for $name {
            async fn run(&self, _cx: Context) -> Result<(), BoxError> {
                Ok(())
            }
        }
    )*};
}

services!(IdentityManager, PeerDirectory, TransferSupervisor, DiagnosticsEndpoint, CacheSeeder);

impl Drain for TransferSupervisor {
    type State = Vec<u64>;
    async fn drain(&self, _cx: &Context) -> Result<Vec<u64>, BoxError> {
        Ok(Vec::new())
    }
}

supervision! {
    /// Doc comments and attributes land on the generated app struct.
    pub app Atpd {
        strategy: rest_for_one,
        intensity: 10 per 60s,
        shutdown_timeout: 30s,

        identity_manager: IdentityManager {
            restart: critical,
            stop: [release_lease, stop],
        },
        peer_directory: PeerDirectory {
            depends_on: [identity_manager],
            restart: permanent(5 per 60s),
        },
        transfer_supervisor: TransferSupervisor {
            depends_on: [identity_manager, peer_directory],
            restart: permanent(3 per 60s, backoff: exponential(100ms, 10s)),
            ready: signaled(10s),
            stop: [drain(30s, resume_state), release_lease, stop(5s)],
        },
        optional diagnostics_endpoint: DiagnosticsEndpoint {
            depends_on: [identity_manager, transfer_supervisor],
            restart: temporary,
        },
        cache_seeder: CacheSeeder,
    }
}

fn main() {
    let app = Atpd {
        identity_manager: IdentityManager,
        peer_directory: PeerDirectory,
        transfer_supervisor: TransferSupervisor,
        diagnostics_endpoint: DiagnosticsEndpoint,
        cache_seeder: CacheSeeder,
    };
    assert_eq!(app.into_services().len(), 5);
    assert_eq!(
        Atpd::START_ORDER,
        [
            AtpdRole::IdentityManager,
            AtpdRole::PeerDirectory,
            AtpdRole::TransferSupervisor,
            AtpdRole::DiagnosticsEndpoint,
            AtpdRole::CacheSeeder,
        ]
    );
    let mut stop = Atpd::START_ORDER;
    stop.reverse();
    assert_eq!(Atpd::STOP_ORDER, stop);
    assert_eq!(AtpdRole::ALL.len(), 5);
    assert_eq!(AtpdRole::PeerDirectory.name(), "peer_directory");
    assert_eq!(AtpdRole::PeerDirectory.to_string(), "peer_directory");
    let spec = Atpd::spec();
    assert_eq!(spec.name(), "Atpd");
    assert!(spec.is_optional(AtpdRole::DiagnosticsEndpoint));
    assert_eq!(
        spec.dependents(AtpdRole::IdentityManager),
        &[
            AtpdRole::PeerDirectory,
            AtpdRole::TransferSupervisor,
            AtpdRole::DiagnosticsEndpoint
        ]
    );
}
