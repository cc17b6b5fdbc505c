//! Test support: apps built by hand (until the `supervision!` macro lands), closure
//! services, and probes that count live incarnations with drop guards.
//!
//! Runtime behaviour tests live in `tests/`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

pub use supervision;
use supervision::__private::{ErasedService, drain_service, service};
use supervision::{
    AppSpec, Backoff, BoxError, Budget, Context, Drain, Readiness, RestartPolicy, Role, RoleSpec,
    Service, StopAction, Strategy,
};

/// Declares a role enum and a hand-built app type whose spec is made once by `$build`
/// (a [`SpecBuilder`] expression).
#[macro_export]
macro_rules! test_app {
    ($app:ident, $role:ident { $($variant:ident => $name:literal),+ $(,)? }, $build:expr) => {
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug,
            serde::Serialize, serde::Deserialize,
        )]
        #[allow(missing_docs)]
        pub enum $role {
            $(#[serde(rename = $name)] $variant),+
        }

        impl $crate::supervision::Role for $role {
            const ALL: &'static [Self] = &[$($role::$variant),+];
            fn index(self) -> usize {
                self as usize
            }
            fn name(self) -> &'static str {
                match self {
                    $($role::$variant => $name),+
                }
            }
        }

        impl ::core::fmt::Display for $role {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($crate::supervision::Role::name(*self))
            }
        }

        /// A hand-built app: one service per role, in declaration order.
        #[allow(missing_docs)]
        pub struct $app(pub Vec<$crate::Erased>);

        impl $crate::supervision::App for $app {
            type Role = $role;
            fn spec() -> &'static $crate::supervision::AppSpec<$role> {
                static SPEC: ::std::sync::OnceLock<&'static $crate::supervision::AppSpec<$role>> =
                    ::std::sync::OnceLock::new();
                SPEC.get_or_init(|| {
                    let builder: $crate::SpecBuilder<$role> = $build;
                    builder.build(stringify!($app))
                })
            }
            fn into_services(self) -> Vec<$crate::Erased> {
                self.0
            }
        }
    };
}

/// A type-erased service, as the generated code hands them to the runtime.
pub type Erased = ErasedService;

/// One role as declared.
#[derive(Clone, Debug)]
pub struct RoleDef<R> {
    role: R,
    deps: Vec<R>,
    optional: bool,
    restart: RestartPolicy,
    ready: Readiness,
    stop: Vec<StopAction>,
}

impl<R: Role> RoleDef<R> {
    /// `depends_on: [..]`.
    pub fn deps(mut self, deps: &[R]) -> Self {
        self.deps = deps.to_vec();
        self
    }
    /// The `optional` prefix.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    /// `restart: ..`.
    pub fn restart(mut self, restart: RestartPolicy) -> Self {
        self.restart = restart;
        self
    }
    /// `ready: ..`.
    pub fn ready(mut self, ready: Readiness) -> Self {
        self.ready = ready;
        self
    }
    /// `stop: [..]`.
    pub fn stop(mut self, stop: &[StopAction]) -> Self {
        self.stop = stop.to_vec();
        self
    }
}

/// Builds the `AppSpec` the macro would generate: dependents, start order (Kahn,
/// earliest declared first) and stop order (its reverse).
pub struct SpecBuilder<R> {
    strategy: Strategy,
    intensity: Option<Budget>,
    shutdown_timeout: Duration,
    roles: Vec<RoleDef<R>>,
}

impl<R: Role> SpecBuilder<R> {
    /// Every role with every default.
    pub fn new() -> Self {
        SpecBuilder {
            strategy: Strategy::RestForOne,
            intensity: None,
            shutdown_timeout: Duration::from_secs(30),
            roles: R::ALL
                .iter()
                .map(|&role| RoleDef {
                    role,
                    deps: Vec::new(),
                    optional: false,
                    restart: RestartPolicy::DEFAULT,
                    ready: Readiness::Spawned,
                    stop: StopAction::DEFAULT.to_vec(),
                })
                .collect(),
        }
    }
    /// `strategy: ..`.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }
    /// `intensity: N per W`.
    pub fn intensity(mut self, max_restarts: u32, window: Duration) -> Self {
        self.intensity = Some(Budget {
            max_restarts,
            window,
        });
        self
    }
    /// `shutdown_timeout: ..`.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }
    /// Changes one role's declaration.
    pub fn role(mut self, role: R, f: impl FnOnce(RoleDef<R>) -> RoleDef<R>) -> Self {
        let i = role.index();
        let def = self.roles[i].clone();
        self.roles[i] = f(def);
        self
    }

