//! The stop list's shape: `[drain(..)?, release_lease?, stop(..)]`.
//!
//! `drain` hands work over while the lease is still held, the lease is
//! released before the service goes, and `stop` ends it: any other order
//! would run an action on a service that no longer exists.

use core::fmt;

/// A stop action, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `drain(..)`.
    Drain,
    /// `release_lease`.
    ReleaseLease,
    /// `stop(..)`.
    Stop,
}

impl Action {
    /// The action as the DSL writes it.
    pub fn word(self) -> &'static str {
        match self {
            Action::Drain => "drain",
            Action::ReleaseLease => "release_lease",
            Action::Stop => "stop",
        }
    }
}

/// One broken rule of a stop list; `at` is the position of the offending action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mistake {
    /// The action at `at` was already given at `first`.
    Repeated {
        /// The repeat.
        at: usize,
        /// The first place of the action.
        first: usize,
        /// The action.
        action: Action,
    },
    /// The action at `at` comes after `stop`, which ends the service.
    AfterStop {
        /// The late action.
        at: usize,
        /// The action.
        action: Action,
    },
    /// `drain` at `at` is not first.
    DrainNotFirst {
        /// The drain.
        at: usize,
    },
    /// No `stop`: the list never ends the service.
    NoStop,
}

impl Mistake {
    /// The position the mistake is at, `None` for the whole list.
    pub fn at(&self) -> Option<usize> {
        match *self {
            Mistake::Repeated { at, .. }
            | Mistake::AfterStop { at, .. }
            | Mistake::DrainNotFirst { at } => Some(at),
            Mistake::NoStop => None,
        }
    }

    /// The message, where `first` says where the earlier action of a repeat
    /// is ("on line 6" for the macro).
    pub fn message(&self, first: &str) -> String {
        match *self {
            Mistake::Repeated { action, .. } => format!(
                "`{}` is given twice in the stop list, first {first}; remove one",
                action.word()
            ),
            Mistake::AfterStop { action, .. } => format!(
                "`stop` must be the last stop action; move `{}` before it",
                action.word()
            ),
            Mistake::DrainNotFirst { .. } => "`drain` must be the first stop action: it hands \
                                              work over before anything is released"
                .to_owned(),
            Mistake::NoStop => "the stop list must end with `stop` (or `stop(TIMEOUT)`), which \
                                ends the service"
                .to_owned(),
        }
    }
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = match *self {
            Mistake::Repeated { first, .. } => format!("at position {}", first + 1),
            _ => String::new(),
        };
        f.write_str(&self.message(&first))
    }
}

/// Every broken rule of `actions`, in order; a repeat is reported once and
/// otherwise ignored.
pub fn check(actions: &[Action]) -> Vec<Mistake> {
    let mut mistakes = Vec::new();
    let mut first_of = [None; 3];
    let mut stop_seen = false;
    for (at, &action) in actions.iter().enumerate() {
        let slot = action as usize;
        if let Some(first) = first_of[slot] {
            mistakes.push(Mistake::Repeated { at, first, action });
            continue;
        }
        first_of[slot] = Some(at);
        if stop_seen {
            mistakes.push(Mistake::AfterStop { at, action });
        } else if action == Action::Drain && at != 0 {
            mistakes.push(Mistake::DrainNotFirst { at });
        }
        stop_seen |= action == Action::Stop;
    }
    if !stop_seen {
        mistakes.push(Mistake::NoStop);
    }
    mistakes
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::*;

    #[test]
    fn the_shapes() {
        assert_eq!(check(&[Drain, ReleaseLease, Stop]), []);
        assert_eq!(check(&[Stop]), []);
        assert_eq!(check(&[]), [Mistake::NoStop]);
        assert_eq!(
            check(&[Stop, ReleaseLease]),
            [Mistake::AfterStop {
                at: 1,
                action: ReleaseLease
            }]
        );
        assert_eq!(
            check(&[ReleaseLease, Drain, Stop]),
            [Mistake::DrainNotFirst { at: 1 }]
        );
        assert_eq!(
            check(&[Stop, Stop]),
            [Mistake::Repeated {
                at: 1,
                first: 0,
                action: Stop
            }]
        );
        assert_eq!(
            Mistake::Repeated {
                at: 1,
                first: 0,
                action: Stop
            }
            .to_string(),
            "`stop` is given twice in the stop list, first at position 1; remove one"
        );
    }
}
