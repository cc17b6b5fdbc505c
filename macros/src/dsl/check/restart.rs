//! Rules 7 and 8: restart policies, budgets and backoff.

use syn::Ident;

use super::consts::require;
use super::{ConstCheck, ConstRule, Operand, check_positive};
use crate::dsl::ast::{Backoff, Budget, PolicyKind, Role};
use crate::dsl::errors::Errors;

pub fn check_role(role: &Role, errors: &mut Errors) {
    let Some(restart) = &role.restart else { return };
    check_params_allowed(
        restart.kind,
        &restart.ident,
        restart.params.as_ref().map(|p| p.span),
        errors,
    );
    check_critical_required(role, errors);
    if let Some(params) = &restart.params {
        check_budget(&params.budget, "restart window", errors);
        if let Some(backoff) = &params.backoff {
            check_backoff(backoff, errors);
        }
    }
}

/// `temporary` is never restarted and `critical` ends the app: a budget or
/// backoff on them would be silently ignored.
fn check_params_allowed(
    kind: PolicyKind,
    word: &Ident,
    params: Option<proc_macro2::Span>,
    errors: &mut Errors,
) {
    let why = match kind {
        PolicyKind::Temporary => "it is never restarted",
        PolicyKind::Critical => "any exit ends the app",
        PolicyKind::Permanent | PolicyKind::Transient => return,
    };
    if let Some(span) = params {
        errors.at(span, format!("`{word}` takes no parameters: {why}"));
    }
}

/// An optional role is disabled when it gives up; `critical` would end the
/// app instead, so the two contradict each other.
fn check_critical_required(role: &Role, errors: &mut Errors) {
    let (Some(restart), Some(_)) = (&role.restart, role.optional) else {
        return;
    };
    if restart.kind == PolicyKind::Critical {
        errors.at(
            restart.ident.span(),
            format!(
                "optional role `{}` cannot be `critical`: an optional role is disabled when it fails, \
                 a critical one ends the app",
                role.name
            ),
        );
    }
}

/// A budget of zero restarts is `temporary` spelled wrong; a zero window
/// never holds a restart.
pub fn check_budget(budget: &Budget, window: &str, errors: &mut Errors) {
    require(
        &budget.max,
        budget.max_span,
        |max| max == 0,
        ConstRule::NotZero,
        || {
            "a budget of 0 restarts allows none; use `restart: temporary` for a role never restarted"
                .to_owned()
        },
        errors,
    );
    check_positive(&budget.window, window, errors);
}

/// Delays must be positive (`none` says "no delay"), and an exponential
/// backoff must grow from its minimum to its maximum.
fn check_backoff(backoff: &Backoff, errors: &mut Errors) {
    match backoff {
        Backoff::None => {}
        Backoff::Fixed(delay) => check_positive(delay, "backoff delay", errors),
        Backoff::Exponential { ident, min, max } => {
            check_positive(min, "backoff minimum", errors);
            check_positive(max, "backoff maximum", errors);
            let text = |d: &crate::dsl::ast::Duration| d.span.source_text().unwrap_or_default();
            let message = || {
                let (min, max) = (text(min), text(max));
                format!(
                    "backoff minimum `{min}` is greater than its maximum `{max}`; \
                     swap them: `exponential({max}, {min})`"
                )
            };
            match (Operand::of(&min.value), Operand::of(&max.value)) {
                (Some(Operand::Nanos(lo)), Some(Operand::Nanos(hi))) if lo > hi => {
                    errors.at(ident.span(), message());
                }
                (Some(Operand::Nanos(_)), Some(Operand::Nanos(_))) => {}
                (Some(lo), Some(hi)) => errors.defer(ConstCheck {
                    span: ident.span(),
                    rule: ConstRule::Ordered(lo, hi),
                    message: message(),
                }),
                _ => {}
            }
        }
    }
}

/// `completed` means a clean exit is success: a policy that restarts on a
/// clean exit (`permanent`) or ends the app on it (`critical`) contradicts it.
pub fn check_completed_policy(role: &Role, completed: &Ident, errors: &mut Errors) {
    let (policy, default) = match &role.restart {
        Some(r) => (r.kind, ""),
        None => (PolicyKind::Permanent, " (the default)"),
    };
    let name = match policy {
        PolicyKind::Permanent => "permanent",
        PolicyKind::Critical => "critical",
        PolicyKind::Transient | PolicyKind::Temporary => return,
    };
    errors.at(
        completed.span(),
        format!(
            "`ready: completed(..)` is for one-shot jobs and needs `restart: transient` or \
             `restart: temporary`; this role is `{name}`{default}"
        ),
    );
}
