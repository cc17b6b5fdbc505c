//! Starting incarnations and deciding when they are ready.

use super::Supervisor;
use super::slot::{Purpose, Run, Status};
use super::timers::{Timer, after};
use crate::observe::error::{Cause, ErrorChain};
use crate::observe::event::EventKind;
use crate::observe::number::OptionalNumber;
use crate::observe::state::Phase;
use crate::protocol::{Handle, Published};
use crate::protocol::{TaskKey, TaskKind};
use crate::service::context::{Context, Identity};
use crate::spec::Readiness;
use crate::spec::role::Role;

impl<R: Role> Supervisor<R> {
    /// Starts `x` if it wants to run and every dependency is ready.
    pub(super) fn try_start(&mut self, x: usize) {
        let slot = &self.slots[x];
        if slot.status != Status::Pending
            || slot.deps_unready != 0
            || !matches!(self.phase, Phase::Starting | Phase::Running)
        {
            return;
        }
        self.spawn(x);
    }

    /// Spawns the next incarnation of `x` in its own task, inside its own span.
    fn spawn(&mut self, x: usize) {
        let role = self.role(x);
        let incarnation = self.slots[x].incarnation.get().map_or(0, |i| i + 1);
        let Some(service) = self.services.get(x) else {
            return;
        };
        let identity = Identity {
            lease: self.spec.lease(role),
            index: x,
            incarnation,
            service_type: service.service_type,
        };
        let cx = Context::new(identity, &self.upstream, self.slots[x].take_resume());
        let span = tracing::info_span!("role", role = %role.name(), incarnation);
        let key = TaskKey::new(x, incarnation, TaskKind::Run);
        let kept = (!span.is_disabled()).then(|| Box::new(span.clone()));
        let task = service.spawn_run(cx.clone(), key, span);
        self.tasks += 1;
        let slot = &mut self.slots[x];
        slot.incarnation = OptionalNumber::new(Some(incarnation));
        slot.run = Some(Run {
            task,
            cx,
            span: kept,
        });
        slot.live = true;
        let readiness = self.spec.readiness(role);
        // Ready at its spawn, it changes state once, straight to ready, before
        // both its events: a reader who saw either sees the state.
        match readiness {
            Readiness::Spawned => self.take_ready(x),
            _ => self.set_status(x, Status::Starting),
        }
        self.emit(x, EventKind::Starting);
        match readiness {
            Readiness::Spawned => self.ready_taken(x),
            Readiness::Signaled { timeout } | Readiness::Completed { timeout } => {
                self.set_timer(
                    x,
                    after(self.now(), timeout),
                    Timer::Ready { role: x, timeout },
                );
            }
        }
    }

    pub(super) fn on_ready_signal(&mut self, x: usize, incarnation: u64) {
        let Some(slot) = self.slots.get(x) else {
            return;
        };
        if slot.incarnation.get() == Some(incarnation)
            && slot.status == Status::Starting
            && matches!(
                self.spec.readiness(self.role(x)),
                Readiness::Signaled { .. }
            )
        {
            self.mark_ready(x);
        }
    }

    /// `Context::ready_with`: taken only from the current incarnation while it
    /// runs and is not being stopped, so a stopping one cannot re-publish.
    pub(super) fn on_publish(&mut self, x: usize, incarnation: u64, handle: Handle) {
        let Some(slot) = self.slots.get(x) else {
            return;
        };
        if slot.incarnation.get() == Some(incarnation)
            && slot.run.is_some()
            && matches!(slot.status, Status::Starting | Status::Ready)
        {
            self.shared.handles.set(x, Published::Value(handle));
        }
    }

    /// The running incarnation is ready: it takes its lease and its dependents may start.
    pub(super) fn mark_ready(&mut self, x: usize) {
        self.take_ready(x);
        self.ready_taken(x);
    }

    /// A ready incarnation's status and lease, taken together so the state
    /// table changes once.
    fn take_ready(&mut self, x: usize) {
        self.clear_timer(x);
        self.slots[x].lease = true;
        self.set_status(x, Status::Ready);
    }

    /// What follows readiness once the state says so: its event, the
    /// watchdog, the start phase's count.
    fn ready_taken(&mut self, x: usize) {
        self.emit(x, EventKind::Ready);
        let now = self.now();
        self.arm_watchdog(x, now);
        self.slots[x].episode = None;
        self.no_longer_awaited(x);
    }

    /// A one-shot job finished: it counts as ready, holds no lease, runs no more.
    pub(super) fn mark_completed(&mut self, x: usize) {
        self.clear_timer(x);
        self.set_status(x, Status::Completed);
        self.emit(x, EventKind::Ready);
        self.slots[x].episode = None;
        self.no_longer_awaited(x);
    }

    pub(super) fn on_ready_timeout(&mut self, x: usize, timeout: std::time::Duration) {
        if self.slots[x].status != Status::Starting {
            return;
        }
        let cause = Cause::ReadyTimeout(timeout);
        let episode = self.new_episode();
        self.slots[x].episode = Some(episode);
        let chain = ErrorChain::text(cause.to_string());
        self.fail_incarnation(x, chain);
        if self.phase == Phase::Starting && !self.retries_start(x, true) {
            if self.spec.is_optional(self.role(x)) {
                self.disable(x);
            } else {
                self.fail_start(x, cause);
            }
        } else {
            self.queue_stop(
                x,
                Purpose::Fail {
                    cause,
                    was_ready: false,
                },
            );
        }
    }
}
