//! What an exit leads to: restart policy, budgets, backoff, strategy, disable, escalation.

use std::borrow::Cow;

use super::slot::{Awaiting, Purpose, Restart, Status, Stop};
use super::timers::{Timer, after};
use super::{End, Exit, Supervisor};
use crate::observe::error::{Cause, ErrorChain};
use crate::observe::event::{EventKind, ShutdownReason};
use crate::observe::state::Phase;
use crate::protocol::Published;
use crate::spec::options::StartMode;
use crate::spec::role::Role;
use crate::spec::{Backoff, Budget, Readiness, RestartPolicy, Strategy};

impl<R: Role> Supervisor<R> {
    /// Every exit of every incarnation arrives here exactly once.
    pub(super) fn on_run_exit(&mut self, x: usize, incarnation: u64, exit: Exit) {
        let slot = &mut self.slots[x];
        if slot.incarnation.get() != Some(incarnation) || slot.run.is_none() {
            return;
        }
        slot.run = None;
        let status = slot.status;
        self.disarm_watchdog(x);
        let completed_job = status == Status::Starting
            && exit == Exit::Clean
            && matches!(
                self.spec.readiness(self.role(x)),
                Readiness::Completed { .. }
            );
        let unexpected = matches!(status, Status::Starting | Status::Ready) && !completed_job;
        if unexpected {
            let episode = self.new_episode();
            self.slots[x].episode = Some(episode);
        }
        let asked_to_stop = slot_awaits_exit(self.stops.get(self.slots[x].stop));
        let failure = match exit {
            // A clean return once asked to stop is what `stopped { graceful }` reports.
            Exit::Clean if asked_to_stop => None,
            Exit::Clean => {
                self.emit(x, EventKind::Exited);
                None
            }
            Exit::Error(chain) => {
                self.fail_incarnation(x, chain);
                Some(Failing::LastFailure)
            }
            Exit::Panic(message) => {
                let chain = ErrorChain::text(format!("panicked: {message}"));
                self.slots[x].set_failure(chain);
                self.emit(
                    x,
                    EventKind::Panicked {
                        message: message.clone(),
                    },
                );
                Some(Failing::Cause(Cause::Panic(message)))
            }
            Exit::Aborted => Some(Failing::Cause(Cause::Error("aborted".to_owned()))),
        };
        // A finished job's handle is its result: it stays for its dependents.
        if !completed_job {
            self.release_lease(x);
        }
        if status == Status::Stopping {
            self.on_exit_while_stopping(x);
            return;
        }
        if !matches!(status, Status::Starting | Status::Ready) {
            return;
        }
        self.clear_timer(x);
        self.set_live(x, false);
        // Not running any more: its dependents stop counting it as ready.
        self.set_status(x, Status::Stopped);
        if completed_job {
            self.mark_completed(x);
            return;
        }
        self.after_exit(x, status == Status::Ready, failure);
    }

    /// The cause of `x`'s failure, for what reports it.
    fn cause_of(&self, x: usize, failing: Failing) -> Cause {
        match failing {
            Failing::Cause(cause) => cause,
            Failing::LastFailure => Cause::Error(
                (self.slots[x].cold_ref())
                    .and_then(|cold| cold.last_failure.as_ref())
                    .map_or_else(String::new, |(_, chain)| chain.error.clone()),
            ),
        }
    }

    /// Records `x`'s current incarnation as failed with `chain`: its event, and
    /// the failure an escalation or a failed start will name.
    pub(super) fn fail_incarnation(&mut self, x: usize, chain: ErrorChain) {
        self.slots[x].set_failure(chain.clone());
        self.emit(
            x,
            EventKind::Failed {
                error: chain.error,
                causes: chain.causes,
            },
        );
    }

