//! Why an app failed to start or ended with an error.

use core::fmt;
use core::time::Duration;
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::observe::exit;
use crate::observe::report::ShutdownReport;
use crate::spec::Budget;
use crate::spec::duration::{self, DisplayDuration};
use crate::spec::options::OverrideError;
use crate::spec::role::Role;

/// Why a role failed or gave up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cause {
    /// `run` returned this error.
    Error(String),
    /// `run` panicked with this message.
    Panic(String),
    /// `run` returned `Ok(())` before the role was ready.
    ExitedBeforeReady,
    /// The role did not become ready within its `ready` timeout.
    ReadyTimeout(#[serde(with = "duration")] Duration),
    /// The role called no `Context::heartbeat` within its `watchdog` period.
    Hung(#[serde(with = "duration")] Duration),
    /// The role's own restart budget ran out.
    BudgetExhausted(Budget),
    /// The app-wide `intensity` ran out.
    IntensityExceeded(Budget),
    /// The app was shut down before the role became ready.
    ShutDown,
    /// The role stopped for good during the start phase, before it or the roles
    /// that depend on it were ready.
    StoppedDuringStart,
    /// The role was to start again with a restart, but `dependency` (a role it
    /// depends on, by name) stays stopped, so it never could.
    DependencyStopped {
        /// The name of the role that stays stopped (borrowed from the spec;
        /// owned only when read back).
        dependency: Cow<'static, str>,
    },
    /// The app value did not provide one service per role.
    Misconfigured(String),
    /// An override of `Options` cannot apply to the role (or the app).
    InvalidOverride(OverrideError),
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Error(e) => write!(f, "failed: {e}"),
            Cause::Panic(m) => write!(f, "panicked: {m}"),
            Cause::ExitedBeforeReady => f.write_str("exited before it was ready"),
            Cause::ReadyTimeout(t) => write!(f, "not ready within {}", DisplayDuration(*t)),
            Cause::Hung(t) => write!(f, "hung: no heartbeat within {}", DisplayDuration(*t)),
            Cause::BudgetExhausted(b) => write!(
                f,
                "restart budget of {} per {} exhausted",
                b.max_restarts,
                DisplayDuration(b.window)
            ),
            Cause::IntensityExceeded(b) => write!(
                f,
                "app intensity of {} restarts per {} exceeded",
                b.max_restarts,
                DisplayDuration(b.window)
            ),
            Cause::ShutDown => f.write_str("the app shut down before it was ready"),
            Cause::StoppedDuringStart => f.write_str("stopped for good before the app had started"),
            Cause::DependencyStopped { dependency } => {
                write!(f, "depends on `{dependency}`, which stays stopped")
            }
            Cause::Misconfigured(m) => write!(f, "misconfigured: {m}"),
            Cause::InvalidOverride(e) => write!(f, "invalid override: {e}"),
        }
    }
}

/// One incarnation's failure: the role, the incarnation, and the error with
/// its `source()` chain, so a report says what really went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure<R> {
    /// The role that failed.
    pub role: R,
    /// Which of its incarnations.
    pub incarnation: u64,
    /// The error's `Display` text (`panicked: ..` for a panic).
    pub error: String,
    /// The `Display` texts of its `source()` chain, outermost first.
    pub causes: Vec<String>,
}

impl<R: Role> fmt::Display for Failure<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{} failed: {}",
            self.role, self.incarnation, self.error
        )?;
        self.causes
            .iter()
            .try_for_each(|cause| write!(f, ": {cause}"))
    }
}

/// An error as the runtime keeps it: its text and its sources' texts, taken
/// in the task that returned it (the error itself is not `Clone`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ErrorChain {
    pub(crate) error: String,
    pub(crate) causes: Vec<String>,
}

impl ErrorChain {
    pub(crate) fn of(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut causes = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        ErrorChain {
            error: error.to_string(),
            causes,
        }
    }

    /// An error known only by its text.
    pub(crate) fn text(error: String) -> Self {
        ErrorChain {
            error,
            causes: Vec::new(),
        }
    }
}

