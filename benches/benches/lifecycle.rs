//! The runtime against plain tokio, side by side in one run, printed as one
//! table of medians, min–max and ratios to the floor:
//!
//! - start and ordered stop of 10,000 tasks or roles: plain tokio (the floor:
//!   `JoinSet` plus `CancellationToken`), plain tokio hand-ordered along a
//!   binary tree (readiness chain, then reverse cancel and join, level by
//!   level: the ordered floor), plain tokio with the contract's obligations
//!   (one decision task, a token per role, five events per role in a bounded
//!   journal, a status row per role, every exit sent to the decision task:
//!   see [`obliged`]), flat against the floor and along the tree against the
//!   ordered floor, the rivals `task-supervisor` and
//!   `tokio-graceful-shutdown`, and `supervision` with independent roles
//!   (`flat`, against the floor) or a binary tree of dependencies (`tree`,
//!   against the ordered floor);
//! - memory per idle role: the RSS delta (`/proc/self/statm`) of 10,000 idle
//!   roles, each measured in a fresh process, beside the size of the
//!   supervisor's own per-role state;
//! - restarts per second of one role failing at once (`backoff: none`, a
//!   huge budget) against a plain tokio respawn loop;
//! - events per second of 1,000 roles churning, with no subscriber and with
//!   one that never reads;
//! - growth from 10,000 to 40,000 tasks or roles, in time (each floor's own
//!   growth beside the runtime's) and memory;
//! - macro expansion of a 1,000-role DAG (≤ 5 dependencies each) and its
//!   growth to 4,000 roles.
//!
//! Run with `cargo bench -p supervision-benches --bench lifecycle`;
//! `BENCH_QUICK=1` runs every row once at a tenth of the size. `--only
//! WHAT` runs one contender once (for a profiler), at `BENCH_ROLES` roles
//! if set.

#![allow(missing_docs)]

// The macro's pipeline, compiled in from its sources; only `expand` is used.
#[allow(dead_code)]
#[path = "../../macros/src/dsl/mod.rs"]
mod dsl;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use supervision::{
    Backoff, BoxError, Budget, Builder, BuiltApp, Context, Options, RestartPolicy, RoleId, Service,
};
use task_supervisor::{SupervisedTask, SupervisorBuilder, TaskResult};
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// How big and how often: the full run, or a CI-cheap one (`BENCH_QUICK=1`).
#[derive(Clone, Copy)]
struct Scale {
    roles: usize,
    runs: usize,
    restarts: u64,
    churners: usize,
    churn: u64,
}

fn scale() -> Scale {
    let scale = scale_of_run();
    // `BENCH_ROLES=N`: another size, for a profiler's run of one contender.
    match std::env::var("BENCH_ROLES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        Some(roles) => Scale { roles, ..scale },
        None => scale,
    }
}

fn scale_of_run() -> Scale {
    if std::env::var_os("BENCH_QUICK").is_some() {
        Scale {
            roles: 1_000,
            runs: 1,
            restarts: 2_000,
            churners: 100,
            churn: 10,
        }
    } else {
        Scale {
            roles: 10_000,
            runs: 7,
            restarts: 20_000,
            churners: 1_000,
            churn: 50,
        }
    }
}

// ---- the apps ---------------------------------------------------------------

// The bench's services are its own, each a plain type with an unboxed future
// as a user's would be: the test crate's scripts box every incarnation's
// future, and the test crate turns on tokio's `test-util`, whose clock is
// slower than a release build's.

/// Runs until asked to stop (`ready: spawned`, so ready at once).
struct Waits;

impl Service for Waits {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.stop_requested().await;
        Ok(())
    }
}

/// Fails at once until its incarnation `incarnations - 1`, which counts
/// itself down in `left` (the last one wakes `done`) and runs until stopped.
struct Churner {
    incarnations: u64,
    left: Arc<AtomicUsize>,
    done: Arc<Notify>,
}

impl Service for Churner {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        if cx.incarnation() + 1 < self.incarnations {
            return Err("churn".into());
        }
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.notify_one();
        }
        cx.stop_requested().await;
        Ok(())
    }
}

/// `n` roles, independent (`tree = false`) or in a binary tree where node `i`
/// depends on node `(i - 1) / 2`, each running until stopped.
fn big(n: usize, tree: bool) -> BuiltApp {
    let mut app = Builder::new(if tree { "Tree" } else { "Flat" });
    for i in 0..n {
        let role = app.role(format!("node_{i}"), Waits);
        if tree && i > 0 {
            role.depends_on([format!("node_{}", (i - 1) / 2)]);
        }
    }
    built(app)
}

