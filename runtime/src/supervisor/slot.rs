//! Per-role bookkeeping, kept small: the supervisor holds one `Slot` per role in a
//! `Vec` indexed by `Role::index`.

use tokio::time::Instant;

use super::timers::TimerKey;
use crate::observe::error::{Cause, ErrorChain};
use crate::observe::event::{DrainOutcome, EpisodeId, StopOutcome};
use crate::observe::number::OptionalNumber;
use crate::observe::state::RoleStatus;
use crate::service::context::{Context, State};
use crate::service::erased::Task;
use crate::supervisor::budget::Window;

/// Where a role is; finer than the public [`RoleStatus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Status {
    /// Wants to run; starts when its dependencies are ready.
    Pending,
    /// Stopped as part of another role's restart; released when that restart begins.
    Held,
    Starting,
    Ready,
    /// A one-shot job that finished: counts as ready for its dependents.
    Completed,
    Stopping,
    /// Waiting for its backoff (and for the roles its restart stops).
    Restarting,
    Stopped,
    Disabled,
}

impl Status {
    /// Whether the role's dependents may run.
    pub(super) fn satisfies_dependents(self) -> bool {
        matches!(self, Status::Ready | Status::Completed)
    }

    /// Whether the roles that start `after` it may start: it is ready, or it
    /// will not run again (ordering is owed only to a role that will run).
    pub(super) fn satisfies_followers(self) -> bool {
        matches!(
            self,
            Status::Ready | Status::Completed | Status::Stopped | Status::Disabled
        )
    }

    pub(super) fn public(self) -> RoleStatus {
        match self {
            Status::Pending => RoleStatus::Pending,
            Status::Held | Status::Restarting => RoleStatus::Restarting,
            Status::Starting => RoleStatus::Starting,
            Status::Ready => RoleStatus::Ready,
            Status::Completed => RoleStatus::Completed,
            Status::Stopping => RoleStatus::Stopping,
            Status::Stopped => RoleStatus::Stopped,
            Status::Disabled => RoleStatus::Disabled,
        }
    }
}

/// The running incarnation.
pub(super) struct Run {
    pub(super) task: Task,
    pub(super) cx: Context,
    /// The incarnation's span, for its drain; kept only when a subscriber
    /// wants it (boxed: most roles never drain, and a slot is kept for every
    /// role).
    pub(super) span: Option<Box<tracing::Span>>,
}

impl Run {
    /// The incarnation's span: a disabled one when none was kept.
    pub(super) fn span(&self) -> tracing::Span {
        self.span
            .as_deref()
            .cloned()
            .unwrap_or_else(tracing::Span::none)
    }
}

/// The supervisor keeps no set of its tasks: an incarnation whose `Run` is
/// dropped while it still runs (the supervisor itself dropped, say) is aborted.
impl Drop for Run {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why a role's stop actions run; decides what the role becomes afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    /// It is part of the restart of `owner` (a dependency, or any role for `one_for_all`).
    Restart { owner: usize },
    /// It gave up, or a role it depends on did.
    Disable,
    /// It failed without exiting (ready timeout, watchdog): apply its restart
    /// policy once stopped, as to an exit of an incarnation that was ready or not.
    Fail { cause: Cause, was_ready: bool },
    /// The app shuts down.
    Shutdown,
}

/// What the stop sequence waits for.
#[derive(Debug)]
pub(super) enum Awaiting {
    Nothing,
    Drain { task: Task, resume: bool },
    Exit,
}

/// A drain no longer awaited is not needed any more: aborted (a no-op once
/// it has finished).
impl Drop for Awaiting {
    fn drop(&mut self) {
        if let Awaiting::Drain { task, .. } = self {
            task.abort();
        }
    }
}

/// A stop in progress: queued until `waiting` (running dependents) reaches 0, then
/// running its actions from `step`.
#[derive(Debug)]
pub(super) struct Stop {
    pub(super) purpose: Purpose,
    /// Roles whose restart waits for this stop to end.
    pub(super) waiters: Vec<usize>,
    pub(super) waiting: usize,
    pub(super) began: Option<Instant>,
    pub(super) step: usize,
    pub(super) awaiting: Awaiting,
    pub(super) aborted: bool,
    pub(super) drain: Option<DrainOutcome>,
}

/// Where a stop under way is kept in [`Stops`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct StopId(u32);

/// The stops under way, in one vector whose places are reused: a shutdown
/// begins a stop for every role at once, and a box each would cost an
/// allocation and a free per role.
#[derive(Debug, Default)]
pub(super) struct Stops {
    places: Vec<Option<Stop>>,
    free: Vec<StopId>,
}

impl Stops {
    pub(super) fn insert(&mut self, stop: Stop) -> StopId {
        if let Some(id) = self.free.pop()
            && let Some(place) = self.places.get_mut(id.index())
        {
            *place = Some(stop);
            return id;
        }
        let id = StopId(u32::try_from(self.places.len()).unwrap_or(u32::MAX));
        self.places.push(Some(stop));
        id
    }

