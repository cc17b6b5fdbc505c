//! A reader of the whole event stream: what the journal retained, then every
//! new event, with no gap and no repeat between the two.

use std::sync::Arc;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::observe::event::Event;
use crate::observe::journal::Journal;
use crate::observe::subscription::Subscription;
use crate::spec::role::Role;

/// Every event of the app from its start (as far as the journal retained it)
/// and on, in `seq` order; made by [`AppHandle::follow`](crate::AppHandle::follow).
///
/// A subscriber taken after [`App::launch`](crate::App::launch) may miss the
/// first events; a `Follow` never does, so a start can be watched live. It
/// may fall as far behind as the journal keeps events.
#[derive(Debug)]
#[must_use = "a `Follow` reads nothing until `recv` is called"]
pub struct Follow<R: Role> {
    events: Subscription<R>,
    dropped: u64,
}

impl<R: Role> Follow<R> {
    pub(crate) fn new(journal: &Arc<Journal<R>>) -> Self {
        let events = Subscription::new(journal, true);
        Follow {
            dropped: events.position(),
            events,
        }
    }

    /// The next event. Errors as [`Subscription::recv`] does: `Lagged(n)`
    /// when this reader fell further behind than the journal keeps and
    /// missed `n` events (reading goes on after them), `Closed` once the app
    /// is gone and every event was read.
    pub async fn recv(&mut self) -> Result<Event<R>, RecvError> {
        self.events.recv().await
    }

    /// The next event if one was recorded; never waits.
    pub fn try_recv(&mut self) -> Result<Event<R>, TryRecvError> {
        self.events.try_recv()
    }

    /// How many events the journal had dropped before this reader began: the
    /// first event it reads has this `seq`.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}