    /// Applies `x`'s restart policy to an exit (`failure: None` for a clean one).
    /// `x` is no longer running.
    pub(super) fn after_exit(&mut self, x: usize, was_ready: bool, failure: Option<Failing>) {
        let role = self.role(x);
        if self.phase == Phase::Starting && !was_ready && !self.retries_start(x, failure.is_some())
        {
            let cause = failure.map_or(Cause::ExitedBeforeReady, |f| self.cause_of(x, f));
            if self.spec.is_optional(role) {
                self.disable(x);
            } else {
                self.set_status(x, Status::Stopped);
                self.fail_start(x, cause);
            }
            return;
        }
        match (self.spec.restart(role), failure) {
            (RestartPolicy::Critical, None) => {
                self.set_status(x, Status::Stopped);
                self.request_shutdown(
                    ShutdownReason::CriticalExited,
                    Some(x),
                    End::Clean { role: Some(x) },
                );
            }
            (RestartPolicy::Critical, Some(failing)) => {
                self.set_status(x, Status::Stopped);
                let cause = self.cause_of(x, failing);
                self.escalate(x, cause);
            }
            (RestartPolicy::Temporary, Some(_)) if self.spec.is_optional(role) => {
                self.set_status(x, Status::Stopped);
                self.disable(x);
            }
            (RestartPolicy::Temporary, failure)
            | (RestartPolicy::Transient { .. }, failure @ None) => {
                let cause = failure.map_or(Cause::StoppedDuringStart, |f| self.cause_of(x, f));
                self.stay_stopped(x, cause);
            }
            (
                RestartPolicy::Permanent { budget, backoff }
                | RestartPolicy::Transient { budget, backoff },
                _,
            ) => self.restart(x, budget, backoff),
        }
    }

    /// Whether an exit of `x` before its first readiness is retried during the
    /// start (`StartMode::Retry`, and a policy that restarts on this exit).
    pub(super) fn retries_start(&self, x: usize, failed: bool) -> bool {
        self.start_mode == StartMode::Retry
            && match self.spec.restart(self.role(x)) {
                RestartPolicy::Permanent { .. } => true,
                RestartPolicy::Transient { .. } => failed,
                RestartPolicy::Temporary | RestartPolicy::Critical => false,
            }
    }

    /// `x` stays stopped for good. Its running dependents keep running; those
    /// waiting to start never can, and give up (see `rejoin`). During the start
    /// phase a role that stays stopped is not waited for: if the start waits for `x` or for a dependent of
    /// it, the start fails (an optional `x` never ready is disabled instead).
    fn stay_stopped(&mut self, x: usize, cause: Cause) {
        self.set_status(x, Status::Stopped);
        if self.phase == Phase::Starting {
            if self.slots[x].awaited && self.spec.is_optional(self.role(x)) {
                self.disable(x);
                return;
            }
            if self.slots[x].awaited
                || self
                    .transitive_dependents(x)
                    .into_iter()
                    .any(|d| self.slots[d].awaited)
            {
                self.fail_start(x, cause);
                return;
            }
        }
        for d in self.spec.dependents(self.role(x)) {
            if self.slots[d.index()].status == Status::Pending {
                self.rejoin(d.index());
            }
        }
    }

    /// `y` has stopped for `owner`'s restart. That stop is not `y`'s own exit, so
    /// a `permanent`, `transient` or `critical` role starts again with the cascade,
    /// as OTP restarts every child but a temporary one; a `temporary` role is
    /// never restarted and stays stopped.
    pub(super) fn stopped_for_restart(&mut self, y: usize, owner: usize) {
        if matches!(self.spec.restart(self.role(y)), RestartPolicy::Temporary) {
            self.stay_stopped(y, Cause::StoppedDuringStart);
        } else if self.slots[owner].restart().is_some() {
            self.set_status(y, Status::Held);
            self.slots[owner].cold().held.push(y);
        } else {
            self.rejoin(y);
        }
    }