/// `n` roles failing at once until each has run `incarnations` times, then
/// running until stopped; `backoff: none` and a budget that never runs out.
fn churn(n: usize, incarnations: u64, left: Arc<AtomicUsize>, done: Arc<Notify>) -> BuiltApp {
    let restart = RestartPolicy::Permanent {
        budget: Budget {
            max_restarts: u32::MAX,
            window: Duration::from_secs(1),
        },
        backoff: Backoff::None,
    };
    let mut app = Builder::new("Churn");
    for i in 0..n {
        let churner = Churner {
            incarnations,
            left: Arc::clone(&left),
            done: Arc::clone(&done),
        };
        app.role(format!("node_{i}"), churner).restart(restart);
    }
    built(app)
}

fn built(app: Builder) -> BuiltApp {
    match app.build() {
        Ok(app) => app,
        Err(error) => panic!("{error}"),
    }
}

// ---- start and stop -----------------------------------------------------------

/// Start and stop durations of one run.
type Run = (Duration, Duration);

/// Plain tokio: spawn, wait until each task runs, cancel, join.
async fn plain_tokio(tasks: usize) -> Run {
    plain_tokio_probed(tasks, || ()).await.0
}

/// [`plain_tokio`], calling `probe` once every task runs.
async fn plain_tokio_probed<T>(tasks: usize, probe: impl FnOnce() -> T) -> (Run, T) {
    let began = Instant::now();
    let cancel = CancellationToken::new();
    let (running, mut all_running) = mpsc::unbounded_channel();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let cancel = cancel.child_token();
        let running = running.clone();
        set.spawn(async move {
            let _ = running.send(());
            cancel.cancelled().await;
        });
    }
    for _ in 0..tasks {
        let _ = all_running.recv().await;
    }
    let started = began.elapsed();
    let probed = probe();
    let stopping = Instant::now();
    cancel.cancel();
    while set.join_next().await.is_some() {}
    ((started, stopping.elapsed()), probed)
}

/// Plain tokio by hand along the binary tree: a task starts once its parent
/// runs; the stop cancels and joins the deepest level first, then the next.
async fn plain_tokio_ordered(tasks: usize) -> Run {
    let began = Instant::now();
    let (running, mut ran) = mpsc::unbounded_channel::<usize>();
    let mut handles: Vec<Option<(CancellationToken, tokio::task::JoinHandle<()>)>> =
        (0..tasks).map(|_| None).collect();
    let spawn = |i: usize, handles: &mut Vec<Option<_>>| {
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        let running = running.clone();
        let task = tokio::spawn(async move {
            let _ = running.send(i);
            token.cancelled().await;
        });
        handles[i] = Some((cancel, task));
    };
    spawn(0, &mut handles);
    for _ in 0..tasks {
        let Some(i) = ran.recv().await else { break };
        for child in [2 * i + 1, 2 * i + 2] {
            if child < tasks {
                spawn(child, &mut handles);
            }
        }
    }
    let started = began.elapsed();
    let stopping = Instant::now();
    // Levels of a binary tree: [2^k - 1, 2^(k+1) - 1).
    let mut levels = Vec::new();
    let mut first = 0;
    while first < tasks {
        levels.push(first..(2 * first + 1).min(tasks));
        first = 2 * first + 1;
    }
    for level in levels.into_iter().rev() {
        let mut joins = Vec::with_capacity(level.len());
        for i in level {
            if let Some((cancel, task)) = handles[i].take() {
                cancel.cancel();
                joins.push(task);
            }
        }
        for task in joins {
            let _ = task.await;
        }
    }
    (started, stopping.elapsed())
}

// ---- the floor of the contract ----------------------------------------------

/// What the obligation floor records of one transition: the five events the
/// runtime records of a role's start and stop.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Starting,
    Ready,
    LeaseReleased,
    Stopping,
    Stopped,
}

/// One event of the obligation floor's journal.
#[derive(Clone, Copy, Debug)]
struct Record {
    seq: u64,
    /// Time since the start.
    at: Duration,
    role: u32,
    incarnation: u64,
    kind: Kind,
}

/// The bounded journal: the oldest event goes when it is full.
struct Ring {
    events: std::collections::VecDeque<Record>,
    capacity: usize,
    dropped: u64,
}

