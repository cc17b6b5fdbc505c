//! A reader of the event stream: a position in the journal.

use std::sync::Arc;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::observe::event::Event;
use crate::observe::journal::{Journal, Read};
use crate::spec::role::Role;

/// Every event from the moment it was made on, in `seq` order; made by
/// [`AppHandle::subscribe`](crate::AppHandle::subscribe).
///
/// It reads the journal itself, so it costs the supervisor nothing whether
/// it reads or not: a reader that falls more than
/// [`Options::subscriber_capacity`](crate::Options::subscriber_capacity)
/// events behind is told how many it missed and goes on after them.
/// The errors are tokio's broadcast errors, with their meaning: `Lagged(n)`,
/// then reading goes on; `Closed` once the app is gone and every event was read.
#[must_use = "a `Subscription` reads nothing until `recv` is called"]
pub struct Subscription<R: Role> {
    journal: Arc<Journal<R>>,
    /// The `seq` of the next event to hand out.
    next: u64,
    /// How far behind the newest event this reader may fall.
    reach: usize,
}

impl<R: Role> Subscription<R> {
    /// At the next event, or (`backlog`) at the journal's oldest.
    pub(crate) fn new(journal: &Arc<Journal<R>>, backlog: bool) -> Self {
        let (next, reach) = journal.join(backlog);
        Subscription {
            journal: Arc::clone(journal),
            next,
            reach,
        }
    }

    /// The next event, waiting for it if need be. Cancel-safe (an event is
    /// taken only as it is returned), so it can sit in a `select!`.
    pub async fn recv(&mut self) -> Result<Event<R>, RecvError> {
        loop {
            // Enabled before looking, so a `record` right after the look
            // cannot be missed.
            let more = self.journal.more();
            tokio::pin!(more);
            more.as_mut().enable();
            match self.journal.read(&mut self.next, self.reach, true) {
                Read::Event(event) => return Ok(event),
                Read::Lagged(missed) => return Err(RecvError::Lagged(missed)),
                Read::Closed => return Err(RecvError::Closed),
                Read::Empty => more.await,
            }
        }
    }

    /// The next event if one was recorded; never waits.
    pub fn try_recv(&mut self) -> Result<Event<R>, TryRecvError> {
        match self.journal.read(&mut self.next, self.reach, false) {
            Read::Event(event) => Ok(event),
            Read::Lagged(missed) => Err(TryRecvError::Lagged(missed)),
            Read::Closed => Err(TryRecvError::Closed),
            Read::Empty => Err(TryRecvError::Empty),
        }
    }

    /// The `seq` of the next event this reader will be given (unless it lags).
    pub fn position(&self) -> u64 {
        self.next
    }
}

impl<R: Role> Drop for Subscription<R> {
    fn drop(&mut self) {
        self.journal.leave();
    }
}

impl<R: Role> std::fmt::Debug for Subscription<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("next", &self.next)
            .field("reach", &self.reach)
            .finish_non_exhaustive()
    }
}
