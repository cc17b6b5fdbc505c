//! Rule 6: the stop list's shape, `[drain(..)?, release_lease?, stop(..)]`.
//!
//! `drain` hands work over while the lease is still held, the lease is
//! released before the service goes, and `stop` ends it: any other order
//! would run an action on a service that no longer exists.

use super::check_positive;
use crate::dsl::ast::{ActionKind, Role};
use crate::dsl::errors::{Errors, earlier_place};

pub fn check_list(role: &Role, errors: &mut Errors) {
    let Some(list) = &role.stop else { return };
    let mut first_of = [None; 3];
    let mut stop_seen = None;
    for (i, action) in list.actions.iter().enumerate() {
        let word = &action.ident;
        let slot = action.kind as usize;
        if let Some(earlier) = first_of[slot] {
            let place = earlier_place(earlier, word.span());
            errors.at(
                word.span(),
                format!("`{word}` is given twice in the stop list, first {place}; remove one"),
            );
            continue;
        }
        first_of[slot] = Some(word.span());
        if stop_seen.is_some() {
            errors.at(
                word.span(),
                format!("`stop` must be the last stop action; move `{word}` before it"),
            );
        } else if action.kind == ActionKind::Drain && i != 0 {
            errors.at(
                word.span(),
                "`drain` must be the first stop action: it hands work over before anything is released",
            );
        }
        if action.kind == ActionKind::Stop {
            stop_seen = Some(word.span());
        }
        if let (ActionKind::Drain, Some(timeout)) = (action.kind, &action.timeout) {
            check_positive(timeout, "drain timeout", errors);
        }
    }
    if stop_seen.is_none() {
        errors.at(
            list.span,
            "the stop list must end with `stop` (or `stop(TIMEOUT)`), which ends the service",
        );
    }
}