/// A role's status as a reader sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Pending,
    Ready,
    Stopping,
    Stopped,
}

/// One role's row of the status table.
#[derive(Clone, Copy, Debug)]
struct Row {
    status: Status,
    incarnation: Option<u64>,
    lease_held: bool,
}

/// What the decision task shares with readers, each behind its own mutex:
/// the status rows and the journal.
struct Ledger {
    rows: std::sync::Mutex<Vec<Row>>,
    journal: std::sync::Mutex<Ring>,
}

/// The decision task's own state of one role.
struct Place {
    /// The running task's own token: a stop is per role.
    cancel: Option<CancellationToken>,
    /// Dependencies not ready yet (start), then dependents not stopped yet (stop).
    waiting: u32,
}

/// The one decision task of the obligation floor (see [`obliged`]).
struct Decider {
    ledger: Arc<Ledger>,
    places: Vec<Place>,
    tree: bool,
    epoch: Instant,
    seq: u64,
    /// Roles whose task has not exited yet.
    live: usize,
    exits: mpsc::UnboundedSender<u32>,
}

impl Decider {
    /// One reaction's bookkeeping: the row first, then the events (so a
    /// reader who saw an event sees the state), one clock reading for both.
    fn react(&mut self, x: usize, status: Status, lease_held: bool, kinds: &[Kind]) {
        let at = self.epoch.elapsed();
        if let Some(row) = self
            .ledger
            .rows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(x)
        {
            row.status = status;
            row.incarnation = Some(0);
            row.lease_held = lease_held;
        }
        let mut ring = self
            .ledger
            .journal
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for &kind in kinds {
            if ring.events.len() >= ring.capacity {
                ring.events.pop_front();
                ring.dropped += 1;
            }
            let record = Record {
                seq: self.seq,
                at,
                role: x as u32,
                incarnation: 0,
                kind,
            };
            ring.events.push_back(record);
            self.seq += 1;
        }
    }

    /// The tree's dependents of `x` (none when flat).
    fn children(&self, x: usize) -> impl Iterator<Item = usize> + use<> {
        let n = if self.tree { self.places.len() } else { 0 };
        [2 * x + 1, 2 * x + 2].into_iter().filter(move |&c| c < n)
    }

    /// Spawns every role whose dependencies are ready, each with its own
    /// token; a role is ready at once (`ready: spawned`), so its dependents
    /// whose dependencies are all ready start after it, in declaration order.
    fn start(&mut self) {
        let mut queue: std::collections::VecDeque<usize> = (0..self.places.len())
            .filter(|&x| self.places[x].waiting == 0)
            .collect();
        while let Some(x) = queue.pop_front() {
            let cancel = CancellationToken::new();
            let token = cancel.clone();
            let exits = self.exits.clone();
            tokio::spawn(async move {
                token.cancelled().await;
                let _ = exits.send(x as u32);
            });
            self.places[x].cancel = Some(cancel);
            self.live += 1;
            self.react(x, Status::Ready, true, &[Kind::Starting, Kind::Ready]);
            for c in self.children(x) {
                let place = &mut self.places[c];
                place.waiting -= 1;
                if place.waiting == 0 {
                    queue.push_back(c);
                }
            }
        }
    }

    /// Releases `x`'s lease and cancels its token.
    fn stop(&mut self, x: usize) {
        self.react(
            x,
            Status::Stopping,
            false,
            &[Kind::LeaseReleased, Kind::Stopping],
        );
        if let Some(cancel) = self.places[x].cancel.take() {
            cancel.cancel();
        }
    }

    /// The shutdown: every role whose dependents have all stopped begins its stop.
    fn shutdown(&mut self) {
        for x in 0..self.places.len() {
            let dependents = self.children(x).count() as u32;
            self.places[x].waiting = dependents;
        }
        for x in (0..self.places.len()).rev() {
            if self.places[x].waiting == 0 {
                self.stop(x);
            }
        }
    }

    /// `x`'s task has exited: it is stopped, and its dependency may stop once
    /// its other dependent has.
    fn exited(&mut self, x: usize) {
        self.live -= 1;
        self.react(x, Status::Stopped, false, &[Kind::Stopped]);
        if self.tree && x > 0 {
            let parent = (x - 1) / 2;
            let place = &mut self.places[parent];
            place.waiting -= 1;
            if place.waiting == 0 {
                self.stop(parent);
            }
        }
    }

