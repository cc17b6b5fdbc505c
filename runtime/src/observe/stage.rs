//! Where an event stands in a role's lifecycle: the one mapping from events to stages.
//!
//! Chains and episodes tag every event with a [`Stage`] so that an operator can
//! read a timeline by phase, and so that a test or a health check can ask
//! whether a role went through a phase at all ([`Chain::require`]).
//!
//! [`Chain::require`]: crate::Chain::require

use core::fmt;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::observe::event::{EpisodeId, Event, EventKind};
use crate::spec::role::Role;

/// The lifecycle stage of one event.
///
/// Most kinds map to one stage whatever the context:
///
/// | stage | event kinds |
/// |---|---|
/// | `spawn` | `starting` (every incarnation, the first and each restart) |
/// | `ready` | `ready` (also a one-shot job's completion) |
/// | `failure_decision` | `exited`, `failed`, `panicked`, `hung`, `budget_exhausted`, `disabled`, `escalated` |
/// | `restart_attempt` | `restart_scheduled` |
/// | `shutdown` | `shutdown_requested`, `shutdown_completed` |
///
/// The stop sequence (`draining`, `drained`, `lease_released`, `stopping`,
/// `stopped`) runs for three reasons, and its stage says which, taken from the
/// event's episode:
///
/// - the app's shutdown (or no episode at all): `shutdown`;
/// - a failure whose decision was a restart (the episode has a
///   `restart_scheduled`): `restart_attempt`. This covers the failed role's own
///   lease release and, above all, the dependents that `rest_for_one` or
///   `one_for_all` stop so that they start again after it: to an operator they
///   were restarted, not shut down;
/// - any other failure (a disable, an escalation, a role that stays stopped):
///   `failure_decision`, since the stop carries out that decision.
///
/// The stop's stage needs the episode's `restart_scheduled`, or its
/// `shutdown_requested` or `shutdown_completed` event. They come after the
/// role's first spawn, so they are retained whenever the role's chain is
/// complete; in a truncated chain or episode that lost them, a stop is read as
/// `failure_decision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// An incarnation was spawned.
    Spawn,
    /// The incarnation became ready.
    Ready,
    /// The incarnation ended on its own, and what the supervisor decided about it.
    FailureDecision,
    /// A restart: its backoff, and the stops it takes along.
    RestartAttempt,
    /// The app's shutdown.
    Shutdown,
}

impl Stage {
    /// Every stage, in lifecycle order.
    pub const ALL: [Stage; 5] = [
        Stage::Spawn,
        Stage::Ready,
        Stage::FailureDecision,
        Stage::RestartAttempt,
        Stage::Shutdown,
    ];

    /// The snake_case name, as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Spawn => "spawn",
            Stage::Ready => "ready",
            Stage::FailureDecision => "failure_decision",
            Stage::RestartAttempt => "restart_attempt",
            Stage::Shutdown => "shutdown",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` so that timelines can align the stage column with `{:<16}`.
        f.pad(self.name())
    }
}

/// One event with its stage: a line of a chain or an episode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step<R> {
    /// Where the event stands in the lifecycle.
    pub stage: Stage,
    /// The event itself.
    #[serde(flatten)]
    pub event: Event<R>,
}

impl<R: Role> fmt::Display for Step<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<16}  {}", self.stage, self.event)
    }
}

/// What the episodes of a journal were, as far as stages are concerned.
pub(crate) struct Stager {
    shutdown: Option<EpisodeId>,
    restarts: BTreeSet<EpisodeId>,
}

impl Stager {
    /// Learns from `events` which episode is the shutdown and which failures restarted.
    pub(crate) fn new<R: Role>(events: &[Event<R>]) -> Self {
        let mut stager = Stager {
            shutdown: None,
            restarts: BTreeSet::new(),
        };
        for event in events {
            match (&event.kind, event.episode) {
                (EventKind::ShutdownRequested { .. } | EventKind::ShutdownCompleted, Some(id)) => {
                    stager.shutdown = Some(id)
                }
                (EventKind::RestartScheduled { .. }, Some(id)) => {
                    stager.restarts.insert(id);
                }
                _ => {}
            }
        }
        stager
    }

    /// The stage of `event`; see [`Stage`] for the mapping.
    pub(crate) fn stage<R: Role>(&self, event: &Event<R>) -> Stage {
        match &event.kind {
            EventKind::Starting => Stage::Spawn,
            EventKind::Ready => Stage::Ready,
            EventKind::Exited
            | EventKind::Failed { .. }
            | EventKind::Panicked { .. }
            | EventKind::Hung { .. }
            | EventKind::BudgetExhausted { .. }
            | EventKind::Disabled
            | EventKind::Escalated => Stage::FailureDecision,
            EventKind::RestartScheduled { .. } => Stage::RestartAttempt,
            EventKind::ShutdownRequested { .. } | EventKind::ShutdownCompleted => Stage::Shutdown,
            EventKind::Draining
            | EventKind::Drained { .. }
            | EventKind::LeaseReleased { .. }
            | EventKind::Stopping
            | EventKind::Stopped { .. } => match event.episode {
                None => Stage::Shutdown,
                Some(id) if Some(id) == self.shutdown => Stage::Shutdown,
                Some(id) if self.restarts.contains(&id) => Stage::RestartAttempt,
                Some(_) => Stage::FailureDecision,
            },
        }
    }

    /// Tags each event with its stage.
    pub(crate) fn steps<'a, R: Role>(
        &'a self,
        events: impl IntoIterator<Item = &'a Event<R>> + 'a,
    ) -> impl Iterator<Item = Step<R>> + 'a {
        events.into_iter().map(|event| Step {
            stage: self.stage(event),
            event: event.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_displays_and_serializes_as_its_snake_case_name() {
        for stage in Stage::ALL {
            let json = serde_json::to_value(stage).expect("serializes");
            assert_eq!(json, serde_json::Value::from(stage.name()));
            assert_eq!(stage.to_string(), stage.name());
        }
        assert_eq!(format!("[{:<8}]", Stage::Spawn), "[spawn   ]");
    }
}
