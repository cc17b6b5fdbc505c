//! Runtime settings that are not part of the declared topology.

/// How `App::start_with` runs the app; `Options::default()` is what `start` uses.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Events the journal keeps (`AppHandle::events`); older ones are dropped
    /// and counted. 0 keeps 1.
    pub journal_capacity: usize,
    /// Events a subscriber may fall behind before it sees `RecvError::Lagged`.
    /// 0 means 1, and at most 65,536 are kept: the channel allocates its
    /// slots up front.
    pub subscriber_capacity: usize,
    /// Jitter exponential backoff (on by default); off, every delay is its cap.
    pub jitter: bool,
    /// Seed of the jitter sequence; by default derived from the app name.
    pub jitter_seed: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            journal_capacity: 4096,
            subscriber_capacity: 1024,
            jitter: true,
            jitter_seed: None,
        }
    }
}

impl Options {
    /// Sets [`Options::journal_capacity`].
    pub fn journal_capacity(mut self, events: usize) -> Self {
        self.journal_capacity = events;
        self
    }

    /// Sets [`Options::subscriber_capacity`].
    pub fn subscriber_capacity(mut self, events: usize) -> Self {
        self.subscriber_capacity = events;
        self
    }

    /// Sets [`Options::jitter`].
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Sets [`Options::jitter_seed`].
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }
}