    /// `y` is to run again: it starts once its dependencies are ready, unless one
    /// of them stays stopped. Then it never could, and gives up: a required role
    /// escalates, an optional one is disabled with its dependents.
    fn rejoin(&mut self, y: usize) {
        // A shutdown begun meanwhile (an escalation earlier in the same
        // cascade) has already ended `y`: it changes course no more.
        if self.shutdown.is_some() {
            return;
        }
        let stopped = self
            .spec
            .dependencies(self.role(y))
            .iter()
            .find(|d| self.slots[d.index()].status == Status::Stopped);
        match stopped {
            Some(&dependency) => self.give_up(
                y,
                Cause::DependencyStopped {
                    dependency: Cow::Borrowed(dependency.name()),
                },
            ),
            None => {
                self.set_status(y, Status::Pending);
                self.queue_start(y);
            }
        }
    }

    /// Schedules the restart of `x` (and of the roles its strategy takes along),
    /// or gives up when a budget is exhausted.
    fn restart(&mut self, x: usize, budget: Budget, backoff: Backoff) {
        let now = self.now();
        let Some(attempt) = self.slots[x].cold().window.try_grant(budget, now) else {
            self.emit(
                x,
                EventKind::BudgetExhausted {
                    budget,
                    app_wide: false,
                },
            );
            self.give_up(x, Cause::BudgetExhausted(budget));
            return;
        };
        if let Some(intensity) = self.spec.intensity()
            && self.intensity.try_grant(intensity, now).is_none()
        {
            self.emit(
                x,
                EventKind::BudgetExhausted {
                    budget: intensity,
                    app_wide: true,
                },
            );
            self.escalate(x, Cause::IntensityExceeded(intensity));
            return;
        }
        let delay = self.jitter.delay(backoff, attempt);
        self.emit(x, EventKind::RestartScheduled { delay, attempt });
        self.set_status(x, Status::Restarting);
        self.slots[x].cold().restart = Some(Restart::default());
        self.set_timer(x, after(now, delay), Timer::Restart { role: x });

        let strategy = self.spec.strategy();
        let affected = match strategy {
            Strategy::OneForOne => Vec::new(),
            Strategy::RestForOne => self.transitive_dependents(x),
            Strategy::OneForAll => {
                let mut all: Vec<usize> = (0..self.slots.len()).filter(|&y| y != x).collect();
                self.sort_in_stop_order(&mut all);
                all
            }
        };
        let episode = self.slots[x].episode;
        for y in affected {
            match self.slots[y].status {
                Status::Starting | Status::Ready => {
                    self.slots[y].episode = episode;
                    self.queue_stop(y, Purpose::Restart { owner: x });
                    self.wait_for_stop(x, y);
                }
                // Already stopping (for another role's restart): `x` must not start
                // again before it has stopped either.
                Status::Stopping => self.wait_for_stop(x, y),
                Status::Pending if strategy == Strategy::OneForAll => {
                    self.slots[y].episode = episode;
                    self.set_status(y, Status::Held);
                    self.slots[x].cold().held.push(y);
                }
                _ => {}
            }
        }
    }

    /// `x`'s restart waits until `y`, now stopping, has stopped.
    fn wait_for_stop(&mut self, x: usize, y: usize) {
        if self.slots[x].restart().is_none() {
            return;
        }
        if let Some(stop) = self.stops.get_mut(self.slots[y].stop) {
            stop.waiters.push(x);
            if let Some(restart) = self.slots[x].restart_mut() {
                restart.waits += 1;
            }
        }
    }

    pub(super) fn on_restart_due(&mut self, x: usize) {
        if let Some(r) = self.slots[x].restart_mut() {
            r.due = true;
            if r.waits == 0 {
                self.begin_restart(x);
            }
        }
    }

    /// One role stopped for `owner`'s restart has stopped (or no longer counts).
    pub(super) fn release_restart_wait(&mut self, owner: usize) {
        if let Some(r) = self.slots[owner].restart_mut() {
            r.waits = r.waits.saturating_sub(1);
            if r.waits == 0 && r.due {
                self.begin_restart(owner);
            }
        }
    }

