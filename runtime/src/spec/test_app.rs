//! A small hand-written app spec for the runtime's unit tests (the macro
//! cannot be used inside the crate that re-exports it).

use core::fmt;
use core::time::Duration;

use crate::spec::role::Role;
use crate::spec::{AppSpec, Readiness, RestartPolicy, RoleSpec, StopAction, Strategy};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TestRole {
    Store,
    Api,
    Metrics,
}

impl fmt::Display for TestRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TestRole {
    pub const ALL: &'static [Self] = &[TestRole::Store, TestRole::Api, TestRole::Metrics];
}

impl Role for TestRole {
    fn index(self) -> usize {
        self as usize
    }

    fn name(self) -> &'static str {
        match self {
            TestRole::Store => "store",
            TestRole::Api => "api",
            TestRole::Metrics => "metrics",
        }
    }
}

static SPEC: AppSpec<TestRole> = AppSpec {
    name: "Test",
    strategy: Strategy::RestForOne,
    intensity: None,
    shutdown_timeout: Duration::from_secs(30),
    all: TestRole::ALL,
    roles: &[
        RoleSpec {
            role: TestRole::Store,
            lease: "store",
            optional: false,
            dependencies: &[],
            after: &[],
            followers: &[],
            dependents: &[TestRole::Api],
            restart: RestartPolicy::Critical,
            ready: Readiness::Spawned,
            stop: StopAction::DEFAULT,
            watchdog: None,
        },
        RoleSpec {
            role: TestRole::Api,
            lease: "api",
            optional: false,
            dependencies: &[TestRole::Store],
            after: &[],
            followers: &[],
            dependents: &[TestRole::Metrics],
            restart: RestartPolicy::DEFAULT,
            ready: Readiness::Spawned,
            stop: &[
                StopAction::Drain {
                    timeout: Duration::from_secs(30),
                    resume_state: true,
                },
                StopAction::ReleaseLease,
                StopAction::Stop {
                    timeout: Duration::from_secs(5),
                },
            ],
            watchdog: Some(Duration::from_secs(10)),
        },
        RoleSpec {
            role: TestRole::Metrics,
            lease: "metrics",
            optional: true,
            dependencies: &[TestRole::Api],
            after: &[],
            followers: &[],
            dependents: &[],
            restart: RestartPolicy::Temporary,
            ready: Readiness::Spawned,
            stop: &[StopAction::Stop {
                timeout: Duration::from_secs(5),
            }],
            watchdog: None,
        },
    ],
    start_order: &[TestRole::Store, TestRole::Api, TestRole::Metrics],
    stop_order: &[TestRole::Metrics, TestRole::Api, TestRole::Store],
};

pub fn spec() -> &'static AppSpec<TestRole> {
    &SPEC
}
