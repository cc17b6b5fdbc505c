//! The event stream: numbering, the bounded journal, and the subscribers who
//! read it.
//!
//! The journal is the only copy of an event. A subscriber is a position in
//! it, not a queue of its own: recording costs the same with no subscriber,
//! one that reads, or one that never does (nothing is copied for it, nothing
//! it has not read is dropped on its account). Recording never waits: the
//! journal drops its oldest event when full (and counts it), and a reader who
//! fell further behind than it may is told how much it missed
//! (`RecvError::Lagged`). Supervision never blocks on a reader.

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::observe::event::{EpisodeId, Event};
use crate::observe::fifo::Fifo;
use crate::observe::stored::Stored;
use crate::spec::AppSpec;
use crate::spec::role::Role;

/// A copy of the journal: the most recent events, oldest first, and how many
/// older ones were dropped to keep it bounded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLog<R> {
    /// The retained events, in `seq` order.
    pub events: Vec<Event<R>>,
    /// Events dropped from the front since the app started.
    pub dropped: u64,
}

impl<R: Role> EventLog<R> {
    /// The retained events of one episode, in order.
    pub fn episode(&self, episode: EpisodeId) -> impl Iterator<Item = &Event<R>> {
        self.events
            .iter()
            .filter(move |e| e.episode == Some(episode))
    }

    /// The retained events of one role, in order.
    pub fn role(&self, role: R) -> impl Iterator<Item = &Event<R>> {
        self.events.iter().filter(move |e| e.role == Some(role))
    }
}

/// The most events a subscriber may fall behind, whatever `Options` asks:
/// while one is subscribed, the journal keeps that many.
const MAX_SUBSCRIBER_CAPACITY: usize = 1 << 16;

struct Ring<R> {
    events: Fifo<Stored<R>>,
    /// The `seq` of `events[0]`: every event is recorded, numbered from 0.
    first: u64,
    /// What `AppHandle::events` shows.
    journal_capacity: usize,
    /// How far a subscriber may fall behind.
    subscriber_capacity: usize,
    /// Subscriptions alive: while there is one, the ring keeps
    /// `subscriber_capacity` events should that be more than the journal's.
    subscribers: usize,
    /// A reader found nothing new and waits to be woken.
    waiting: bool,
    /// The supervisor is gone: nothing more will be recorded.
    closed: bool,
}

impl<R> Ring<R> {
    /// The `seq` the next event will have.
    fn end(&self) -> u64 {
        self.first + self.events.len() as u64
    }

    /// The `seq` of the oldest event `AppHandle::events` shows (the ring may
    /// hold older ones for a subscriber).
    fn oldest_shown(&self) -> u64 {
        self.end() - self.events.len().min(self.journal_capacity) as u64
    }

    /// While there is a subscriber, the ring keeps as many events as it
    /// may fall behind, should that be more than the journal's capacity.
    fn set_subscribers(&mut self, subscribers: usize) {
        self.subscribers = subscribers;
        let capacity = if subscribers > 0 {
            self.journal_capacity.max(self.subscriber_capacity)
        } else {
            self.journal_capacity
        };
        self.events.set_capacity(capacity);
    }
}

/// What a reader finds at its position.
pub(crate) enum Read<R> {
    Event(Event<R>),
    /// It fell this many events too far behind; its position moved past them.
    Lagged(u64),
    /// Nothing new yet.
    Empty,
    /// Nothing new, ever.
    Closed,
}

/// Shared between the supervisor (the only writer) and every handle and
/// subscription.
pub(crate) struct Journal<R: 'static> {
    /// The app: a record keeps its role as an index, read back from here.
    spec: &'static AppSpec<R>,
    ring: Mutex<Ring<R>>,
    /// Wakes the readers waiting for the next event; notified only when one
    /// waits, so an idle or stalled subscriber costs the writer nothing.
    more: Notify,
}

impl<R: Role> Journal<R> {
    /// Both capacities are raised to 1 when 0 is asked for; the subscriber
    /// capacity is at most [`MAX_SUBSCRIBER_CAPACITY`].
    pub(crate) fn new(
        spec: &'static AppSpec<R>,
        capacity: usize,
        subscriber_capacity: usize,
    ) -> Self {
        Journal {
            spec,
            ring: Mutex::new(Ring {
                events: Fifo::new(capacity.max(1)),
                first: 0,
                journal_capacity: capacity.max(1),
                subscriber_capacity: subscriber_capacity.clamp(1, MAX_SUBSCRIBER_CAPACITY),
                subscribers: 0,
                waiting: false,
                closed: false,
            }),
            more: Notify::new(),
        }
    }

    fn ring(&self) -> MutexGuard<'_, Ring<R>> {
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `event`, the next in `seq` order, dropping the oldest beyond
    /// the capacity; wakes the readers only if one waits.
    #[inline]
    pub(crate) fn record(&self, event: Stored<R>) {
        let wake = {
            let mut ring = self.ring();
            let dropped = ring.events.push(event);
            ring.first += dropped as u64;
            std::mem::replace(&mut ring.waiting, false)
        };
        if wake {
            self.more.notify_waiters();
        }
    }

    /// Nothing more will be recorded: readers at the end are told so.
    pub(crate) fn close(&self) {
        self.ring().closed = true;
        self.more.notify_waiters();
    }

    pub(crate) fn snapshot(&self) -> EventLog<R> {
        let ring = self.ring();
        let oldest = ring.oldest_shown();
        let skip = usize::try_from(oldest - ring.first).unwrap_or(usize::MAX);
        EventLog {
            events: (ring.events.iter().zip(ring.first..))
                .skip(skip)
                .map(|(event, seq)| event.event(seq, self.spec))
                .collect(),
            dropped: oldest,
        }
    }

