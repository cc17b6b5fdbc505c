//! The soak: seeded random apps of 1,000 roles (random DAGs, every policy,
//! strategy, readiness, stop list and optional mix, an app `intensity`) whose
//! services misbehave at random, run for a long virtual time under paused
//! tokio time. A model follows the event stream (`AppHandle::follow`) and
//! checks the README's guarantees after every event and at the end.
//!
//! CI runs [`soak_short`]. The long soak, and one seed again:
//!
//! ```text
//! cargo test -p supervision-tests --test soak --release -- --ignored --nocapture
//! SOAK_SEED=1234 cargo test -p supervision-tests --test soak --release -- --ignored --nocapture
//! ```
//!
//! `SOAK_SEEDS` (how many, default 1,000), `SOAK_FIRST` (first seed, default
//! 0) and `SOAK_SECS` (virtual seconds per app, default 600) size either run;
//! `SOAK_VERBOSE=1` prints each app's ending, `SOAK_TRACE=node_3,Some(2),10..20`
//! prints the events of a role, of an episode, or in a range of `seq`.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use supervision::{
    AppError, AppHandle, AppSpec, Backoff, BoxError, Budget, Builder, BuiltApp, Context, Drain,
    DrainOutcome, EpisodeId, Event, EventKind, HandleError, Options, Phase, Provide, Readiness,
    RestartPolicy, RoleId, RoleStatus, Service, ShutdownReason, ShutdownReport, StopAction,
    StopOutcome, Strategy,
};
use supervision_tests::{Probe, Rng, RoleDef, mix, ms, secs};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

const ROLES: usize = 1000;

/// The scheduler's tick under paused time: timers fire on whole milliseconds.
const TICK: Duration = Duration::from_millis(1);

// ---- the generator -----------------------------------------------------------

/// How one role's incarnations behave, drawn once per app.
#[derive(Clone, Copy, Debug)]
struct Temper {
    /// Chance that an incarnation ends on its own (returns, fails, panics or
    /// hangs); the others serve until asked to stop.
    fault: f64,
    /// Mean time, in ms, before such an incarnation misbehaves.
    life: u64,
    /// Chance that a restarted incarnation is late to become ready, or never is.
    slip: f64,
}

fn budget(rng: &mut Rng) -> (Budget, Backoff) {
    let budget = Budget {
        max_restarts: rng.range(2, 10) as u32,
        window: ms(rng.range(100, 20_000)),
    };
    let backoff = match rng.below(10) {
        0..=1 => Backoff::None,
        2..=4 => Backoff::Fixed {
            delay: ms(rng.range(1, 500)),
        },
        _ => {
            let min = rng.range(1, 100);
            Backoff::Exponential {
                min: ms(min),
                max: ms(min + rng.below(5000)),
            }
        }
    };
    (budget, backoff)
}

