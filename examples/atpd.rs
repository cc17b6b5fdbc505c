//! `atpd`: a file-transfer daemon with ten roles, the main example.
//!
//! Run it with `cargo run --example atpd`. Roles hand each other typed values:
//! `identity_manager` publishes the node identity, `peer_directory` the peer
//! table that `path_manager` queries for the routes it publishes, and
//! `transfer_supervisor` the sender of its work queue, which
//! `receive_service` feeds. `peer_directory` fails its first two runs, so the
//! restart, the backoff and the `rest_for_one` cascade show in the log; the
//! transfer queue is drained, handed over and resumed by the next incarnation.
//! Once a restart is over, the failure's whole episode is printed as one
//! timeline. Ctrl-C (or SIGTERM) shuts it down in stop order and prints the report.
//!
//! Flags: `--diagram` prints the topology as a Mermaid diagram, `--json` prints
//! events as JSON lines, `--exit-after SECONDS` shuts down by itself.

use std::collections::BTreeMap;
use std::fmt;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use supervision::{BoxError, Context, Drain, Provide, Service, supervision};
use supervision_examples::{Flags, WorkQueue, run_daemon};
use tokio::sync::mpsc;
use tokio::time::Instant;

supervision! {
    /// The transfer daemon: identity, peers, paths, transfers and optional extras.
    pub app Atpd {
        strategy: rest_for_one,
        intensity: 20 per 60s,
        shutdown_timeout: 30s,

        identity_manager: IdentityManager {
            restart: critical,
            ready: signaled(5s),
            stop: [release_lease, stop],
        },
        peer_directory: PeerDirectory {
            depends_on: [identity_manager],
            restart: permanent(5 per 60s, backoff: exponential(200ms, 2s)),
            ready: signaled(5s),
            stop: [release_lease, stop],
        },
        path_manager: PathManager {
            depends_on: [identity_manager, peer_directory],
            restart: permanent(5 per 60s),
            ready: signaled(5s),
            stop: [release_lease, stop],
        },
        // The queue's consumer starts before its producers and stops after
        // them, so its drain sees every transfer they handed in.
        transfer_supervisor: TransferSupervisor {
            depends_on: [identity_manager, path_manager],
            restart: permanent(3 per 60s),
            ready: signaled(10s),
            stop: [drain(30s, resume_state), release_lease, stop],
        },
        receive_service: ReceiveService {
            depends_on: [identity_manager, path_manager, transfer_supervisor],
            restart: permanent(3 per 60s),
            stop: [release_lease, stop],
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

/// The node's identity, published by `identity_manager` for every role.
#[derive(Clone, Debug)]
pub struct Identity {
    node: Arc<str>,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.node)
    }
}

/// Loads the node identity and holds it for the daemon's lifetime.
pub struct IdentityManager {
    node: &'static str,
}

impl Provide for IdentityManager {
    type Handle = Identity;
}

impl Service for IdentityManager {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let identity = Identity {
            node: Arc::from(self.node),
        };
        tracing::info!("loaded identity {identity}");
        cx.ready_with(self, identity)?;
        cx.stop_requested().await;
        tracing::info!("identity sealed");
        Ok(())
    }
}

/// The known peers and their addresses, shared by `peer_directory` (which
/// refreshes it) and whoever reads its handle.
#[derive(Clone, Debug, Default)]
pub struct PeerTable(Arc<RwLock<BTreeMap<String, String>>>);

impl PeerTable {
    /// Every peer with its address, as of now.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, peers: &[(&str, &str)]) {
        let peers = peers.iter().map(|&(p, a)| (p.to_owned(), a.to_owned()));
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = peers.collect();
    }
}

/// Keeps the table of known peers: publishes the cached table at once, then
/// refreshes it from the seed list, which is unreachable for its first two runs.
pub struct PeerDirectory;

impl Provide for PeerDirectory {
    type Handle = PeerTable;
}

