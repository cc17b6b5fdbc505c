//! The smallest useful program: a database and an API that needs it.
//!
//! `cargo run --example minimal`, then Ctrl-C. The API starts only once the
//! database is ready, and stops before it.

use std::process::ExitCode;

use supervision::{App, BoxError, Context, Service, supervision};

supervision! {
    /// A database and the API in front of it.
    app Minimal {
        database: Database,
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

#[tokio::main]
async fn main() -> ExitCode {
    let app = Minimal {
        database: Database,
        api: Api,
    };
    match app.run().await {
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