/// Draws the app of `seed`: a few core roles, then subsystems of up to 80
/// roles, each a random DAG over its recent roles with edges to the core and
/// rarely across; optional tails; every policy, readiness and stop list.
/// The app of `seed`, whose services report to `probe`.
fn generate(seed: u64, probe: &Probe) -> BuiltApp {
    let mut rng = Rng::new(seed);
    let strategy = [
        Strategy::RestForOne,
        Strategy::OneForOne,
        Strategy::OneForAll,
    ][(seed % 3) as usize];
    let core = rng.range(1, 8) as usize;
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); ROLES];
    let mut optional = vec![false; ROLES];
    let mut group = core;
    while group < ROLES {
        let size = (rng.range(1, 80) as usize).min(ROLES - group);
        let optional_from = rng
            .chance(0.3)
            .then(|| group + rng.below(size as u64) as usize);
        for i in group..group + size {
            let add = |d: usize, deps: &mut Vec<usize>| {
                if !deps.contains(&d) {
                    deps.push(d);
                }
            };
            let local = i - group;
            for _ in 0..rng.below(4).min(local as u64) {
                let back = rng.range(1, local.min(20) as u64) as usize;
                add(i - back, &mut deps[i]);
            }
            if rng.chance(0.3) {
                add(rng.below(core as u64) as usize, &mut deps[i]);
            }
            if rng.chance(0.02) {
                add(rng.below(i as u64) as usize, &mut deps[i]);
            }
            optional[i] = optional_from.is_some_and(|from| i >= from);
        }
        group += size;
    }
    for (i, own) in deps.iter_mut().enumerate().take(core) {
        for _ in 0..rng.below(3).min(i as u64) {
            let d = rng.below(i as u64) as usize;
            if !own.contains(&d) {
                own.push(d);
            }
        }
    }
    let mut has_dependents = vec![false; ROLES];
    for d in deps.iter().flatten() {
        has_dependents[*d] = true;
    }
    let policies: Vec<RestartPolicy> = (0..ROLES)
        .map(|i| {
            let pick = rng.below(100);
            let (budget, backoff) = budget(&mut rng);
            if i < core {
                if pick < 30 {
                    RestartPolicy::Critical
                } else {
                    RestartPolicy::Permanent { budget, backoff }
                }
            } else if pick < if has_dependents[i] { 3 } else { 20 } {
                RestartPolicy::Temporary
            } else if pick < if has_dependents[i] { 20 } else { 45 } {
                RestartPolicy::Transient { budget, backoff }
            } else if pick < 97 {
                RestartPolicy::Permanent { budget, backoff }
            } else {
                RestartPolicy::Critical
            }
        })
        .collect();
    // A role that may stay stopped (temporary, or transient after a clean
    // exit) ends a required dependent's app: mostly, its dependents are
    // optional, so apps live long; a required role cannot depend on an
    // optional one; `critical` cannot be optional.
    for i in 0..ROLES {
        let may_stay_stopped = |d: &usize| {
            matches!(
                policies[*d],
                RestartPolicy::Temporary | RestartPolicy::Transient { .. }
            )
        };
        if deps[i].iter().any(|d| optional[*d])
            || (deps[i].iter().any(may_stay_stopped) && rng.chance(0.97))
        {
            optional[i] = true;
        }
    }
    let wildness = [0.2, 0.5, 0.9][rng.below(3) as usize];
    // Every failure of `one_for_all` restarts all 1,000 roles: fewer of them.
    let pace = if strategy == Strategy::OneForAll {
        40
    } else {
        1
    };
    let mut app = Builder::new("Soak");
    app.strategy(strategy)
        .shutdown_timeout(ms(rng.range(1_000, 60_000)));
    if let Some(budget) = rng.chance(0.6).then(|| Budget {
        max_restarts: rng.range(20, 2_000) as u32,
        window: ms(rng.range(1_000, 60_000)),
    }) {
        app.intensity(budget);
    }
    for i in 0..ROLES {
        let restart = match policies[i] {
            RestartPolicy::Critical if optional[i] => RestartPolicy::DEFAULT,
            policy => policy,
        };
        let one_shot = matches!(
            restart,
            RestartPolicy::Transient { .. } | RestartPolicy::Temporary
        );
        let ready = match rng.below(10) {
            0..=4 => Readiness::Spawned,
            9 if one_shot => Readiness::Completed {
                timeout: ms(rng.range(100, 5_000)),
            },
            _ => Readiness::Signaled {
                timeout: ms(rng.range(50, 5_000)),
            },
        };
        let mut stop = Vec::new();
        if rng.chance(0.3) {
            stop.push(StopAction::Drain {
                timeout: ms(rng.range(10, 2_000)),
                resume_state: rng.chance(0.5),
            });
        }
        if rng.chance(0.7) {
            stop.push(StopAction::ReleaseLease);
        }
        stop.push(StopAction::Stop {
            timeout: if rng.chance(0.2) {
                StopAction::DEFAULT_STOP_TIMEOUT
            } else {
                ms(rng.below(3_000))
            },
        });
        // Core and critical roles fail rarely, or every app would end early.
        let steady = i < core || restart == RestartPolicy::Critical;
        let temper = Temper {
            fault: wildness * if steady { 0.05 } else { 1.0 },
            slip: if steady { 0.002 } else { 0.04 },
            life: pace * rng.range(5_000, 300_000),
        };
        let grace = stop
            .iter()
            .find_map(|a| match a {
                StopAction::Stop { timeout } => Some(*timeout),
                _ => None,
            })
            .unwrap_or(StopAction::DEFAULT_STOP_TIMEOUT);
        let soak = Soak {
            seed,
            index: i,
            temper,
            ready,
            grace,
            probe: probe.clone(),
        };
        let drains = matches!(stop.first(), Some(StopAction::Drain { .. }));
        let name = format!("node_{i}");
        let role = if drains {
            app.draining_role(name, soak)
        } else {
            app.role(name, soak)
        };
        let def = RoleDef {
            optional: optional[i],
            restart,
            ready,
            stop,
            watchdog: None,
        };
        def.declare(role)
            .depends_on(deps[i].iter().map(|d| format!("node_{d}")));
    }
    match app.build() {
        Ok(app) => app,
        Err(error) => panic!("seed {seed} drew an invalid app: {error}"),
    }
}

// ---- the services ------------------------------------------------------------

/// What a role publishes: who published it, so a reader can tell a stale one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    role: usize,
    incarnation: u64,
}

/// Every role's service: behaviour drawn from (seed, role, incarnation).
struct Soak {
    seed: u64,
    index: usize,
    temper: Temper,
    ready: Readiness,
    /// The role's `stop(T)`: lingering is drawn around it.
    grace: Duration,
    probe: Probe,
}

impl Provide for Soak {
    type Handle = Stamp;
}

impl Soak {
    fn rng(&self, cx: &Context, salt: u64) -> Rng {
        Rng::new(mix(self.seed ^ salt) ^ mix(self.index as u64) ^ mix(cx.incarnation()) << 1)
    }

    /// Publishes a handle or only signals, once or twice.
    fn signal(&self, cx: &Context, rng: &mut Rng) {
        if rng.chance(0.5) {
            let stamp = Stamp {
                role: self.index,
                incarnation: cx.incarnation(),
            };
            if let Err(e) = cx.ready_with(self, stamp) {
                panic!("ready_with refused the role's own service: {e}");
            }
        } else {
            cx.ready();
        }
    }

