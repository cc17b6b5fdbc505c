//! Bounds on values, where the rule is a number.

use core::time::Duration;

/// The shortest `watchdog` period: below a millisecond no heartbeat can be
/// relied on, the runtime's timers being millisecond-grained.
pub const WATCHDOG_MIN: Duration = Duration::from_millis(1);

/// The longest `watchdog` period: a hang noticed after more than a day is
/// not noticed.
pub const WATCHDOG_MAX: Duration = Duration::from_secs(86_400);