impl Service for PeerDirectory {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let identity = cx.deps(atpd::peer_directory)?.get(atpd::identity_manager)?;
        let table = PeerTable::default();
        table.replace(&[("peer-a", "10.0.0.2:7000"), ("peer-b", "10.0.0.3:7000")]);
        tracing::info!("{identity}: 2 peers from the cache, asking the seed list");
        cx.ready_with(self, table.clone())?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if cx.incarnation() < 2 {
            return Err("seed list unreachable: connection refused".into());
        }
        table.replace(&[
            ("peer-a", "10.0.0.2:7000"),
            ("peer-b", "10.0.0.3:7000"),
            ("peer-c", "10.0.0.9:7000"),
        ]);
        tracing::info!("seed list answered: 3 peers known");
        tick_until_stopped(&cx, Duration::from_secs(2), "peer table refreshed").await;
        Ok(())
    }
}

/// The route to each peer, computed by `path_manager` from the peer table.
#[derive(Clone, Debug, Default)]
pub struct Routes(Arc<RwLock<BTreeMap<String, String>>>);

impl Routes {
    /// How to reach `peer`, if a route is known.
    pub fn to(&self, peer: &str) -> Option<String> {
        let routes = self.0.read().unwrap_or_else(PoisonError::into_inner);
        routes.get(peer).cloned()
    }

    /// Recomputes every route from the peers known now; returns how many.
    fn compute(&self, peers: &PeerTable) -> usize {
        let routes: BTreeMap<_, _> = peers
            .snapshot()
            .into_iter()
            .map(|(peer, addr)| (peer, format!("direct to {addr}")))
            .collect();
        let count = routes.len();
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = routes;
        count
    }
}

/// Computes routes to peers by querying the peer table, and publishes them.
pub struct PathManager;

impl Provide for PathManager {
    type Handle = Routes;
}

impl Service for PathManager {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let peers = cx.deps(atpd::path_manager)?.get(atpd::peer_directory)?;
        let routes = Routes::default();
        let count = routes.compute(&peers);
        tracing::info!("computed {count} routes");
        cx.ready_with(self, routes.clone())?;
        let period = Duration::from_secs(3);
        let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
        loop {
            tokio::select! {
                () = cx.stop_requested() => return Ok(()),
                _ = ticks.tick() => {
                    let count = routes.compute(&peers);
                    tracing::info!("paths refreshed: {count} routes");
                }
            }
        }
    }
}

/// One file to move to or from a peer: what the transfer queue holds, and what
/// a drain hands to the next incarnation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Transfer {
    file: String,
    peer: String,
}

impl fmt::Display for Transfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} for {}", self.file, self.peer)
    }
}

/// Where work for `transfer_supervisor` goes: the sender of its queue.
#[derive(Clone, Debug)]
pub struct Transfers(mpsc::Sender<Transfer>);

impl Transfers {
    /// Queues `transfer`; fails once the queue has been handed over.
    pub async fn submit(&self, transfer: Transfer) -> Result<(), BoxError> {
        self.0
            .send(transfer)
            .await
            .map_err(|_| "the transfer queue is closed".into())
    }
}

/// Runs transfers one at a time from its queue; when its drain begins it hands
/// the queue over, and the next incarnation resumes it.
pub struct TransferSupervisor;

/// How long one transfer takes.
const TRANSFER_TIME: Duration = Duration::from_millis(1200);

impl Provide for TransferSupervisor {
    type Handle = Transfers;
}

impl Service for TransferSupervisor {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let routes = cx
            .deps(atpd::transfer_supervisor)?
            .get(atpd::path_manager)?;
        let backlog = cx.resume_state::<Vec<Transfer>>().unwrap_or_default();
        if !backlog.is_empty() {
            tracing::info!("resuming {}", files(&backlog));
        }
        let (tx, queue) = WorkQueue::open(backlog, 64);
        tokio::time::sleep(Duration::from_millis(100)).await;
        cx.ready_with(self, Transfers(tx))?;
        tracing::info!("accepting transfers");
        let left = queue
            .run_until_drain(&cx, |transfer| {
                let route = routes.to(&transfer.peer);
                async move {
                    let route = route.ok_or_else(|| format!("no route to {}", transfer.peer))?;
                    tracing::info!("sending {transfer}, {route}");
                    tokio::time::sleep(TRANSFER_TIME).await;
                    tracing::info!("done: {transfer}");
                    Ok(())
                }
            })
            .await?;
        tracing::info!("drained: handing over {}", files(&left));
        cx.hand_over(self, left)?;
        cx.stop_requested().await;
        Ok(())
    }
}

