//! Events as a person reads them: one line each, in a timeline.
//!
//! `Event` prints as `  1.250s  peer_directory#1  failed: refused  (episode #2)`;
//! the example's log, chains and episodes all use this one format.

use core::fmt;
use core::time::Duration;

use crate::observe::event::{DrainOutcome, Event, EventKind, ShutdownReason, StopOutcome};
use crate::spec::duration::{DisplayDuration, Elapsed};
use crate::spec::role::Role;

impl<R: Role> fmt::Display for Event<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.at;
        write!(f, "{:>9}  ", Elapsed(at))?;
        match (self.role, self.incarnation) {
            (Some(role), Some(incarnation)) => {
                write!(f, "{:<24}", format!("{role}#{incarnation}"))?
            }
            (Some(role), None) => write!(f, "{:<24}", role.name())?,
            (None, _) => write!(f, "{:<24}", "app")?,
        }
        write!(f, "  {}", self.kind)?;
        if let Some(episode) = self.episode {
            write!(f, "  (episode {episode})")?;
        }
        Ok(())
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Starting => f.write_str("starting"),
            EventKind::Ready => f.write_str("ready"),
            EventKind::Exited => f.write_str("exited cleanly"),
            EventKind::Failed { error, causes } => {
                write!(f, "failed: {error}")?;
                causes.iter().try_for_each(|cause| write!(f, ": {cause}"))
            }
            EventKind::Panicked { message } => write!(f, "panicked: {message}"),
            EventKind::Hung { period } => {
                write!(f, "hung: no heartbeat within {}", DisplayDuration(*period))
            }
            EventKind::RestartScheduled { delay, attempt } => {
                // Jittered delays carry nanosecond noise; milliseconds are what a reader wants.
                let millis =
                    Duration::from_millis(delay.as_millis().try_into().unwrap_or(u64::MAX));
                write!(
                    f,
                    "restart {attempt} scheduled in {}",
                    DisplayDuration(millis)
                )
            }
            EventKind::BudgetExhausted { budget, app_wide } => {
                let scope = if *app_wide {
                    "app-wide intensity"
                } else {
                    "restart budget"
                };
                write!(
                    f,
                    "{scope} exhausted ({} per {})",
                    budget.max_restarts,
                    DisplayDuration(budget.window)
                )
            }
            EventKind::Disabled => f.write_str("disabled"),
            EventKind::Escalated => f.write_str("escalated: the app shuts down"),
            EventKind::ShutdownRequested { reason } => write!(f, "shutdown requested: {reason}"),
            EventKind::Draining => f.write_str("draining"),
            EventKind::Drained { result } => write!(f, "drain {result}"),
            EventKind::LeaseReleased { lease } => write!(f, "lease `{lease}` released"),
            EventKind::Stopping => f.write_str("stopping"),
            EventKind::Stopped { outcome } => write!(f, "stopped: {outcome}"),
            EventKind::ShutdownCompleted => f.write_str("shutdown completed"),
        }
    }
}

impl fmt::Display for ShutdownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShutdownReason::Requested => "requested through the app handle",
            ShutdownReason::Signal => "Ctrl-C or SIGTERM",
            ShutdownReason::CriticalExited => "a critical role exited",
            ShutdownReason::Escalated => "escalation",
            ShutdownReason::StartFailed => "start failed",
        })
    }
}

impl fmt::Display for StopOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopOutcome::Graceful => "graceful",
            StopOutcome::Aborted => "aborted",
            StopOutcome::AlreadyStopped => "already stopped",
            StopOutcome::Disabled => "disabled",
        })
    }
}

impl fmt::Display for DrainOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrainOutcome::Drained => f.write_str("completed"),
            DrainOutcome::Failed { error } => write!(f, "failed: {error}"),
            DrainOutcome::TimedOut => f.write_str("timed out"),
        }
    }
}
