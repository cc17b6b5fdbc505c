//! `shop`: an order API over HTTP, the shape of a real small service.
//!
//! `cargo run --example shop`, then, from another terminal:
//!
//! ```text
//! curl -s -X POST 127.0.0.1:3000/orders -H 'content-type: application/json' \
//!      -d '{"item":"widget","quantity":2}'
//! curl -s 127.0.0.1:3000/orders
//! curl -si 127.0.0.1:3001/readyz
//! ```
//!
//! `store` opens an in-memory database; the `migrate` job brings its schema up
//! to date and gates everything else (`ready: completed`); `worker` fulfils
//! orders from its queue, one at a time; `api` (axum) takes the store and the
//! queue's sender from its dependencies' typed handles: `POST /orders` queues an
//! order for the worker (202), `GET /orders` lists the store (the orders
//! fulfilled, and those a drain left pending). Beside the tree, on a port of
//! their own, `GET /livez` and `GET /readyz` answer Kubernetes' probes from
//! `AppHandle::health`. Ctrl-C or SIGTERM stops `api` first (no new orders),
//! then the worker drains: every order still queued is written to the store as
//! `pending`, so no accepted order is lost, and the store closes last. The
//! process exits with `supervision::exit_code`: 0 after a clean shutdown.
//!
//! Flags: `--port PORT` (the API, default 3000, on 127.0.0.1), `--probe-port
//! PORT` (the probes, default 3001), `--self-check` (serve on free ports,
//! place orders through HTTP, shut down and check that every order reached
//! the store), and those of `atpd` (`--diagram`, `--json`, `--exit-after
//! SECONDS`).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use supervision::{AppHandle, BoxError, Context, Drain, Health, Provide, Service, supervision};
use supervision_examples::{Flags, WorkQueue, flag_value, run_daemon_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

supervision! {
    /// An order API in front of a store, gated by its migration, with a worker
    /// that fulfils the orders.
    app Shop {
        strategy: rest_for_one,

        store: Store {
            ready: signaled(5s),
            stop: [release_lease, stop(5s)],
        },
        migrate: Migrate {
            depends_on: [store],
            restart: transient,
            ready: completed(30s),
        },
        worker: Worker {
            depends_on: [store, migrate],
            ready: signaled(5s),
            stop: [drain(10s), release_lease, stop(5s)],
        },
        api: Api {
            depends_on: [store, migrate, worker],
            ready: signaled(5s),
            stop: [release_lease, stop(10s)],
        },
    }
}

/// The schema version the code expects; `migrate` brings the store to it.
const SCHEMA: u32 = 2;

/// The migrations, in order: version reached and what it does.
const MIGRATIONS: [(u32, &str); 2] = [(1, "create table orders"), (2, "add column orders.status")];

/// How long the worker takes to fulfil one order (charging, reserving stock).
const FULFIL_TIME: Duration = Duration::from_secs(2);

/// An order as the store keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Order {
    id: u64,
    item: String,
    quantity: u32,
    status: Status,
}

/// Where an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Accepted and queued, not fulfilled yet.
    Pending,
    /// Charged and shipped.
    Fulfilled,
}

#[derive(Debug, Default)]
struct Tables {
    schema: u32,
    orders: BTreeMap<u64, Order>,
}

/// The store's handle: a shared in-memory database.
#[derive(Clone, Debug, Default)]
pub struct Db {
    tables: Arc<RwLock<Tables>>,
    next_id: Arc<AtomicU64>,
}

