//! The smallest useful program: a database and an API that needs it.
//!
//! `cargo run --example minimal`, then Ctrl-C. The API starts only once the
//! database is ready, and stops before it. The database's grace period is a
//! const in the declaration, and `MINIMAL_DATABASE_STOP=SECONDS` overrides it
//! at run time.

use std::process::ExitCode;
use std::time::Duration;

use supervision::{App, BoxError, Context, Options, Service, exit, supervision};

/// How long the database may take to close once asked, unless the
/// environment says otherwise.
const DATABASE_STOP: Duration = Duration::from_secs(5);

supervision! {
    /// A database and the API in front of it.
    app Minimal {
        database: Database { stop: [release_lease, stop(DATABASE_STOP)] },
        api: Api { depends_on: [database] },
    }
}

/// Pretends to hold connections.
struct Database;

impl Service for Database {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        println!("database: accepting connections");
        cx.stop_requested().await;
        println!("database: closed");
        Ok(())
    }
}

/// Pretends to serve requests.
struct Api;

impl Service for Api {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        println!("api: serving (Ctrl-C to stop)");
        cx.stop_requested().await;
        println!("api: stopped serving");
        Ok(())
    }
}

/// The run-time overrides: `MINIMAL_DATABASE_STOP=10` gives the database ten
/// seconds to close instead of `DATABASE_STOP`.
fn options() -> Result<Options, String> {
    let mut options = Options::default();
    if let Ok(text) = std::env::var("MINIMAL_DATABASE_STOP") {
        let seconds: u64 = text.parse().map_err(|_| {
            format!("MINIMAL_DATABASE_STOP must be a whole number of seconds, not `{text}`")
        })?;
        options
            .role(MinimalRole::Database)
            .stop_timeout(Duration::from_secs(seconds));
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(error) => {
            eprintln!("minimal: {error}");
            return ExitCode::from(exit::MISCONFIGURED);
        }
    };
    let app = Minimal {
        database: Database,
        api: Api,
    };
    match app.run_with(options).await {
        Ok(report) => {
            println!("stopped cleanly in {:?}", report.duration);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("minimal: {error}");
            ExitCode::FAILURE
        }
    }
}