/// The default `drain`: what `run` hands over, resumed by the next incarnation.
impl Drain for TransferSupervisor {
    type State = Vec<Transfer>;
}

/// The files of `transfers`, for the log.
fn files(transfers: &[Transfer]) -> String {
    if transfers.is_empty() {
        return "no transfers".to_owned();
    }
    let files: Vec<&str> = transfers.iter().map(|t| t.file.as_str()).collect();
    files.join(", ")
}

/// Accepts incoming transfer requests and hands each to `transfer_supervisor`.
#[derive(Default)]
pub struct ReceiveService {
    /// Requests received over every incarnation, to name the files.
    received: AtomicU32,
}

impl Service for ReceiveService {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let deps = cx.deps(atpd::receive_service)?;
        let identity = deps.get(atpd::identity_manager)?;
        let transfers = deps.get(atpd::transfer_supervisor)?;
        tracing::info!("listening for transfers to {identity}");
        let mut requests = tokio::time::interval(Duration::from_millis(900));
        loop {
            tokio::select! {
                () = cx.stop_requested() => return Ok(()),
                _ = requests.tick() => {
                    let n = self.received.fetch_add(1, Ordering::Relaxed) + 1;
                    let peer = if n.is_multiple_of(2) { "peer-b" } else { "peer-a" };
                    let transfer = Transfer { file: format!("file-{n}.dat"), peer: peer.to_owned() };
                    tracing::info!("request: {transfer}");
                    transfers
                        .submit(transfer)
                        .await?;
                }
            }
        }
    }
}

/// Logs `message` every `period` until the incarnation is asked to stop.
async fn tick_until_stopped(cx: &Context, period: Duration, message: &str) {
    let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
    loop {
        tokio::select! {
            () = cx.stop_requested() => return,
            _ = ticks.tick() => tracing::info!("{message}"),
        }
    }
}

/// Pre-fetches popular content once transfers run.
pub struct CacheSeeder;

impl Service for CacheSeeder {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        tracing::info!("seeding cache");
        tick_until_stopped(&cx, Duration::from_secs(5), "cache warm").await;
        Ok(())
    }
}

/// Stores messages for offline peers.
pub struct InboxMailbox;

impl Service for InboxMailbox {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let peers = cx.deps(atpd::inbox_mailbox)?.get(atpd::peer_directory)?;
        tracing::info!("mailbox open for {} peers", peers.snapshot().len());
        cx.stop_requested().await;
        Ok(())
    }
}

/// Serves health and metrics; nice to have.
pub struct DiagnosticsEndpoint;

impl Service for DiagnosticsEndpoint {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let identity = cx
            .deps(atpd::diagnostics_endpoint)?
            .get(atpd::identity_manager)?;
        tracing::info!("serving /health for {identity} on 127.0.0.1:9102 (simulated)");
        cx.stop_requested().await;
        Ok(())
    }
}

/// Relays traffic for peers behind NAT; nice to have.
pub struct RelayService;

impl Service for RelayService {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        tracing::info!("relay ready");
        cx.stop_requested().await;
        Ok(())
    }
}

/// Helps peers find each other; nice to have.
pub struct RendezvousService;

impl Service for RendezvousService {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        tracing::info!("rendezvous point up");
        cx.stop_requested().await;
        Ok(())
    }
}

fn app() -> Atpd {
    Atpd {
        identity_manager: IdentityManager { node: "node-7f3a" },
        peer_directory: PeerDirectory,
        path_manager: PathManager,
        transfer_supervisor: TransferSupervisor,
        receive_service: ReceiveService::default(),
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
