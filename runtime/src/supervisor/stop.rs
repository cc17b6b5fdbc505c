//! Stopping roles: the stop-action sequence (shared by shutdown, restarts and
//! disables), dependents-first ordering, and the app's shutdown.

use tokio::time::Instant;

use super::exit::Failing;
use super::slot::{Awaiting, Ended, Purpose, Status, Stop};
use super::timers::{Timer, after};
use super::{End, Final, Shutdown, Supervisor};
use crate::observe::error::{AppError, Cause, StartError};
use crate::observe::event::{DrainOutcome, EventKind, ShutdownReason, StopOutcome};
use crate::observe::report::{RoleReport, ShutdownReport};
use crate::observe::state::Phase;
use crate::protocol::{Msg, TaskKey, TaskKind};
use crate::service::context::State;
use crate::spec::StopAction;
use crate::spec::role::Role;

impl<R: Role> Supervisor<R> {
    /// Queues the stop of running role `y`; its actions begin once every running
    /// dependent has stopped. `y` stops satisfying its dependents at once.
    pub(super) fn queue_stop(&mut self, y: usize, purpose: Purpose) {
        self.clear_timer(y);
        self.disarm_watchdog(y);
        self.set_status(y, Status::Stopping);
        let role = self.role(y);
        let waiting = self
            .spec
            .dependents(role)
            .iter()
            .chain(self.spec.followers(role))
            .filter(|d| self.slots[d.index()].live)
            .count();
        let waiters = match purpose {
            Purpose::Restart { .. } => Vec::with_capacity(1),
            _ => Vec::new(),
        };
        let stop = Stop {
            purpose,
            waiters,
            waiting,
            began: None,
            step: 0,
            awaiting: Awaiting::Nothing,
            aborted: false,
            drain: None,
        };
        self.slots[y].stop = Some(self.stops.insert(stop));
        if waiting == 0 {
            self.to_stop.push_back(y);
        }
    }

    /// `x` no longer runs nor stops: dependencies waiting for it may begin their stop.
    pub(super) fn set_live(&mut self, x: usize, live: bool) {
        if std::mem::replace(&mut self.slots[x].live, live) && !live {
            let role = self.role(x);
            for p in self
                .spec
                .dependencies(role)
                .iter()
                .chain(self.spec.after(role))
            {
                let p = p.index();
                if let Some(stop) = self.stops.get_mut(self.slots[p].stop)
                    && stop.began.is_none()
                    && stop.waiting > 0
                {
                    stop.waiting -= 1;
                    if stop.waiting == 0 {
                        self.to_stop.push_back(p);
                    }
                }
            }
        }
    }

    pub(super) fn begin_stop(&mut self, y: usize) {
        let now = self.now();
        match self.stops.get_mut(self.slots[y].stop) {
            Some(stop) if stop.began.is_none() => stop.began = Some(now),
            _ => return,
        }
        self.advance_stop(y);
    }

