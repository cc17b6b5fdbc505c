//! The supervisor's timers: one ordered map instead of one task per timer,
//! so a 10,000-role app with ready timeouts costs 10,000 map entries, not tasks.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

/// Identifies one armed timer, so it can be disarmed when it no longer applies.
pub(super) type TimerKey = (Instant, u64);

/// What a timer means when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Timer {
    /// The role has not signaled (or completed) readiness within `timeout`.
    Ready { role: usize, timeout: Duration },
    /// The role's backoff has elapsed.
    Restart { role: usize },
    /// The role's `drain` action ran out of time.
    Drain { role: usize },
    /// The role's `stop(T)` grace period ran out: abort it.
    Grace { role: usize },
    /// The role's ready incarnation is due a heartbeat (`watchdog: period`).
    Watchdog { role: usize, period: Duration },
    /// The app's `shutdown_timeout` ran out: abort everything left.
    Deadline,
}

impl Timer {
    /// The role whose `Slot::timer` this is; `None` for app-wide timers and
    /// for the watchdog, which runs beside a role's other timers (`Slot::watchdog`).
    pub(super) fn role(self) -> Option<usize> {
        match self {
            Timer::Ready { role, .. }
            | Timer::Restart { role }
            | Timer::Drain { role }
            | Timer::Grace { role } => Some(role),
            Timer::Watchdog { .. } | Timer::Deadline => None,
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Timers {
    armed: BTreeMap<TimerKey, Timer>,
    next_id: u64,
}

impl Timers {
    pub(super) fn arm(&mut self, at: Instant, timer: Timer) -> TimerKey {
        let key = (at, self.next_id);
        self.next_id += 1;
        self.armed.insert(key, timer);
        key
    }

    pub(super) fn disarm(&mut self, key: TimerKey) {
        self.armed.remove(&key);
    }

    /// When the earliest armed timer fires.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        self.armed.first_key_value().map(|(key, _)| key.0)
    }

    /// Removes and returns the earliest timer due at `now`, if any.
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<(TimerKey, Timer)> {
        let (&key, _) = self.armed.first_key_value()?;
        if key.0 > now {
            return None;
        }
        self.armed.remove(&key).map(|timer| (key, timer))
    }
}

/// `now + d`, saturating far in the future instead of overflowing on absurd durations.
pub(super) fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(86_400 * 365 * 30)))
        .unwrap_or(now)
}
