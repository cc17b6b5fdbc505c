//! Apps defined at run time: the builder applies the macro's rules (every
//! broken one reported at once, in the macro's words), and a built app runs
//! exactly as a `supervision!` app does.

use std::time::Duration;

use supervision::build::{Mistake, Rule};
use supervision::{
    Backoff, BoxError, Budget, BuildError, Builder, Context, HandleError, Provide, Readiness,
    RestartPolicy, Service, StopAction, StopOutcome, Strategy,
};
use supervision_tests::{Script, kinds, ms, rows, secs};

/// Publishes its incarnation as its handle.
struct Counter;

impl Service for Counter {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.ready_with(self, cx.incarnation())?;
        cx.stop_requested().await;
        Ok(())
    }
}

impl Provide for Counter {
    type Handle = u64;
}

/// Another service type that offers a handle of another type.
struct Named;

impl Service for Named {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.ready_with(self, "named".to_owned())?;
        cx.stop_requested().await;
        Ok(())
    }
}

impl Provide for Named {
    type Handle = String;
}

fn rules(error: &BuildError) -> Vec<(Option<&str>, Rule)> {
    error
        .mistakes
        .iter()
        .map(|m| (m.role.as_deref(), m.rule))
        .collect()
}

fn build_error(app: Builder) -> BuildError {
    match app.build() {
        Ok(app) => panic!("{app:?} was accepted"),
        Err(error) => error,
    }
}