    async fn run(
        mut self,
        mut exits: mpsc::UnboundedReceiver<u32>,
        mut commands: mpsc::UnboundedReceiver<tokio::sync::oneshot::Sender<()>>,
        started: tokio::sync::oneshot::Sender<()>,
    ) {
        self.start();
        let _ = started.send(());
        let mut reply = None;
        while reply.is_none() || self.live > 0 {
            tokio::select! {
                biased;
                Some(asked) = commands.recv(), if reply.is_none() => {
                    reply = Some(asked);
                    self.shutdown();
                }
                Some(x) = exits.recv() => self.exited(x as usize),
                else => break,
            }
        }
        if let Some(reply) = reply {
            let _ = reply.send(());
        }
    }
}

/// The obligation floor: plain tokio doing only what the runtime's contract
/// obliges any supervisor to do, flat or along the binary tree.
///
/// One decision task (spawned, as the supervisor is) owns every role. It
/// spawns each role's task with a `CancellationToken` of its own (a stop is
/// per role, for the order); the task waits for its token, then sends its
/// index on the one exit channel, which the decision task reads in the same
/// `select!` as its commands (an exit must reach the one decision-maker, so
/// that dependents and dependencies can react). Each transition is recorded
/// as the runtime records it: `starting` and `ready` at the spawn (`ready:
/// spawned`), `lease released` and `stopping` at the cancel, `stopped` at the
/// exit, each event with a sequence number and the time since the start, in
/// a journal bounded at `4 n` events (allocated once, as the runtime's is)
/// behind a mutex; a status row per role (status, incarnation, lease) behind
/// another mutex is written before each reaction's events. Both locks are
/// taken once per reaction (spawn, stop, exit), with one clock reading.
/// In the tree, a role starts once its dependency is ready, and its stop
/// begins once both its dependents have exited (not level by level).
///
/// Left out, though the runtime pays for them: grace-period timers and
/// aborts, catching panics, readiness signals and timeouts, the context and
/// its handles, restarts and their policies, `tracing`, the shutdown report.
/// So this is a lower bound for any supervisor with the runtime's contract.
/// The start ends when the decision task answers it, the stop when it
/// answers the shutdown after the last exit.
async fn obliged(n: usize, tree: bool) -> Run {
    let began = Instant::now();
    let (exits_tx, exits) = mpsc::unbounded_channel();
    let (commands_tx, commands) = mpsc::unbounded_channel();
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let row = Row {
        status: Status::Pending,
        incarnation: None,
        lease_held: false,
    };
    let decider = Decider {
        ledger: Arc::new(Ledger {
            rows: std::sync::Mutex::new(vec![row; n]),
            journal: std::sync::Mutex::new(Ring {
                events: std::collections::VecDeque::with_capacity(4 * n),
                capacity: 4 * n,
                dropped: 0,
            }),
        }),
        places: (0..n)
            .map(|i| Place {
                cancel: None,
                waiting: u32::from(tree && i > 0),
            })
            .collect(),
        tree,
        epoch: began,
        seq: 0,
        live: 0,
        exits: exits_tx,
    };
    let ledger = Arc::clone(&decider.ledger);
    let task = tokio::spawn(decider.run(exits, commands, started_tx));
    let _ = started.await;
    let started = began.elapsed();
    let stopping = Instant::now();
    let (reply, replied) = tokio::sync::oneshot::channel();
    let _ = commands_tx.send(reply);
    let _ = replied.await;
    let stopped = stopping.elapsed();
    let _ = task.await;
    let rows = ledger.rows.lock().unwrap_or_else(|e| e.into_inner());
    assert!(
        rows.iter()
            .all(|r| r.status == Status::Stopped && !r.lease_held)
    );
    let ring = ledger.journal.lock().unwrap_or_else(|e| e.into_inner());
    // Checked outside the timing: every event kept, gapless and in order.
    assert_eq!(ring.events.len() as u64 + ring.dropped, 5 * n as u64);
    let kept = ring.events.iter().zip(ring.events.iter().skip(1));
    assert!(
        kept.into_iter()
            .all(|(a, b)| b.seq == a.seq + 1 && b.at >= a.at)
    );
    let exited = (ring.events.iter())
        .filter(|e| matches!(e.kind, Kind::Stopped) && (e.role as usize) < n && e.incarnation == 0)
        .count();
    assert_eq!(exited, n);
    (started, stopped)
}

