//! Tests of the pipeline on source text: where errors point, the orders, the
//! expansion snapshot, and robustness against arbitrary input.

mod errors;
mod fuzz;
mod hygiene;
mod names;
mod order;
mod robustness;
mod snapshot;

use std::str::FromStr;

use proc_macro2::TokenStream;

/// The DSL example of DESIGN.md.
pub const ATPD: &str = r#"
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
"#;

/// `::supervision; <dsl>` as the wrapper macro passes it.
pub fn input(dsl: &str) -> TokenStream {
    TokenStream::from_str(&format!("::supervision;\n{dsl}")).unwrap_or_default()
}

/// Every message of every error with the line, column and text it points at
/// (lines counted from the DSL's first line, which is line 1).
pub fn errors(dsl: &str) -> Vec<(String, usize, usize, String)> {
    let (_, errors) = crate::dsl::run(input(dsl));
    errors
        .into_vec()
        .into_iter()
        .flat_map(|error| error.into_iter())
        .map(|error| {
            let span = error.span();
            let start = span.start();
            let text = span.source_text().unwrap_or_default();
            (error.to_string(), start.line - 1, start.column, text)
        })
        .collect()
}
