//! One failure, or the shutdown, and everything it caused: "why did this role restart?"
//!
//! The supervisor gives every event a failure causes (the exit, the decision,
//! the backoff, the dependents stopped and started again, a disable or an
//! escalation) the failure's [`EpisodeId`]; the shutdown has one of its own. An
//! [`Episode`] gathers them from the journal, across roles, in order.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::observe::event::{EpisodeId, Event, EventKind};
use crate::observe::journal::EventLog;
use crate::observe::stage::{Stager, Step};
use crate::spec::role::Role;

/// Every retained event of one episode, each tagged with its stage.
///
/// Its `Display` is a timeline: a header naming the cause, then one line per event.
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
/// use supervision::App;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handle = Shop { store: Store }.start().await?;
/// handle.shutdown().await;
/// // The shutdown is an episode too: every stop it caused, across roles.
/// let id = handle.events().events.iter().find_map(|e| e.episode).ok_or("no episode")?;
/// let episode = handle.episode(id)?;
/// println!("{episode}");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode<R> {
    id: EpisodeId,
    steps: Vec<Step<R>>,
}

impl<R: Role> Episode<R> {
    /// Episode `id` in a journal snapshot.
    ///
    /// Fails with [`EpisodeError::Unknown`] when no retained event carries `id`
    /// and the journal shows no sign that it ever began, and with
    /// [`EpisodeError::Truncated`] when the journal dropped events and the
    /// retained ones do not begin with the episode's cause (an `exited`,
    /// `failed`, `panicked` or `shutdown_requested` event).
    pub fn from_log(log: &EventLog<R>, id: EpisodeId) -> Result<Episode<R>, EpisodeError<R>> {
        let stager = Stager::new(&log.events);
        let episode = Episode {
            id,
            steps: stager.steps(log.episode(id)).collect(),
        };
        if episode.steps.is_empty() {
            // Episodes are numbered in the order they begin: a later one retained
            // means this one began, and all of it was dropped.
            let began = log.events.iter().any(|e| e.episode > Some(id));
            return Err(if log.dropped > 0 && began {
                EpisodeError::Truncated {
                    id,
                    dropped: log.dropped,
                    episode,
                }
            } else {
                EpisodeError::Unknown { id }
            });
        }
        if log.dropped > 0 && episode.cause().is_none() {
            return Err(EpisodeError::Truncated {
                id,
                dropped: log.dropped,
                episode,
            });
        }
        Ok(episode)
    }

    /// The episode's id.
    pub fn id(&self) -> EpisodeId {
        self.id
    }

    /// Every event with its stage, in order.
    pub fn steps(&self) -> &[Step<R>] {
        &self.steps
    }

    /// Every event, in order.
    pub fn events(&self) -> impl Iterator<Item = &Event<R>> {
        self.steps.iter().map(|s| &s.event)
    }

    /// The event that began the episode: the failure (`exited`, `failed`,
    /// `panicked`, `hung`) or the `shutdown_requested`; `None` if it was not retained.
    pub fn cause(&self) -> Option<&Event<R>> {
        self.steps.first().map(|s| &s.event).filter(|e| {
            matches!(
                e.kind,
                EventKind::Exited
                    | EventKind::Failed { .. }
                    | EventKind::Panicked { .. }
                    | EventKind::Hung { .. }
                    | EventKind::ShutdownRequested { .. }
            )
        })
    }

    /// Whether this is the app's shutdown rather than a failure.
    pub fn is_shutdown(&self) -> bool {
        self.cause()
            .is_some_and(|e| matches!(e.kind, EventKind::ShutdownRequested { .. }))
    }

    /// The roles the episode concerned, in the order they first appear.
    pub fn roles(&self) -> Vec<R> {
        let mut roles: Vec<R> = Vec::new();
        for role in self.events().filter_map(|e| e.role) {
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        roles
    }
}

impl<R: Role> fmt::Display for Episode<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let roles = self.roles().len();
        write!(
            f,
            "episode {} ({roles} role{}, {} events): ",
            self.id,
            if roles == 1 { "" } else { "s" },
            self.steps.len()
        )?;
        match self.cause() {
            Some(cause) => {
                match (cause.role, cause.incarnation) {
                    (Some(role), Some(incarnation)) => write!(f, "{role}#{incarnation} ")?,
                    (Some(role), None) => write!(f, "{role} ")?,
                    (None, _) => {}
                }
                write!(f, "{}", cause.kind)?;
            }
            None => f.write_str("its cause was not retained")?,
        }
        for step in &self.steps {
            write!(f, "\n    {step}")?;
        }
        Ok(())
    }
}

/// Why [`Episode::from_log`] (or [`AppHandle::episode`](crate::AppHandle::episode))
/// has no complete episode to give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EpisodeError<R> {
    /// No such episode: it has not begun (or, with a journal that dropped
    /// events, left no trace at all).
    Unknown {
        /// The id asked about.
        id: EpisodeId,
    },
    /// The bounded journal dropped events, and the episode's earliest ones are
    /// among them; `episode` holds what was retained (possibly nothing).
    Truncated {
        /// The id asked about.
        id: EpisodeId,
        /// How many events the journal had dropped (all roles together).
        dropped: u64,
        /// The retained part of the episode.
        episode: Episode<R>,
    },
}

impl<R: Role> EpisodeError<R> {
    /// The retained part of a truncated episode.
    pub fn into_partial(self) -> Option<Episode<R>> {
        match self {
            EpisodeError::Truncated { episode, .. } => Some(episode),
            EpisodeError::Unknown { .. } => None,
        }
    }
}

impl<R: Role> fmt::Display for EpisodeError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpisodeError::Unknown { id } => write!(f, "no episode {id}"),
            EpisodeError::Truncated {
                id,
                dropped,
                episode,
            } => write!(
                f,
                "episode {id} is truncated: the journal dropped {dropped} events, \
                 its cause among them; {} retained (raise `Options::journal_capacity`)",
                episode.steps.len()
            ),
        }
    }
}

impl<R: Role> std::error::Error for EpisodeError<R> {}
