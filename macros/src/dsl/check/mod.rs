//! Checks of values the parser accepted: one small function per rule, each
//! saying why the rule exists. Topology rules live in `graph`, not here.

mod clash;
mod consts;
mod names;
mod restart;
mod stop;
mod watchdog;

pub use clash::check_generated_names;
pub use consts::{ConstCheck, ConstRule, Operand};
pub use names::{Named, check_leases, unique_roles, variant_name};

use super::ast::{App, Duration, ReadyKind, Role};
use super::errors::Errors;

/// Every per-role and per-setting rule; names and topology are checked elsewhere.
pub fn app(app: &App, errors: &mut Errors) {
    check_has_roles(app, errors);
    if let Some(budget) = &app.settings.intensity {
        restart::check_budget(budget, "intensity window", errors);
    }
    if let Some(timeout) = &app.settings.shutdown_timeout {
        check_positive(timeout, "`shutdown_timeout`", errors);
    }
    for role in &app.roles {
        names::check_snake_case(&role.name, errors);
        restart::check_role(role, errors);
        check_ready(role, errors);
        stop::check_list(role, errors);
        watchdog::check_role(role, errors);
        names::check_lease_not_empty(role, errors);
    }
}

/// An app without roles supervises nothing; it is surely an unfinished edit.
fn check_has_roles(app: &App, errors: &mut Errors) {
    if app.roles.is_empty() {
        errors.at(
            app.name.span(),
            format!(
                "app `{}` has no roles; add one, e.g. `worker: Worker`",
                app.name
            ),
        );
    }
}

/// Windows and timeouts of zero make no sense: a zero window never counts a
/// restart, a zero timeout always expires.
pub fn check_positive(duration: &Duration, what: &str, errors: &mut Errors) {
    consts::require(
        &duration.value,
        duration.span,
        |nanos| nanos == 0,
        ConstRule::NotZero,
        || format!("{what} must be longer than zero"),
        errors,
    );
}

/// `signaled` and `completed` wait for something, so they need a deadline;
/// `completed` ends the run, which only a policy that may stop it allows.
fn check_ready(role: &Role, errors: &mut Errors) {
    let Some(ready) = &role.ready else { return };
    match (ready.kind, &ready.timeout) {
        (ReadyKind::Spawned, Some(timeout)) => {
            errors.at(timeout.span, "`spawned` takes no timeout");
        }
        (ReadyKind::Signaled | ReadyKind::Completed, None) => {
            let word = &ready.ident;
            errors.at(
                word.span(),
                format!("`{word}` needs a timeout, e.g. `{word}(10s)`"),
            );
        }
        (_, Some(timeout)) => check_positive(timeout, "readiness timeout", errors),
        (ReadyKind::Spawned, None) => {}
    }
    if ready.kind == ReadyKind::Completed {
        restart::check_completed_policy(role, &ready.ident, errors);
    }
}