    /// Serves until asked to stop (or not at all), then answers the stop.
    async fn serve(&self, cx: &Context, rng: &mut Rng) -> Result<(), BoxError> {
        if rng.chance(self.temper.fault) {
            // A first incarnation misbehaves after the start, mostly: an app
            // of 1,000 roles whose start fails on every slip would never run.
            let settle = if cx.incarnation() == 0 { 20_000 } else { 0 };
            let after = ms(settle + rng.below(2 * self.temper.life));
            tokio::select! {
                () = tokio::time::sleep(after) => return misbehave(rng).await,
                () = cx.stop_requested() => {}
            }
        } else {
            cx.stop_requested().await;
        }
        match rng.below(100) {
            0..=69 => Ok(()),
            70..=84 => {
                let linger = 2 * self.grace.as_millis() as u64 + 1;
                tokio::time::sleep(ms(rng.below(linger))).await;
                Ok(())
            }
            85..=89 => Err("soak: failed while stopping".into()),
            90..=94 => panic!("soak"),
            // Ignores the cancellation: only an abort ends it.
            _ => std::future::pending().await,
        }
    }
}

/// An incarnation that ends on its own: returns, fails, panics or hangs deaf.
async fn misbehave(rng: &mut Rng) -> Result<(), BoxError> {
    match rng.below(100) {
        0..=24 => Ok(()),
        25..=59 => Err("soak: failed".into()),
        60..=84 => panic!("soak"),
        _ => std::future::pending().await,
    }
}

impl Service for Soak {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let _guard = self.probe.enter(cx.role());
        let mut rng = self.rng(&cx, 0);
        // The first start of an app of 1,000 roles fails on one slip; keep
        // slips there rare so most apps get to run.
        let slip = if cx.incarnation() == 0 {
            0.0001
        } else {
            self.temper.slip
        };
        match self.ready {
            Readiness::Spawned => {
                if rng.chance(0.2) {
                    self.signal(&cx, &mut rng);
                }
            }
            Readiness::Signaled { timeout } => {
                let t = timeout.as_millis() as u64;
                let at = if rng.chance(slip) {
                    // Late, or never.
                    (rng.chance(0.5)).then(|| t + 1 + rng.below(t + 1))
                } else {
                    Some(rng.below(t * 4 / 5 + 1))
                };
                let Some(at) = at else {
                    return self.serve(&cx, &mut rng).await;
                };
                tokio::select! {
                    () = tokio::time::sleep(ms(at)) => self.signal(&cx, &mut rng),
                    () = cx.stop_requested() => return Ok(()),
                }
                if rng.chance(0.1) {
                    tokio::time::sleep(ms(rng.below(t + 1))).await;
                    self.signal(&cx, &mut rng);
                }
            }
            Readiness::Completed { timeout } => {
                let t = timeout.as_millis() as u64;
                let late = rng.chance(slip);
                let at = if late {
                    t + 1 + rng.below(t + 1)
                } else {
                    rng.below(t * 4 / 5 + 1)
                };
                tokio::select! {
                    () = tokio::time::sleep(ms(at)) => {}
                    () = cx.stop_requested() => return Ok(()),
                }
                if rng.chance(slip) {
                    return misbehave(&mut rng).await;
                }
                if rng.chance(0.5) {
                    self.signal(&cx, &mut rng);
                }
                return Ok(());
            }
        }
        self.serve(&cx, &mut rng).await
    }
}

impl Drain for Soak {
    type State = u64;

    async fn drain(&self, cx: &Context) -> Result<u64, BoxError> {
        let mut rng = self.rng(cx, 0xd7a1);
        // Drawn around the drain timeout, so some overrun it.
        let wait = ms(rng.below(4_000));
        match rng.below(10) {
            0..=5 => {
                tokio::time::sleep(wait / 4).await;
                Ok(cx.incarnation())
            }
            6..=7 => {
                tokio::time::sleep(wait).await;
                Ok(cx.incarnation())
            }
            8 => Err("soak: drain failed".into()),
            _ => panic!("soak"),
        }
    }
}

// ---- the model ---------------------------------------------------------------

/// What the event stream has said about one role so far.
#[derive(Default)]
struct RoleModel {
    /// Its latest incarnation.
    latest: Option<u64>,
    /// The latest incarnation's `run` has not ended.
    running: bool,
    /// Its stop sequence has begun and not ended.
    stopping: bool,
    /// Ready, or a completed job: its dependents may start.
    up: bool,
    lease: bool,
    /// The latest incarnation's exit was reported (exited, failed, panicked).
    exit_seen: bool,
    draining: bool,
    /// The last drain of the current stop sequence.
    drain: Option<DrainOutcome>,
    disabled: bool,
    /// Its restart was refused by the app's `intensity`: it escalates, optional or not.
    over_intensity: bool,
    /// The episode of its latest failure (an exit, or a ready timeout).
    failure: Option<EpisodeId>,
    /// When its restarts were scheduled, within its budget window.
    restarts: VecDeque<Duration>,
    /// When its current stop sequence began.
    stop_began: Duration,
    /// Its stop in the shutdown: outcome, drain, how long the stop took.
    shutdown_stop: Option<(StopOutcome, Option<DrainOutcome>, Duration)>,
}

/// Why a soak failed, and where.
#[derive(Default)]
struct Violations {
    count: u64,
    first: Vec<String>,
}

impl Violations {
    fn add(&mut self, what: String) {
        self.count += 1;
        if self.first.len() < 20 {
            self.first.push(what);
        }
    }
}

