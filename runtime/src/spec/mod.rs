//! **The spec room**: what an app *is*: the validated topology (`AppSpec`,
//! roles, policies, stop actions), its lifecycle plans, its Mermaid diagram,
//! durations, and the run-time `Options`. Pure data: imports nothing of the
//! rest of the crate, so every other room may import it.
//!
//! The validated topology the macro generates: one `AppSpec` per app, in a `static`.
//!
//! Every value here was checked at compile time (no cycles, budgets non-zero,
//! stop lists well formed, start order topological), so the runtime trusts it.

pub(crate) mod duration;
pub(crate) mod dynamic;
pub(crate) mod effective;
mod mermaid;
pub(crate) mod options;
pub(crate) mod plan;
pub(crate) mod role;
#[cfg(test)]
pub(crate) mod test_app;

use core::time::Duration;

use serde::{Deserialize, Serialize};

use crate::spec::role::Role;

/// What happens to the other roles when one role is restarted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Only the failed role is restarted.
    OneForOne,
    /// The failed role and its transitive dependents are restarted.
    #[default]
    RestForOne,
    /// Every role is restarted.
    OneForAll,
}

/// At most `max_restarts` restarts within any sliding `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Budget {
    /// Restarts allowed within the window (never zero).
    pub max_restarts: u32,
    /// Length of the sliding window (never zero).
    #[serde(with = "duration")]
    pub window: Duration,
}

/// Delay before a restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Backoff {
    /// Restart at once.
    None,
    /// Always wait the same delay.
    Fixed {
        /// The delay.
        #[serde(with = "duration")]
        delay: Duration,
    },
    /// Double the delay per consecutive restart from `min` up to `max`, with full jitter.
    Exponential {
        /// First delay.
        #[serde(with = "duration")]
        min: Duration,
        /// Largest delay.
        #[serde(with = "duration")]
        max: Duration,
    },
}

/// When a role that exited is started again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum RestartPolicy {
    /// Restarted on any exit.
    Permanent {
        /// Per-role restart budget.
        budget: Budget,
        /// Delay between restarts.
        backoff: Backoff,
    },
    /// Restarted only after an error or a panic.
    Transient {
        /// Per-role restart budget.
        budget: Budget,
        /// Delay between restarts.
        backoff: Backoff,
    },
    /// Never restarted; its exit is reported and it stays stopped.
    Temporary,
    /// Any exit ends the app: a clean exit shuts it down, a failure escalates.
    Critical,
}

impl RestartPolicy {
    /// The default policy: `permanent(3 per 5s)` with exponential backoff from 10ms to 1s.
    pub const DEFAULT: RestartPolicy = RestartPolicy::Permanent {
        budget: Budget {
            max_restarts: 3,
            window: Duration::from_secs(5),
        },
        backoff: Backoff::DEFAULT,
    };

    /// The budget and backoff of `permanent` and `transient`, `None` otherwise.
    pub fn budget(&self) -> Option<(Budget, Backoff)> {
        match *self {
            RestartPolicy::Permanent { budget, backoff }
            | RestartPolicy::Transient { budget, backoff } => Some((budget, backoff)),
            RestartPolicy::Temporary | RestartPolicy::Critical => None,
        }
    }
}

impl Backoff {
    /// The default backoff: exponential from 10ms to 1s.
    pub const DEFAULT: Backoff = Backoff::Exponential {
        min: Duration::from_millis(10),
        max: Duration::from_secs(1),
    };
}

/// When a started role counts as ready, letting its dependents start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Readiness {
    /// Ready as soon as it is running.
    #[default]
    Spawned,
    /// Ready when the service calls `cx.ready()`, within `timeout`.
    Signaled {
        /// Deadline for the signal.
        #[serde(with = "duration")]
        timeout: Duration,
    },
    /// A one-shot job: ready when `run` returns `Ok`, within `timeout`.
    Completed {
        /// Deadline for completion.
        #[serde(with = "duration")]
        timeout: Duration,
    },
}

/// One step of a role's stop sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum StopAction {
    /// Call `Drain::drain` within `timeout`; keep its state for the next incarnation if `resume_state`.
    Drain {
        /// Deadline for the drain.
        #[serde(with = "duration")]
        timeout: Duration,
        /// Hand the drained state to the next incarnation.
        resume_state: bool,
    },
    /// Release the role's lease.
    ReleaseLease,
    /// Cancel the role, wait up to `timeout`, then abort it.
    Stop {
        /// Grace period after cancellation.
        #[serde(with = "duration")]
        timeout: Duration,
    },
}

impl StopAction {
    /// The default grace period of `stop`.
    pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(5);