    /// The backoff is over and the roles stopped for it have stopped: `x` and the
    /// roles held for it rejoin, each starting as soon as its dependencies are ready.
    fn begin_restart(&mut self, x: usize) {
        self.slots[x].clear_restart();
        if !matches!(self.phase, Phase::Starting | Phase::Running) {
            return;
        }
        self.rejoin(x);
        self.release_held(x);
    }

    /// Releases the roles held for `x`'s restart, in start order.
    fn release_held(&mut self, x: usize) {
        let mut held = self.slots[x].take_held();
        self.sort_in_stop_order(&mut held);
        for y in held.into_iter().rev() {
            if self.slots[y].status == Status::Held {
                self.rejoin(y);
            }
        }
    }

    /// `x` cannot go on: an optional role is disabled, a required one escalates.
    fn give_up(&mut self, x: usize, cause: Cause) {
        if self.spec.is_optional(self.role(x)) {
            self.disable(x);
        } else {
            self.escalate(x, cause);
        }
    }

    /// Disables `x` and every role that depends on it (all optional: a required role
    /// cannot depend on an optional one). Running ones are stopped first.
    pub(super) fn disable(&mut self, x: usize) {
        let episode = self.slots[x].episode;
        let mut roles = vec![x];
        roles.extend(self.transitive_dependents(x));
        for y in roles {
            // Releasing held roles may escalate and so begin the shutdown,
            // which has then ended every role left here.
            if self.shutdown.is_some() {
                return;
            }
            self.slots[y].episode = episode;
            match self.slots[y].status {
                Status::Disabled => {}
                // Roles waiting for it to stop still wait, until it has.
                Status::Stopping => self.redirect_stop(y, Purpose::Disable),
                Status::Starting | Status::Ready => self.queue_stop(y, Purpose::Disable),
                Status::Pending
                | Status::Held
                | Status::Completed
                | Status::Restarting
                | Status::Stopped => {
                    self.clear_timer(y);
                    self.slots[y].clear_restart();
                    self.mark_disabled(y);
                    self.release_held(y);
                }
            }
        }
    }

    pub(super) fn mark_disabled(&mut self, y: usize) {
        self.set_status(y, Status::Disabled);
        self.shared.handles.set(y, Published::Disabled);
        self.emit(y, EventKind::Disabled);
        self.no_longer_awaited(y);
    }

    /// A stop under way now serves `purpose` instead, unless it already ends the
    /// role for good (a shutdown, or a disable: that role ends disabled and is
    /// reported so).
    pub(super) fn redirect_stop(&mut self, y: usize, purpose: Purpose) {
        if let Some(stop) = self.stops.get_mut(self.slots[y].stop)
            && !matches!(stop.purpose, Purpose::Shutdown | Purpose::Disable)
        {
            stop.purpose = purpose;
        }
    }

    /// A required role gave up: the app shuts down and `join` reports the escalation.
    fn escalate(&mut self, x: usize, cause: Cause) {
        self.emit(x, EventKind::Escalated);
        self.request_shutdown(
            ShutdownReason::Escalated,
            Some(x),
            End::Escalated { role: x, cause },
        );
    }

    /// A required role could not become ready during start: stop everything.
    pub(super) fn fail_start(&mut self, x: usize, cause: Cause) {
        self.request_shutdown(
            ShutdownReason::StartFailed,
            Some(x),
            End::StartFailed { role: x, cause },
        );
    }
}

/// Why an incarnation failed. An error's cause is the role's last failure,
/// read only when an outcome names it: a restart does not, so the error is
/// copied once (into its event and the last failure), not three times.
pub(super) enum Failing {
    /// The error recorded by `fail_incarnation` as the role's last failure.
    LastFailure,
    Cause(Cause),
}

/// Whether the stop sequence has cancelled the incarnation and waits for it to return.
fn slot_awaits_exit(stop: Option<&Stop>) -> bool {
    stop.is_some_and(|s| matches!(s.awaiting, Awaiting::Exit))
}
