//! The supervisor's timers: one binary heap instead of one task per timer,
//! so a 10,000-role app with ready timeouts costs 10,000 heap entries, not tasks.
//!
//! Disarming costs nothing: a disarmed timer stays in the heap until it comes
//! to the top, where the supervisor's liveness test (does the role's slot
//! still hold this key?) drops it. Nearly every timer is disarmed (a grace
//! period ends with the exit, a ready timeout with readiness), so this saves
//! an ordered-map removal per role per stop. The heap is compacted when
//! disarmed entries outnumber armed ones, so it stays bounded.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::num::NonZeroU64;
use std::time::Duration;

use tokio::time::Instant;

/// Identifies one armed timer, so it can be disarmed when it no longer
/// applies: its place in arming order, never reused (8 bytes in a slot, and
/// as many in `Option`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct TimerKey(NonZeroU64);

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
    /// Earliest first; ties in arming order.
    heap: BinaryHeap<Reverse<(Instant, TimerKey, Entry)>>,
    /// Timers already due when armed (a zero backoff), in arming order:
    /// the supervisor fires them once the reaction that armed them is done,
    /// so they never go through the heap.
    due: VecDeque<(Instant, TimerKey, Timer)>,
    next_id: u64,
    /// Entries disarmed but still in the heap.
    stale: usize,
}

/// A [`Timer`] in the heap, ordered by its key only.
#[derive(Clone, Copy, Debug)]
struct Entry(Timer);

impl PartialEq for Entry {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl Timers {
    pub(super) fn arm(&mut self, at: Instant, timer: Timer) -> TimerKey {
        let key = self.key();
        self.heap.push(Reverse((at, key, Entry(timer))));
        key
    }

    /// Arms a timer already due at `at` (not after the caller's now): it
    /// waits beside the heap until [`Timers::pop_armed_due`] takes it.
    pub(super) fn arm_due(&mut self, at: Instant, timer: Timer) -> TimerKey {
        let key = self.key();
        self.due.push_back((at, key, timer));
        key
    }

    fn key(&mut self) -> TimerKey {
        let key = TimerKey(NonZeroU64::MIN.saturating_add(self.next_id));
        self.next_id += 1;
        key
    }

    /// Removes and returns the oldest live timer armed already due, with
    /// when it was due; disarmed ones before it are dropped.
    pub(super) fn pop_armed_due(
        &mut self,
        live: impl Fn(TimerKey, Timer) -> bool,
    ) -> Option<(Instant, TimerKey, Timer)> {
        while let Some((at, key, timer)) = self.due.pop_front() {
            if live(key, timer) {
                return Some((at, key, timer));
            }
            self.stale = self.stale.saturating_sub(1);
        }
        None
    }

    /// Forgets the timer armed under `key`: its slot no longer holds the key,
    /// so the liveness test drops it when it reaches the top or at compaction.
    pub(super) fn disarm(&mut self, key: TimerKey) {
        let _ = key;
        self.stale += 1;
    }

    /// Drops every disarmed entry once they outnumber the armed ones.
    pub(super) fn compact(&mut self, live: impl Fn(TimerKey, Timer) -> bool) {
        if self.stale > 64 && self.stale > self.heap.len() / 2 {
            self.heap
                .retain(|Reverse((_, key, Entry(timer)))| live(*key, *timer));
            self.due.retain(|(_, key, timer)| live(*key, *timer));
            self.stale = 0;
        }
    }

    /// When the earliest live timer fires; disarmed ones on top are dropped.
    pub(super) fn next_deadline(
        &mut self,
        live: impl Fn(TimerKey, Timer) -> bool,
    ) -> Option<Instant> {
        // The supervisor takes every timer armed already due before it
        // waits; should one be left, it is due now.
        while let Some(&(at, key, timer)) = self.due.front() {
            if live(key, timer) {
                return Some(at);
            }
            self.due.pop_front();
            self.stale = self.stale.saturating_sub(1);
        }
        while let Some(Reverse((at, key, Entry(timer)))) = self.heap.peek() {
            if live(*key, *timer) {
                return Some(*at);
            }
            self.heap.pop();
            self.stale = self.stale.saturating_sub(1);
        }
        None
    }

    /// Removes and returns the earliest timer of the heap due at `now`, with
    /// when it was due, if any (live or not: the caller checks, as it must
    /// for a timer that fires).
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<(Instant, TimerKey, Timer)> {
        let Reverse((at, _, _)) = self.heap.peek()?;
        if *at > now {
            return None;
        }
        self.heap
            .pop()
            .map(|Reverse((at, key, Entry(timer)))| (at, key, timer))
    }
}

/// `now + d`, saturating far in the future instead of overflowing on absurd durations.
pub(super) fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(86_400 * 365 * 30)))
        .unwrap_or(now)
}