    /// Runs `y`'s stop actions from where they stand until one must be waited for.
    fn advance_stop(&mut self, y: usize) {
        let role = self.role(y);
        let forced = self.shutdown.as_ref().is_some_and(|s| s.forced);
        loop {
            let running = self.slots[y].run.is_some();
            let Some(stop) = self.stops.get_mut(self.slots[y].stop) else {
                return;
            };
            let actions = self.spec.stop_actions(role);
            let action = match actions.get(stop.step) {
                Some(&action) => action,
                // The macro always ends the list with `stop`; should a spec not, the
                // incarnation is still stopped before the role counts as stopped.
                None if stop.step == actions.len() && running => StopAction::Stop {
                    timeout: StopAction::DEFAULT_STOP_TIMEOUT,
                },
                None => {
                    self.finish_stop(y);
                    return;
                }
            };
            stop.step += 1;
            match action {
                StopAction::Drain {
                    timeout,
                    resume_state,
                } => {
                    if forced {
                        continue;
                    }
                    let Some(run) = self.slots[y].run.as_ref() else {
                        continue;
                    };
                    let Some(service) = self.services.get(y) else {
                        continue;
                    };
                    let key = TaskKey::new(y, run.cx.incarnation(), TaskKind::Drain);
                    let Some(task) = service.spawn_drain(run.cx.clone(), key, run.span()) else {
                        continue;
                    };
                    self.tasks += 1;
                    run.cx.request_drain();
                    self.emit(y, EventKind::Draining);
                    if let Some(stop) = self.stops.get_mut(self.slots[y].stop) {
                        stop.awaiting = Awaiting::Drain {
                            task,
                            resume: resume_state,
                        };
                    }
                    self.set_timer(y, after(self.now(), timeout), Timer::Drain { role: y });
                    return;
                }
                StopAction::ReleaseLease => self.release_lease(y),
                StopAction::Stop { timeout } => {
                    let Some(run) = self.slots[y].run.as_ref() else {
                        continue;
                    };
                    run.cx.cancel();
                    if let Some(stop) = self.stops.get_mut(self.slots[y].stop) {
                        stop.awaiting = Awaiting::Exit;
                    }
                    self.emit(y, EventKind::Stopping);
                    self.set_timer(y, after(self.now(), timeout), Timer::Grace { role: y });
                    return;
                }
            }
        }
    }

    pub(super) fn on_drain_done(
        &mut self,
        y: usize,
        incarnation: u64,
        result: Result<State, String>,
    ) {
        if self.slots[y].incarnation.get() != Some(incarnation) {
            return;
        }
        let Some(stop) = self.stops.get_mut(self.slots[y].stop) else {
            return;
        };
        let Awaiting::Drain { resume, .. } = stop.awaiting else {
            return;
        };
        stop.awaiting = Awaiting::Nothing;
        let outcome = match result {
            Ok(state) => {
                if resume {
                    self.slots[y].cold().resume = Some(state);
                }
                DrainOutcome::Drained
            }
            Err(error) => DrainOutcome::Failed { error },
        };
        self.clear_timer(y);
        self.drain_ended(y, outcome);
    }

    pub(super) fn on_drain_timeout(&mut self, y: usize) {
        let Some(stop) = self.stops.get_mut(self.slots[y].stop) else {
            return;
        };
        if let Awaiting::Drain { task, .. } = &stop.awaiting {
            task.abort();
            stop.awaiting = Awaiting::Nothing;
            self.drain_ended(y, DrainOutcome::TimedOut);
        }
    }

    fn drain_ended(&mut self, y: usize, outcome: DrainOutcome) {
        if let Some(stop) = self.stops.get_mut(self.slots[y].stop) {
            stop.drain = Some(outcome.clone());
        }
        self.emit(y, EventKind::Drained { result: outcome });
        self.advance_stop(y);
    }

    /// `stop(T)` ran out: abort; the stop ends when the aborted task is gone.
    pub(super) fn on_grace_over(&mut self, y: usize) {
        let slot = &mut self.slots[y];
        if let (Some(stop), Some(_)) = (self.stops.get_mut(slot.stop), slot.run.as_ref())
            && matches!(stop.awaiting, Awaiting::Exit)
        {
            stop.aborted = true;
            self.abort_run(y);
        }
    }

    /// The incarnation of a stopping role ended (asked to, on its own, or aborted).
    pub(super) fn on_exit_while_stopping(&mut self, y: usize) {
        let Some(stop) = self.stops.get(self.slots[y].stop) else {
            return;
        };
        match (stop.began, &stop.awaiting) {
            // Still waiting for its dependents: it no longer holds them up, and
            // its own actions will find nothing left to stop.
            (None, _) => self.set_live(y, false),
            (Some(_), Awaiting::Exit) => self.finish_stop(y),
            // Mid-drain or between actions: the sequence goes on and finds it stopped.
            (Some(_), _) => {}
        }
    }

