//! Durations and counts may be consts: a path, or any const expression in
//! braces; the spec holds their values.

use std::time::Duration;

use supervision::{App, Backoff, Budget, Readiness, RestartPolicy, StopAction, supervision};
use supervision_ui_tests::{Api, Queue};

const READY: Duration = Duration::from_secs(3);
const RESTARTS: u32 = 4;

mod config {
    use std::time::Duration;

    pub const SHUTDOWN: Duration = Duration::from_secs(12);
    pub const DRAIN: Duration = Duration::from_millis(1500);
}

supervision! {
    pub app Shop {
        intensity: RESTARTS per { Duration::from_secs(60) },
        shutdown_timeout: config::SHUTDOWN,
        api: Api {
            restart: permanent(RESTARTS per 10s, backoff: exponential(100ms, { Duration::from_secs(2) })),
            ready: signaled(READY),
            watchdog: { Duration::from_secs(5) },
        },
        queue: Queue {
            depends_on: [api],
            restart: transient(2 per 1m, backoff: fixed(READY)),
            stop: [drain(config::DRAIN, resume_state), release_lease, stop({ Duration::ZERO })],
        },
    }
}

fn main() {
    let spec = Shop::spec();
    assert_eq!(
        spec.intensity(),
        Some(Budget { max_restarts: 4, window: Duration::from_secs(60) })
    );
    assert_eq!(spec.shutdown_timeout(), Duration::from_secs(12));
    assert_eq!(
        spec.restart(ShopRole::Api),
        RestartPolicy::Permanent {
            budget: Budget { max_restarts: 4, window: Duration::from_secs(10) },
            backoff: Backoff::Exponential {
                min: Duration::from_millis(100),
                max: Duration::from_secs(2),
            },
        }
    );
    assert_eq!(spec.readiness(ShopRole::Api), Readiness::Signaled { timeout: READY });
    assert_eq!(spec.watchdog(ShopRole::Api), Some(Duration::from_secs(5)));
    assert_eq!(
        spec.restart(ShopRole::Queue).budget().map(|(_, backoff)| backoff),
        Some(Backoff::Fixed { delay: READY })
    );
    assert_eq!(
        spec.stop_actions(ShopRole::Queue),
        [
            StopAction::Drain { timeout: config::DRAIN, resume_state: true },
            StopAction::ReleaseLease,
            StopAction::Stop { timeout: Duration::ZERO },
        ]
    );
}
