//! Runtime settings that are not part of the declared topology, and the
//! per-role overrides of declared timeouts and budgets.

use core::any::TypeId;
use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Serialize};

use crate::spec::Budget;
use crate::spec::role::Role;

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
    /// Events the journal keeps (`AppHandle::events`); older ones are dropped
    /// and counted. 0 keeps 1.
    pub journal_capacity: usize,
    /// Events a subscriber may fall behind before it sees `RecvError::Lagged`.
    /// 0 means 1, and at most 65,536: a subscriber reads the journal itself,
    /// which keeps this many events while one is subscribed should it be more
    /// than `journal_capacity`.
    pub subscriber_capacity: usize,
    /// Jitter exponential backoff (on by default); off, every delay is its cap.
    pub jitter: bool,
    /// Seed of the jitter sequence; by default derived from the app name.
    pub jitter_seed: Option<u64>,
    /// What a role that fails before its first readiness does to the start.
    pub start: StartMode,
    /// Replaces the declared `shutdown_timeout`; `None` keeps it.
    pub shutdown_timeout: Option<Duration>,
    /// Per-role overrides, in the order they were first asked for.
    roles: Vec<RoleEntry>,
}

/// The overrides of one role, keyed by its app's role type and index: the
/// role enum is the app's own, so the options stay one type for every app.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RoleEntry {
    app: TypeId,
    index: usize,
    overrides: RoleOverrides,
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
            shutdown_timeout: None,
            roles: Vec::new(),
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

    /// Sets [`Options::shutdown_timeout`].
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// The overrides of `role`, to set; they are checked when the app starts
    /// ([`OverrideError`]).
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
    /// use std::time::Duration;
    /// use supervision::Options;
    ///
    /// let seconds = std::env::var("STORE_READY_SECONDS").ok().and_then(|s| s.parse().ok());
    /// let mut options = Options::default();
    /// options
    ///     .role(ShopRole::Store)
    ///     .ready_timeout(Duration::from_secs(seconds.unwrap_or(30)))
    ///     .stop_timeout(Duration::from_secs(2));
    /// assert_eq!(options.role(ShopRole::Store).stop_timeout, Some(Duration::from_secs(2)));
    /// ```
    pub fn role<R: Role>(&mut self, role: R) -> &mut RoleOverrides {
        let (app, index) = (TypeId::of::<R>(), role.index());
        let at = match self
            .roles
            .iter()
            .position(|e| e.app == app && e.index == index)
        {
            Some(at) => at,
            None => {
                self.roles.push(RoleEntry {
                    app,
                    index,
                    overrides: RoleOverrides::default(),
                });
                self.roles.len() - 1
            }
        };
        &mut self.roles[at].overrides
    }

    /// Each overridden role of app role type `R`, or the first override
    /// given for another app's role.
    pub(crate) fn role_overrides<R: Role>(
        &self,
        roles: &[R],
    ) -> Result<Vec<(R, RoleOverrides)>, OverrideError> {
        self.roles
            .iter()
            .map(|entry| {
                roles
                    .get(entry.index)
                    .filter(|_| entry.app == TypeId::of::<R>())
                    .map(|&role| (role, entry.overrides))
                    .ok_or(OverrideError::OtherApp)
            })
            .collect()
    }
}

/// Run-time values for one role that replace what `supervision!` declared,
/// e.g. from the environment or a config file. `None` keeps the declared value.
///
/// Overrides change what the app does, not its [`AppSpec`](crate::AppSpec),
/// which stays the declared topology (as do `start_plan`, `shutdown_plan` and
/// `to_mermaid`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RoleOverrides {
    /// The timeout of `ready: signaled(..)` or `completed(..)`.
    pub ready_timeout: Option<Duration>,
    /// The timeout of the `drain(..)` stop action.
    pub drain_timeout: Option<Duration>,
    /// The grace period of the `stop(..)` stop action (zero aborts at once, as `stop(0s)`).
    pub stop_timeout: Option<Duration>,
    /// The restart budget of `permanent(..)` or `transient(..)`.
    pub budget: Option<Budget>,
}

impl RoleOverrides {
    /// Sets [`RoleOverrides::ready_timeout`].
    pub fn ready_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.ready_timeout = Some(timeout);
        self
    }

    /// Sets [`RoleOverrides::drain_timeout`].
    pub fn drain_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.drain_timeout = Some(timeout);
        self
    }

    /// Sets [`RoleOverrides::stop_timeout`].
    pub fn stop_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.stop_timeout = Some(timeout);
        self
    }

    /// Sets [`RoleOverrides::budget`]: at most `max_restarts` within any `window`.
    pub fn budget(&mut self, max_restarts: u32, window: Duration) -> &mut Self {
        self.budget = Some(Budget {
            max_restarts,
            window,
        });
        self
    }
}

/// Why an override cannot apply: the rules `supervision!` holds the declared
/// values to, checked when the app starts. The app then does not start
/// ([`Cause::InvalidOverride`](crate::Cause::InvalidOverride)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OverrideError {
    /// A `shutdown_timeout` of zero would abort every role at once.
    ZeroShutdownTimeout,
    /// A ready timeout of zero always expires.
    ZeroReadyTimeout,
    /// A drain timeout of zero always expires.
    ZeroDrainTimeout,
    /// A budget of zero restarts, or with a zero window, allows none.
    ZeroBudget,
    /// A ready timeout on a `ready: spawned` role, which waits for nothing.
    NoReadyTimeout,
    /// A drain timeout on a role whose stop list has no `drain`.
    NoDrain,
    /// A budget on a `temporary` or `critical` role, which has none.
    NoBudget,
    /// An override of a role of another app.
    OtherApp,
}

impl fmt::Display for OverrideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OverrideError::ZeroShutdownTimeout => "the `shutdown_timeout` must be longer than zero",
            OverrideError::ZeroReadyTimeout => "the ready timeout must be longer than zero",
            OverrideError::ZeroDrainTimeout => "the drain timeout must be longer than zero",
            OverrideError::ZeroBudget => {
                "the budget must allow at least one restart within a window longer than zero"
            }
            OverrideError::NoReadyTimeout => {
                "a ready timeout on a `ready: spawned` role, which waits for nothing"
            }
            OverrideError::NoDrain => "a drain timeout on a role whose stop list has no `drain`",
            OverrideError::NoBudget => {
                "a budget on a `temporary` or `critical` role, which has none"
            }
            OverrideError::OtherApp => "an override names a role of another app",
        })
    }
}

impl std::error::Error for OverrideError {}