#[tokio::test(start_paused = true)]
async fn a_built_app_starts_in_dependency_order_and_stops_in_reverse() {
    let mut app = Builder::new("shards");
    app.role("router", Counter)
        .ready(Readiness::Signaled { timeout: secs(1) });
    app.role("shard_b", Script::until_stopped())
        .depends_on(["router"]);
    app.role("shard_a", Script::until_stopped())
        .depends_on(["router"]);
    app.role("metrics", Script::until_stopped())
        .after(["shard_a"]);
    let app = app.build().expect("a valid app");
    let names =
        |roles: &[supervision::RoleId]| -> Vec<&str> { roles.iter().map(|r| r.name()).collect() };
    assert_eq!(
        names(app.spec().start_order()),
        ["router", "shard_b", "shard_a", "metrics"]
    );
    assert_eq!(
        names(app.spec().stop_order()),
        ["metrics", "shard_a", "shard_b", "router"]
    );
    let router = app.role("router").expect("declared");
    assert_eq!(app.role("shard_a").map(|r| r.index()), Some(2));
    assert_eq!(app.role("nobody"), None);

    let handle = app.start().await.expect("starts");
    assert_eq!(handle.get_as::<Counter>(router), Ok(0));
    assert_eq!(
        handle.get_as::<Named>(router),
        Err(HandleError::OtherService {
            role: "router".to_owned(),
            asked: std::any::type_name::<Named>(),
        })
    );
    let report = handle.shutdown().await;
    let stopped: Vec<_> = rows(&report)
        .into_iter()
        .map(|(role, outcome, _)| (role.name(), outcome))
        .collect();
    assert_eq!(
        stopped,
        [
            ("metrics", StopOutcome::Graceful),
            ("shard_a", StopOutcome::Graceful),
            ("shard_b", StopOutcome::Graceful),
            ("router", StopOutcome::Graceful),
        ]
    );
    let log = handle.events();
    // A `RoleId` serializes as its lease; the events read back with names.
    let json = serde_json::to_string(&log.events).expect("serializes");
    let back: Vec<supervision::Event<String>> = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back.len(), log.events.len());
    assert_eq!(back[0].role.as_deref(), Some("router"));
    let events = kinds(&log.events);
    assert_eq!(
        &events[..5],
        [
            ("router".to_owned(), "starting".to_owned()),
            ("router".to_owned(), "ready".to_owned()),
            ("shard_b".to_owned(), "starting".to_owned()),
            ("shard_b".to_owned(), "ready".to_owned()),
            ("shard_a".to_owned(), "starting".to_owned()),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_built_role_restarts_with_its_policy_and_its_dependents() {
    let mut app = Builder::new("restarts");
    app.strategy(Strategy::RestForOne);
    let fails_once = Script::new(|cx| async move {
        cx.ready();
        if cx.incarnation() == 0 {
            tokio::time::sleep(secs(1)).await;
            return Err("lost".into());
        }
        cx.stop_requested().await;
        Ok(())
    });
    app.role("db", fails_once)
        .restart(RestartPolicy::Permanent {
            budget: Budget {
                max_restarts: 1,
                window: secs(10),
            },
            backoff: Backoff::Fixed { delay: ms(100) },
        });
    app.role("api", Script::until_stopped()).depends_on(["db"]);
    let handle = app.build().expect("valid").start().await.expect("starts");
    tokio::time::sleep(secs(2)).await;
    let state = handle.state();
    let incarnations: Vec<_> = state.roles.iter().map(|r| r.incarnation).collect();
    assert_eq!(incarnations, [Some(1), Some(1)], "api restarted with db");
    let _ = handle.shutdown().await;
}

#[test]
fn every_broken_rule_is_reported_at_once() {
    let mut app = Builder::new("broken");
    app.shutdown_timeout(Duration::ZERO);
    app.role("store", Script::until_stopped())
        .optional()
        .restart(RestartPolicy::Critical);
    app.role("api", Script::until_stopped())
        .depends_on(["stroe", "api", "store", "cache", "cache"]);
    app.role("cache", Script::until_stopped())
        .depends_on(["api"])
        .after(["api"]);
    app.role("job", Script::until_stopped())
        .ready(Readiness::Completed { timeout: secs(1) })
        .watchdog(Duration::from_micros(10))
        .stop([
            StopAction::Stop { timeout: secs(1) },
            StopAction::ReleaseLease,
            StopAction::Drain {
                timeout: secs(1),
                resume_state: false,
            },
        ]);
    app.role("api", Script::until_stopped())
        .restart(RestartPolicy::Transient {
            budget: Budget {
                max_restarts: 0,
                window: secs(1),
            },
            backoff: Backoff::Exponential {
                min: secs(2),
                max: secs(1),
            },
        });
    let error = build_error(app);
    assert_eq!(
        rules(&error),
        [
            (None, Rule::Zero),
            (Some("api"), Rule::DuplicateRole),
            (Some("store"), Rule::OptionalCritical),
            (Some("job"), Rule::CompletedPolicy),
            (Some("job"), Rule::StopList),
            (Some("job"), Rule::StopList),
            (Some("job"), Rule::DrainWithoutDrain),
            (Some("job"), Rule::Watchdog),
            (Some("job"), Rule::Watchdog),
            (Some("api"), Rule::Zero),
            (Some("api"), Rule::BackoffOrder),
            (Some("api"), Rule::UnknownRole),
            (Some("api"), Rule::SelfDependency),
            (Some("api"), Rule::RequiredOnOptional),
            (Some("api"), Rule::RepeatedEntry),
            (Some("cache"), Rule::InBothLists),
            (Some("cache"), Rule::Cycle),
        ]
    );
    let message = |rule: Rule| -> &str {
        let found = error.mistakes.iter().find(|m| m.rule == rule);
        found.map_or("", |m: &Mistake| m.message.as_str())
    };
    // The macro's words, which the ui tests show at the offending token.
    assert_eq!(
        message(Rule::UnknownRole),
        "unknown role `stroe` in `depends_on`, did you mean `store`?"
    );
    assert_eq!(
        message(Rule::Cycle),
        "dependency cycle: `api -> cache -> api`"
    );
    assert_eq!(
        message(Rule::RequiredOnOptional),
        "required role `api` cannot depend on optional role `store`; make `api` optional too, \
         or `store` required"
    );
    assert_eq!(
        message(Rule::RepeatedEntry),
        "`cache` is listed twice in `depends_on`, first at position 4; remove one"
    );
    let text = error.to_string();
    assert!(text.starts_with("app `broken` has 17 mistakes\n  `shutdown_timeout` must be"));
    assert!(
        text.contains("\n  role `api`: role `api` depends on itself\n"),
        "{text}"
    );
}

#[test]
fn names_are_checked() {
    let empty = build_error(Builder::new("none"));
    assert_eq!(rules(&empty), [(None, Rule::NoRoles)]);
    assert_eq!(
        empty.to_string(),
        "app `none` has 1 mistake\n  app `none` has no roles; add one with `role`"
    );

    let mut app = Builder::new("names");
    app.role("", Script::until_stopped());
    app.role("a", Script::until_stopped());
    app.role("a", Script::until_stopped());
    let error = build_error(app);
    assert_eq!(
        rules(&error),
        [(None, Rule::EmptyName), (Some("a"), Rule::DuplicateRole)]
    );
    assert_eq!(error.mistakes[0].message, "role 1 has an empty name");
    assert_eq!(
        error.mistakes[1].message,
        "duplicate role `a`; rename or remove one"
    );
}

#[test]
fn a_build_error_round_trips_through_serde() {
    let error = build_error(Builder::new("none"));
    let json = serde_json::to_string(&error).expect("serializes");
    let back: BuildError = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, error);
    assert!(json.contains(r#""rule":"no_roles""#), "{json}");
}

/// Publishes its incarnation; the first one fails after a second.
struct Flaky;

impl Service for Flaky {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.ready_with(self, cx.incarnation())?;
        if cx.incarnation() == 0 {
            tokio::time::sleep(secs(1)).await;
            return Err("lost".into());
        }
        cx.stop_requested().await;
        Ok(())
    }
}

impl Provide for Flaky {
    type Handle = u64;
}

/// Reads `counter` along its `depends_on` by name, and a role it does not depend on.
struct Reader {
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Service for Reader {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let mut seen = Vec::new();
        seen.push(format!("{:?}", cx.get_as::<Flaky>("counter")));
        seen.push(format!("{:?}", cx.get_as::<Named>("counter")));
        seen.push(format!("{:?}", cx.get_as::<Named>("named")));
        let refused = cx.get_as::<Named>("named").map(|_| ());
        seen.push(refused.map_or_else(|e| e.to_string(), |()| "read".to_owned()));
        // The counter fails after a second: the wait sees its next incarnation.
        tokio::time::sleep(ms(1_010)).await;
        seen.push(format!("{:?}", cx.get_as::<Flaky>("counter")));
        seen.push(format!("{:?}", cx.wait_as::<Flaky>("counter").await));
        *self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = seen;
        cx.stop_requested().await;
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_built_role_reads_its_dependencies_by_name_and_only_them() {
    let seen = std::sync::Arc::default();
    let mut app = Builder::new("reads");
    app.strategy(Strategy::OneForOne);
    app.role("counter", Flaky)
        .ready(Readiness::Signaled { timeout: secs(1) })
        .restart(RestartPolicy::Permanent {
            budget: Budget {
                max_restarts: 1,
                window: secs(10),
            },
            backoff: Backoff::Fixed { delay: ms(100) },
        });
    app.role("named", Named)
        .ready(Readiness::Signaled { timeout: secs(1) });
    app.role(
        "reader",
        Reader {
            seen: std::sync::Arc::clone(&seen),
        },
    )
    .depends_on(["counter"])
    .after(["named"]);
    let handle = app.build().expect("valid").start().await.expect("starts");
    // One for one: the counter restarts under its running reader.
    tokio::time::sleep(secs(3)).await;
    let seen = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert_eq!(
        seen,
        [
            "Ok(0)".to_owned(),
            format!(
                "Err(OtherService {{ role: \"counter\", asked: {:?} }})",
                std::any::type_name::<Named>()
            ),
            "Err(NotADependency { named: \"named\", reader: \"reader\" })".to_owned(),
            "`named` is not in the `depends_on` of `reader`, so `reader` cannot read its handle"
                .to_owned(),
            "Err(NotPublished { role: \"counter\" })".to_owned(),
            "Ok(1)".to_owned(),
        ]
    );
    let _ = handle.shutdown().await;
}