impl Db {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Tables> {
        self.tables.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Tables> {
        self.tables.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh order id, like a database sequence.
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Fails unless `migrate` has brought the schema to [`SCHEMA`].
    fn check_schema(&self) -> Result<(), BoxError> {
        match self.read().schema {
            SCHEMA => Ok(()),
            found => Err(format!("schema at version {found}, expected {SCHEMA}").into()),
        }
    }

    fn upsert(&self, order: Order) {
        self.write().orders.insert(order.id, order);
    }

    fn orders(&self) -> Vec<Order> {
        self.read().orders.values().cloned().collect()
    }

    fn pending(&self) -> Vec<Order> {
        let tables = self.read();
        let pending = tables
            .orders
            .values()
            .filter(|o| o.status == Status::Pending);
        pending.cloned().collect()
    }
}

/// Opens the database and serves it until the app stops.
pub struct Store;

impl Provide for Store {
    type Handle = Db;
}

impl Service for Store {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let db = Db::default();
        tracing::info!("opened (in memory)");
        cx.ready_with(self, db.clone())?;
        cx.stop_requested().await;
        let orders = db.orders();
        let pending = orders.iter().filter(|o| o.status == Status::Pending);
        tracing::info!(
            "closing with {} orders, {} of them pending",
            orders.len(),
            pending.count()
        );
        Ok(())
    }
}

/// Applies the migrations the store lacks, then completes.
pub struct Migrate;

impl Service for Migrate {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let db = cx.deps(shop::migrate)?.get(shop::store)?;
        for (version, what) in MIGRATIONS {
            if db.read().schema >= version {
                continue;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
            db.write().schema = version;
            tracing::info!("{version}: {what}");
        }
        tracing::info!("schema at version {SCHEMA}");
        Ok(())
    }
}

/// The worker's handle: where the API queues orders.
#[derive(Clone, Debug)]
pub struct Orders(mpsc::Sender<Order>);

/// Fulfils orders one at a time; when its drain begins, writes those still
/// queued to the store as pending, and picks pending ones up again when it
/// starts.
pub struct Worker;

impl Provide for Worker {
    type Handle = Orders;
}

impl Service for Worker {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let db = cx.deps(shop::worker)?.get(shop::store)?;
        db.check_schema()?;
        let backlog = db.pending();
        if !backlog.is_empty() {
            tracing::info!("picking up {} pending orders", backlog.len());
        }
        let (tx, queue) = WorkQueue::open(backlog, 1024);
        cx.ready_with(self, Orders(tx))?;
        let left = queue
            .run_until_drain(&cx, |order| {
                let db = db.clone();
                async move {
                    tracing::info!(
                        "order #{}: charging for {} x {}",
                        order.id,
                        order.quantity,
                        order.item
                    );
                    tokio::time::sleep(FULFIL_TIME).await;
                    db.upsert(Order {
                        status: Status::Fulfilled,
                        ..order
                    });
                    tracing::info!("order #{} fulfilled", order.id);
                    Ok(())
                }
            })
            .await?;
        // The store outlives the worker (it stops after its dependents), so
        // the orders left are safe there; nothing else is handed over.
        let ids: Vec<String> = left.iter().map(|o| format!("#{}", o.id)).collect();
        for order in left {
            db.upsert(Order {
                status: Status::Pending,
                ..order
            });
        }
        match ids.len() {
            0 => tracing::info!("drained: no order in flight"),
            n => tracing::info!(
                "drained: {n} orders persisted as pending: {}",
                ids.join(" ")
            ),
        }
        cx.hand_over(self, ())?;
        cx.stop_requested().await;
        Ok(())
    }
}

/// The default `drain`: it completes once `run` has written the queue to the store.
impl Drain for Worker {
    type State = ();
}

/// The HTTP API; publishes the address it listens on.
pub struct Api {
    addr: SocketAddr,
}

impl Provide for Api {
    type Handle = SocketAddr;
}

/// What the handlers share.
#[derive(Clone)]
struct Shared {
    db: Db,
    orders: Orders,
}

impl Service for Api {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let deps = cx.deps(shop::api)?;
        let shared = Shared {
            db: deps.get(shop::store)?,
            orders: deps.get(shop::worker)?,
        };
        shared.db.check_schema()?;
        let listener = listen(self.addr).await?;
        let addr = listener.local_addr()?;
        let router = Router::new()
            .route("/orders", get(list_orders).post(place_order))
            .with_state(shared);
        tracing::info!("listening on http://{addr}");
        cx.ready_with(self, addr)?;
        let stop = cx.cancellation_token().clone();
        axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await?;
        tracing::info!("stopped taking requests");
        Ok(())
    }
}

/// A listener on `addr`, or an error that names it.
async fn listen(addr: SocketAddr) -> Result<TcpListener, BoxError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}").into())
}

/// The body of `POST /orders`.
#[derive(Debug, Deserialize)]
struct NewOrder {
    item: String,
    quantity: u32,
}

/// An error answered as `{"error": ".."}`.
fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

async fn place_order(
    State(shared): State<Shared>,
    body: Result<Json<NewOrder>, JsonRejection>,
) -> Response {
    let new = match body {
        Ok(Json(new)) => new,
        Err(rejected) => return error(rejected.status(), &rejected.body_text()),
    };
    if new.item.trim().is_empty() || !(1..=100).contains(&new.quantity) {
        let message = "an order needs an item and a quantity from 1 to 100";
        return error(StatusCode::UNPROCESSABLE_ENTITY, message);
    }
    let order = Order {
        id: shared.db.next_id(),
        item: new.item,
        quantity: new.quantity,
        status: Status::Pending,
    };
    let id = order.id;
    match shared.orders.0.send(order).await {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "id": id, "status": "queued" })),
        )
            .into_response(),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "shutting down"),
    }
}

async fn list_orders(State(shared): State<Shared>) -> Json<Vec<Order>> {
    Json(shared.db.orders())
}

