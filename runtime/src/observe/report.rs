//! What a shutdown did, role by role.

use core::time::Duration;

use serde::{Deserialize, Serialize};

use crate::observe::event::{DrainOutcome, ShutdownReason, StopOutcome};
use crate::observe::exit;
use crate::spec::duration;
use crate::spec::role::Role;

/// How one role ended during the shutdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleReport<R> {
    /// The role.
    pub role: R,
    /// How its stop ended.
    pub outcome: StopOutcome,
    /// From the start of its stop actions to its end (zero when it was not running).
    #[serde(with = "duration")]
    pub duration: Duration,
    /// The result of its `drain` action, when one ran.
    pub drain: Option<DrainOutcome>,
}

/// Every role of the app, in stop order, with how it stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShutdownReport<R> {
    /// One entry per role, in stop order.
    pub roles: Vec<RoleReport<R>>,
    /// From the shutdown request to the last role stopped.
    #[serde(with = "duration")]
    pub duration: Duration,
    /// What asked for the shutdown; `None` when none was recorded (the
    /// supervisor was lost).
    pub reason: Option<ShutdownReason>,
    /// The `shutdown_timeout` ran out and whatever was left was aborted.
    #[serde(default)]
    pub deadline_exceeded: bool,
}

impl<R: Role> ShutdownReport<R> {
    /// Whether the app ended as asked for: a request, a signal, or a
    /// `critical` role's clean exit; not an escalation or a failed start.
    pub fn is_clean(&self) -> bool {
        matches!(
            self.reason,
            Some(
                ShutdownReason::Requested | ShutdownReason::Signal | ShutdownReason::CriticalExited
            )
        )
    }

    /// The entry of one role.
    pub fn role(&self, role: R) -> Option<&RoleReport<R>> {
        self.roles.iter().find(|r| r.role == role)
    }

    /// The process exit code of an app that ended with this report:
    /// [`exit::OK`](crate::exit::OK), or [`exit::DEADLINE_EXCEEDED`](crate::exit::DEADLINE_EXCEEDED)
    /// when the `shutdown_timeout` ran out.
    pub fn exit_code(&self) -> u8 {
        if self.deadline_exceeded {
            exit::DEADLINE_EXCEEDED
        } else {
            exit::OK
        }
    }

    /// The outcome of one role.
    pub fn outcome(&self, role: R) -> Option<StopOutcome> {
        self.role(role).map(|r| r.outcome)
    }
}

impl<R: Role> Default for ShutdownReport<R> {
    fn default() -> Self {
        ShutdownReport {
            roles: Vec::new(),
            duration: Duration::ZERO,
            reason: None,
            deadline_exceeded: false,
        }
    }
}
