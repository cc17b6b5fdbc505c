//! The `watchdog` period: a heartbeat deadline that can be met, on a role that
//! keeps running.

use super::consts::require;
use super::{ConstRule, check_positive};
use crate::dsl::ast::{ReadyKind, Role};
use crate::dsl::errors::Errors;

use supervision_rules::limits::{WATCHDOG_MAX, WATCHDOG_MIN};

const MILLISECOND: u64 = WATCHDOG_MIN.as_nanos() as u64;
const DAY: u64 = WATCHDOG_MAX.as_nanos() as u64;

pub fn check_role(role: &Role, errors: &mut Errors) {
    let Some(watchdog) = &role.watchdog else {
        return;
    };
    check_period(&watchdog.period, errors);
    check_not_completed(role, &watchdog.key, errors);
}

/// Within the shared bounds (`supervision_rules::limits`, which say why).
fn check_period(period: &crate::dsl::ast::Duration, errors: &mut Errors) {
    check_positive(period, "`watchdog` period", errors);
    let written = period.span.source_text().unwrap_or_default();
    require(
        &period.value,
        period.span,
        |n| n > 0 && n < MILLISECOND,
        |id| ConstRule::NotBelow(id, MILLISECOND),
        || {
            format!(
                "`watchdog: {written}` is finer than the runtime's 1ms timers; \
                 use at least `1ms` (a period of seconds is usual)"
            )
        },
        errors,
    );
    require(
        &period.value,
        period.span,
        |n| n > DAY,
        |id| ConstRule::NotAbove(id, DAY),
        || {
            format!(
                "`watchdog: {written}` is longer than a day, so a hang would go unnoticed \
                 that long; use at most `24h` (a period of seconds is usual)"
            )
        },
        errors,
    );
}

/// A `completed` job ends once its work is done rather than running on, so there
/// is no steady state in which it could beat; its `ready` timeout bounds it.
fn check_not_completed(role: &Role, key: &syn::Ident, errors: &mut Errors) {
    if role
        .ready
        .as_ref()
        .is_some_and(|r| r.kind == ReadyKind::Completed)
    {
        errors.at(
            key.span(),
            "a one-shot job (`ready: completed(..)`) cannot have a `watchdog`: its \
             `completed` timeout already bounds it; remove `watchdog`",
        );
    }
}
