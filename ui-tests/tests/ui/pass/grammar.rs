//! Every form of the grammar: attributes, visibilities, generic and qualified
//! types, every key, every duration unit, roles without a block, trailing commas,
//! doc comments on roles.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::time::Duration;

use supervision::{
    App, Backoff, BoxError, Budget, Context, Readiness, RestartPolicy, Service, StopAction,
    Strategy, supervision,
};

/// A service generic over its payload.
pub struct Generic<T, U = ()>(PhantomData<fn() -> (T, U)>);

impl<T: 'static, U: 'static> Service for Generic<T, U> {
    async fn run(&self, _cx: Context) -> Result<(), BoxError> {
        Ok(())
    }
}

mod nested {
    pub mod deeper {
        pub struct Job;

        impl supervision::Service for Job {
            async fn run(&self, _cx: supervision::Context) -> Result<(), supervision::BoxError> {
                Ok(())
            }
        }
    }
}

supervision! {
    /// An app using every form.
    #[derive(Default)]
    #[allow(clippy::type_complexity)]
    pub(crate) app Everything {
        strategy: one_for_all,
        intensity: 100 per 1h,
        shutdown_timeout: 2m,
        /// Doc comments on a role land on its field and its variant.
        map: Generic<HashMap<String, Vec<u8>>, u32> {
            restart: transient(2 per 500ms, backoff: fixed(250us)),
            ready: signaled(1s),
            stop: [stop(750ns)],
            lease: "the-map",
            watchdog: 1500ms,
        },
        job: nested::deeper::Job {
            depends_on: [map],
            restart: temporary,
            ready: completed(3s),
            stop: [release_lease, stop,],
        },
        /// After a type with a comma in its generics; starts after `job`, only.
        plain: Generic<u8> { after: [job] },
        optional extra: ::supervision_ui_tests::Metrics { depends_on: [job, plain], restart: permanent(1 per 1s, backoff: exponential(1ms, 2ms),), },
        r#optional: Generic<u16>,
    }
}

impl Default for Generic<HashMap<String, Vec<u8>>, u32> {
    fn default() -> Self {
        Generic(PhantomData)
    }
}
impl Default for Generic<u8> {
    fn default() -> Self {
        Generic(PhantomData)
    }
}
impl Default for Generic<u16> {
    fn default() -> Self {
        Generic(PhantomData)
    }
}
impl Default for nested::deeper::Job {
    fn default() -> Self {
        nested::deeper::Job
    }
}

fn main() {
    use EverythingRole::*;
    let spec = Everything::spec();
    assert_eq!(spec.strategy(), Strategy::OneForAll);
    assert_eq!(
        spec.intensity(),
        Some(Budget { max_restarts: 100, window: Duration::from_secs(3600) })
    );
    assert_eq!(spec.shutdown_timeout(), Duration::from_secs(120));
    assert_eq!(
        spec.restart(Map),
        RestartPolicy::Transient {
            budget: Budget { max_restarts: 2, window: Duration::from_millis(500) },
            backoff: Backoff::Fixed { delay: Duration::from_micros(250) },
        }
    );
    assert_eq!(spec.readiness(Map), Readiness::Signaled { timeout: Duration::from_secs(1) });
    assert_eq!(spec.stop_actions(Map), &[StopAction::Stop { timeout: Duration::from_nanos(750) }]);
    assert_eq!(spec.lease(Map), "the-map");
    assert_eq!(spec.watchdog(Map), Some(Duration::from_millis(1500)));
    assert_eq!(spec.watchdog(Job), None);
    assert_eq!(Map.to_string(), "the-map");
    assert_eq!(spec.restart(Job), RestartPolicy::Temporary);
    assert_eq!(spec.readiness(Job), Readiness::Completed { timeout: Duration::from_secs(3) });
    assert_eq!(spec.stop_actions(Job), StopAction::DEFAULT);
    assert!(spec.is_optional(Extra));
    assert_eq!(
        spec.restart(Extra),
        RestartPolicy::Permanent {
            budget: Budget { max_restarts: 1, window: Duration::from_secs(1) },
            backoff: Backoff::Exponential {
                min: Duration::from_millis(1),
                max: Duration::from_millis(2),
            },
        }
    );
    assert_eq!(spec.lease(Optional), "optional");
    assert_eq!(EverythingRole::ALL, [Map, Job, Plain, Extra, Optional]);
    assert_eq!(Everything::START_ORDER, [Map, Job, Plain, Extra, Optional]);
    assert_eq!(Everything::default().into_services().len(), 5);
}
