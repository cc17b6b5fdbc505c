//! **The engine room**: the supervisor, one task that owns every role's state
//! and makes every decision, with its backoff, budgets and timers. Imports
//! `spec`, `observe`, `protocol` and `service`; only `app` imports it.
//!
//!
//! Services run in their own tasks, each of which sends its end on the
//! supervisor's channel; their exits, readiness
//! signals, handle commands and timers all arrive here, one at a time, so no
//! decision ever races another. Work is driven through two queues (roles to
//! start, roles whose stop may begin) instead of recursion, so a long
//! dependency chain never deepens the stack.

mod backoff;
mod budget;
mod exit;
mod log;
mod queue;
mod slot;
mod start;
mod stop;
mod timers;
mod watchdog;

use core::any::TypeId;
use core::cell::Cell;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinError;
use tokio::time::Instant;

use self::backoff::Jitter;
use self::budget::Window;
use self::queue::StartQueue;
use self::slot::{Ended, Slot, Status, Stops};
use self::timers::{Timer, Timers};
use crate::observe::error::{AppError, Cause, ErrorChain, Failure};
use crate::observe::event::{EpisodeId, EventKind, ShutdownReason};
use crate::observe::footprint::Footprint;
use crate::observe::journal::Journal;
use crate::observe::report::ShutdownReport;
use crate::observe::state::{Phase, StateTable};
use crate::observe::stored::Stored;
use crate::protocol::{
    Done, Link, Msg, Outcome, Published, Registry, Shared, Started, TaskKey, TaskKind, TaskOut,
    Upstream,
};
use crate::service::erased::{ErasedService, payload_message};
use crate::spec::AppSpec;
use crate::spec::effective::Effective;
use crate::spec::options::Options;
use crate::spec::options::StartMode;
use crate::spec::role::{Role, packed_index, unpacked_index};

/// The most messages the loop takes at once, before it looks at its timers
/// again: those waiting are taken together, not one trip through the
/// loop's wait each (a shutdown's thousands of exits would pay it for each).
const BATCH: usize = 128;

/// The most reactions in a row that share one reading of the clock.
const SHARED_READING: u32 = 32;

/// How one incarnation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Exit {
    Clean,
    Error(ErrorChain),
    Panic(String),
    /// Aborted by the supervisor (stop grace period or shutdown deadline).
    Aborted,
}

/// How the app ends, decided when the shutdown is requested.
#[derive(Clone, Debug)]
enum End {
    /// Asked for, a signal, or a `critical` role's clean exit.
    Clean {
        role: Option<usize>,
    },
    Escalated {
        role: usize,
        cause: Cause,
    },
    StartFailed {
        role: usize,
        cause: Cause,
    },
}

struct Shutdown {
    began: Instant,
    episode: EpisodeId,
    reason: ShutdownReason,
    /// Roles whose end is not yet known.
    remaining: usize,
    /// How each role ended, by index, for the report.
    ended: Vec<Option<Ended>>,
    forced: bool,
    end: End,
}

pub(crate) struct Supervisor<R: Role> {
    /// The declared spec with the overrides of `Options`.
    spec: Effective<R>,
    services: Vec<ErasedService>,
    slots: Vec<Slot>,
    /// Position of each role in the stop order, to sort affected sets
    /// (`u32`s, as a context keeps its role's index: two per role).
    stop_rank: Vec<u32>,
    /// The role of each stop-order rank.
    by_rank: Vec<u32>,
    /// Tasks spawned whose end (a [`Done`]) has not arrived yet.
    tasks: usize,
    timers: Timers,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// The messages taken from `rx` at once, reacted to in order.
    inbox: Vec<Msg>,
    /// Its sender kept so the channel never closes; shared by every context,
    /// through which its task sends its end.
    upstream: Arc<Upstream>,
    shared: Arc<Shared<R>>,
    done: watch::Sender<Option<Outcome<R>>>,
    /// Answered once, when the start phase ends.
    started: watch::Sender<Option<Started<R>>>,
    phase: Phase,
    epoch: Instant,
    /// The clock as read by the reaction under way: read once per reaction
    /// (a message, a task's end, the timers due, one queued start or stop),
    /// on first use, so the events and timers of one reaction share one
    /// reading; reactions that follow one another at once share it too, up
    /// to [`SHARED_READING`] of them (see [`Supervisor::next_reaction`]).
    clock: Cell<Option<Instant>>,
    /// How many reactions have followed the one that began with `clock`
    /// unread.
    sharing: Cell<u32>,
    /// `clock`'s time since `epoch`, worked out for the reaction's first
    /// event: a reaction that records none (a restart's timer) needs none.
    since: Cell<Option<std::time::Duration>>,
    seq: u64,
    episodes: u64,
    jitter: Jitter,
    start_mode: StartMode,
    intensity: Window,
    /// Roles the start phase still waits for.
    awaiting_start: usize,
    /// Roles that may be able to start, by start-order position: whenever several
    /// can start at once, they start in the declared start order.
    to_start: StartQueue,
    to_stop: VecDeque<usize>,
    /// The stops under way, each slot holding its place.
    stops: Stops,
    shutdown: Option<Shutdown>,
}