/// The shutdown, as its first event told it.
struct ShutdownSeen {
    at: Duration,
    episode: Option<EpisodeId>,
    reason: ShutdownReason,
    role: Option<RoleId>,
}

struct Model {
    spec: &'static AppSpec<RoleId>,
    roles: Vec<RoleModel>,
    /// Transitive dependents of each role, as bit sets.
    below: Vec<Vec<u64>>,
    /// Roles running or running their stop actions, as a bit set.
    live: Vec<u64>,
    ordered: bool,
    next_seq: u64,
    max_episode: u64,
    intensity: VecDeque<Duration>,
    shutdown: Option<ShutdownSeen>,
    completed: Option<Duration>,
    /// The last events, to compare with the journal at the end.
    tail: VecDeque<Event<RoleId>>,
    tail_capacity: usize,
    violations: Violations,
}

fn words() -> usize {
    ROLES.div_ceil(64)
}

impl Model {
    fn new(spec: &'static AppSpec<RoleId>, tail_capacity: usize) -> Self {
        let mut below = vec![vec![0u64; words()]; ROLES];
        // Dependents come later in start order: fill from the end. A completed
        // job stays completed while its dependencies restart, so the chain
        // stops at it: its own dependents need not wait for them.
        for &role in spec.start_order().iter().rev() {
            let x = role.index();
            let mut set = vec![0u64; words()];
            for &d in spec.dependents(role) {
                let job = matches!(spec.readiness(d), Readiness::Completed { .. });
                let d = d.index();
                set[d / 64] |= 1 << (d % 64);
                if !job {
                    for (w, b) in set.iter_mut().zip(&below[d]) {
                        *w |= b;
                    }
                }
            }
            below[x] = set;
        }
        Model {
            spec,
            roles: (0..ROLES).map(|_| RoleModel::default()).collect(),
            below,
            live: vec![0; words()],
            ordered: spec.strategy() != Strategy::OneForOne,
            next_seq: 0,
            max_episode: 0,
            intensity: VecDeque::new(),
            shutdown: None,
            completed: None,
            tail: VecDeque::new(),
            tail_capacity,
            violations: Violations::default(),
        }
    }

    fn is_live(&self, x: usize) -> bool {
        self.live[x / 64] & (1 << (x % 64)) != 0
    }

    fn update_live(&mut self, x: usize) {
        let r = &self.roles[x];
        if r.running || r.stopping {
            self.live[x / 64] |= 1 << (x % 64);
        } else {
            self.live[x / 64] &= !(1 << (x % 64));
        }
    }

    /// Whether the shutdown deadline has passed at `at`: from then on
    /// whatever is left is aborted at once, in no order.
    fn past_deadline(&self, at: Duration) -> bool {
        self.shutdown
            .as_ref()
            .is_some_and(|s| at >= s.at + self.spec.shutdown_timeout())
    }

    /// `x`'s stop sequence begins: none of its dependents may still be live.
    fn stop_begins(&mut self, x: usize, e: &Event<RoleId>) {
        self.roles[x].stopping = true;
        self.roles[x].drain = None;
        self.roles[x].stop_began = e.at;
        self.update_live(x);
        if self.past_deadline(e.at) {
            return;
        }
        for d in self.spec.dependents(self.spec.roles()[x]) {
            if self.is_live(d.index()) {
                self.violations.add(format!(
                    "seq {}: {} began to stop while its dependent {d} is live",
                    e.seq,
                    self.spec.roles()[x]
                ));
            }
        }
    }

    /// Checks the restart budget `budget` against `window` when a restart is
    /// scheduled at `at`; returns how many restarts the window now holds.
    fn grant(window: &mut VecDeque<Duration>, budget: Budget, at: Duration) -> usize {
        while window.front().is_some_and(|&t| at - t >= budget.window) {
            window.pop_front();
        }
        window.push_back(at);
        window.len()
    }

    fn prune(window: &mut VecDeque<Duration>, budget: Budget, at: Duration) -> usize {
        while window.front().is_some_and(|&t| at - t >= budget.window) {
            window.pop_front();
        }
        window.len()
    }