/// `App::start` failed: `role` could not become ready. Everything that had
/// started was stopped, in stop order, before this was returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartError<R> {
    /// The role that could not become ready.
    pub role: R,
    /// Why.
    pub cause: Cause,
    /// How the roles that had started were stopped.
    pub report: ShutdownReport<R>,
    /// The role's last failure, with its error chain, when it failed.
    pub failure: Option<Failure<R>>,
}

impl<R: Role> fmt::Display for StartError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "role `{}` could not start: {}", self.role, self.cause)?;
        after(f, &self.cause, self.failure.as_ref())
    }
}

impl<R: Role> std::error::Error for StartError<R> {}

/// Why a running app ended with an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AppError<R> {
    /// A required role gave up (or a `critical` one failed); the app was shut down.
    Escalated {
        /// The role.
        role: R,
        /// Why it gave up.
        cause: Cause,
        /// How the app was shut down.
        report: ShutdownReport<R>,
        /// The role's last failure, with its error chain: what led to it
        /// giving up.
        failure: Option<Failure<R>>,
    },
    /// The app did not start.
    Start(StartError<R>),
    /// The supervisor task ended without a result (its runtime was shut down).
    SupervisorLost,
}

impl<R: Role> AppError<R> {
    /// The process exit code of an app that ended with this error (see [`exit`](crate::exit)):
    /// [`exit::ESCALATED`](crate::exit::ESCALATED), [`exit::START_FAILED`](crate::exit::START_FAILED),
    /// [`exit::MISCONFIGURED`](crate::exit::MISCONFIGURED) or
    /// [`exit::SUPERVISOR_LOST`](crate::exit::SUPERVISOR_LOST).
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Escalated { .. } => exit::ESCALATED,
            AppError::Start(StartError {
                cause: Cause::Misconfigured(_) | Cause::InvalidOverride(_),
                ..
            }) => exit::MISCONFIGURED,
            AppError::Start(_) => exit::START_FAILED,
            AppError::SupervisorLost => exit::SUPERVISOR_LOST,
        }
    }

    /// The shutdown report, when the app got as far as shutting down.
    pub fn report(&self) -> Option<&ShutdownReport<R>> {
        match self {
            AppError::Escalated { report, .. } => Some(report),
            AppError::Start(e) => Some(&e.report),
            AppError::SupervisorLost => None,
        }
    }
}

impl<R: Role> fmt::Display for AppError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Escalated {
                role,
                cause,
                failure,
                ..
            } => {
                write!(f, "role `{role}` escalated: {cause}")?;
                after(f, cause, failure.as_ref())
            }
            AppError::Start(e) => fmt::Display::fmt(e, f),
            AppError::SupervisorLost => f.write_str("the supervisor task was lost"),
        }
    }
}

impl<R: Role> std::error::Error for AppError<R> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AppError::Start(e) => Some(e),
            _ => None,
        }
    }
}

impl<R: Role> From<StartError<R>> for AppError<R> {
    fn from(e: StartError<R>) -> Self {
        AppError::Start(e)
    }
}

/// What `cause` does not say already of `failure`: the error's sources when
/// the cause is that error (`: refused: timed out`), else the whole failure
/// (` (after db#2 failed: ..)`); nothing without a failure.
fn after<R: Role>(
    f: &mut fmt::Formatter<'_>,
    cause: &Cause,
    failure: Option<&Failure<R>>,
) -> fmt::Result {
    let Some(failure) = failure else {
        return Ok(());
    };
    let is_the_failure = match cause {
        Cause::Error(error) => *error == failure.error,
        Cause::Panic(message) => failure.error == format!("panicked: {message}"),
        // A ready timeout is reported as a failure with the cause's own text.
        other => other.to_string() == failure.error,
    };
    if is_the_failure {
        failure.causes.iter().try_for_each(|c| write!(f, ": {c}"))
    } else {
        write!(f, " (after {failure})")
    }
}
