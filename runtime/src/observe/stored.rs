//! An event as the journal keeps it, in at most two thirds of an [`Event`]'s room.
//!
//! The journal holds thousands of events and writes one per transition, so
//! its records are kept small: `seq` is the record's place in the journal,
//! the role is its index, and the optional numbers are `u32`s, each one more
//! than the number (0 is "none"). The kind is kept as it is, so recording
//! costs no more than moving it. An event whose numbers do not fit (an
//! incarnation past four billion) is kept whole, boxed: every event reads
//! back exactly as it was recorded.

use core::time::Duration;
use std::borrow::Cow;

use crate::observe::event::{EpisodeId, Event, EventKind};
use crate::observe::fifo::Record;
use crate::observe::number::OptionalNumber;
use crate::spec::AppSpec;
use crate::spec::role::Role;

pub(crate) enum Stored<R> {
    Compact(Compact),
    Whole(Box<Event<R>>),
}

pub(crate) struct Compact {
    kind: EventKind,
    /// The time since the app started, in whole seconds and nanoseconds.
    secs: u32,
    nanos: u32,
    /// These three are each one more than the number, 0 for "none".
    incarnation: u32,
    episode: u32,
    role: u32,
}

/// `number`'s code (plus one, 0 for "none"): below 2³² when it fits a `u32`.
#[inline]
fn code(number: Option<u64>) -> u64 {
    OptionalNumber::new(number).code()
}

/// The number a record's `code` stands for.
fn number(code: u32) -> Option<u64> {
    OptionalNumber::from_code(u64::from(code)).get()
}

impl<R: Role> Stored<R> {
    /// Event number `seq` about the role of index `role` in `roles`, its
    /// app's (where it is read back from).
    #[inline]
    pub(crate) fn new(
        roles: &[R],
        seq: u64,
        at: Duration,
        role: Option<usize>,
        incarnation: Option<u64>,
        episode: Option<EpisodeId>,
        kind: EventKind,
    ) -> Self {
        // Episodes are numbered from 1, the episode kept as it is: its code
        // is one less; that of 0, which has none, fits nothing.
        let codes = (
            code(role.map(|index| index as u64)),
            code(incarnation),
            code(episode.map(|e| e.get().wrapping_sub(1))),
        );
        // Every number tested at once: one branch.
        if (codes.0 | codes.1 | codes.2 | at.as_secs()) >> 32 == 0 {
            Stored::Compact(Compact {
                kind,
                secs: at.as_secs() as u32,
                nanos: at.subsec_nanos(),
                incarnation: codes.1 as u32,
                episode: codes.2 as u32,
                role: codes.0 as u32,
            })
        } else {
            Stored::Whole(Box::new(Event {
                seq,
                at,
                role: role.and_then(|index| roles.get(index).copied()),
                incarnation,
                episode,
                kind,
            }))
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
            role: number(c.role).and_then(|index| spec.roles().get(index as usize).copied()),
            incarnation: number(c.incarnation),
            episode: number(c.episode).map(|e| EpisodeId::new(e + 1)),
            kind: c.kind.clone(),
        }
    }
}

impl<R> Record for Stored<R> {
    /// The kinds whose fields are all `Copy` (the compiler checks it) and
    /// a lease borrowed from the spec, as the supervisor records it.
    #[inline]
    fn owns_nothing(&self) -> bool {
        fn copy<T: Copy>(_: &T) -> bool {
            true
        }
        let Stored::Compact(c) = self else {
            return false;
        };
        match &c.kind {
            EventKind::Starting
            | EventKind::Ready
            | EventKind::Exited
            | EventKind::Disabled
            | EventKind::Escalated
            | EventKind::Draining
            | EventKind::Stopping
            | EventKind::ShutdownCompleted => true,
            EventKind::Hung { period } => copy(period),
            EventKind::RestartScheduled { delay, attempt } => copy(delay) && copy(attempt),
            EventKind::BudgetExhausted { budget, app_wide } => copy(budget) && copy(app_wide),
            EventKind::ShutdownRequested { reason } => copy(reason),
            EventKind::Stopped { outcome } => copy(outcome),
            EventKind::LeaseReleased {
                lease: Cow::Borrowed(lease),
            } => copy(lease),
            _ => false,
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
    use crate::observe::fifo::Record;
    use crate::spec::Budget;
    use crate::spec::role::Role;
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
                            let index = role.map(|role| role.index());
                            let kind = kind.clone();
                            let roles = spec.roles();
                            let stored =
                                Stored::new(roles, seq, at, index, incarnation, episode, kind);
                            assert_eq!(stored.event(seq, spec), event);
                            seq += 1;
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn only_a_record_that_owns_nothing_is_written_over_without_a_drop() {
        let roles = crate::spec::test_app::spec().roles();
        let record = |kind, incarnation| {
            Stored::<TestRole>::new(roles, 0, Duration::ZERO, None, incarnation, None, kind)
        };
        // The kinds that own a string, or whose type may.
        let owned = [
            EventKind::Failed {
                error: String::new(),
                causes: Vec::new(),
            },
            EventKind::Panicked {
                message: String::new(),
            },
            EventKind::Drained {
                result: DrainOutcome::Failed {
                    error: String::new(),
                },
            },
            EventKind::Drained {
                result: DrainOutcome::Drained,
            },
            EventKind::LeaseReleased {
                lease: Cow::Owned(String::new()),
            },
        ];
        for kind in owned {
            assert!(!record(kind, Some(0)).owns_nothing());
        }
        let borrowed = EventKind::LeaseReleased {
            lease: Cow::Borrowed("store"),
        };
        assert!(record(borrowed, Some(0)).owns_nothing());
        assert!(record(EventKind::Ready, Some(0)).owns_nothing());
        // Kept whole, it owns its box.
        assert!(!record(EventKind::Ready, Some(u64::MAX)).owns_nothing());
    }

    #[test]
    fn a_record_takes_at_most_two_thirds_of_an_events_room() {
        let stored = size_of::<Stored<TestRole>>();
        assert_eq!(stored, size_of::<EventKind>() + 24);
        assert!(stored * 3 <= size_of::<Event<TestRole>>() * 2);
        assert!(stored * 3 <= size_of::<Event<crate::spec::dynamic::RoleId>>() * 2);
    }
}