    fn observe(&mut self, e: &Event<RoleId>) {
        macro_rules! violation {
            ($($arg:tt)*) => { self.violations.add(format!("seq {}: {}", e.seq, format!($($arg)*))) };
        }
        if e.seq != self.next_seq {
            violation!("expected seq {} (a gap or a repeat)", self.next_seq);
        }
        self.next_seq = e.seq + 1;
        if self.completed.is_some() {
            violation!("an event after shutdown_completed: {:?}", e.kind);
        }
        if self.tail.len() == self.tail_capacity {
            self.tail.pop_front();
        }
        self.tail.push_back(e.clone());
        // Episodes are introduced in order, each by a failure or the shutdown.
        if let Some(episode) = e.episode
            && episode.get() > self.max_episode
        {
            let opens = matches!(
                e.kind,
                EventKind::Exited
                    | EventKind::Failed { .. }
                    | EventKind::Panicked { .. }
                    | EventKind::ShutdownRequested { .. }
            );
            if episode.get() != self.max_episode + 1 || !opens {
                violation!("episode {episode} opened by {:?}", e.kind);
            }
            self.max_episode = episode.get();
        }
        if let Some(s) = &self.shutdown
            && e.episode != s.episode
        {
            violation!("{:?} after the shutdown is not in its episode", e.kind);
        }
        let Some(role) = e.role else {
            self.observe_app(e);
            return;
        };
        let x = role.index();
        if let Ok(trace) = std::env::var("SOAK_TRACE")
            && trace.split(',').any(|t| {
                t == role.name()
                    || t == format!("{:?}", e.episode.map(EpisodeId::get))
                    || t.split_once("..").is_some_and(|(a, b)| {
                        a.parse().is_ok_and(|a: u64| a <= e.seq)
                            && b.parse().is_ok_and(|b: u64| e.seq < b)
                    })
            })
        {
            eprintln!("{} {e}", e.seq);
        }
        let expected = if e.kind == EventKind::Starting {
            Some(self.roles[x].latest.map_or(0, |i| i + 1))
        } else {
            self.roles[x].latest
        };
        if e.incarnation != expected {
            violation!(
                "{role} {:?} names incarnation {:?}, not {expected:?}",
                e.kind,
                e.incarnation
            );
        }
        let after_shutdown = self.shutdown.is_some();
        match &e.kind {
            EventKind::Starting => {
                let r = &self.roles[x];
                if after_shutdown {
                    violation!("{role} starts after the shutdown request");
                }
                if r.disabled {
                    violation!("{role} starts while disabled");
                }
                if r.running || r.stopping {
                    violation!("{role} starts while its previous incarnation is live");
                }
                if e.incarnation.is_some_and(|i| i > 0) && e.episode.is_none() {
                    violation!("{role} restarts outside any episode");
                }
                for d in self.spec.dependencies(role) {
                    if !self.roles[d.index()].up {
                        violation!("{role} starts while its dependency {d} is not ready");
                    }
                }
                if self.ordered {
                    for (w, (live, below)) in self.live.iter().zip(&self.below[x]).enumerate() {
                        if live & below != 0 {
                            let d = w * 64 + (live & below).trailing_zeros() as usize;
                            violation!(
                                "{role} starts while its dependent {} is live",
                                self.spec.roles()[d]
                            );
                        }
                    }
                }
                let r = &mut self.roles[x];
                r.latest = e.incarnation;
                r.running = true;
                r.stopping = false;
                r.up = false;
                r.exit_seen = false;
                r.draining = false;
                r.drain = None;
                self.update_live(x);
            }
            EventKind::Ready => {
                let job = matches!(self.spec.readiness(role), Readiness::Completed { .. });
                let r = &mut self.roles[x];
                if after_shutdown {
                    violation!("{role} ready after the shutdown request");
                }
                if job != (!r.running && r.exit_seen) || r.up || r.stopping {
                    violation!("{role} ready in the wrong state");
                }
                r.up = true;
                r.lease = !job;
            }
            EventKind::Failed { error, .. } if !error.starts_with("soak") => {
                // A ready timeout: the incarnation still runs until stopped.
                let r = &mut self.roles[x];
                if !r.running || r.up {
                    violation!("{role} timed out while not starting");
                }
                r.failure = e.episode;
            }
            EventKind::Exited | EventKind::Failed { .. } | EventKind::Panicked { .. } => {
                let r = &mut self.roles[x];
                if !r.running || r.exit_seen {
                    violation!("{role}'s exit reported twice or without a run");
                }
                r.exit_seen = true;
                r.running = false;
                r.up = false;
                if !r.stopping {
                    r.failure = e.episode;
                }
                self.update_live(x);
            }
            EventKind::RestartScheduled { attempt, .. } => {
                if after_shutdown {
                    violation!("{role} restart scheduled after the shutdown request");
                }
                let r = &mut self.roles[x];
                if r.running || r.stopping {
                    violation!("{role} restart scheduled while live");
                }
                if e.episode.is_none() || e.episode != r.failure {
                    violation!("{role} restart outside its failure's episode");
                }
                if let Some((budget, _)) = self.spec.restart(role).budget() {
                    let n = Self::grant(&mut r.restarts, budget, e.at);
                    if n > budget.max_restarts as usize || *attempt as usize != n {
                        violation!("{role} restart {n} (attempt {attempt}) within {budget:?}");
                    }
                } else {
                    violation!("{role} restarted without a restart budget");
                }
                if let Some(intensity) = self.spec.intensity() {
                    let n = Self::grant(&mut self.intensity, intensity, e.at);
                    if n > intensity.max_restarts as usize {
                        violation!("restart {n} of the app within {intensity:?}");
                    }
                }
            }
            EventKind::BudgetExhausted { budget, app_wide } => {
                let r = &mut self.roles[x];
                let (expected, n) = if *app_wide {
                    let intensity = self.spec.intensity();
                    let n = intensity.map_or(0, |b| Self::prune(&mut self.intensity, b, e.at));
                    (intensity, n)
                } else {
                    let own = self.spec.restart(role).budget().map(|(b, _)| b);
                    let n = own.map_or(0, |b| Self::prune(&mut r.restarts, b, e.at));
                    (own, n)
                };
                r.over_intensity = *app_wide;
                if expected != Some(*budget) || n != budget.max_restarts as usize {
                    violation!("{role} exhausted {budget:?} after {n} restarts");
                }
                if e.episode != r.failure {
                    violation!("{role} budget exhausted outside its failure's episode");
                }
            }
            EventKind::Disabled => {
                let r = &mut self.roles[x];
                if !self.spec.is_optional(role) || r.running || r.stopping || r.disabled {
                    violation!("{role} disabled while required, live or disabled");
                }
                r.disabled = true;
                r.up = false;
            }
            EventKind::Escalated => {
                if self.spec.is_optional(role) && !self.roles[x].over_intensity {
                    violation!("optional {role} escalated within the app's intensity");
                }
            }
            EventKind::Draining => {
                if !self.roles[x].stopping {
                    self.stop_begins(x, e);
                }
                let r = &mut self.roles[x];
                if !r.running || r.draining {
                    violation!("{role} drains while not running or draining");
                }
                r.draining = true;
            }
            EventKind::Drained { result } => {
                let r = &mut self.roles[x];
                if !r.draining {
                    violation!("{role} drained without draining");
                }
                r.draining = false;
                r.drain = Some(result.clone());
            }
            EventKind::LeaseReleased { lease } => {
                if self.roles[x].running && !self.roles[x].stopping {
                    self.stop_begins(x, e);
                }
                let r = &mut self.roles[x];
                if !r.lease || lease != self.spec.lease(role) {
                    violation!("{role} released a lease it does not hold");
                }
                r.lease = false;
                r.up = false;
            }
            EventKind::Stopping => {
                if !self.roles[x].stopping {
                    self.stop_begins(x, e);
                }
                if !self.roles[x].running {
                    violation!("{role} asked to stop while not running");
                }
                self.roles[x].up = false;
            }
            EventKind::Stopped { outcome } => {
                if !self.roles[x].stopping {
                    self.stop_begins(x, e);
                }
                let r = &mut self.roles[x];
                if r.latest.is_none() || r.lease {
                    violation!("{role} stopped without a run or with its lease");
                }
                let drain = if r.draining {
                    Some(DrainOutcome::TimedOut)
                } else {
                    r.drain.clone()
                };
                if after_shutdown {
                    r.shutdown_stop = Some((*outcome, drain, e.at - r.stop_began));
                }
                r.running = false;
                r.stopping = false;
                r.draining = false;
                r.up = false;
                self.update_live(x);
            }
            EventKind::ShutdownRequested { .. } => self.observe_app(e),
            other => violation!("{role}: unexpected {other:?}"),
        }
    }

