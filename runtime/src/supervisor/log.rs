//! Every event as a `tracing` record an operator can read: a specific message
//! per kind, at a level that says how much it matters, with structured fields.
//!
//! What can lose work (a failure, a restart, an aborted stop, a drain that did
//! not complete) is never below INFO; the ordinary lifecycle is DEBUG.

use crate::observe::event::{DrainOutcome, EpisodeId, EventKind, StopOutcome};
use crate::spec::duration::DisplayDuration;
use crate::spec::role::Role;

/// Logs event number `seq` under the `supervision` target (its parts, as
/// the supervisor has them before the journal keeps them; the role looked
/// up only for a record made).
#[inline]
pub(super) fn log<R: Role>(
    seq: u64,
    role: impl FnOnce() -> Option<R>,
    incarnation: Option<u64>,
    episode: Option<EpisodeId>,
    kind: &EventKind,
) {
    // No subscriber wants even errors (none is installed, say): nothing to
    // read out of the event, one load of tracing's level filter where the
    // event is recorded, not even a call.
    if tracing::level_enabled!(tracing::Level::ERROR) {
        emit(seq, role(), incarnation, episode, kind);
    }
}

#[inline(never)]
fn emit<R: Role>(
    seq: u64,
    role: Option<R>,
    incarnation: Option<u64>,
    episode: Option<EpisodeId>,
    kind: &EventKind,
) {
    let role = role.map(Role::name);
    let episode = episode.map(EpisodeId::get);
    // The fields every record carries, then the kind's own, then the message.
    macro_rules! record {
        ($level:ident, $($rest:tt)+) => {
            tracing::$level!(
                target: "supervision",
                seq, role, incarnation, episode,
                $($rest)+
            )
        };
    }
    match kind {
        EventKind::Starting => record!(debug, "role starting"),
        EventKind::Ready => record!(debug, "role ready"),
        EventKind::Exited => record!(info, "role exited"),
        EventKind::Failed { error, causes } => record!(
            warn,
            error = %error,
            causes = ?causes,
            "role failed"
        ),
        EventKind::Panicked { message } => record!(error, panic = %message, "role panicked"),
        EventKind::Hung { period } => record!(
            warn,
            period = %DisplayDuration(*period),
            "role hung: no heartbeat within its watchdog period"
        ),
        EventKind::RestartScheduled { delay, attempt } => record!(
            info,
            delay = %DisplayDuration(*delay),
            attempt,
            "restart scheduled"
        ),
        EventKind::BudgetExhausted { budget, app_wide } => record!(
            warn,
            max_restarts = budget.max_restarts,
            window = %DisplayDuration(budget.window),
            app_wide,
            "restart budget exhausted: the role gives up"
        ),
        EventKind::Disabled => record!(warn, "role disabled: the app goes on without it"),
        EventKind::Escalated => record!(error, "role escalated: the app shuts down with an error"),
        EventKind::ShutdownRequested { reason } => {
            record!(info, reason = %reason, "shutdown requested")
        }
        EventKind::Draining => record!(debug, "role draining"),
        EventKind::Drained { result } => match result {
            DrainOutcome::Drained => record!(debug, "role drained"),
            DrainOutcome::Failed { error } => record!(
                warn,
                error = %error,
                "drain failed: in-flight work may be lost"
            ),
            DrainOutcome::TimedOut => {
                record!(warn, "drain timed out: in-flight work may be lost")
            }
        },
        EventKind::LeaseReleased { lease } => record!(debug, lease = %lease, "lease released"),
        EventKind::Stopping => record!(debug, "role stopping"),
        EventKind::Stopped { outcome } => match outcome {
            StopOutcome::Aborted => record!(
                warn,
                "role aborted: it did not stop within its grace period"
            ),
            other => record!(debug, outcome = %other, "role stopped"),
        },
        EventKind::ShutdownCompleted => record!(info, "shutdown completed"),
    }
}