/// Spawns the supervisor, which starts the roles; the link it returns at once
/// is what an `AppHandle` is made of, and says when the start phase ends.
pub(crate) fn launch<R: Role>(
    spec: &'static AppSpec<R>,
    services: Vec<ErasedService>,
    options: Options,
) -> Link<R> {
    let (tx, rx) = mpsc::unbounded_channel();
    let (done, done_rx) = watch::channel(None);
    let (started, started_rx) = watch::channel(None);
    let shared = Arc::new(Shared {
        spec,
        journal: Arc::new(Journal::new(
            spec,
            options.journal_capacity,
            options.subscriber_capacity,
        )),
        state: StateTable::new(spec),
        handles: Arc::new(Registry::new(
            TypeId::of::<R>(),
            spec.roles().len(),
            Some(spec),
        )),
    });
    let n = spec.roles().len();
    let (effective, invalid) = match Effective::new(spec, &options) {
        Ok(effective) => (effective, None),
        Err((role, e)) => (
            Effective::declared(spec),
            Some((role, Cause::InvalidOverride(e))),
        ),
    };
    let misconfigured = (services.len() != n)
        .then(|| {
            let text = format!("the app provided {} services for {n} roles", services.len());
            (None, Cause::Misconfigured(text))
        })
        .or(invalid);
    let seed = options
        .jitter_seed
        .unwrap_or_else(|| Jitter::seed_from(spec.name()));
    // The stop order names every role once; should a spec not, the roles it
    // leaves out rank after it, so every role has a rank of its own.
    let mut stop_rank = vec![u32::MAX; n];
    let mut by_rank = Vec::with_capacity(n);
    let listed = spec.stop_order().iter().map(|role| role.index());
    for x in listed.chain(0..n) {
        if let Some(r) = stop_rank.get_mut(x)
            && *r == u32::MAX
        {
            *r = packed_index(by_rank.len());
            by_rank.push(packed_index(x));
        }
    }
    // The events' times and the heartbeats are counted from it.
    let epoch = Instant::now();
    let supervisor = Supervisor {
        spec: effective,
        services,
        slots: (spec.roles().iter())
            .map(|&r| Slot::new(spec.dependencies(r).len() + spec.after(r).len()))
            .collect(),
        stop_rank,
        by_rank,
        tasks: 0,
        timers: Timers::default(),
        rx,
        inbox: Vec::with_capacity(BATCH),
        upstream: Arc::new(Upstream {
            tx: tx.clone(),
            registry: Arc::clone(&shared.handles),
            epoch,
        }),
        shared: Arc::clone(&shared),
        done,
        started,
        phase: Phase::Starting,
        epoch,
        clock: Cell::new(None),
        sharing: Cell::new(0),
        since: Cell::new(None),
        seq: 0,
        episodes: 0,
        jitter: Jitter::new(seed, options.jitter),
        start_mode: options.start,
        intensity: Window::default(),
        awaiting_start: n,
        to_start: StartQueue::new(n),
        to_stop: VecDeque::new(),
        stops: Stops::default(),
        shutdown: None,
    };
    let task = tokio::spawn(supervisor.run(misconfigured));
    Link {
        shared,
        tx,
        started: started_rx,
        done: done_rx,
        task,
    }
}