    fn observe_app(&mut self, e: &Event<RoleId>) {
        match &e.kind {
            EventKind::ShutdownRequested { reason } => {
                if self.shutdown.is_some() {
                    self.violations
                        .add(format!("seq {}: a second shutdown request", e.seq));
                }
                self.shutdown = Some(ShutdownSeen {
                    at: e.at,
                    episode: e.episode,
                    reason: *reason,
                    role: e.role,
                });
            }
            EventKind::ShutdownCompleted => {
                self.completed = Some(e.at);
                if let Some(s) = &self.shutdown {
                    let took = e.at - s.at;
                    if took > self.spec.shutdown_timeout() + TICK {
                        self.violations.add(format!(
                            "the shutdown took {took:?}, over {:?}",
                            self.spec.shutdown_timeout()
                        ));
                    }
                } else {
                    self.violations.add("completed without a request".into());
                }
            }
            other => self
                .violations
                .add(format!("seq {}: {other:?} without a role", e.seq)),
        }
    }

    /// A published handle is the current incarnation's, of a role that may
    /// offer one; the state table and the registry agree.
    fn check_handles(&mut self, handle: &AppHandle<RoleId>) {
        let state = handle.state();
        // A completed job's handle is its result: it stays once it stopped.
        let job = |i: usize| {
            matches!(
                self.spec.readiness(self.spec.roles()[i]),
                Readiness::Completed { .. }
            )
        };
        for (i, role) in state.roles.iter().enumerate() {
            match handle.get_as::<Soak>(role.role) {
                Ok(stamp) => {
                    let fresh = stamp.role == i && role.incarnation == Some(stamp.incarnation);
                    let offers = matches!(
                        role.status,
                        RoleStatus::Starting
                            | RoleStatus::Ready
                            | RoleStatus::Completed
                            | RoleStatus::Stopping
                    ) || (role.status == RoleStatus::Stopped && job(i));
                    if !fresh || !offers {
                        self.violations.add(format!(
                            "{} publishes {stamp:?} while {:?} at incarnation {:?}",
                            role.role, role.status, role.incarnation
                        ));
                    }
                }
                Err(HandleError::Disabled { .. }) if role.status != RoleStatus::Disabled => {
                    self.violations.add(format!(
                        "{} reads as disabled while {:?}",
                        role.role, role.status
                    ));
                }
                Err(_) => {}
            }
            if role.lease_held && !matches!(role.status, RoleStatus::Ready | RoleStatus::Stopping) {
                self.violations.add(format!(
                    "{} holds its lease while {:?}",
                    role.role, role.status
                ));
            }
        }
    }
}

