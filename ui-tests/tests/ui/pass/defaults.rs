//! A role with no block gets every default.

use std::time::Duration;

use supervision::{App, AppSpec, Readiness, RestartPolicy, StopAction, Strategy, supervision};
use supervision_ui_tests::{Api, Worker};

supervision! {
    pub app Plain {
        api: Api,
        worker: Worker { restart: permanent(5 per 1m) },
    }
}

fn main() {
    let spec = Plain::spec();
    assert_eq!(spec.strategy(), Strategy::RestForOne);
    assert_eq!(spec.intensity(), None);
    assert_eq!(spec.shutdown_timeout(), AppSpec::<PlainRole>::DEFAULT_SHUTDOWN_TIMEOUT);
    assert_eq!(spec.shutdown_timeout(), Duration::from_secs(30));
    assert_eq!(spec.restart(PlainRole::Api), RestartPolicy::DEFAULT);
    assert_eq!(spec.readiness(PlainRole::Api), Readiness::Spawned);
    assert_eq!(spec.stop_actions(PlainRole::Api), StopAction::DEFAULT);
    assert_eq!(spec.lease(PlainRole::Api), "api");
    assert!(!spec.is_optional(PlainRole::Api));
    assert!(spec.dependencies(PlainRole::Api).is_empty());
    // A budget without backoff gets the default backoff.
    let (_, backoff) = spec.restart(PlainRole::Worker).budget().unwrap();
    assert_eq!(backoff, supervision::Backoff::DEFAULT);
}