/// One run of each floor, then of `supervision` flat and as a tree, at `n`.
async fn contenders(n: usize) -> [Run; 6] {
    [
        plain_tokio(n).await,
        plain_tokio_ordered(n).await,
        obliged(n, false).await,
        obliged(n, true).await,
        flat(n).await,
        tree(n).await,
    ]
}

/// A `task-supervisor` task that reports when it runs, then waits to be cancelled.
#[derive(Clone)]
struct Idle(mpsc::UnboundedSender<()>);

impl SupervisedTask for Idle {
    async fn run(self, cancel: task_supervisor::CancellationToken) -> TaskResult {
        let _ = self.0.send(());
        cancel.cancelled().await;
        Ok(())
    }
}

async fn rival(tasks: usize) -> Run {
    let began = Instant::now();
    let (running, mut all_running) = mpsc::unbounded_channel();
    let mut builder = SupervisorBuilder::new();
    for i in 0..tasks {
        builder = builder.with_task(&format!("task_{i}"), Idle(running.clone()));
    }
    let handle = builder.spawn();
    for _ in 0..tasks {
        let _ = all_running.recv().await;
    }
    let started = began.elapsed();
    let stopping = Instant::now();
    let _ = handle.shutdown().await;
    (started, stopping.elapsed())
}

async fn rival_subsystems(tasks: usize) -> Run {
    use tokio_graceful_shutdown::{SubsystemBuilder, SubsystemHandle, Toplevel};

    let began = Instant::now();
    let (running, mut all_running) = mpsc::unbounded_channel::<()>();
    let shutdown = CancellationToken::new();
    let toplevel = Toplevel::new_with_shutdown_token(
        async move |s: &mut SubsystemHandle| {
            for i in 0..tasks {
                let running = running.clone();
                s.start(SubsystemBuilder::new(
                    format!("task_{i}"),
                    async move |s: &mut SubsystemHandle| {
                        let _ = running.send(());
                        s.on_shutdown_requested().await;
                        Ok::<(), std::convert::Infallible>(())
                    },
                ));
            }
        },
        shutdown.clone(),
    );
    let run = tokio::spawn(toplevel.handle_shutdown_requests(Duration::from_secs(30)));
    for _ in 0..tasks {
        let _ = all_running.recv().await;
    }
    let started = began.elapsed();
    let stopping = Instant::now();
    shutdown.cancel();
    let _ = run.await;
    (started, stopping.elapsed())
}

/// Start (until every role is ready) and shutdown of one supervised app.
async fn supervised(app: BuiltApp) -> Run {
    let n = app.spec().roles().len();
    let began = Instant::now();
    let handle = match app
        .start_with(Options::default().journal_capacity(4 * n))
        .await
    {
        Ok(handle) => handle,
        Err(error) => panic!("the app did not start: {error}"),
    };
    let started = began.elapsed();
    let stopping = Instant::now();
    let report = handle.shutdown().await;
    assert_eq!(report.roles.len(), n);
    (started, stopping.elapsed())
}

async fn flat(n: usize) -> Run {
    supervised(big(n, false)).await
}

async fn tree(n: usize) -> Run {
    supervised(big(n, true)).await
}

// ---- restarts and events ----------------------------------------------------

/// Restarts per second of a plain tokio loop that respawns a failing task.
async fn plain_respawns(restarts: u64) -> f64 {
    let began = Instant::now();
    for i in 0..restarts {
        let task = tokio::spawn(async move {
            if i < restarts {
                Err::<(), Box<dyn std::error::Error + Send + Sync>>("churn".into())
            } else {
                Ok(())
            }
        });
        if let Ok(Ok(())) = task.await {
            break;
        }
    }
    restarts as f64 / began.elapsed().as_secs_f64()
}

/// Restarts per second of one supervised role failing at once, `backoff: none`.
async fn supervised_restarts(restarts: u64) -> f64 {
    let (left, done) = (Arc::new(AtomicUsize::new(1)), Arc::new(Notify::new()));
    let began = Instant::now();
    let handle = match churn(1, restarts + 1, left, Arc::clone(&done))
        .start()
        .await
    {
        Ok(handle) => handle,
        Err(error) => panic!("the app did not start: {error}"),
    };
    done.notified().await;
    let rate = restarts as f64 / began.elapsed().as_secs_f64();
    let _ = handle.shutdown().await;
    rate
}

