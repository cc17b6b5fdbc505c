//! Rule 6: the stop list's shape, through the shared rules
//! (`supervision_rules::stop`, which says why), and the drain's timeout.

use supervision_rules::stop::{self as rules, Action};

use super::check_positive;
use crate::dsl::ast::{ActionKind, Role};
use crate::dsl::errors::{Errors, earlier_place};

pub fn check_list(role: &Role, errors: &mut Errors) {
    let Some(list) = &role.stop else { return };
    let kinds: Vec<Action> = list
        .actions
        .iter()
        .map(|action| match action.kind {
            ActionKind::Drain => Action::Drain,
            ActionKind::ReleaseLease => Action::ReleaseLease,
            ActionKind::Stop => Action::Stop,
        })
        .collect();
    for mistake in rules::check(&kinds) {
        let span = |i: usize| list.actions[i].ident.span();
        match mistake {
            rules::Mistake::Repeated { at, first, .. } => {
                let place = earlier_place(span(first), span(at));
                errors.at(span(at), mistake.message(&place));
            }
            _ => errors.at(mistake.at().map_or(list.span, span), mistake.message("")),
        }
    }
    for action in &list.actions {
        if let (ActionKind::Drain, Some(timeout)) = (action.kind, &action.timeout) {
            check_positive(timeout, "drain timeout", errors);
        }
    }
}
