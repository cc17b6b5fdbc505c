//! The event stream: numbering, the bounded journal and the broadcast to subscribers.
//!
//! Recording never waits: the journal drops its oldest event when full (and
//! counts it), and the broadcast channel overwrites what a slow subscriber has
//! not read (it sees `RecvError::Lagged`). Supervision never blocks on a reader.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::observe::event::{EpisodeId, Event};
use crate::observe::follow::Follow;
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

struct Ring<R> {
    events: VecDeque<Event<R>>,
    capacity: usize,
    dropped: u64,
}

/// The most events a subscriber may fall behind, whatever `Options` asks.
pub(crate) const MAX_SUBSCRIBER_CAPACITY: usize = 1 << 16;

/// The most events the ring allocates room for up front; a larger capacity
/// grows past it as events come. Room never written to is never touched, so
/// it costs address space, not memory, and the ring is not copied as it grows.
const MAX_PREALLOCATED: usize = 1 << 16;

/// Shared between the supervisor (the only writer) and every handle.
pub(crate) struct Journal<R> {
    ring: Mutex<Ring<R>>,
    /// Made by the first subscription (the channel allocates all its slots
    /// at once): until then no event is copied and the channel's own lock
    /// (behind its receiver count) is never taken.
    tx: OnceLock<broadcast::Sender<Event<R>>>,
    subscriber_capacity: usize,
}

impl<R: Role> Journal<R> {
    /// Both capacities are raised to 1 when 0 is asked for; the subscriber
    /// capacity is at most [`MAX_SUBSCRIBER_CAPACITY`], since the channel
    /// allocates every slot up front (and panics past `usize::MAX / 2`).
    pub(crate) fn new(capacity: usize, subscriber_capacity: usize) -> Self {
        Journal {
            ring: Mutex::new(Ring {
                events: VecDeque::with_capacity(capacity.clamp(1, MAX_PREALLOCATED)),
                capacity: capacity.max(1),
                dropped: 0,
            }),
            tx: OnceLock::new(),
            subscriber_capacity: subscriber_capacity.clamp(1, MAX_SUBSCRIBER_CAPACITY),
        }
    }

    fn ring(&self) -> MutexGuard<'_, Ring<R>> {
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends, then broadcasts (in that order, so a [`Follow`] that subscribes
    /// and then copies the journal finds every event in one or the other);
    /// never waits for a subscriber.
    ///
    /// The event is copied only for subscribers: with none, it moves into the
    /// ring. One that subscribes in between finds it in the journal.
    pub(crate) fn record(&self, event: Event<R>) {
        let live = {
            let mut ring = self.ring();
            if ring.events.len() >= ring.capacity {
                ring.events.pop_front();
                ring.dropped += 1;
            }
            ring.events.push_back(event);
            // Counted under the lock, after the push: a `Follow` that
            // subscribed too late to be counted copies the journal after
            // this push, so the event reaches it one way or the other.
            (self.tx.get())
                .filter(|tx| tx.receiver_count() > 0)
                .and_then(|tx| Some((tx, ring.events.back().cloned()?)))
        };
        if let Some((tx, event)) = live {
            // An error only means the last subscriber just left.
            let _ = tx.send(event);
        }
    }

    pub(crate) fn snapshot(&self) -> EventLog<R> {
        let ring = self.ring();
        EventLog {
            events: ring.events.iter().cloned().collect(),
            dropped: ring.dropped,
        }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Event<R>> {
        // Made before subscribing: a `record` that takes the ring's lock after
        // a `Follow`'s copy of the journal sees it, and counts the receiver.
        (self.tx)
            .get_or_init(|| broadcast::channel(self.subscriber_capacity).0)
            .subscribe()
    }

    pub(crate) fn follow(&self) -> Follow<R> {
        let live = self.subscribe();
        Follow::new(self.snapshot(), live)
    }
}
