//! One role's history, in order and by incarnation: "what happened to this role?"
//!
//! A [`Chain`] is read from the journal. The journal is bounded, so a chain
//! can only be complete if the role's first event is still in it; when it may
//! not be, [`Chain::from_log`] says so with [`ChainError::Truncated`] (which
//! still carries what was retained) rather than returning a silently short chain.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::observe::event::{EpisodeId, Event, EventKind};
use crate::observe::journal::EventLog;
use crate::observe::stage::{Stage, Stager, Step};
use crate::spec::role::Role;

/// Every retained event of one role, grouped by incarnation, each tagged with its [`Stage`].
///
/// Its `Display` is a timeline: a header, then per incarnation one line per
/// event (its stage, then the event as [`Event`] displays it):
///
/// ```text
/// chain of cache_seeder (2 incarnations, 7 events)
///   incarnation 0
///     spawn                0.000s  cache_seeder#0            starting
///     ready                0.000s  cache_seeder#0            ready
///     restart_attempt      1.000s  cache_seeder#0            lease `cache_seeder` released  (episode #1)
///     restart_attempt      1.000s  cache_seeder#0            stopping  (episode #1)
///     restart_attempt      1.000s  cache_seeder#0            stopped: graceful  (episode #1)
///   incarnation 1, restarted by episode #1
///     spawn                1.100s  cache_seeder#1            starting  (episode #1)
///     ready                1.100s  cache_seeder#1            ready  (episode #1)
/// ```
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
/// use supervision::{App, Stage};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handle = Shop { store: Store }.start().await?;
/// handle.shutdown().await;
/// let chain = handle.chain(ShopRole::Store)?;
/// chain.require(&[Stage::Spawn, Stage::Ready, Stage::Shutdown])?;
/// println!("{chain}");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain<R> {
    role: R,
    incarnations: Vec<Incarnation<R>>,
}

/// The events of one incarnation of a role, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incarnation<R> {
    number: Option<u64>,
    steps: Vec<Step<R>>,
}

impl<R: Role> Chain<R> {
    /// The chain of `role` in a journal snapshot.
    ///
    /// Fails with [`ChainError::NoEvents`] when nothing about the role was ever
    /// recorded, and with [`ChainError::Truncated`] when the journal dropped
    /// events and the retained ones do not begin with the role's first spawn
    /// (incarnation 0 `starting`): its beginning may be lost.
    pub fn from_log(log: &EventLog<R>, role: R) -> Result<Chain<R>, ChainError<R>> {
        let stager = Stager::new(&log.events);
        let mut incarnations: Vec<Incarnation<R>> = Vec::new();
        for step in stager.steps(log.role(role)) {
            match incarnations.last_mut() {
                Some(last) if last.number == step.event.incarnation => last.steps.push(step),
                _ => incarnations.push(Incarnation {
                    number: step.event.incarnation,
                    steps: vec![step],
                }),
            }
        }
        let chain = Chain { role, incarnations };
        let begins_at_first_spawn = chain
            .events()
            .next()
            .is_some_and(|e| e.kind == EventKind::Starting && e.incarnation == Some(0));
        if log.dropped > 0 && !begins_at_first_spawn {
            return Err(ChainError::Truncated {
                role,
                dropped: log.dropped,
                chain,
            });
        }
        if chain.incarnations.is_empty() {
            return Err(ChainError::NoEvents { role });
        }
        Ok(chain)
    }

    /// The role this chain is about.
    pub fn role(&self) -> R {
        self.role
    }

    /// The incarnations, oldest first. A role that never ran (disabled before it
    /// started, or stopped by a shutdown first) has one group numbered `None`.
    pub fn incarnations(&self) -> &[Incarnation<R>] {
        &self.incarnations
    }

    /// Every event with its stage, in order.
    pub fn steps(&self) -> impl Iterator<Item = &Step<R>> {
        self.incarnations.iter().flat_map(|i| i.steps.iter())
    }

    /// Every event, in order.
    pub fn events(&self) -> impl Iterator<Item = &Event<R>> {
        self.steps().map(|s| &s.event)
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.incarnations.iter().map(|i| i.steps.len()).sum()
    }

    /// Whether the chain has no events (only a truncated one can be empty).
    pub fn is_empty(&self) -> bool {
        self.incarnations.is_empty()
    }

