//! What happened, in order: the events the supervisor records.
//!
//! Every transition of every role is one [`Event`]. Events carry a gapless
//! `seq`, the time since the app started (tokio time, so paused-time tests
//! see exact values) and, when a failure or a shutdown caused them, the
//! [`EpisodeId`] that ties all of its consequences together.

use core::fmt;
use core::time::Duration;
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::spec::Budget;
use crate::spec::duration;

/// Ties together every event one cause produced: a failure (its exit, the
/// restart decision, the dependents stopped and restarted, a budget
/// exhaustion, a disable, an escalation) or a shutdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EpisodeId(u64);

impl EpisodeId {
    pub(crate) fn new(id: u64) -> Self {
        EpisodeId(id)
    }

    /// The id as a number (episodes are numbered from 1 in the order they begin).
    pub fn get(self) -> u64 {
        self.0
    }
}

/// An id read back from a log line or a JSON event (`"episode": 2`), to look
/// the episode up with `AppHandle::episode`.
impl From<u64> for EpisodeId {
    fn from(id: u64) -> Self {
        EpisodeId(id)
    }
}

impl fmt::Display for EpisodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// One transition, as recorded in the journal and sent to subscribers.
///
/// Serializes flat: `{"seq":3,"at":"10ms","role":"db","incarnation":0,"episode":null,"kind":"ready"}`.
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
/// use supervision::{App, EventKind};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handle = Shop { store: Store }.start().await?;
/// handle.shutdown().await;
/// let log = handle.events();
/// assert_eq!(log.events[0].kind, EventKind::Starting);
/// assert_eq!(log.events.last().map(|e| &e.kind), Some(&EventKind::ShutdownCompleted));
/// for event in &log.events {
///     println!("{event}"); // one timeline line each
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event<R> {
    /// Position in the app's event stream: 0, 1, 2, … without gaps.
    pub seq: u64,
    /// Time since the app started (tokio time).
    #[serde(with = "duration")]
    pub at: Duration,
    /// The role concerned; `None` for app-wide events.
    pub role: Option<R>,
    /// The role's incarnation concerned; `None` for app-wide events.
    pub incarnation: Option<u64>,
    /// The failure or shutdown this event is a consequence of.
    pub episode: Option<EpisodeId>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened; serialized as a snake_case `kind` tag plus its fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// An incarnation was spawned.
    Starting,
    /// The incarnation is ready: its dependents may start.
    Ready,
    /// The incarnation returned `Ok(())`.
    Exited,
    /// The incarnation returned an error, or did not become ready in time.
    Failed {
        /// The error's `Display` text.
        error: String,
        /// The `Display` texts of its `source()` chain, outermost first.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        causes: Vec<String>,
    },
    /// The incarnation panicked.
    Panicked {
        /// The panic message.
        message: String,
    },
    /// The incarnation called no `Context::heartbeat` within its `watchdog`
    /// period: it is stopped and its restart policy treats it as failed.
    Hung {
        /// The role's `watchdog` period.
        #[serde(with = "duration")]
        period: Duration,
    },
    /// The role will be started again after `delay`.
    RestartScheduled {
        /// Backoff before the restart.
        #[serde(with = "duration")]
        delay: Duration,
        /// 1 for the first restart within the budget window, then 2, …
        attempt: u32,
    },
    /// A restart budget ran out: the role's own, or the app's `intensity`.
    BudgetExhausted {
        /// The budget that ran out.
        budget: Budget,
        /// Whether it was the app-wide `intensity`.
        app_wide: bool,
    },
    /// The optional role gave up (or a role it depends on did) and stays stopped.
    Disabled,
    /// A required role gave up: the app shuts down with an error.
    Escalated,
    /// The app begins to shut down.
    ShutdownRequested {
        /// Why.
        reason: ShutdownReason,
    },
    /// The role's `drain` action began.
    Draining,
    /// The role's `drain` action ended.
    Drained {
        /// How it ended.
        result: DrainOutcome,
    },
    /// The role's lease is no longer held.
    LeaseReleased {
        /// The lease name (borrowed from the spec; owned only when read back).
        lease: Cow<'static, str>,
    },
    /// The role was asked to stop (its cancellation token was cancelled).
    Stopping,
    /// The role's stop sequence ended.
    Stopped {
        /// How it ended.
        outcome: StopOutcome,
    },
    /// Every role has stopped; no event follows.
    ShutdownCompleted,
}

/// Why the app shuts down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShutdownReason {
    /// `AppHandle::shutdown` was called.
    Requested,
    /// Ctrl-C or SIGTERM (`App::run`).
    Signal,
    /// A `critical` role exited cleanly (the event's `role`).
    CriticalExited,
    /// A required role gave up (the event's `role`).
    Escalated,
    /// A required role could not become ready during start (the event's `role`).
    StartFailed,
}

/// How a role's stop sequence ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopOutcome {
    /// It returned after cancellation (or had returned on its own) within its grace period.
    Graceful,
    /// It was aborted: its `stop(T)` grace period or the `shutdown_timeout` ran out.
    Aborted,
    /// It was not running when the shutdown began.
    AlreadyStopped,
    /// It had been disabled.
    Disabled,
}

/// How a `drain` action ended.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrainOutcome {
    /// `Drain::drain` returned its state in time.
    Drained,
    /// `Drain::drain` returned an error or panicked.
    Failed {
        /// The error text or panic message.
        error: String,
    },
    /// `Drain::drain` did not return within the action's timeout and was aborted.
    TimedOut,
}
