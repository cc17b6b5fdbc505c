//! A fleet of TCP echo listeners, one per port named on the command line:
//! roles that exist only at run time, declared with `supervision::Builder`
//! and checked with the macro's rules when the app is built.
//!
//! `cargo run --example fleet -- --ports 7101,7102,7103`, then in another
//! shell `nc 127.0.0.1 7101` and type a line; Ctrl-C stops the listeners
//! first and the shared counter last. A port twice (`--ports 7101,7101`) is a
//! duplicate role, reported before anything starts.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use supervision::{BoxError, Builder, Context, Provide, Readiness, Service, exit};
use supervision_examples::{Flags, flag_value, run_built};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Counts the connections every listener served; its handle is the count.
struct Counter;

impl Service for Counter {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let served = Arc::new(AtomicU64::new(0));
        cx.ready_with(self, Arc::clone(&served))?;
        cx.stop_requested().await;
        tracing::info!(connections = served.load(Ordering::Relaxed), "fleet served");
        Ok(())
    }
}

impl Provide for Counter {
    type Handle = Arc<AtomicU64>;
}

/// Echoes each line back on one port of localhost.
struct Echo {
    port: u16,
}

impl Service for Echo {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        // Along `depends_on`, by name: a built app has no typed keys.
        let served = cx.get_as::<Counter>("counter")?;
        tracing::info!("listening on {}", listener.local_addr()?);
        cx.ready();
        loop {
            tokio::select! {
                () = cx.stop_requested() => return Ok(()),
                accepted = listener.accept() => {
                    let (stream, peer) = accepted?;
                    served.fetch_add(1, Ordering::Relaxed);
                    tracing::info!("connection from {peer}");
                    let cx = cx.clone();
                    tokio::spawn(async move {
                        tokio::select! {
                            () = cx.stop_requested() => {}
                            ended = echo(stream) => if let Err(error) = ended {
                                tracing::warn!("connection from {peer}: {error}");
                            },
                        }
                    });
                }
            }
        }
    }
}

/// Writes back every line read, until the peer closes.
async fn echo(stream: TcpStream) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Some(line) = lines.next_line().await? {
        write.write_all(line.as_bytes()).await?;
        write.write_all(b"\n").await?;
    }
    Ok(())
}

const USAGE: &str = "\n  --ports P1,P2,..      the ports to listen on (default 7101,7102,7103)";

#[tokio::main]
async fn main() -> ExitCode {
    let mut ports = vec![7101, 7102, 7103];
    let flags = Flags::from_env_with(USAGE, |flag, parser| {
        if flag != "ports" {
            return Ok(false);
        }
        let list: String = flag_value(parser, "ports")?;
        ports = list
            .split(',')
            .map(|p| p.trim().parse::<u16>())
            .collect::<Result<_, _>>()
            .map_err(|e| lexopt::Error::Custom(format!("--ports: {e}").into()))?;
        Ok(true)
    });
    let mut app = Builder::new("Fleet");
    // `ready_with` publishes the count and signals readiness at once, so the
    // listeners start only once there is a count to read.
    app.role("counter", Counter).ready(Readiness::Signaled {
        timeout: Duration::from_secs(1),
    });
    for &port in &ports {
        app.role(format!("echo_{port}"), Echo { port })
            .depends_on(["counter"])
            .ready(Readiness::Signaled {
                timeout: Duration::from_secs(5),
            });
    }
    match app.build() {
        Ok(app) => run_built(app, flags).await,
        Err(error) => {
            eprintln!("fleet: {error}");
            ExitCode::from(exit::MISCONFIGURED)
        }
    }
}
