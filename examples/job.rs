//! A one-shot migration gating a server.
//!
//! `cargo run --example job`. `migrate` is `ready: completed(..)`: the server
//! starts only after the migration returned `Ok`, so it never sees a
//! half-migrated schema. A migration that fails during start fails the whole
//! start (nothing is retried before the app is up, as in OTP).
//! Takes the same flags as `atpd` (`--diagram`, `--json`, `--exit-after SECONDS`).

use std::process::ExitCode;
use std::time::Duration;

use supervision::{BoxError, Context, Service, supervision};
use supervision_examples::{Flags, run_daemon};

supervision! {
    /// A schema migration, then the server that needs it.
    app Job {
        migrate: Migrate {
            restart: transient,
            ready: completed(30s),
        },
        server: Server {
            depends_on: [migrate],
            ready: signaled(5s),
        },
    }
}

/// Applies pending migrations, one step at a time.
struct Migrate {
    steps: u32,
}

impl Service for Migrate {
    async fn run(&self, _cx: Context) -> Result<(), BoxError> {
        for step in 1..=self.steps {
            tokio::time::sleep(Duration::from_millis(150)).await;
            tracing::info!("migration step {step}/{} applied", self.steps);
        }
        tracing::info!("schema at version 42");
        Ok(())
    }
}

/// Serves once its warm-up is done.
struct Server;

impl Service for Server {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        tracing::info!("warming up");
        tokio::time::sleep(Duration::from_millis(100)).await;
        cx.ready();
        tracing::info!("serving on schema version 42");
        cx.stop_requested().await;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let app = Job {
        migrate: Migrate { steps: 3 },
        server: Server,
    };
    run_daemon(app, Flags::from_env()).await
}