/// Follows the app's events and checks each as it comes.
async fn follow(
    plan_spec: &'static AppSpec<RoleId>,
    handle: AppHandle<RoleId>,
    tail: usize,
) -> Model {
    let mut model = Model::new(plan_spec, tail);
    let mut events = handle.follow();
    if events.dropped() != 0 {
        model.violations.add(format!(
            "the journal dropped {} events at once",
            events.dropped()
        ));
    }
    loop {
        match events.recv().await {
            Ok(e) => {
                model.observe(&e);
                if e.seq % 512 == 0 {
                    model.check_handles(&handle);
                }
                if e.kind == EventKind::ShutdownCompleted {
                    break;
                }
            }
            Err(RecvError::Lagged(n)) => {
                model
                    .violations
                    .add(format!("the checker lagged {n} events behind"));
                break;
            }
            Err(RecvError::Closed) => {
                model.violations.add("the stream closed early".into());
                break;
            }
        }
    }
    model
}

// ---- one seed ----------------------------------------------------------------

/// What one seed ran and found.
#[derive(Default)]
struct Figures {
    seeds: u64,
    events: u64,
    virtual_time: Duration,
    endings: BTreeMap<&'static str, u64>,
    violations: u64,
    failed: Vec<(u64, Vec<String>)>,
}

const JOURNAL: usize = 4096;

/// Runs the app of `seed` for `span` of virtual time (or until it ends on
/// its own), then shuts it down from several callers at once, and checks.
async fn soak(seed: u64, span: Duration, figures: &mut Figures) {
    let probe = Probe::default();
    let app = generate(seed, &probe);
    let spec = app.spec();
    let options = Options::default()
        .journal_capacity(JOURNAL)
        .subscriber_capacity(1 << 16)
        .jitter_seed(seed);
    let launched = Instant::now();
    let handle = app.launch_with(options);
    let checker = tokio::spawn(follow(spec, handle.clone(), JOURNAL));
    let started = handle.started().await;
    if started.is_ok() {
        let watched = handle.clone();
        tokio::select! {
            () = tokio::time::sleep(span) => {}
            _ = watched.join() => {}
        }
    }
    let callers = 1 + seed % 4;
    let shutdowns: Vec<_> = (0..callers)
        .map(|_| {
            let handle = handle.clone();
            tokio::spawn(async move { handle.shutdown().await })
        })
        .collect();
    let limit = spec.shutdown_timeout() + secs(3600);
    let joined = tokio::time::timeout(limit, handle.join()).await;
    let joined_at = launched.elapsed();
    let mut reports = Vec::new();
    for s in shutdowns {
        reports.push(s.await.expect("shutdown returns"));
    }
    let mut model = checker.await.expect("the checker ends");
    let Ok(joined) = joined else {
        model.violations.add("the app did not end".into());
        return record(seed, model, "hung", figures);
    };
    finish(
        &mut model, &handle, &probe, &started, &joined, &reports, joined_at,
    );
    let ending = match (&started, &joined) {
        (Err(_), _) => "start failed",
        (Ok(()), Err(_)) => "escalated",
        (Ok(()), Ok(_))
            if model.shutdown.as_ref().map(|s| s.reason)
                == Some(ShutdownReason::CriticalExited) =>
        {
            "critical exit"
        }
        (Ok(()), Ok(_)) if joined_at < span => "ended early",
        (Ok(()), Ok(_)) => "shut down",
    };
    if std::env::var_os("SOAK_VERBOSE").is_some() {
        let why = match (&started, &joined) {
            (Err(e), _) => e.to_string(),
            (_, Err(e)) => e.to_string(),
            _ => String::new(),
        };
        eprintln!(
            "seed {seed}: {:?} {ending} at {joined_at:?} after {} events {why}",
            spec.strategy(),
            model.next_seq
        );
    }
    drop(handle);
    let alive = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    if alive != 0 {
        model
            .violations
            .add(format!("{alive} tasks alive after join"));
    }
    figures.virtual_time += joined_at;
    record(seed, model, ending, figures);
}

fn record(seed: u64, model: Model, ending: &'static str, figures: &mut Figures) {
    figures.seeds += 1;
    figures.events += model.next_seq;
    *figures.endings.entry(ending).or_default() += 1;
    figures.violations += model.violations.count;
    if model.violations.count > 0 {
        figures.failed.push((seed, model.violations.first));
    }
}