    /// The episodes the role took part in (failures it suffered or was taken
    /// along by, and the shutdown), in the order it met them.
    pub fn episodes(&self) -> Vec<EpisodeId> {
        let mut episodes: Vec<EpisodeId> = Vec::new();
        for id in self.events().filter_map(|e| e.episode) {
            if !episodes.contains(&id) {
                episodes.push(id);
            }
        }
        episodes
    }

    /// Succeeds when the chain went through every stage in `stages`; otherwise
    /// names exactly the stages it lacks, in the order they were asked for.
    pub fn require(&self, stages: &[Stage]) -> Result<(), MissingStages<R>> {
        let mut missing: Vec<Stage> = Vec::new();
        for &stage in stages {
            if !missing.contains(&stage) && !self.steps().any(|s| s.stage == stage) {
                missing.push(stage);
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MissingStages {
                role: self.role,
                missing,
            })
        }
    }
}

impl<R: Role> Incarnation<R> {
    /// The incarnation number (0, then +1 per restart); `None` for the events of
    /// a role that never ran.
    pub fn number(&self) -> Option<u64> {
        self.number
    }

    /// The incarnation's events with their stages, in order.
    pub fn steps(&self) -> &[Step<R>] {
        &self.steps
    }

    /// The stage of each event, in order.
    pub fn stages(&self) -> Vec<Stage> {
        self.steps.iter().map(|s| s.stage).collect()
    }

    /// Why this incarnation exists: the episode its spawn belongs to, i.e. the
    /// failure that restarted it. `None` for a first start, or when its spawn
    /// is not in the chain.
    pub fn restarted_by(&self) -> Option<EpisodeId> {
        self.steps
            .iter()
            .find(|s| s.event.kind == EventKind::Starting)
            .and_then(|s| s.event.episode)
    }
}

impl<R: Role> fmt::Display for Chain<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.incarnations.len();
        write!(
            f,
            "chain of {} ({n} incarnation{}, {} events)",
            self.role,
            if n == 1 { "" } else { "s" },
            self.len()
        )?;
        for incarnation in &self.incarnations {
            match incarnation.number {
                Some(number) => write!(f, "\n  incarnation {number}")?,
                None => write!(f, "\n  never ran")?,
            }
            if let Some(episode) = incarnation.restarted_by() {
                write!(f, ", restarted by episode {episode}")?;
            }
            for step in &incarnation.steps {
                write!(f, "\n    {step}")?;
            }
        }
        Ok(())
    }
}

/// Why [`Chain::from_log`] (or [`AppHandle::chain`](crate::AppHandle::chain))
/// has no complete chain to give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChainError<R> {
    /// Nothing about the role was ever recorded.
    NoEvents {
        /// The role asked about.
        role: R,
    },
    /// The bounded journal dropped events, and the role's earliest ones may be
    /// among them; `chain` holds what was retained (possibly nothing).
    Truncated {
        /// The role asked about.
        role: R,
        /// How many events the journal had dropped (all roles together).
        dropped: u64,
        /// The retained part of the chain.
        chain: Chain<R>,
    },
}

impl<R: Role> ChainError<R> {
    /// The role asked about.
    pub fn role(&self) -> R {
        match self {
            ChainError::NoEvents { role } | ChainError::Truncated { role, .. } => *role,
        }
    }

    /// The retained part of a truncated chain.
    pub fn into_partial(self) -> Option<Chain<R>> {
        match self {
            ChainError::Truncated { chain, .. } => Some(chain),
            ChainError::NoEvents { .. } => None,
        }
    }
}

impl<R: Role> fmt::Display for ChainError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::NoEvents { role } => write!(f, "no events for `{role}`"),
            ChainError::Truncated {
                role,
                dropped,
                chain,
            } => write!(
                f,
                "the chain of `{role}` is truncated: the journal dropped {dropped} events, \
                 which may include its earliest; {} retained (raise `Options::journal_capacity`)",
                chain.len()
            ),
        }
    }
}

impl<R: Role> std::error::Error for ChainError<R> {}

/// The stages a [`Chain::require`] asked for that the chain never went through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingStages<R> {
    /// The chain's role.
    pub role: R,
    /// The missing stages, in the order they were asked for, each once.
    pub missing: Vec<Stage>,
}

impl<R: Role> fmt::Display for MissingStages<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the chain of `{}` lacks the stage", self.role)?;
        if self.missing.len() > 1 {
            f.write_str("s")?;
        }
        for (i, stage) in self.missing.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            write!(f, "{sep}`{stage}`")?;
        }
        Ok(())
    }
}

impl<R: Role> std::error::Error for MissingStages<R> {}
