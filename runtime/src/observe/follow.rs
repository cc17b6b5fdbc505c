//! A reader of the whole event stream: what the journal retained, then every
//! new event, with no gap and no repeat between the two.

use tokio::sync::broadcast::{self, error::RecvError};

use crate::observe::event::Event;
use crate::observe::journal::EventLog;

/// Every event of the app from its start (as far as the journal retained it)
/// and on, in `seq` order; made by [`AppHandle::follow`](crate::AppHandle::follow).
///
/// A subscriber taken after [`App::launch`](crate::App::launch) may miss the
/// first events; a `Follow` never does, so a start can be watched live.
#[derive(Debug)]
#[must_use = "a `Follow` reads nothing until `recv` is called"]
pub struct Follow<R> {
    backlog: std::vec::IntoIter<Event<R>>,
    live: broadcast::Receiver<Event<R>>,
    /// The `seq` of the next event to hand out: live events the backlog
    /// already gave are skipped.
    next_seq: u64,
    dropped: u64,
}

impl<R: Clone> Follow<R> {
    /// `live` must have been subscribed before `log` was copied, so that each
    /// event is in one of them at least.
    pub(crate) fn new(log: EventLog<R>, live: broadcast::Receiver<Event<R>>) -> Self {
        Follow {
            next_seq: log.dropped,
            dropped: log.dropped,
            backlog: log.events.into_iter(),
            live,
        }
    }

    /// The next event. Errors as `broadcast::Receiver::recv` does: `Lagged(n)`
    /// when this reader fell more than `Options::subscriber_capacity` behind
    /// and missed `n` events (reading goes on after them), `Closed` once the
    /// app is gone and every event was read.
    pub async fn recv(&mut self) -> Result<Event<R>, RecvError> {
        if let Some(event) = self.backlog.next() {
            self.next_seq = event.seq + 1;
            return Ok(event);
        }
        loop {
            let event = self.live.recv().await?;
            if event.seq >= self.next_seq {
                self.next_seq = event.seq + 1;
                return Ok(event);
            }
        }
    }

    /// How many events the journal had dropped before this reader began: the
    /// first event it reads has this `seq`.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}
