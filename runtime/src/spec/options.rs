//! Runtime settings that are not part of the declared topology.

/// How `App::start_with` runs the app; `Options::default()` is what `start` uses.
///
/// ```
/// # use supervision::{BoxError, Context, Service, supervision};
/// # struct Store;
/// # impl Service for Store {
/// #     async fn run(&self, cx: Context) -> Result<(), BoxError> {
/// #         cx.ready();
/// #         cx.stop_requested().await;
/// #         Ok(())
/// #     }
/// # }
/// # supervision! { app Shop { store: Store { ready: signaled(1s) } } }
/// use supervision::{App, Options};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut options = Options::default();
/// options.journal_capacity = 100_000; // keep a long history for `chain` and `episode`
/// options.jitter_seed = Some(7); // reproducible restart delays
/// let handle = Shop { store: Store }.start_with(options).await?;
/// handle.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Events the journal keeps (`AppHandle::events`); older ones are dropped and counted.
    pub journal_capacity: usize,
    /// Events a subscriber may fall behind before it sees `RecvError::Lagged`.
    pub subscriber_capacity: usize,
    /// Jitter exponential backoff (on by default); off, every delay is its cap.
    pub jitter: bool,
    /// Seed of the jitter sequence; by default derived from the app name.
    pub jitter_seed: Option<u64>,
    /// What a role that fails before its first readiness does to the start.
    pub start: StartMode,
}

/// How the start phase treats a role that fails (or misses its ready timeout)
/// before it was ever ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum StartMode {
    /// The start fails at once (a required role) or the role is disabled (an
    /// optional one), as an OTP child whose `init` fails: a dependency that is
    /// not there at boot is a configuration error to surface, not to wait out.
    #[default]
    FailFast,
    /// The role's own restart policy applies, as it does once running:
    /// `permanent` and `transient` roles are restarted within their budget,
    /// with their backoff, each attempt under its `ready` timeout; the start
    /// fails (or the optional role is disabled) only when the budget is spent.
    /// For a database that refuses the first connections while it boots.
    Retry,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            journal_capacity: 4096,
            subscriber_capacity: 1024,
            jitter: true,
            jitter_seed: None,
            start: StartMode::FailFast,
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

    /// Sets [`Options::start`].
    pub fn start(mut self, mode: StartMode) -> Self {
        self.start = mode;
        self
    }

    /// Sets [`Options::jitter_seed`].
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }
}
