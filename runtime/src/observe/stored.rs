//! An event as the journal keeps it, in at most two thirds of an [`Event`]'s room.
//!
//! The journal holds thousands of events and writes one per transition, so
//! its records are kept small: `seq` is the record's place in the journal,
//! the role is its index, and the optional numbers are `u32`s with a value
//! they never take for "none". The kind is kept as it is, so recording costs
//! no more than moving it. An event whose numbers do not fit (an
//! incarnation past four billion) is kept whole, boxed: every event reads
//! back exactly as it was recorded.

use core::time::Duration;

use crate::observe::event::{EpisodeId, Event, EventKind};
use crate::spec::AppSpec;
use crate::spec::role::Role;

/// "None" for the role index.
const NO_ROLE: u32 = u32::MAX;
/// "None" for the incarnation.
const NO_INCARNATION: u32 = u32::MAX;
/// "None" for the episode (episodes are numbered from 1).
const NO_EPISODE: u32 = 0;

pub(crate) enum Stored<R> {
    Compact(Compact),
    Whole(Box<Event<R>>),
}

pub(crate) struct Compact {
    kind: EventKind,
    /// The time since the app started, in whole seconds and nanoseconds.
    secs: u32,
    nanos: u32,
    incarnation: u32,
    episode: u32,
    role: u32,
}

impl<R: Role> Stored<R> {
    /// Event number `seq`; its role, if any, is read back from its app's
    /// spec by its index.
    #[inline]
    pub(crate) fn new(
        seq: u64,
        at: Duration,
        role: Option<R>,
        incarnation: Option<u64>,
        episode: Option<EpisodeId>,
        kind: EventKind,
    ) -> Self {
        let index = match role {
            None => Some(NO_ROLE),
            Some(role) => u32::try_from(role.index()).ok().filter(|&i| i != NO_ROLE),
        };
        let inc = match incarnation {
            None => Some(NO_INCARNATION),
            Some(i) => u32::try_from(i).ok().filter(|&i| i != NO_INCARNATION),
        };
        let ep = match episode {
            None => Some(NO_EPISODE),
            Some(e) => u32::try_from(e.get()).ok().filter(|&e| e != NO_EPISODE),
        };
        match (index, inc, ep, u32::try_from(at.as_secs())) {
            (Some(role), Some(incarnation), Some(episode), Ok(secs)) => Stored::Compact(Compact {
                kind,
                secs,
                nanos: at.subsec_nanos(),
                incarnation,
                episode,
                role,
            }),
            _ => Stored::Whole(Box::new(Event {
                seq,
                at,
                role,
                incarnation,
                episode,
                kind,
            })),
        }
    }

    /// The event recorded as number `seq`.
    pub(crate) fn event(&self, seq: u64, spec: &AppSpec<R>) -> Event<R> {
        let c = match self {
            Stored::Whole(event) => return Event::clone(event),
            Stored::Compact(c) => c,
        };
        Event {
            seq,
            at: Duration::new(u64::from(c.secs), c.nanos),
            role: (c.role != NO_ROLE)
                .then(|| spec.roles().get(c.role as usize).copied())
                .flatten(),
            incarnation: (c.incarnation != NO_INCARNATION).then_some(u64::from(c.incarnation)),
            episode: (c.episode != NO_EPISODE).then(|| EpisodeId::new(u64::from(c.episode))),
            kind: c.kind.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;
    use std::borrow::Cow;

    use super::Stored;
    use crate::observe::event::{
        DrainOutcome, EpisodeId, Event, EventKind, ShutdownReason, StopOutcome,
    };
    use crate::spec::Budget;
    use crate::spec::test_app::TestRole;

    #[test]
    fn every_kind_and_every_edge_value_reads_back_as_recorded() {
        let kinds = [
            EventKind::Starting,
            EventKind::Ready,
            EventKind::Exited,
            EventKind::Failed {
                error: "boom".into(),
                causes: vec!["deeper".into()],
            },
            EventKind::Panicked {
                message: "oops".into(),
            },
            EventKind::Hung {
                period: Duration::from_millis(5),
            },
            EventKind::RestartScheduled {
                delay: Duration::from_millis(20),
                attempt: 3,
            },
            EventKind::RestartScheduled {
                delay: Duration::MAX,
                attempt: u32::MAX,
            },
            EventKind::BudgetExhausted {
                budget: Budget {
                    max_restarts: 3,
                    window: Duration::from_secs(5),
                },
                app_wide: true,
            },
            EventKind::Disabled,
            EventKind::Escalated,
            EventKind::ShutdownRequested {
                reason: ShutdownReason::Signal,
            },
            EventKind::Draining,
            EventKind::Drained {
                result: DrainOutcome::Failed {
                    error: "late".into(),
                },
            },
            EventKind::LeaseReleased {
                lease: Cow::Borrowed("store"),
            },
            EventKind::LeaseReleased {
                lease: Cow::Borrowed("api"),
            },
            EventKind::LeaseReleased {
                lease: Cow::Owned("owned".into()),
            },
            EventKind::Stopping,
            EventKind::Stopped {
                outcome: StopOutcome::Aborted,
            },
            EventKind::ShutdownCompleted,
        ];
        let spec = crate::spec::test_app::spec();
        let mut seq = 0;
        for kind in kinds {
            for role in [None, Some(TestRole::Api)] {
                for incarnation in [None, Some(0), Some(1 << 32), Some(u64::MAX)] {
                    let episodes = [0, 1, 1 << 32].map(EpisodeId::new);
                    for episode in [None].into_iter().chain(episodes.map(Some)) {
                        for at in [Duration::ZERO, Duration::from_nanos(1), Duration::MAX] {
                            let event = Event {
                                seq,
                                at,
                                role,
                                incarnation,
                                episode,
                                kind: kind.clone(),
                            };
                            let stored =
                                Stored::new(seq, at, role, incarnation, episode, kind.clone());
                            assert_eq!(stored.event(seq, spec), event);
                            seq += 1;
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_record_takes_at_most_two_thirds_of_an_events_room() {
        let stored = size_of::<Stored<TestRole>>();
        assert_eq!(stored, size_of::<EventKind>() + 24);
        assert!(stored * 3 <= size_of::<Event<TestRole>>() * 2);
        assert!(stored * 3 <= size_of::<Event<crate::spec::dynamic::RoleId>>() * 2);
    }
}