/// The end: nothing left running, the journal and the report agree with
/// the events, and `join`'s answer with the shutdown's reason.
fn finish(
    model: &mut Model,
    handle: &AppHandle<RoleId>,
    probe: &Probe,
    started: &Result<(), supervision::StartError<RoleId>>,
    joined: &Result<ShutdownReport<RoleId>, AppError<RoleId>>,
    reports: &[ShutdownReport<RoleId>],
    joined_at: Duration,
) {
    let v = &mut model.violations;
    let spec = model.spec;
    if probe.live() != 0 {
        v.add(format!("{} incarnations alive after join", probe.live()));
    }
    for &role in spec.roles() {
        if probe.max_live(role.name()) > 1 {
            v.add(format!("{role}: two incarnations alive at once"));
        }
        let r = &model.roles[role.index()];
        if r.running || r.stopping {
            v.add(format!(
                "{role}: the end of incarnation {:?} was lost",
                r.latest
            ));
        }
    }
    let Some(shutdown) = &model.shutdown else {
        v.add("no shutdown was requested".into());
        return;
    };
    if model.completed.is_none() {
        v.add("no shutdown_completed".into());
    }
    if joined_at > shutdown.at + spec.shutdown_timeout() + TICK {
        v.add(format!(
            "join returned at {joined_at:?}, past the deadline of a shutdown requested at {:?}",
            shutdown.at
        ));
    }
    // The journal: gapless, its retained tail is what was followed.
    let log = handle.events();
    if log.dropped + log.events.len() as u64 != model.next_seq
        || !log.events.iter().eq(model
            .tail
            .iter()
            .skip(model.tail.len() - log.events.len().min(model.tail.len())))
    {
        v.add("the journal disagrees with the followed stream".into());
    }
    let state = handle.state();
    if state.phase != Phase::Stopped
        || state
            .roles
            .iter()
            .any(|r| !matches!(r.status, RoleStatus::Stopped | RoleStatus::Disabled))
        || !handle.leases().is_empty()
    {
        v.add("the final state has something still running".into());
    }
    // join's answer follows from why the shutdown began.
    let report = match (started, joined, shutdown.reason) {
        (Err(e), Err(AppError::Start(j)), _) if e == j => &e.report,
        (Ok(()), Ok(report), ShutdownReason::Requested | ShutdownReason::CriticalExited) => report,
        (Ok(()), Err(AppError::Escalated { role, report, .. }), ShutdownReason::Escalated)
            if Some(*role) == shutdown.role =>
        {
            report
        }
        (started, joined, reason) => {
            v.add(format!(
                "started {:?} and joined {:?} after a {reason:?} shutdown",
                started.as_ref().err().map(|e| e.role),
                joined.as_ref().err().map(ToString::to_string)
            ));
            return;
        }
    };
    if reports.iter().any(|r| r != report) {
        v.add("concurrent shutdowns returned different reports".into());
    }
    // The report: every role once, in stop order, as the events ended it.
    let order: Vec<RoleId> = report.roles.iter().map(|r| r.role).collect();
    if order != spec.stop_order() {
        v.add("the report is not in stop order".into());
    }
    if let (Some(done), true) = (
        model.completed,
        report.duration > spec.shutdown_timeout() + TICK,
    ) {
        v.add(format!(
            "the report's duration {:?} (ended at {done:?})",
            report.duration
        ));
    }
    for row in &report.roles {
        let r = &model.roles[row.role.index()];
        // A stop begun before the request (for a restart) counts from its
        // own beginning, so it may be longer than the shutdown.
        let expected = if r.disabled {
            (StopOutcome::Disabled, row.drain.clone(), row.duration)
        } else {
            r.shutdown_stop
                .clone()
                .unwrap_or((StopOutcome::AlreadyStopped, None, Duration::ZERO))
        };
        if (row.outcome, row.drain.clone(), row.duration) != expected {
            v.add(format!(
                "{}: reported {:?} {:?} in {:?}, the events say {expected:?}",
                row.role, row.outcome, row.drain, row.duration
            ));
        }
    }
}

// ---- the runs ----------------------------------------------------------------

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Runs `seeds` on a fresh paused runtime each, prints the figures, and
/// fails naming every failing seed with the command that reproduces it.
fn run(seeds: impl Iterator<Item = u64>, span: Duration) -> Figures {
    // The services' own panics are expected: keep the output readable.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"soak") {
            default_hook(info);
        }
    }));
    let mut figures = Figures::default();
    for seed in seeds {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a runtime");
        runtime.block_on(soak(seed, span, &mut figures));
    }
    eprintln!(
        "soak: {} seeds of {ROLES} roles, {:?} of virtual time ({:?} per app asked), {} events checked, {} violations; endings {:?}",
        figures.seeds,
        figures.virtual_time,
        span,
        figures.events,
        figures.violations,
        figures.endings
    );
    for (seed, found) in &figures.failed {
        eprintln!(
            "seed {seed} failed; reproduce with:\n  SOAK_SEED={seed} SOAK_SECS={} cargo test -p supervision-tests --test soak --release -- --ignored --nocapture",
            span.as_secs()
        );
        for line in found {
            eprintln!("    {line}");
        }
    }
    figures
}

/// CI's soak: 20 apps of 1,000 roles, 10 virtual minutes each (seconds of
/// wall time, even unoptimized: paused time never waits).
#[test]
fn soak_short() {
    let figures = run(
        0..env("SOAK_SEEDS").unwrap_or(20),
        secs(env("SOAK_SECS").unwrap_or(600)),
    );
    assert_eq!(figures.violations, 0, "see the failing seeds above");
    // The seeds reach more than one ending.
    assert!(figures.endings.len() >= 2, "{:?}", figures.endings);
}

/// The long soak: 1,000 apps of 1,000 roles, 10 virtual minutes each
/// (`SOAK_SEED` runs one seed; see the module docs).
#[test]
#[ignore = "a minute in release mode: cargo test -p supervision-tests --test soak --release -- --ignored"]
fn soak_long() {
    let span = secs(env("SOAK_SECS").unwrap_or(600));
    let figures = match env("SOAK_SEED") {
        Some(seed) => run(seed..seed + 1, span),
        None => {
            let first = env("SOAK_FIRST").unwrap_or(0);
            run(first..first + env("SOAK_SEEDS").unwrap_or(1000), span)
        }
    };
    assert_eq!(figures.violations, 0, "see the failing seeds above");
}