/// Events per second of `churners` roles each failing `churn` times at once,
/// with or without a subscriber that never reads, and how long the churn took.
async fn churn_events(scale: Scale, stalled: bool) -> (f64, Duration) {
    let left = Arc::new(AtomicUsize::new(scale.churners));
    let done = Arc::new(Notify::new());
    let app = churn(scale.churners, scale.churn, left, Arc::clone(&done));
    let began = Instant::now();
    let handle = match app.start().await {
        Ok(handle) => handle,
        Err(error) => panic!("the app did not start: {error}"),
    };
    let subscriber = stalled.then(|| handle.subscribe());
    done.notified().await;
    let took = began.elapsed();
    let log = handle.events();
    let events = log.events.last().map_or(0, |e| e.seq + 1);
    let _ = handle.shutdown().await;
    drop(subscriber);
    (events as f64 / took.as_secs_f64(), took)
}

// ---- memory -----------------------------------------------------------------

/// Resident bytes of this process.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// In a fresh process (`--rss WHAT N`): bytes per idle task or role, the RSS
/// delta from before the start until every one runs.
fn measure_rss(what: &str, n: usize) -> u64 {
    let runtime = runtime();
    runtime.block_on(async {
        match what {
            "plain" => {
                let before = rss();
                let (_, after) = plain_tokio_probed(n, rss).await;
                after.saturating_sub(before) / n as u64
            }
            shape => {
                // Built on a thread of its own: what building leaves freed
                // (the checks' temporaries) stays in that thread's arena, so
                // the app's start cannot reuse it and look smaller than it
                // is. A `supervision!` app has no such garbage: its spec is
                // a static.
                let tree = shape == "tree";
                let app = std::thread::spawn(move || big(n, tree)).join();
                match app {
                    Ok(app) => idle_rss(app).await,
                    Err(_) => panic!("the app was not built"),
                }
            }
        }
    })
}

async fn idle_rss(app: BuiltApp) -> u64 {
    let n = app.spec().roles().len() as u64;
    let before = rss();
    let handle = match app.start().await {
        Ok(handle) => handle,
        Err(error) => panic!("the app did not start: {error}"),
    };
    let after = rss();
    let _ = handle.shutdown().await;
    after.saturating_sub(before) / n
}

/// Bytes per role, each sample from a fresh process.
fn rss_samples(what: &str, n: usize, runs: usize) -> Vec<f64> {
    let exe = std::env::current_exe().unwrap_or_default();
    (0..runs.clamp(1, 3))
        .filter_map(|_| {
            let out = std::process::Command::new(&exe)
                .args(["--rss", what, &n.to_string()])
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout).trim().parse().ok()
        })
        .collect()
}

// ---- macro expansion --------------------------------------------------------

fn expand_samples(roles: usize, runs: usize) -> Vec<Duration> {
    let (text, _) = supervision_benches::dag(roles);
    let input = proc_macro2::TokenStream::from_str(&text).unwrap_or_default();
    (0..runs.max(3))
        .map(|_| {
            let input = input.clone();
            let began = Instant::now();
            let out = dsl::expand(input);
            let took = began.elapsed();
            drop(out);
            took
        })
        .collect()
}

// ---- the table ----------------------------------------------------------------

/// Samples of one row: durations, or rates and sizes as plain numbers.
#[derive(Clone, Default)]
struct Stat(Vec<f64>);

impl Stat {
    fn of(samples: &[Duration]) -> Self {
        Stat(samples.iter().map(Duration::as_secs_f64).collect())
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }

    fn median(&self) -> f64 {
        let v = self.sorted();
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    }

    fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }

    fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }
}

#[derive(Clone, Copy)]
enum Unit {
    Time,
    Rate,
    Bytes,
}

fn show(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Time if v >= 1.0 => format!("{v:.2}s"),
        Unit::Time if v >= 1e-3 => format!("{:.2}ms", v * 1e3),
        Unit::Time => format!("{:.1}µs", v * 1e6),
        Unit::Rate if v >= 1e6 => format!("{:.2}M/s", v / 1e6),
        Unit::Rate => format!("{:.0}k/s", v / 1e3),
        Unit::Bytes => format!("{v:.0} B"),
    }
}

struct Table(Vec<String>);

impl Table {
    fn section(&mut self, title: String) {
        self.0.push(title);
    }

