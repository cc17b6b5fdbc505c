//! Per-role watchdogs (`watchdog: PERIOD`): a ready incarnation that calls no
//! `Context::heartbeat` within its period counts as hung.
//!
//! A heartbeat is an atomic timestamp in the context, not a message: beating
//! costs the service a clock read and a store. The timer reads the last beat
//! when it fires and moves itself past it, so a service that beats keeps one
//! armed timer and the supervisor wakes once per period at most.

use tokio::time::Instant;

use super::Supervisor;
use super::slot::{Purpose, Status};
use super::timers::{Timer, after};
use crate::observe::error::Cause;
use crate::observe::event::EventKind;
use crate::spec::role::Role;

impl<R: Role> Supervisor<R> {
    /// Arms `x`'s watchdog (if it has one) to fire one period after `since`.
    pub(super) fn arm_watchdog(&mut self, x: usize, since: Instant) {
        let Some(period) = self.spec.watchdog(self.role(x)) else {
            return;
        };
        self.disarm_watchdog(x);
        let key = self
            .timers
            .arm(after(since, period), Timer::Watchdog { role: x, period });
        self.slots[x].watchdog = Some(key);
    }

    pub(super) fn disarm_watchdog(&mut self, x: usize) {
        if let Some(key) = self.slots[x].watchdog.take() {
            self.timers.disarm(key);
        }
    }

    /// A watchdog armed for a period ending at `due` fired: re-armed after a
    /// beat within that period, otherwise the incarnation is stopped with its
    /// stop actions and its restart policy handles it as a failure.
    pub(super) fn on_watchdog(&mut self, x: usize, due: Instant, period: std::time::Duration) {
        if self.slots[x].status != Status::Ready {
            return;
        }
        let since = due.checked_sub(period).unwrap_or(due);
        let beat = self.slots[x]
            .run
            .as_ref()
            .and_then(|run| run.cx.last_heartbeat());
        if let Some(beat) = beat.filter(|&beat| beat > since) {
            self.arm_watchdog(x, beat);
            return;
        }
        let episode = self.new_episode();
        self.slots[x].episode = Some(episode);
        self.emit(x, EventKind::Hung { period });
        self.queue_stop(
            x,
            Purpose::Fail {
                cause: Cause::Hung(period),
                was_ready: true,
            },
        );
        // Stopped at once, as a crash would have ended it, without waiting for
        // its dependents: its restart policy and the strategy decide about them
        // once it has stopped.
        if let Some(stop) = self.stops.get_mut(self.slots[x].stop)
            && stop.waiting > 0
        {
            stop.waiting = 0;
            self.to_stop.push_back(x);
        }
    }
}