/// The probes an outer supervisor polls: `GET /livez` and `GET /readyz`, 200
/// or 503 with the app's [`Health`] as the body. Served beside the tree, not
/// by a role, so that they answer during the start, a restart cascade and the
/// shutdown: `readyz` fails while a required role is down, `livez` only once
/// the supervisor has ended.
fn probes(app: AppHandle<ShopRole>) -> Router {
    Router::new()
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .with_state(app)
}

async fn livez(State(app): State<AppHandle<ShopRole>>) -> Response {
    let health = app.health();
    probe(health.live, health)
}

async fn readyz(State(app): State<AppHandle<ShopRole>>) -> Response {
    let health = app.health();
    probe(health.ready, health)
}

/// 200 when `ok`, 503 otherwise, with `health` as JSON.
fn probe(ok: bool, health: Health<ShopRole>) -> Response {
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health)).into_response()
}

/// `--self-check`: places orders through HTTP, reads them back, then shuts
/// the app down and checks that every accepted order reached the store and
/// that the probes followed.
async fn self_check(
    app: AppHandle<ShopRole>,
    probes: std::io::Result<SocketAddr>,
) -> Result<(), String> {
    let outcome = async {
        let probes = probes?;
        app.started().await?;
        let (addr, db) = (app.get(shop::api)?, app.get(shop::store)?);
        for item in ["widget", "gadget", "gizmo"] {
            let body = format!(r#"{{"item":"{item}","quantity":1}}"#);
            expect(request(addr, "POST", "/orders", &body).await?, 202)?;
        }
        expect(
            request(addr, "POST", "/orders", r#"{"item":"","quantity":1}"#).await?,
            422,
        )?;
        expect(request(probes, "GET", "/livez", "").await?, 200)?;
        expect(request(probes, "GET", "/readyz", "").await?, 200)?;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let listed = expect(request(addr, "GET", "/orders", "").await?, 200)?;
        if !listed.contains("fulfilled") {
            return Err(format!("no order fulfilled after 2.5s: {listed}").into());
        }
        app.shutdown().await;
        expect(request(probes, "GET", "/livez", "").await?, 503)?;
        let stored = db.orders();
        match stored.len() {
            3 => Ok::<_, BoxError>(()),
            n => Err(format!("3 orders accepted, {n} in the store: {stored:?}").into()),
        }
    }
    .await;
    if outcome.is_err() {
        app.request_shutdown();
    }
    outcome.map_err(|e| e.to_string())
}

/// The response's body if its status is `want`.
fn expect((status, body): (u16, String), want: u16) -> Result<String, BoxError> {
    if status == want {
        Ok(body)
    } else {
        Err(format!("expected HTTP {want}, got {status}: {body}").into())
    }
}

/// One HTTP/1.1 request on a fresh connection: the status and the body.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> Result<(u16, String), BoxError> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP response: {response:?}"))?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status, body.to_owned()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (mut port, mut probe_port, mut check) = (3000_u16, 3001_u16, false);
    let usage = "
  --port PORT           serve the API on 127.0.0.1:PORT (default 3000)
  --probe-port PORT     serve /livez and /readyz on 127.0.0.1:PORT (default 3001)
  --self-check          serve on free ports, place orders, shut down, check the store";
    let flags = Flags::from_env_with(usage, |flag, parser| {
        match flag {
            "port" => port = flag_value(parser, flag)?,
            "probe-port" => probe_port = flag_value(parser, flag)?,
            "self-check" => check = true,
            _ => return Ok(false),
        }
        Ok(true)
    });
    if check {
        (port, probe_port) = (0, 0);
    }
    // The probes listen before the app launches, so they answer during its
    // start; `--diagram` only prints.
    let probe_listener = if flags.diagram {
        None
    } else {
        match listen(SocketAddr::from((Ipv4Addr::LOCALHOST, probe_port))).await {
            Ok(listener) => Some(listener),
            Err(e) => {
                eprintln!("shop: {e}");
                return ExitCode::from(supervision::exit::START_FAILED);
            }
        }
    };
    let shop = Shop {
        store: Store,
        migrate: Migrate,
        worker: Worker,
        api: Api {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        },
    };
    let mut check_task = None;
    let exit = run_daemon_with(shop, flags, |handle| {
        let Some(listener) = probe_listener else {
            return;
        };
        let probe_addr = listener.local_addr();
        let router = probes(handle.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                eprintln!("shop: the probes stopped: {e}");
            }
        });
        if check {
            check_task = Some(tokio::spawn(self_check(handle.clone(), probe_addr)));
        }
    })
    .await;
    let Some(check_task) = check_task else {
        return exit;
    };
    match check_task.await {
        Ok(Ok(())) => {
            println!("self-check passed: 3 orders accepted, 3 in the store after the shutdown");
            exit
        }
        Ok(Err(e)) => {
            eprintln!("self-check failed: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("self-check failed: {e}");
            ExitCode::FAILURE
        }
    }
}