    /// A new reader's position and how far behind it may fall: at the next
    /// event (`backlog: false`), or at the journal's oldest (`true`), in which
    /// case it may fall as far behind as the journal keeps.
    pub(crate) fn join(&self, backlog: bool) -> (u64, usize) {
        let mut ring = self.ring();
        let subscribers = ring.subscribers + 1;
        ring.set_subscribers(subscribers);
        if backlog {
            let reach = ring.journal_capacity.max(ring.subscriber_capacity);
            (ring.oldest_shown(), reach)
        } else {
            (ring.end(), ring.subscriber_capacity)
        }
    }

    /// A reader is gone.
    pub(crate) fn leave(&self) {
        let mut ring = self.ring();
        let subscribers = ring.subscribers.saturating_sub(1);
        ring.set_subscribers(subscribers);
    }

    /// What the reader at `*next`, who may fall `reach` events behind, finds;
    /// `*next` moves past what it is given or missed. With `wait`, finding
    /// nothing asks the next `record` to wake [`Journal::more`].
    pub(crate) fn read(&self, next: &mut u64, reach: usize, wait: bool) -> Read<R> {
        let mut ring = self.ring();
        let end = ring.end();
        let oldest = ring.first.max(end.saturating_sub(reach as u64));
        if *next < oldest {
            let missed = oldest - *next;
            *next = oldest;
            return Read::Lagged(missed);
        }
        let at = usize::try_from(*next - ring.first).unwrap_or(usize::MAX);
        match ring.events.get(at) {
            Some(event) => {
                let event = event.event(*next, self.spec);
                *next += 1;
                Read::Event(event)
            }
            None if ring.closed => Read::Closed,
            None => {
                ring.waiting |= wait;
                Read::Empty
            }
        }
    }

    /// Completes once a `record` or `close` follows a `read` with `wait`
    /// made after this was enabled.
    pub(crate) fn more(&self) -> tokio::sync::futures::Notified<'_> {
        self.more.notified()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::sync::broadcast::error::{RecvError, TryRecvError};

    use super::Journal;
    use crate::observe::event::EventKind;
    use crate::observe::stored::Stored;
    use crate::observe::subscription::Subscription;
    use crate::spec::role::Role;
    use crate::spec::test_app::TestRole;

    fn journal(capacity: usize, subscriber_capacity: usize) -> Arc<Journal<TestRole>> {
        Arc::new(Journal::new(
            crate::spec::test_app::spec(),
            capacity,
            subscriber_capacity,
        ))
    }

    fn record(journal: &Journal<TestRole>, seqs: std::ops::Range<u64>) {
        for seq in seqs {
            let (roles, store) = (journal.spec.roles(), Some(TestRole::Store.index()));
            let ready = EventKind::Ready;
            journal.record(Stored::new(
                roles,
                seq,
                Duration::ZERO,
                store,
                Some(0),
                None,
                ready,
            ));
        }
    }

    /// What `reader` finds until it finds no event.
    fn read(reader: &mut Subscription<TestRole>) -> Vec<u64> {
        std::iter::from_fn(|| reader.try_recv().ok())
            .map(|e| e.seq)
            .collect()
    }

    fn seqs(journal: &Journal<TestRole>) -> Vec<u64> {
        journal.snapshot().events.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn a_subscriber_keeps_its_reach_in_the_ring_only_while_it_lives() {
        let journal = journal(2, 5);
        record(&journal, 0..3);
        assert_eq!(seqs(&journal), [1, 2]);
        let mut stalled = Subscription::new(&journal, false);
        record(&journal, 3..10);
        // The journal still shows two; the ring keeps five for the reader.
        assert_eq!(seqs(&journal), [8, 9]);
        assert_eq!(journal.snapshot().dropped, 8);
        assert_eq!(stalled.try_recv(), Err(TryRecvError::Lagged(2)));
        assert_eq!(read(&mut stalled), [5, 6, 7, 8, 9]);
        assert_eq!(stalled.try_recv(), Err(TryRecvError::Empty));
        drop(stalled);
        record(&journal, 10..11);
        assert_eq!(journal.ring().events.len(), 2);
    }

    #[test]
    fn a_follower_starts_at_the_journals_oldest_event_and_may_lag_as_far() {
        let journal = journal(3, 1);
        record(&journal, 0..5);
        let mut follow = Subscription::new(&journal, true);
        assert_eq!(follow.position(), 2);
        assert_eq!(read(&mut follow), [2, 3, 4]);
        // It may fall as far behind as the journal keeps: 3 events, not 1.
        record(&journal, 5..8);
        assert_eq!(read(&mut follow), [5, 6, 7]);
        record(&journal, 8..12);
        assert_eq!(follow.try_recv(), Err(TryRecvError::Lagged(1)));
        assert_eq!(read(&mut follow), [9, 10, 11]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_reader_is_woken_by_the_next_event_then_told_the_end() {
        let journal = journal(4, 4);
        let mut reader = Subscription::new(&journal, false);
        let read = tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                match reader.recv().await {
                    Ok(event) => seen.push(event.seq),
                    Err(RecvError::Closed) => return seen,
                    Err(RecvError::Lagged(n)) => panic!("lagged {n}"),
                }
            }
        });
        for seq in 0..3 {
            tokio::task::yield_now().await;
            record(&journal, seq..seq + 1);
        }
        tokio::task::yield_now().await;
        journal.close();
        assert_eq!(read.await.expect("the reader ends"), [0, 1, 2]);
    }
}