    /// Leaks the spec, as a `static` would hold it.
    pub fn build(self, name: &'static str) -> &'static AppSpec<R> {
        let n = self.roles.len();
        let mut dependents: Vec<Vec<R>> = vec![Vec::new(); n];
        for def in &self.roles {
            for d in &def.deps {
                dependents[d.index()].push(def.role);
            }
        }
        // Kahn's algorithm; among roles whose dependencies have all started, the
        // earliest declared goes first.
        let mut missing: Vec<usize> = self.roles.iter().map(|def| def.deps.len()).collect();
        let mut ready: std::collections::BTreeSet<usize> =
            (0..n).filter(|&i| missing[i] == 0).collect();
        let mut start = Vec::with_capacity(n);
        while let Some(i) = ready.pop_first() {
            start.push(self.roles[i].role);
            for d in &dependents[i] {
                let d = d.index();
                missing[d] -= 1;
                if missing[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        assert_eq!(start.len(), n, "the test topology has a cycle");
        let mut stop = start.clone();
        stop.reverse();
        let roles: Vec<RoleSpec<R>> = self
            .roles
            .into_iter()
            .zip(dependents)
            .map(|(def, dependents)| RoleSpec {
                role: def.role,
                lease: def.role.name(),
                optional: def.optional,
                dependencies: Vec::leak(def.deps),
                dependents: Vec::leak(dependents),
                restart: def.restart,
                ready: def.ready,
                stop: Vec::leak(def.stop),
            })
            .collect();
        Box::leak(Box::new(AppSpec {
            name,
            strategy: self.strategy,
            intensity: self.intensity,
            shutdown_timeout: self.shutdown_timeout,
            roles: Vec::leak(roles),
            start_order: Vec::leak(start),
            stop_order: Vec::leak(stop),
        }))
    }
}

impl<R: Role> Default for SpecBuilder<R> {
    fn default() -> Self {
        Self::new()
    }
}

/// `permanent(N per W, backoff: B)`.
pub fn permanent(max_restarts: u32, window: Duration, backoff: Backoff) -> RestartPolicy {
    RestartPolicy::Permanent {
        budget: Budget {
            max_restarts,
            window,
        },
        backoff,
    }
}

/// `transient(N per W, backoff: B)`.
pub fn transient(max_restarts: u32, window: Duration, backoff: Backoff) -> RestartPolicy {
    RestartPolicy::Transient {
        budget: Budget {
            max_restarts,
            window,
        },
        backoff,
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

/// A service made of a closure run once per incarnation.
pub struct FnService<F>(F);

impl<F, Fut> Service for FnService<F>
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    fn run(&self, cx: Context) -> impl Future<Output = Result<(), BoxError>> + Send {
        (self.0)(cx)
    }
}

/// Erases a closure service.
pub fn svc<F, Fut>(f: F) -> Erased
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    service(FnService(f))
}

/// A closure service that can be drained: `drain` returns the state to hand over.
pub struct FnDrain<F, D>(F, D);

impl<F, Fut, D, DFut> Service for FnDrain<F, D>
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    D: Fn(Context) -> DFut + Send + Sync + 'static,
    DFut: Future<Output = Result<serde_json::Value, BoxError>> + Send + 'static,
{
    fn run(&self, cx: Context) -> impl Future<Output = Result<(), BoxError>> + Send {
        (self.0)(cx)
    }
}

impl<F, Fut, D, DFut> Drain for FnDrain<F, D>
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    D: Fn(Context) -> DFut + Send + Sync + 'static,
    DFut: Future<Output = Result<serde_json::Value, BoxError>> + Send + 'static,
{
    type State = serde_json::Value;
    fn drain(
        &self,
        cx: &Context,
    ) -> impl Future<Output = Result<serde_json::Value, BoxError>> + Send {
        (self.1)(cx.clone())
    }
}

/// Erases a drainable closure service.
pub fn drain_svc<F, Fut, D, DFut>(run: F, drain: D) -> Erased
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    D: Fn(Context) -> DFut + Send + Sync + 'static,
    DFut: Future<Output = Result<serde_json::Value, BoxError>> + Send + 'static,
{
    drain_service(FnDrain(run, drain))
}

/// The future a [`Script`] runs per incarnation.
pub type RunFuture = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;
/// The future a [`DrainScript`] drains with.
pub type DrainFuture = Pin<Box<dyn Future<Output = Result<serde_json::Value, BoxError>> + Send>>;
type RunFn = Arc<dyn Fn(Context) -> RunFuture + Send + Sync>;
type DrainFn = Arc<dyn Fn(Context) -> DrainFuture + Send + Sync>;

/// A nameable service type whose behaviour is a closure, so `supervision!` apps in
/// tests can give every role the same type and a different script.
#[derive(Clone)]
pub struct Script(RunFn);

impl Script {
    /// Runs `f` once per incarnation.
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        Script(Arc::new(move |cx| Box::pin(f(cx))))
    }

    /// Runs until asked to stop, then returns `Ok`.
    pub fn until_stopped() -> Self {
        Script::new(|cx| async move {
            cx.stop_requested().await;
            Ok(())
        })
    }
}

impl Service for Script {
    fn run(&self, cx: Context) -> impl Future<Output = Result<(), BoxError>> + Send {
        (self.0)(cx)
    }
}

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

/// Runs until asked to stop, then returns `Ok`.
pub fn until_stopped() -> Erased {
    svc(|cx| async move {
        cx.stop_requested().await;
        Ok(())
    })
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
