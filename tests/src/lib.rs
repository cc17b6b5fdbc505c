//! Test support: [`Script`] services (one nameable type, any behaviour), probes that
//! count live incarnations with drop guards, the 10,000-role [`tree`], and
//! [`unchecked`] specs for what the rules refuse.
//!
//! Runtime behaviour tests live in `tests/`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

pub use supervision;
use supervision::build::RoleBuilder;
use supervision::{
    AppSpec, BoxError, Builder, BuiltApp, Context, Drain, Readiness, RestartPolicy, Role, RoleSpec,
    Service, StopAction, Strategy,
};

/// A role's declaration besides its name and dependencies, for apps drawn
/// from data; `RoleDef::default()` is every default.
#[derive(Clone, Debug)]
pub struct RoleDef {
    /// The `optional` prefix (its dependents must be optional too).
    pub optional: bool,
    /// `restart: ..`.
    pub restart: RestartPolicy,
    /// `ready: ..`.
    pub ready: Readiness,
    /// `stop: [..]`.
    pub stop: Vec<StopAction>,
    /// `watchdog: ..`.
    pub watchdog: Option<Duration>,
}

impl Default for RoleDef {
    fn default() -> Self {
        RoleDef {
            optional: false,
            restart: RestartPolicy::DEFAULT,
            ready: Readiness::Spawned,
            stop: StopAction::DEFAULT.to_vec(),
            watchdog: None,
        }
    }
}

impl RoleDef {
    /// Declares all of it on `role`.
    pub fn declare<'a>(&self, role: RoleBuilder<'a>) -> RoleBuilder<'a> {
        let role = role
            .restart(self.restart)
            .ready(self.ready)
            .stop(self.stop.iter().copied());
        let role = if self.optional { role.optional() } else { role };
        match self.watchdog {
            Some(period) => role.watchdog(period),
            None => role,
        }
    }
}

/// The role of [`unchecked`] one-role apps.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize)]
pub struct Lone;

impl Role for Lone {
    fn index(self) -> usize {
        0
    }

    fn name(self) -> &'static str {
        "lone"
    }
}