impl<R: Role> Supervisor<R> {
    /// `misconfigured` names the role to blame (the first one when the
    /// mistake is the whole app's) and why the app cannot start.
    async fn run(mut self, misconfigured: Option<(Option<R>, Cause)>) {
        match (misconfigured, self.spec.roles().first()) {
            (Some((role, cause)), Some(_)) => {
                self.request_shutdown(
                    ShutdownReason::StartFailed,
                    None,
                    End::StartFailed {
                        role: role.map_or(0, Role::index),
                        cause,
                    },
                );
            }
            _ => {
                for x in 0..self.slots.len() {
                    if self.slots[x].deps_unready == 0 {
                        self.queue_start(x);
                    }
                }
            }
        }
        self.drive();
        // One timer, moved only when the earliest deadline changes: re-arming a
        // fresh `Sleep` on every event would cost a timer-wheel update per event.
        let mut armed = None;
        let sleep = tokio::time::sleep_until(Instant::now());
        tokio::pin!(sleep);
        while !self.finished() {
            let next = self.next_deadline();
            // A timer already due fires now: the timer wheel would wake the
            // loop only at its next millisecond tick. The reading that
            // found it due is the reaction's.
            if let Some(at) = next {
                let now = Instant::now();
                if at <= now {
                    self.new_reaction(Some(now));
                    self.on_timers();
                    self.drive();
                    continue;
                }
            }
            if next != armed {
                if let Some(at) = next {
                    sleep.as_mut().reset(at);
                }
                armed = next;
            }
            tokio::select! {
                biased;
                n = self.rx.recv_many(&mut self.inbox, BATCH) => {
                    // 0: the channel is closed, which it never is while the
                    // supervisor holds a sender; nothing more will come.
                    if n == 0 {
                        break;
                    }
                    // The loop waited: the clock is read afresh.
                    self.new_reaction(None);
                    self.react_to_inbox();
                    // With several stops under way, their exits are on the
                    // way: the supervisor lets the tasks run before it looks
                    // again (tokio would run it first, as each exit wakes
                    // it), so that their exits come back together instead
                    // of one poll each.
                    if self.stops.len() > 1 {
                        tokio::task::yield_now().await;
                    }
                }
                () = &mut sleep, if armed.is_some() => {
                    armed = None;
                    self.new_reaction(None);
                    self.on_timers();
                    self.drive();
                }
            }
        }
        self.complete().await;
    }

    /// Reacts to each message taken, in the order sent, each followed by
    /// what it queued; those that come after the app has finished only
    /// count their tasks' ends, as [`Supervisor::complete`] does.
    fn react_to_inbox(&mut self) {
        let mut inbox = std::mem::take(&mut self.inbox);
        for msg in inbox.drain(..) {
            if self.finished() {
                self.late(msg);
                continue;
            }
            self.next_reaction();
            self.on_msg(msg);
            self.drive();
        }
        self.inbox = inbox;
    }

    /// Runs queued starts and stops until none is left, then checks whether
    /// the start phase is over; then fires the timers that were due when
    /// armed (a zero backoff), all in one reaction, and goes on with what
    /// they queued. They fire where the loop would have found them due,
    /// without a trip through the heap and the loop's wait.
    fn drive(&mut self) {
        loop {
            self.next_reaction();
            if let Some(x) = self.to_stop.pop_front() {
                self.begin_stop(x);
            } else if let Some(rank) = self.to_start.pop() {
                if let Some(&x) = self.by_rank.get(rank) {
                    self.try_start(unpacked_index(x));
                }
            } else {
                if self.phase == Phase::Starting
                    && self.awaiting_start == 0
                    && self.shutdown.is_none()
                {
                    self.set_phase(Phase::Running);
                    self.answer_start(Ok(()));
                }
                if !self.fire_armed_due() {
                    break;
                }
            }
        }
    }

    /// Whether the start phase has not been answered yet.
    fn start_pending(&self) -> bool {
        self.started.borrow().is_none()
    }

    /// Ends the start phase for `AppHandle::started` (only the first answer counts).
    fn answer_start(&mut self, answer: Started<R>) {
        self.started.send_if_modified(|started| {
            let first = started.is_none();
            if first {
                *started = Some(answer);
            }
            first
        });
    }