    /// Drops the stop; its place is reused by a later one.
    pub(super) fn free(&mut self, id: Option<StopId>) {
        if let Some(id) = id
            && let Some(place) = self.places.get_mut(id.index())
            && place.take().is_some()
        {
            self.free.push(id);
        }
    }

    /// How many stops are under way.
    pub(super) fn len(&self) -> usize {
        self.places.len() - self.free.len()
    }

    pub(super) fn get(&self, id: Option<StopId>) -> Option<&Stop> {
        self.places.get(id?.index())?.as_ref()
    }

    pub(super) fn get_mut(&mut self, id: Option<StopId>) -> Option<&mut Stop> {
        self.places.get_mut(id?.index())?.as_mut()
    }
}

impl StopId {
    fn index(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

/// A restart in preparation: it begins once the backoff is `due` and the `waits`
/// roles stopped for it have stopped.
#[derive(Debug, Default)]
pub(super) struct Restart {
    pub(super) waits: usize,
    pub(super) due: bool,
}

/// How the role ended in the shutdown, for the report.
#[derive(Debug, Clone)]
pub(super) struct Ended {
    pub(super) outcome: StopOutcome,
    pub(super) duration: std::time::Duration,
    pub(super) drain: Option<DrainOutcome>,
}

/// One role's bookkeeping. What every transition reads stays inline and
/// small; what only restarts, failures and drains need lives in [`Cold`],
/// boxed and made on first use, so an idle role costs little.
pub(super) struct Slot {
    pub(super) status: Status,
    /// Running, or running its stop actions: its dependencies' stops wait for it.
    pub(super) live: bool,
    pub(super) lease: bool,
    /// Counted by the start phase until ready or disabled.
    pub(super) awaited: bool,
    /// Dependencies not ready (or completed).
    pub(super) deps_unready: u32,
    pub(super) incarnation: OptionalNumber,
    pub(super) run: Option<Run>,
    pub(super) timer: Option<TimerKey>,
    /// The ready incarnation's watchdog, armed beside `timer`.
    pub(super) watchdog: Option<TimerKey>,
    pub(super) episode: Option<EpisodeId>,
    /// Its place in the supervisor's [`Stops`]: a stop is large, and a slot
    /// is kept for every role.
    pub(super) stop: Option<StopId>,
    cold: Option<Box<Cold>>,
}

/// What a role needs once it has failed, restarted or drained.
#[derive(Default)]
pub(super) struct Cold {
    /// Roles stopped for this role's restart, released when it begins.
    pub(super) held: Vec<usize>,
    pub(super) restart: Option<Restart>,
    pub(super) window: Window,
    pub(super) resume: Option<State>,
    /// The last failure of any incarnation: incarnation and error chain.
    pub(super) last_failure: Option<(u64, ErrorChain)>,
}

impl Slot {
    pub(super) fn new(dependencies: usize) -> Self {
        Slot {
            status: Status::Pending,
            live: false,
            lease: false,
            awaited: true,
            deps_unready: u32::try_from(dependencies).unwrap_or(u32::MAX),
            incarnation: OptionalNumber::NONE,
            run: None,
            timer: None,
            watchdog: None,
            episode: None,
            stop: None,
            cold: None,
        }
    }

    /// The rarely used part, made now if it was not yet.
    pub(super) fn cold(&mut self) -> &mut Cold {
        self.cold.get_or_insert_with(Box::default)
    }

    /// The rarely used part, if it was ever made.
    pub(super) fn cold_ref(&self) -> Option<&Cold> {
        self.cold.as_deref()
    }

    /// The restart in preparation, if any.
    pub(super) fn restart(&self) -> Option<&Restart> {
        self.cold_ref()?.restart.as_ref()
    }

    pub(super) fn restart_mut(&mut self) -> Option<&mut Restart> {
        self.cold.as_deref_mut()?.restart.as_mut()
    }

    /// Forgets the restart in preparation, if any.
    pub(super) fn clear_restart(&mut self) {
        if let Some(cold) = self.cold.as_deref_mut() {
            cold.restart = None;
        }
    }

    /// Takes the roles held for this role's restart.
    pub(super) fn take_held(&mut self) -> Vec<usize> {
        self.cold
            .as_deref_mut()
            .map(|cold| std::mem::take(&mut cold.held))
            .unwrap_or_default()
    }

    /// Takes the drained state for the next incarnation.
    pub(super) fn take_resume(&mut self) -> Option<State> {
        self.cold.as_deref_mut()?.resume.take()
    }

    /// Records the failure of the current incarnation.
    pub(super) fn set_failure(&mut self, chain: ErrorChain) {
        if let Some(incarnation) = self.incarnation.get() {
            self.cold().last_failure = Some((incarnation, chain));
        }
    }
}