impl std::fmt::Display for Lone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A one-role spec written by hand, for what neither the macro nor the
/// builder lets through (a stop list without `stop`): the runtime must
/// still behave. Leaked, as a `static` would hold it.
pub fn unchecked(name: &'static str, def: RoleDef) -> &'static AppSpec<Lone> {
    Box::leak(Box::new(AppSpec {
        name,
        strategy: Strategy::RestForOne,
        intensity: None,
        shutdown_timeout: AppSpec::<Lone>::DEFAULT_SHUTDOWN_TIMEOUT,
        roles: Vec::leak(vec![RoleSpec {
            role: Lone,
            lease: Lone.name(),
            optional: def.optional,
            dependencies: &[],
            dependents: &[],
            after: &[],
            followers: &[],
            restart: def.restart,
            ready: def.ready,
            stop: Vec::leak(def.stop),
            watchdog: def.watchdog,
        }]),
        all: &[Lone],
        start_order: &[Lone],
        stop_order: &[Lone],
    }))
}

/// The splitmix64 finalizer: a well-mixed hash of `z`, so behaviours drawn
/// from `(seed, role, incarnation)` are reproducible and independent.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A seeded splitmix64 generator: the same seed draws the same app and the
/// same behaviours, so a failing seed reproduces.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// The generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(mix(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// Milliseconds.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Seconds.
pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The future a [`Script`] runs per incarnation.
pub type RunFuture = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;
/// The future a [`DrainScript`] drains with.
pub type DrainFuture = Pin<Box<dyn Future<Output = Result<serde_json::Value, BoxError>> + Send>>;
type RunFn = Arc<dyn Fn(Context) -> RunFuture + Send + Sync>;
type DrainFn = Arc<dyn Fn(Context) -> DrainFuture + Send + Sync>;

/// A nameable service type whose behaviour is a closure: the one users get.
pub use supervision::testing::Script;

/// A [`Script`] that can be drained: `drain` returns the state to hand over.
#[derive(Clone)]
pub struct DrainScript(RunFn, DrainFn);

impl DrainScript {
    /// Runs `run` once per incarnation and `drain` when its `drain` action runs.
    pub fn new<F, Fut, D, DFut>(run: F, drain: D) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
        D: Fn(Context) -> DFut + Send + Sync + 'static,
        DFut: Future<Output = Result<serde_json::Value, BoxError>> + Send + 'static,
    {
        DrainScript(
            Arc::new(move |cx| Box::pin(run(cx))),
            Arc::new(move |cx| Box::pin(drain(cx))),
        )
    }

    /// Ready at once and ends when asked to stop, but its drain never
    /// finishes: only the drain timeout ends it.
    pub fn never_drains() -> Self {
        DrainScript::new(
            |cx| async move {
                cx.ready();
                cx.stop_requested().await;
                Ok(())
            },
            |_| async {
                std::future::pending::<()>().await;
                Ok(serde_json::Value::Null)
            },
        )
    }
}

impl Service for DrainScript {
    fn run(&self, cx: Context) -> impl Future<Output = Result<(), BoxError>> + Send {
        (self.0)(cx)
    }
}

impl Drain for DrainScript {
    type State = serde_json::Value;
    fn drain(
        &self,
        cx: &Context,
    ) -> impl Future<Output = Result<serde_json::Value, BoxError>> + Send {
        (self.1)(cx.clone())
    }
}

#[derive(Default)]
struct ProbeState {
    live: HashMap<&'static str, usize>,
    max_live: HashMap<&'static str, usize>,
    total: usize,
}

/// Counts live incarnations per role with drop guards: a guard lives as long as
/// the service future, so an aborted task is counted out too.
#[derive(Clone, Default)]
pub struct Probe(Arc<Mutex<ProbeState>>);

/// Held by a running incarnation; dropping it counts the incarnation out.
pub struct Guard {
    probe: Probe,
    role: &'static str,
}

impl Probe {
    fn lock(&self) -> MutexGuard<'_, ProbeState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts an incarnation of `role` in until the guard drops.
    pub fn enter(&self, role: &'static str) -> Guard {
        let mut s = self.lock();
        s.total += 1;
        let live = s.live.entry(role).or_default();
        *live += 1;
        let now = *live;
        let max = s.max_live.entry(role).or_default();
        *max = (*max).max(now);
        Guard {
            probe: self.clone(),
            role,
        }
    }

    /// Incarnations of every role alive now.
    pub fn live(&self) -> usize {
        self.lock().live.values().sum()
    }

    /// The most incarnations of `role` ever alive at once.
    pub fn max_live(&self, role: &'static str) -> usize {
        self.lock().max_live.get(role).copied().unwrap_or(0)
    }

    /// A script that runs until asked to stop, then takes `linger` to return;
    /// counted by this probe while it lives.
    pub fn lingering(&self, linger: Duration) -> Script {
        let probe = self.clone();
        Script::new(move |cx| {
            let guard = probe.enter(cx.role());
            async move {
                let _guard = guard;
                cx.stop_requested().await;
                tokio::time::sleep(linger).await;
                Ok(())
            }
        })
    }

    /// Incarnations entered so far, all roles together.
    pub fn total(&self) -> usize {
        self.lock().total
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let mut s = self.probe.lock();
        if let Some(live) = s.live.get_mut(self.role) {
            *live -= 1;
        }
    }
}

/// A shared, ordered log of what services did.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    /// Appends one line.
    pub fn push(&self, line: impl Into<String>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line.into());
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// `(role, outcome, duration)` of each role of a shutdown report, in stop order.
pub fn rows<R: Role>(
    report: &supervision::ShutdownReport<R>,
) -> Vec<(R, supervision::StopOutcome, Duration)> {
    report
        .roles
        .iter()
        .map(|r| (r.role, r.outcome, r.duration))
        .collect()
}

/// The escalation the app ended with, as `join` reports it: the role that
/// escalated, why, and how the app was shut down. Panics on any other end.
pub async fn escalation<R: Role>(
    handle: &supervision::AppHandle<R>,
) -> (R, supervision::Cause, supervision::ShutdownReport<R>) {
    match handle.join().await {
        Err(supervision::AppError::Escalated {
            role,
            cause,
            report,
            ..
        }) => (role, cause, report),
        other => panic!("expected an escalation, got {other:?}"),
    }
}

/// The `(role name, kind tag)` of each event, from its serde form.
pub fn kinds<R: Role>(events: &[supervision::Event<R>]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            let v = serde_json::to_value(e).expect("events serialize");
            let role = v["role"].as_str().unwrap_or("-").to_owned();
            let kind = v["kind"].as_str().unwrap_or("?").to_owned();
            (role, kind)
        })
        .collect()
}

/// The `kind` tags of one role's events, in order.
pub fn role_kinds<R: Role>(events: &[supervision::Event<R>], role: R) -> Vec<String> {
    kinds(events)
        .into_iter()
        .filter(|(r, _)| r == role.name())
        .map(|(_, k)| k)
        .collect()
}

/// How many roles [`tree`] has.
pub const TREE_NODES: usize = 10_000;

/// An app of [`TREE_NODES`] roles named `node_{i}` where node `i` depends on
/// node `(i - 1) / 2`: a binary tree, 14 levels deep, each node running until
/// asked to stop. Tests and benchmarks share it.
pub fn tree() -> BuiltApp {
    let mut app = Builder::new("Tree");
    app.role("node_0", Script::until_stopped());
    for i in 1..TREE_NODES {
        app.role(format!("node_{i}"), Script::until_stopped())
            .depends_on([format!("node_{}", (i - 1) / 2)]);
    }
    app.build().expect("the tree is a valid app")
}