    fn finished(&self) -> bool {
        self.shutdown.as_ref().is_some_and(|s| s.remaining == 0)
    }

    fn on_msg(&mut self, msg: Msg) {
        match msg {
            Msg::Ready { role, incarnation } => self.on_ready_signal(role, incarnation),
            Msg::Publish {
                role,
                incarnation,
                handle,
            } => self.on_publish(role, incarnation, handle),
            Msg::Shutdown(reason) => {
                self.request_shutdown(reason, None, End::Clean { role: None });
            }
            Msg::Ended(Done { key, out }) => self.on_task(key, out),
        }
    }

    fn on_task(&mut self, key: TaskKey, out: TaskOut) {
        self.tasks = self.tasks.saturating_sub(1);
        if key.role() >= self.slots.len() {
            return;
        }
        match key.kind {
            TaskKind::Run => {
                let exit = match out {
                    TaskOut::Run(Ok(())) | TaskOut::Drain(Ok(_)) => Exit::Clean,
                    TaskOut::Run(Err(e)) => Exit::Error(e),
                    TaskOut::Drain(Err(e)) => Exit::Error(ErrorChain::text(e)),
                    TaskOut::Panicked(message) => Exit::Panic(message),
                    TaskOut::Aborted => Exit::Aborted,
                };
                self.on_run_exit(key.role(), key.incarnation, exit);
            }
            TaskKind::Drain => {
                let result = match out {
                    TaskOut::Drain(result) => result,
                    TaskOut::Run(_) => Err("drain returned no state".to_owned()),
                    TaskOut::Panicked(message) => Err(format!("panicked: {message}")),
                    // Aborted by its timeout or the deadline, already accounted for.
                    TaskOut::Aborted => return,
                };
                self.on_drain_done(key.role(), key.incarnation, result);
            }
        }
    }

    /// Aborts the running incarnation of `x`; its exit arrives as `Exit::Aborted`
    /// once its task is gone.
    fn abort_run(&mut self, x: usize) {
        if let Some(run) = self.slots[x].run.as_ref() {
            run.task.abort();
        }
    }

    fn on_timers(&mut self) {
        self.fire_armed_due();
        let now = self.now();
        while let Some((due, key, timer)) = self.timers.pop_due(now) {
            self.fire(due, key, timer);
        }
    }

    /// Fires every live timer that was due when armed; whether there was one.
    fn fire_armed_due(&mut self) -> bool {
        let mut fired = false;
        loop {
            let slots = &self.slots;
            let live = |key, timer| timer_live(slots, key, timer);
            let Some((due, key, timer)) = self.timers.pop_armed_due(live) else {
                return fired;
            };
            fired = true;
            self.fire(due, key, timer);
        }
    }

    /// The timer armed under `key` to fire at `due` is due: it acts if it
    /// still applies.
    fn fire(&mut self, due: Instant, key: timers::TimerKey, timer: Timer) {
        if let Timer::Watchdog { role, period } = timer {
            if self.slots[role].watchdog == Some(key) {
                self.slots[role].watchdog = None;
                self.on_watchdog(role, due, period);
            }
            return;
        }
        if let Some(x) = timer.role() {
            if self.slots[x].timer != Some(key) {
                return;
            }
            self.slots[x].timer = None;
        }
        match timer {
            Timer::Ready { role, timeout } => self.on_ready_timeout(role, timeout),
            Timer::Restart { role } => self.on_restart_due(role),
            Timer::Drain { role } => self.on_drain_timeout(role),
            Timer::Grace { role } => self.on_grace_over(role),
            Timer::Deadline => self.on_deadline(),
            Timer::Watchdog { .. } => {}
        }
    }

    /// The earliest deadline of a timer still armed.
    fn next_deadline(&mut self) -> Option<Instant> {
        let slots = &self.slots;
        let live = |key, timer| timer_live(slots, key, timer);
        self.timers.compact(live);
        self.timers.next_deadline(live)
    }

    // ---- small shared helpers -------------------------------------------------

    /// A new reaction begins, with the clock as `now` read it, or unread.
    fn new_reaction(&self, now: Option<Instant>) {
        self.clock.set(now);
        self.since.set(None);
        self.sharing.set(0);
    }

