//! The supervisor's timers: a few queues and a binary heap instead of one
//! task per timer, so a 10,000-role app with ready timeouts costs 10,000
//! entries, not tasks. A timer due no earlier than the last one of a queue
//! joins that queue (O(1)), one that fits none the heap; they fire in
//! deadline order across all.
//!
//! Disarming costs nothing: a disarmed timer stays where it is until it comes
//! to the front, where the supervisor's liveness test (does the role's slot
//! still hold this key?) drops it. Nearly every timer is disarmed (a grace
//! period ends with the exit, a ready timeout with readiness), so this saves
//! an ordered-map removal per role per stop. Both are compacted when
//! disarmed entries outnumber armed ones, so they stay bounded.

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
    /// Timers armed in deadline order, each queue earliest first: a timer
    /// due no earlier than the last one of a queue joins the first such
    /// queue at the back. That is the common case (one grace period or
    /// timeout for many roles, and the shutdown deadline, each counted from
    /// a clock that only moves forward), and arming or taking one costs O(1)
    /// where the heap sifts through log n levels: a shutdown of 40,000 roles
    /// arms 40,000 grace timers at once.
    queues: [VecDeque<(Instant, TimerKey, Timer)>; QUEUES],
    /// The others: earliest first; ties in arming order.
    heap: BinaryHeap<Reverse<(Instant, TimerKey, Entry)>>,
    /// Timers already due when armed (a zero backoff), in arming order:
    /// the supervisor fires them once the reaction that armed them is done,
    /// so they never go through the heap.
    due: VecDeque<(Instant, TimerKey, Timer)>,
    next_id: u64,
    /// Entries disarmed but still in a queue or the heap.
    stale: usize,
}

/// How many queues: one for the timeouts of many roles at once (ready
/// timeouts, grace periods), one for what comes later (the shutdown
/// deadline); each more costs every look for the earliest timer.
const QUEUES: usize = 2;

/// Where an entry is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Queue(usize),
    Heap,
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
        let fits = (self.queues.iter_mut())
            .find(|queue| queue.back().is_none_or(|&(last, _, _)| last <= at));
        match fits {
            Some(queue) => queue.push_back((at, key, timer)),
            None => self.heap.push(Reverse((at, key, Entry(timer)))),
        }
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

    /// Entries in the queues, the heap and `due`, armed or disarmed.
    fn entries(&self) -> usize {
        let queued: usize = self.queues.iter().map(VecDeque::len).sum();
        queued + self.heap.len() + self.due.len()
    }

    /// Drops every disarmed entry once they outnumber the armed ones.
    pub(super) fn compact(&mut self, live: impl Fn(TimerKey, Timer) -> bool) {
        if self.stale > 64 && self.stale > self.entries() / 2 {
            self.heap
                .retain(|Reverse((_, key, Entry(timer)))| live(*key, *timer));
            for queue in self.queues.iter_mut().chain([&mut self.due]) {
                queue.retain(|(_, key, timer)| live(*key, *timer));
            }
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
        // Each front at once: one look for the earliest, not one per drop.
        let mut dropped = 0;
        for queue in &mut self.queues {
            while let Some(&(_, key, timer)) = queue.front()
                && !live(key, timer)
            {
                queue.pop_front();
                dropped += 1;
            }
        }
        while let Some(Reverse((_, key, Entry(timer)))) = self.heap.peek()
            && !live(*key, *timer)
        {
            self.heap.pop();
            dropped += 1;
        }
        self.stale = self.stale.saturating_sub(dropped);
        self.earliest().map(|(at, _)| at)
    }

    /// When the earliest entry of the queues and the heap is due, live or
    /// not, and where it is (ties go to the one armed first).
    fn earliest(&self) -> Option<(Instant, Place)> {
        let mut best = (self.heap.peek()).map(|Reverse((at, key, _))| (*at, *key, Place::Heap));
        for (i, queue) in self.queues.iter().enumerate() {
            if let Some(&(at, key, _)) = queue.front()
                && best.is_none_or(|(b_at, b_key, _)| (at, key) < (b_at, b_key))
            {
                best = Some((at, key, Place::Queue(i)));
            }
        }
        best.map(|(at, _, place)| (at, place))
    }

    /// Removes the entry at the front of `place`.
    fn take(&mut self, place: Place) -> Option<(Instant, TimerKey, Timer)> {
        match place {
            Place::Queue(i) => self.queues.get_mut(i)?.pop_front(),
            Place::Heap => {
                (self.heap.pop()).map(|Reverse((at, key, Entry(timer)))| (at, key, timer))
            }
        }
    }

    /// Removes and returns the earliest timer of the queues and the heap
    /// due at `now`, with when it was due, if any (live or not: the caller
    /// checks, as it must for a timer that fires).
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<(Instant, TimerKey, Timer)> {
        let (at, place) = self.earliest()?;
        if at > now {
            return None;
        }
        self.take(place)
    }
}

/// `now + d`, saturating far in the future instead of overflowing on absurd durations.
pub(super) fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(86_400 * 365 * 30)))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::{Timer, Timers};
    use std::time::Duration;
    use tokio::time::Instant;

    #[test]
    fn fire_in_deadline_order_across_the_queues_and_the_heap() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut timers = Timers::default();
        // Queued: 10, 30, 30; 20; then 5, 3 and 1 go to the heap.
        for (ms, role) in [(10, 0), (30, 1), (20, 2), (30, 3), (5, 4), (3, 5), (1, 6)] {
            timers.arm(at(ms), Timer::Grace { role });
        }
        assert_eq!(timers.next_deadline(|_, _| true), Some(at(1)));
        let mut fired = Vec::new();
        while let Some((due, _, timer)) = timers.pop_due(at(25)) {
            fired.push((due, timer.role()));
        }
        let expected =
            [(1, 6), (3, 5), (5, 4), (10, 0), (20, 2)].map(|(ms, role)| (at(ms), Some(role)));
        assert_eq!(fired, expected);
        // Ties fire in arming order.
        let rest: Vec<_> = std::iter::from_fn(|| timers.pop_due(at(30)))
            .map(|(_, _, timer)| timer.role())
            .collect();
        assert_eq!(rest, [Some(1), Some(3)]);
        assert_eq!(timers.next_deadline(|_, _| true), None);
    }
}
