//! `shop`: an order API over HTTP, the shape of a real small service.
//!
//! `cargo run --example shop`, then, from another terminal:
//!
//! ```text
//! curl -s -X POST localhost:3000/orders -H 'content-type: application/json' \
//!      -d '{"item":"widget","quantity":2}'
//! curl -s localhost:3000/orders
//! curl -s localhost:3000/health
//! ```
//!
//! `store` opens an in-memory database; the `migrate` job brings its schema up
//! to date and gates everything else (`ready: completed`); `worker` fulfils
//! orders from its queue, one at a time; `api` (axum) takes the store and the
//! queue's sender from its dependencies' typed handles: `POST /orders` queues an
//! order for the worker (202), `GET /orders` lists the store (the orders
//! fulfilled, and those a drain left pending), `GET /health` shows the app's
//! state from `AppHandle::state`. Ctrl-C or SIGTERM stops `api` first (no new orders), then the
//! worker drains: every order still queued is written to the store as `pending`,
//! so no accepted order is lost, and the store closes last.
//!
//! Flags: `--port PORT` (default 3000, on 127.0.0.1), `--self-check` (serve on
//! a free port, place orders through HTTP, shut down and check that every
//! order reached the store), and those of `atpd` (`--diagram`, `--json`,
//! `--exit-after SECONDS`).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use supervision::{AppHandle, BoxError, Context, Drain, Phase, Provide, Service, supervision};
use supervision_examples::{Flags, WorkQueue, flag_value, run_daemon_with, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
        say(&cx, format_args!("opened (in memory)"));
        cx.ready_with(self, db.clone())?;
        cx.stop_requested().await;
        let orders = db.orders();
        let pending = orders.iter().filter(|o| o.status == Status::Pending);
        say(
            &cx,
            format_args!(
                "closing with {} orders, {} of them pending",
                orders.len(),
                pending.count()
            ),
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
            say(&cx, format_args!("{version}: {what}"));
        }
        say(&cx, format_args!("schema at version {SCHEMA}"));
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
            say(
                &cx,
                format_args!("picking up {} pending orders", backlog.len()),
            );
        }
        let (tx, queue) = WorkQueue::open(backlog, 1024);
        cx.ready_with(self, Orders(tx))?;
        let left = queue
            .run_until_drain(&cx, |order| {
                let (cx, db) = (cx.clone(), db.clone());
                async move {
                    say(
                        &cx,
                        format_args!(
                            "order #{}: charging for {} x {}",
                            order.id, order.quantity, order.item
                        ),
                    );
                    tokio::time::sleep(FULFIL_TIME).await;
                    db.upsert(Order {
                        status: Status::Fulfilled,
                        ..order
                    });
                    say(&cx, format_args!("order #{} fulfilled", order.id));
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
            0 => say(&cx, format_args!("drained: no order in flight")),
            n => say(
                &cx,
                format_args!(
                    "drained: {n} orders persisted as pending: {}",
                    ids.join(" ")
                ),
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
    /// The app's own handle, for `GET /health`; set right after the launch.
    app: Arc<OnceLock<AppHandle<ShopRole>>>,
}

impl Provide for Api {
    type Handle = SocketAddr;
}

/// What the handlers share.
#[derive(Clone)]
struct Shared {
    db: Db,
    orders: Orders,
    app: Arc<OnceLock<AppHandle<ShopRole>>>,
}

impl Service for Api {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let deps = cx.deps(shop::api)?;
        let shared = Shared {
            db: deps.get(shop::store)?,
            orders: deps.get(shop::worker)?,
            app: Arc::clone(&self.app),
        };
        shared.db.check_schema()?;
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", self.addr))?;
        let addr = listener.local_addr()?;
        let router = Router::new()
            .route("/orders", get(list_orders).post(place_order))
            .route("/health", get(health))
            .with_state(shared);
        say(&cx, format_args!("listening on http://{addr}"));
        cx.ready_with(self, addr)?;
        let stop = cx.cancellation_token().clone();
        axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await?;
        say(&cx, format_args!("stopped taking requests"));
        Ok(())
    }
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

async fn health(State(shared): State<Shared>) -> Response {
    let Some(app) = shared.app.get() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "starting");
    };
    let state = app.state();
    let status = match state.phase {
        Phase::Running => StatusCode::OK,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    (status, Json(state)).into_response()
}

/// `--self-check`: places orders through HTTP, reads them back, then shuts
/// the app down and checks that every accepted order reached the store.
async fn self_check(app: AppHandle<ShopRole>, verdict: Arc<OnceLock<Result<(), String>>>) {
    let outcome = async {
        let addr = app.wait(shop::api).await?;
        let db = app.get(shop::store)?;
        for item in ["widget", "gadget", "gizmo"] {
            let body = format!(r#"{{"item":"{item}","quantity":1}}"#);
            expect(request(addr, "POST", "/orders", &body).await?, 202)?;
        }
        expect(
            request(addr, "POST", "/orders", r#"{"item":"","quantity":1}"#).await?,
            422,
        )?;
        expect(request(addr, "GET", "/health", "").await?, 200)?;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let listed = expect(request(addr, "GET", "/orders", "").await?, 200)?;
        if !listed.contains("fulfilled") {
            return Err(format!("no order fulfilled after 2.5s: {listed}").into());
        }
        app.shutdown().await;
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
    // Set once, here: nothing else sets it.
    let _ = verdict.set(outcome.map_err(|e| e.to_string()));
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
    let mut port: u16 = 3000;
    let mut check = false;
    let usage = "
  --port PORT           serve on 127.0.0.1:PORT (default 3000)
  --self-check          serve on a free port, place orders, shut down, check the store";
    let flags = Flags::from_env_with(usage, |flag, args| {
        match flag {
            "--port" => port = flag_value(flag, args, "a port number")?,
            "--self-check" => check = true,
            _ => return Ok(false),
        }
        Ok(true)
    });
    if check {
        port = 0;
    }
    let app = Arc::new(OnceLock::new());
    let shop = Shop {
        store: Store,
        migrate: Migrate,
        worker: Worker,
        api: Api {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            app: Arc::clone(&app),
        },
    };
    let verdict = Arc::new(OnceLock::new());
    let exit = run_daemon_with(shop, flags, |handle| {
        // Set once, here: nothing else sets it.
        let _ = app.set(handle.clone());
        if check {
            tokio::spawn(self_check(handle.clone(), Arc::clone(&verdict)));
        }
    })
    .await;
    if check {
        match verdict.get() {
            Some(Ok(())) => {
                println!("self-check passed: 3 orders accepted, 3 in the store after the shutdown");
            }
            Some(Err(e)) => {
                eprintln!("self-check failed: {e}");
                return ExitCode::FAILURE;
            }
            None => {
                eprintln!("self-check failed: the app stopped before the check was over");
                return ExitCode::FAILURE;
            }
        }
    }
    exit
}