    /// `y`'s stop sequence is over; what it becomes depends on why it stopped.
    fn finish_stop(&mut self, y: usize) {
        let id = self.slots[y].stop.take();
        let Some(stop) = self.stops.get_mut(id) else {
            return;
        };
        let purpose = std::mem::replace(&mut stop.purpose, Purpose::Shutdown);
        let waiters = std::mem::take(&mut stop.waiters);
        let drain = stop.drain.take();
        let (aborted, began) = (stop.aborted, stop.began);
        if let Awaiting::Drain { task, .. } = &stop.awaiting {
            task.abort();
        }
        self.stops.free(id);
        self.clear_timer(y);
        self.release_lease(y);
        let outcome = if aborted {
            StopOutcome::Aborted
        } else {
            StopOutcome::Graceful
        };
        self.emit(y, EventKind::Stopped { outcome });
        self.set_live(y, false);
        let now = self.now();
        let duration = began.map_or(std::time::Duration::ZERO, |b| {
            now.saturating_duration_since(b)
        });
        match purpose {
            Purpose::Shutdown => {
                self.set_status(y, Status::Stopped);
                self.ended(
                    y,
                    Ended {
                        outcome,
                        duration,
                        drain,
                    },
                );
            }
            Purpose::Restart { owner } => self.stopped_for_restart(y, owner),
            Purpose::Disable => {
                self.mark_disabled(y);
                // Disabled while the app shut down: the report says so, not `graceful`.
                if self.shutdown.is_some() {
                    self.ended(
                        y,
                        Ended {
                            outcome: StopOutcome::Disabled,
                            duration,
                            drain,
                        },
                    );
                }
            }
            Purpose::Fail { cause, was_ready } => {
                self.set_status(y, Status::Stopped);
                self.after_exit(y, was_ready, Some(Failing::Cause(cause)));
            }
        }
        for owner in waiters {
            self.release_restart_wait(owner);
        }
    }

    fn ended(&mut self, y: usize, ended: Ended) {
        if let Some(shutdown) = self.shutdown.as_mut()
            && let Some(slot @ None) = shutdown.ended.get_mut(y)
        {
            *slot = Some(ended);
            shutdown.remaining = shutdown.remaining.saturating_sub(1);
        }
    }

    /// Begins the app's shutdown (only the first request counts): every role is
    /// stopped in stop order, each after its dependents, under one deadline.
    pub(super) fn request_shutdown(&mut self, reason: ShutdownReason, x: Option<usize>, end: End) {
        if self.shutdown.is_some() {
            return;
        }
        let now = self.now();
        let episode = self.new_episode();
        self.set_phase(Phase::ShuttingDown);
        self.record(x, Some(episode), EventKind::ShutdownRequested { reason });
        self.timers
            .arm(after(now, self.spec.shutdown_timeout()), Timer::Deadline);
        self.shutdown = Some(Shutdown {
            began: now,
            episode,
            reason,
            remaining: self.slots.len(),
            ended: (0..self.slots.len()).map(|_| None).collect(),
            forced: false,
            end,
        });
        for role in self.spec.stop_order() {
            let y = role.index();
            self.slots[y].episode = Some(episode);
            match self.slots[y].status {
                Status::Stopping => self.redirect_stop(y, Purpose::Shutdown),
                Status::Starting | Status::Ready => self.queue_stop(y, Purpose::Shutdown),
                Status::Disabled => self.ended(y, idle(StopOutcome::Disabled)),
                Status::Pending
                | Status::Held
                | Status::Completed
                | Status::Restarting
                | Status::Stopped => {
                    self.clear_timer(y);
                    self.slots[y].clear_restart();
                    self.set_status(y, Status::Stopped);
                    self.ended(y, idle(StopOutcome::AlreadyStopped));
                }
            }
        }
    }