    /// The default stop list: `[release_lease, stop(5s)]`.
    pub const DEFAULT: &'static [StopAction] = &[
        StopAction::ReleaseLease,
        StopAction::Stop {
            timeout: StopAction::DEFAULT_STOP_TIMEOUT,
        },
    ];
}

/// One role as declared, with its graph edges resolved by the macro.
#[derive(Debug, Serialize)]
pub struct RoleSpec<R: 'static> {
    #[doc(hidden)]
    pub role: R,
    #[doc(hidden)]
    pub lease: &'static str,
    #[doc(hidden)]
    pub optional: bool,
    #[doc(hidden)]
    pub dependencies: &'static [R],
    #[doc(hidden)]
    pub dependents: &'static [R],
    #[doc(hidden)]
    pub after: &'static [R],
    #[doc(hidden)]
    pub followers: &'static [R],
    #[doc(hidden)]
    pub restart: RestartPolicy,
    #[doc(hidden)]
    pub ready: Readiness,
    #[doc(hidden)]
    pub stop: &'static [StopAction],
    #[doc(hidden)]
    #[serde(serialize_with = "duration::serialize_option")]
    pub watchdog: Option<Duration>,
}

/// The whole app as declared: settings, roles and the orders computed by the macro.
///
/// Built only by `supervision!` (its fields are hidden), so its invariants hold:
/// `roles[r.index()].role == r`, the start order is topological, the stop order is its reverse.
#[derive(Debug, Serialize)]
pub struct AppSpec<R: 'static> {
    #[doc(hidden)]
    pub name: &'static str,
    #[doc(hidden)]
    pub strategy: Strategy,
    #[doc(hidden)]
    pub intensity: Option<Budget>,
    #[doc(hidden)]
    #[serde(with = "duration")]
    pub shutdown_timeout: Duration,
    #[doc(hidden)]
    pub roles: &'static [RoleSpec<R>],
    #[doc(hidden)]
    #[serde(skip)]
    pub all: &'static [R],
    #[doc(hidden)]
    pub start_order: &'static [R],
    #[doc(hidden)]
    pub stop_order: &'static [R],
}

impl<R: Role> AppSpec<R> {
    /// The default of `shutdown_timeout`.
    pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

    /// The app's name as written after `app`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Every role in declaration order.
    pub fn roles(&self) -> &'static [R] {
        self.all
    }

    /// The order in which roles start: dependencies first, earliest declared first among ready ones.
    pub fn start_order(&self) -> &'static [R] {
        self.start_order
    }

    /// The order in which roles stop: the reverse of the start order.
    pub fn stop_order(&self) -> &'static [R] {
        self.stop_order
    }

    /// Everything declared about one role.
    pub fn role(&self, role: R) -> &'static RoleSpec<R> {
        &self.roles[role.index()]
    }

    /// The roles `role` depends on directly, as declared.
    pub fn dependencies(&self, role: R) -> &'static [R] {
        self.role(role).dependencies
    }

    /// The roles that depend directly on `role`, in declaration order.
    pub fn dependents(&self, role: R) -> &'static [R] {
        self.role(role).dependents
    }

    /// The roles `role` starts after (and stops before) without depending on
    /// them: its `after` list, as declared.
    pub fn after(&self, role: R) -> &'static [R] {
        self.role(role).after
    }

    /// The roles that list `role` in their `after`, in declaration order.
    pub fn followers(&self, role: R) -> &'static [R] {
        self.role(role).followers
    }

    /// The role's restart policy.
    pub fn restart(&self, role: R) -> RestartPolicy {
        self.role(role).restart
    }

    /// The role's readiness mode.
    pub fn readiness(&self, role: R) -> Readiness {
        self.role(role).ready
    }

    /// The role's stop actions, in the order they run.
    pub fn stop_actions(&self, role: R) -> &'static [StopAction] {
        self.role(role).stop
    }

    /// The role's `watchdog` period: an incarnation that calls no
    /// `Context::heartbeat` within it counts as hung. `None` without `watchdog`.
    pub fn watchdog(&self, role: R) -> Option<Duration> {
        self.role(role).watchdog
    }

    /// Whether the role was declared `optional`.
    pub fn is_optional(&self, role: R) -> bool {
        self.role(role).optional
    }

    /// The role's lease (service) name.
    pub fn lease(&self, role: R) -> &'static str {
        self.role(role).lease
    }

    /// The restart strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The app-wide restart budget, if `intensity` was given.
    pub fn intensity(&self) -> Option<Budget> {
        self.intensity
    }

    /// The hard deadline of the whole shutdown.
    pub fn shutdown_timeout(&self) -> Duration {
        self.shutdown_timeout
    }
}

impl<R: Role> RoleSpec<R> {
    /// The role this spec describes.
    pub fn role(&self) -> R {
        self.role
    }
}
