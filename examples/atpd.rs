//! `atpd`: a file-transfer daemon with ten roles, the main example.
//!
//! Run it with `cargo run --example atpd`. `peer_directory` fails its first two
//! runs, so the restart, the backoff and the `rest_for_one` cascade show in the
//! log; once a restart is over, the failure's whole episode is printed as one
//! timeline. Ctrl-C (or SIGTERM) shuts it down in stop order and prints the report.
//!
//! Flags: `--diagram` prints the topology as a Mermaid diagram, `--json` prints
//! events as JSON lines, `--exit-after SECONDS` shuts down by itself.

use std::process::ExitCode;
use std::time::Duration;

use supervision::{BoxError, Context, Drain, Service, supervision};
use supervision_examples::{Flags, run_daemon, say, tick_until_stopped};

supervision! {
    /// The transfer daemon: identity, peers, paths, transfers and optional extras.
    pub app Atpd {
        strategy: rest_for_one,
        intensity: 20 per 60s,
        shutdown_timeout: 30s,

        identity_manager: IdentityManager {
            restart: critical,
            stop: [release_lease, stop],
        },
        peer_directory: PeerDirectory {
            depends_on: [identity_manager],
            restart: permanent(5 per 60s, backoff: exponential(200ms, 2s)),
            stop: [release_lease, stop],
        },
        path_manager: PathManager {
            depends_on: [identity_manager, peer_directory],
            restart: permanent(5 per 60s),
            stop: [release_lease, stop],
        },
        receive_service: ReceiveService {
            depends_on: [identity_manager, path_manager],
            restart: permanent(3 per 60s),
            stop: [release_lease, stop],
        },
        transfer_supervisor: TransferSupervisor {
            depends_on: [identity_manager, path_manager, receive_service],
            restart: permanent(3 per 60s),
            ready: signaled(10s),
            stop: [drain(30s, resume_state), release_lease, stop],
        },
        cache_seeder: CacheSeeder {
            depends_on: [transfer_supervisor],
            restart: permanent(3 per 60s),
            stop: [release_lease, stop],
        },
        inbox_mailbox: InboxMailbox {
            depends_on: [identity_manager, peer_directory],
            restart: permanent(3 per 60s),
            stop: [release_lease, stop],
        },
        optional diagnostics_endpoint: DiagnosticsEndpoint {
            depends_on: [identity_manager, peer_directory, path_manager, transfer_supervisor, inbox_mailbox],
            restart: temporary,
            stop: [release_lease, stop],
        },
        optional relay_service: RelayService {
            depends_on: [identity_manager, path_manager],
            restart: temporary,
            stop: [release_lease, stop],
        },
        optional rendezvous_service: RendezvousService {
            depends_on: [identity_manager, peer_directory],
            restart: temporary,
            stop: [release_lease, stop],
        },
    }
}

/// Loads the node identity and holds it for the daemon's lifetime.
pub struct IdentityManager {
    node: &'static str,
}

impl Service for IdentityManager {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(&cx, format_args!("loaded identity {}", self.node));
        cx.stop_requested().await;
        say(&cx, format_args!("identity sealed"));
        Ok(())
    }
}

/// Keeps the table of known peers; its first two runs fail to reach the seed list.
pub struct PeerDirectory;

impl Service for PeerDirectory {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(
            &cx,
            format_args!("loading peer table (incarnation {})", cx.incarnation()),
        );
        if cx.incarnation() < 2 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            return Err("seed list unreachable: connection refused".into());
        }
        say(&cx, format_args!("3 peers known"));
        tick_until_stopped(&cx, Duration::from_secs(2), "peer table refreshed").await;
        Ok(())
    }
}

/// Computes routes to peers.
pub struct PathManager;

impl Service for PathManager {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(&cx, format_args!("computing paths"));
        tick_until_stopped(&cx, Duration::from_secs(3), "paths refreshed").await;
        Ok(())
    }
}

/// Accepts incoming transfers.
pub struct ReceiveService;

impl Service for ReceiveService {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(&cx, format_args!("listening for incoming transfers"));
        cx.stop_requested().await;
        Ok(())
    }
}

/// Runs outgoing transfers; drains its queue on stop and resumes it next time.
pub struct TransferSupervisor;

impl Service for TransferSupervisor {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        match cx.resume_state::<Vec<String>>() {
            Some(queue) => say(
                &cx,
                format_args!("resuming {} transfers: {queue:?}", queue.len()),
            ),
            None => say(&cx, format_args!("no transfers to resume")),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        cx.ready();
        say(&cx, format_args!("accepting transfers"));
        tick_until_stopped(&cx, Duration::from_secs(4), "2 transfers in flight").await;
        Ok(())
    }
}

impl Drain for TransferSupervisor {
    type State = Vec<String>;

    async fn drain(&self, cx: &Context) -> Result<Self::State, BoxError> {
        say(cx, format_args!("draining: parking 2 transfers"));
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(vec!["report.pdf".to_owned(), "photos.tar".to_owned()])
    }
}

/// Pre-fetches popular content once transfers run.
pub struct CacheSeeder;

impl Service for CacheSeeder {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(&cx, format_args!("seeding cache"));
        tick_until_stopped(&cx, Duration::from_secs(5), "cache warm").await;
        Ok(())
    }
}

/// Stores messages for offline peers.
pub struct InboxMailbox;

impl Service for InboxMailbox {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(&cx, format_args!("mailbox open"));
        cx.stop_requested().await;
        Ok(())
    }
}

/// Serves health and metrics; nice to have.
pub struct DiagnosticsEndpoint;

impl Service for DiagnosticsEndpoint {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(
            &cx,
            format_args!("serving /health on 127.0.0.1:9102 (simulated)"),
        );
        cx.stop_requested().await;
        Ok(())
    }
}

/// Relays traffic for peers behind NAT; nice to have.
pub struct RelayService;

impl Service for RelayService {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(&cx, format_args!("relay ready"));
        cx.stop_requested().await;
        Ok(())
    }
}

/// Helps peers find each other; nice to have.
pub struct RendezvousService;

impl Service for RendezvousService {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        say(&cx, format_args!("rendezvous point up"));
        cx.stop_requested().await;
        Ok(())
    }
}

fn app() -> Atpd {
    Atpd {
        identity_manager: IdentityManager { node: "node-7f3a" },
        peer_directory: PeerDirectory,
        path_manager: PathManager,
        receive_service: ReceiveService,
        transfer_supervisor: TransferSupervisor,
        cache_seeder: CacheSeeder,
        inbox_mailbox: InboxMailbox,
        diagnostics_endpoint: DiagnosticsEndpoint,
        relay_service: RelayService,
        rendezvous_service: RendezvousService,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    run_daemon(app(), Flags::from_env()).await
}