    /// `shutdown_timeout` ran out: abort every task left and end each role as aborted.
    pub(super) fn on_deadline(&mut self) {
        let Some(shutdown) = self.shutdown.as_mut() else {
            return;
        };
        shutdown.forced = true;
        let now = self.now();
        let mut idle = Vec::new();
        for y in 0..self.slots.len() {
            let slot = &mut self.slots[y];
            let Some(stop) = self.stops.get_mut(slot.stop) else {
                continue;
            };
            stop.began.get_or_insert(now);
            if let Awaiting::Drain { task, .. } = &stop.awaiting {
                task.abort();
                stop.drain = Some(DrainOutcome::TimedOut);
            }
            let running = slot.run.is_some();
            if running {
                stop.aborted = true;
                stop.awaiting = Awaiting::Exit;
            } else {
                idle.push(y);
            }
            if let Some(key) = slot.timer.take() {
                self.timers.disarm(key);
            }
            if running {
                self.abort_run(y);
            }
        }
        for y in idle {
            self.finish_stop(y);
        }
    }

    /// Every role has ended: wait for every task, then publish the result.
    pub(super) async fn complete(mut self) {
        let (episode, began, end, reason, forced) = match self.shutdown.as_ref() {
            Some(s) => (
                Some(s.episode),
                s.began,
                s.end.clone(),
                Some(s.reason),
                s.forced,
            ),
            None => (None, Instant::now(), End::Clean { role: None }, None, false),
        };
        // Nothing runs any more: no handle is left to read.
        self.shared.handles.end();
        self.record(None, episode, EventKind::ShutdownCompleted);
        // Nothing should be left; whatever is (a drain aborted by its timeout)
        // goes now, and the report waits until every task is gone.
        for slot in &self.slots {
            if let Some(run) = slot.run.as_ref() {
                run.task.abort();
            }
        }
        while self.tasks > 0 {
            match self.rx.recv().await {
                Some(msg) => self.late(msg),
                None => break,
            }
        }
        let report = ShutdownReport {
            roles: self
                .spec
                .stop_order()
                .iter()
                .map(|&role| {
                    let ended = self
                        .shutdown
                        .as_mut()
                        .and_then(|s| s.ended.get_mut(role.index())?.take())
                        .unwrap_or_else(|| idle(StopOutcome::AlreadyStopped));
                    RoleReport {
                        role,
                        outcome: ended.outcome,
                        duration: ended.duration,
                        drain: ended.drain,
                    }
                })
                .collect(),
            duration: Instant::now().saturating_duration_since(began),
            reason,
            deadline_exceeded: forced,
        };
        self.set_phase(Phase::Stopped);
        let start_error = |role: usize, cause: Cause, report: ShutdownReport<R>| StartError {
            role: self.role(role),
            cause,
            report,
            failure: self.failure_of(role),
        };
        let result: Final<R> = match end {
            End::Clean { role } => match (self.start_pending(), role.or(self.first_awaited())) {
                (true, Some(role)) => {
                    Err(AppError::Start(start_error(role, Cause::ShutDown, report)))
                }
                _ => Ok(report),
            },
            End::Escalated { role, cause } => {
                if self.start_pending() {
                    Err(AppError::Start(start_error(role, cause, report)))
                } else {
                    Err(AppError::Escalated {
                        role: self.role(role),
                        cause,
                        report,
                        failure: self.failure_of(role),
                    })
                }
            }
            End::StartFailed { role, cause } => {
                Err(AppError::Start(start_error(role, cause, report)))
            }
        };
        self.answer_start(match &result {
            Err(AppError::Start(e)) => Err(e.clone()),
            _ => Ok(()),
        });
        self.done.send_replace(Some(result));
    }

    /// A message that came after every role ended: a task's end is counted,
    /// and anything else is too late to act on.
    pub(super) fn late(&mut self, msg: Msg) {
        if let Msg::Ended(_) = msg {
            self.tasks = self.tasks.saturating_sub(1);
        }
    }

    fn first_awaited(&self) -> Option<usize> {
        self.slots.iter().position(|s| s.awaited)
    }
}

fn idle(outcome: StopOutcome) -> Ended {
    Ended {
        outcome,
        duration: std::time::Duration::ZERO,
        drain: None,
    }
}