    /// A row: median, min–max, the ratio to `floor` (a median) and its target.
    fn row(&mut self, name: &str, unit: Unit, stat: &Stat, floor: Option<f64>, target: &str) {
        let ratio = floor.map_or(String::new(), |f| format!("{:.2}x", stat.median() / f));
        self.0.push(format!(
            "  {name:<34} {:>10} {:>21} {ratio:>7}  {target}",
            show(unit, stat.median()),
            format!("{}–{}", show(unit, stat.min()), show(unit, stat.max())),
        ));
    }

    fn note(&mut self, text: String) {
        self.0.push(format!("  {text}"));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("no tokio runtime: {error}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--rss") {
        let what = args.get(at + 1).map_or("plain", String::as_str);
        let n = args
            .get(at + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        println!("{}", measure_rss(what, n));
        return;
    }
    let scale = scale();
    let (n, big, runs) = (scale.roles, 4 * scale.roles, scale.runs);
    let runtime = runtime();
    // `--only WHAT`: one contender, for a profiler (`valgrind --tool=callgrind`).
    if let Some(at) = args.iter().position(|a| a == "--only") {
        let what = args.get(at + 1).map_or("flat", String::as_str).to_owned();
        let result = runtime.block_on(runtime.spawn(async move {
            match what.as_str() {
                "plain" => println!("{:?}", plain_tokio(n).await),
                "ordered" => println!("{:?}", plain_tokio_ordered(n).await),
                "obliged" => println!("{:?}", obliged(n, false).await),
                "obliged-tree" => println!("{:?}", obliged(n, true).await),
                "tree" => println!("{:?}", tree(n).await),
                "restarts" => println!("{}", supervised_restarts(scale.restarts).await),
                "respawns" => println!("{}", plain_respawns(scale.restarts).await),
                "churn" => println!("{:?}", churn_events(scale, false).await),
                "stalled" => println!("{:?}", churn_events(scale, true).await),
                _ => println!("{:?}", flat(n).await),
            }
        }));
        if result.is_err() {
            panic!("the benchmark panicked");
        }
        return;
    }

    // Start and stop, every contender once per round, so that a noisy moment
    // hits all of them alike.
    // On a worker thread, as an app's own tasks run: from `block_on`'s thread
    // every spawn and join would cross threads.
    let rounds = runtime.block_on(runtime.spawn(async move {
        let mut lifecycle: [(Vec<Duration>, Vec<Duration>); 8] = Default::default();
        // Start + stop of `big` roles: the four floors, then flat and tree.
        let mut growth: [Vec<Duration>; 6] = Default::default();
        let mut restarts: [Vec<f64>; 2] = Default::default();
        let mut churn: [(Vec<f64>, Vec<Duration>); 2] = Default::default();
        // One warm-up round, not counted.
        contenders(n).await;
        contenders(big).await;
        for _ in 0..runs {
            let [a, b, c, d, e, f] = contenders(n).await;
            let rounds = [a, b, c, d, rival(n).await, rival_subsystems(n).await, e, f];
            for (samples, (start, stop)) in lifecycle.iter_mut().zip(rounds) {
                samples.0.push(start);
                samples.1.push(stop);
            }
            for (samples, (start, stop)) in growth.iter_mut().zip(contenders(big).await) {
                samples.push(start + stop);
            }
            restarts[0].push(plain_respawns(scale.restarts).await);
            restarts[1].push(supervised_restarts(scale.restarts).await);
            for (stalled, samples) in [false, true].into_iter().zip(churn.iter_mut()) {
                let (rate, took) = churn_events(scale, stalled).await;
                samples.0.push(rate);
                samples.1.push(took);
            }
        }
        (lifecycle, growth, restarts, churn)
    }));
    let Ok((lifecycle, growth, restarts, churn)) = rounds else {
        panic!("the benchmark panicked");
    };

    let mut table = Table(Vec::new());
    table.section(format!(
        "{:<36} {:>10} {:>21} {:>7}  target",
        format!("measure (median of {runs})"),
        "median",
        "min–max",
        "ratio"
    ));
    let names = [
        "plain tokio (floor)",
        "plain tokio, ordered (floor)",
        "plain tokio + obligations, flat",
        "plain tokio + obligations, tree",
        "task-supervisor",
        "tokio-graceful-shutdown",
        "supervision, flat",
        "supervision, tree",
    ];
    // Flat contenders against the floor, the tree against the ordered floor.
    let floors = [0, 1, 0, 1, 0, 0, 0, 1];
    for (phase, pick) in [("start", 0), ("ordered stop", 1)] {
        table.section(format!("{phase} of {n} tasks or roles"));
        let stats: Vec<Stat> = lifecycle
            .iter()
            .map(|s| Stat::of(if pick == 0 { &s.0 } else { &s.1 }))
            .collect();
        for (i, name) in names.iter().enumerate() {
            let target = if i >= 6 { "≤ 1.50x" } else { "" };
            table.row(
                name,
                Unit::Time,
                &stats[i],
                Some(stats[floors[i]].median()),
                target,
            );
        }
    }

    let memory = |what: &str, n: usize| Stat(rss_samples(what, n, runs));
    let mem = [
        memory("plain", n),
        memory("flat", n),
        memory("tree", n),
        memory("flat", big),
    ];
    table.section(format!(
        "memory per idle task or role, {n} (RSS delta, fresh process)"
    ));
    let floor = mem[0].median();
    table.row("plain tokio (floor)", Unit::Bytes, &mem[0], Some(floor), "");
    table.row(
        "supervision, flat",
        Unit::Bytes,
        &mem[1],
        Some(floor),
        "≤ 1.50x",
    );
    table.row(
        "supervision, tree",
        Unit::Bytes,
        &mem[2],
        Some(floor),
        "≤ 1.50x",
    );
    let own = supervision::footprint::<RoleId>(n, &Options::default());
    table.note(format!("the supervisor's own state per role: {own}"));

    table.section(format!(
        "restarts per second, one role failing at once ({} restarts)",
        scale.restarts
    ));
    let (plain, ours) = (Stat(restarts[0].clone()), Stat(restarts[1].clone()));
    table.row(
        "plain tokio respawn loop (floor)",
        Unit::Rate,
        &plain,
        Some(plain.median()),
        "",
    );
    table.row(
        "supervision, backoff: none",
        Unit::Rate,
        &ours,
        Some(plain.median()),
        "≥ 0.50x",
    );

    table.section(format!(
        "events per second, {} roles failing {} times each",
        scale.churners, scale.churn
    ));
    let (none, stalled) = (Stat(churn[0].0.clone()), Stat(churn[1].0.clone()));
    table.row("no subscriber", Unit::Rate, &none, None, "≥ 1M/s");
    table.row(
        "one subscriber that never reads",
        Unit::Rate,
        &stalled,
        None,
        "≥ 1M/s",
    );
    let (none_t, stalled_t) = (Stat::of(&churn[0].1), Stat::of(&churn[1].1));
    table.row(
        "churn, no subscriber",
        Unit::Time,
        &none_t,
        Some(none_t.median()),
        "",
    );
    table.row(
        "churn, stalled subscriber",
        Unit::Time,
        &stalled_t,
        Some(none_t.median()),
        "≈ 1.00x",
    );

    table.section(format!(
        "growth from {n} to {big} tasks or roles (4x), start + stop"
    ));
    // Each against its own start + stop of `n` in the same rounds.
    let growing = [
        ("plain tokio", 0),
        ("plain tokio, ordered", 1),
        ("obligations, flat", 2),
        ("obligations, tree", 3),
        ("supervision, flat", 6),
        ("supervision, tree", 7),
    ];
    for ((name, at), samples) in growing.into_iter().zip(&growth) {
        let (start, stop) = &lifecycle[at];
        let small: Vec<Duration> = start.iter().zip(stop).map(|(a, b)| *a + *b).collect();
        let target = if at >= 6 { "≤ 4.50x" } else { "" };
        table.row(
            &format!("{name}, {big}"),
            Unit::Time,
            &Stat::of(samples),
            Some(Stat::of(&small).median()),
            target,
        );
    }
    let mem_big = Stat(mem[3].0.iter().map(|b| b * 4.0).collect());
    table.row(
        &format!("flat, memory of {big} (per {n})"),
        Unit::Bytes,
        &mem_big,
        Some(mem[1].median()),
        "≤ 4.50x",
    );

    let (small, large) = (n / 10, 4 * n / 10);
    table.section("macro expansion, DAG with ≤ 5 dependencies per role".to_owned());
    let e1 = Stat::of(&expand_samples(small, 10));
    let e4 = Stat::of(&expand_samples(large, 5));
    table.row(
        &format!("{small} roles"),
        Unit::Time,
        &e1,
        None,
        if small == 1_000 { "≤ 10ms" } else { "" },
    );
    table.row(
        &format!("{large} roles (vs {small})"),
        Unit::Time,
        &e4,
        Some(e1.median()),
        "≤ 4.50x",
    );

    println!("{}", table.0.join("\n"));
}