    /// Another reaction follows at once, with no wait in between (the next
    /// queued start or stop, the next message taken with the others): it
    /// shares the reading of the one before, unless [`SHARED_READING`]
    /// already have. A reading costs as much as a few reactions' own work
    /// in a shutdown of thousands, and one shared this way is older than
    /// the reaction by at most that many reactions' work (microseconds,
    /// far under the timer wheel's millisecond).
    fn next_reaction(&self) {
        let sharing = self.sharing.get() + 1;
        if sharing >= SHARED_READING {
            self.new_reaction(None);
        } else {
            self.sharing.set(sharing);
        }
    }

    /// The time of the reaction under way (see `clock`).
    fn now(&self) -> Instant {
        if let Some(now) = self.clock.get() {
            return now;
        }
        let now = Instant::now();
        self.clock.set(Some(now));
        now
    }

    /// The reaction's time since the start, for its events.
    fn since_epoch(&self) -> std::time::Duration {
        if let Some(since) = self.since.get() {
            return since;
        }
        let since = self.now().saturating_duration_since(self.epoch);
        self.since.set(Some(since));
        since
    }

    fn role(&self, x: usize) -> R {
        self.spec.roles()[x]
    }

    fn new_episode(&mut self) -> EpisodeId {
        self.episodes += 1;
        EpisodeId::new(self.episodes)
    }

    /// Records an event about role `x`, in the role's current episode.
    fn emit(&mut self, x: usize, kind: EventKind) {
        let episode = self.slots[x].episode;
        self.record(Some(x), episode, kind);
    }

    fn record(&mut self, x: Option<usize>, episode: Option<EpisodeId>, kind: EventKind) {
        let incarnation = x.and_then(|x| self.slots[x].incarnation.get());
        let (seq, at) = (self.seq, self.since_epoch());
        self.seq += 1;
        log::log(seq, || x.map(|x| self.role(x)), incarnation, episode, &kind);
        let roles = self.spec.roles();
        let event = Stored::new(roles, seq, at, x, incarnation, episode, kind);
        self.shared.journal.record(event);
    }

    fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
        self.shared.state.set_phase(phase);
    }

    /// Changes a role's status, keeping its dependents' readiness counts and the
    /// public state table in step; costs O(dependents) only when readiness changes.
    fn set_status(&mut self, x: usize, status: Status) {
        let old = self.slots[x].status;
        if old == status {
            return;
        }
        self.slots[x].status = status;
        let role = self.role(x);
        let (was, is) = (old.satisfies_dependents(), status.satisfies_dependents());
        if was != is {
            self.count_unready(self.spec.dependents(role), is);
        }
        let (was, is) = (old.satisfies_followers(), status.satisfies_followers());
        if was != is {
            self.count_unready(self.spec.followers(role), is);
        }
        let (incarnation, lease) = (self.slots[x].incarnation, self.slots[x].lease);
        self.shared.state.update(x, |r| {
            r.status = status.public();
            r.incarnation = incarnation;
            r.lease_held = lease;
        });
    }

    /// One dependency of each of `waiting` became satisfied (`satisfied`) or
    /// stopped being so; a role whose count reaches zero may start.
    fn count_unready(&mut self, waiting: &[R], satisfied: bool) {
        for d in waiting {
            let d = d.index();
            let slot = &mut self.slots[d];
            if satisfied {
                slot.deps_unready = slot.deps_unready.saturating_sub(1);
                if slot.deps_unready == 0 {
                    self.queue_start(d);
                }
            } else {
                slot.deps_unready = slot.deps_unready.saturating_add(1);
            }
        }
    }

    /// Arms `x`'s timer; one already due (a zero backoff) is fired by
    /// `drive` once the reaction's queued work is done.
    fn set_timer(&mut self, x: usize, at: Instant, timer: Timer) {
        self.clear_timer(x);
        let key = if at <= self.now() {
            self.timers.arm_due(at, timer)
        } else {
            self.timers.arm(at, timer)
        };
        self.slots[x].timer = Some(key);
    }

    fn clear_timer(&mut self, x: usize) {
        if let Some(key) = self.slots[x].timer.take() {
            self.timers.disarm(key);
        }
    }

    /// Releases the lease and withdraws the handle published under it, so no
    /// dependent reads what a stopping incarnation offered.
    fn release_lease(&mut self, x: usize) {
        self.shared.handles.set(x, Published::Absent);
        if self.slots[x].lease {
            self.slots[x].lease = false;
            self.shared.state.update(x, |r| r.lease_held = false);
            let lease = self.spec.lease(self.role(x));
            self.emit(
                x,
                EventKind::LeaseReleased {
                    lease: Cow::Borrowed(lease),
                },
            );
        }
    }

    /// The roles that depend on `x`, directly or not, sorted in stop order.
    fn transitive_dependents(&self, x: usize) -> Vec<usize> {
        // Most roles have no dependents: no set to build for them.
        if self.spec.dependents(self.role(x)).is_empty() {
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut queue = vec![x];
        while let Some(y) = queue.pop() {
            for d in self.spec.dependents(self.role(y)) {
                let d = d.index();
                if seen.insert(d) {
                    out.push(d);
                    queue.push(d);
                }
            }
        }
        self.sort_in_stop_order(&mut out);
        out
    }

    fn queue_start(&mut self, x: usize) {
        if let Some(&rank) = self.stop_rank.get(x) {
            self.to_start.push(unpacked_index(rank));
        }
    }

    fn sort_in_stop_order(&self, roles: &mut [usize]) {
        roles.sort_by_key(|&y| self.stop_rank.get(y).copied().unwrap_or(u32::MAX));
    }

    /// The last failure of `x`, for the error that ends the app because of it.
    fn failure_of(&self, x: usize) -> Option<Failure<R>> {
        let (incarnation, chain) = self.slots.get(x)?.cold_ref()?.last_failure.clone()?;
        Some(Failure {
            role: self.role(x),
            incarnation,
            error: chain.error,
            causes: chain.causes,
        })
    }

    /// The start phase no longer waits for `x` (it is ready, or disabled).
    fn no_longer_awaited(&mut self, x: usize) {
        if std::mem::replace(&mut self.slots[x].awaited, false) {
            self.awaiting_start = self.awaiting_start.saturating_sub(1);
        }
    }
}

/// However the supervisor ends (its task done, dropped or aborted), its
/// readers learn that nothing more will be recorded.
impl<R: Role> Drop for Supervisor<R> {
    fn drop(&mut self) {
        self.shared.journal.close();
    }
}

/// Whether the timer armed under `key` still applies: its role's slot holds
/// the key (the shutdown deadline always applies once armed).
fn timer_live(slots: &[Slot], key: timers::TimerKey, timer: Timer) -> bool {
    match timer {
        Timer::Watchdog { role, .. } => slots.get(role).is_some_and(|s| s.watchdog == Some(key)),
        Timer::Deadline => true,
        other => other
            .role()
            .and_then(|x| slots.get(x))
            .is_some_and(|s| s.timer == Some(key)),
    }
}

/// The message of a panic (`&str` or `String` payloads), `None` if the task was cancelled.
pub(crate) fn panic_message(e: JoinError) -> Option<String> {
    let payload = e.try_into_panic().ok()?;
    Some(payload_message(&*payload))
}

/// Kept for `AppError` conversions in `complete`.
type Final<R> = Result<ShutdownReport<R>, AppError<R>>;

/// The supervisor's own bytes per role in an app of `roles` roles run with
/// `options`: the slot, the role's spec, its row of the state table, its
/// handle slot, the running incarnation's context, and its share of the
/// bounded journal (which subscribers read in place).
pub fn footprint<R: Role>(roles: usize, options: &Options) -> Footprint {
    use core::mem::size_of;
    let roles = roles.max(1);
    let event = size_of::<Stored<R>>();
    Footprint {
        slot: size_of::<Slot>(),
        spec: size_of::<crate::spec::RoleSpec<R>>() + size_of::<R>(),
        state: size_of::<crate::observe::state::Row>(),
        handle: size_of::<watch::Sender<Published>>(),
        incarnation: crate::service::context::Context::bytes(),
        journal: options.journal_capacity.min(roles.saturating_mul(4)) * event / roles,
    }
}
