//! Run-time overrides through `Options`: each replaces the declared value
//! exactly, and one that cannot apply fails the start with a typed error.

use std::time::Duration;

use supervision::{
    App, AppError, Budget, Cause, DrainOutcome, EventKind, Options, OverrideError, StopOutcome,
    exit, supervision,
};
use supervision_tests::{DrainScript, Script, escalation, ms, rows, secs};

supervision! {
    app Tuned {
        shutdown_timeout: 30s,
        db: Script {
            restart: permanent(3 per 10s, backoff: fixed(100ms)),
            ready: signaled(10s),
            stop: [release_lease, stop(10s)],
        },
        queue: DrainScript {
            depends_on: [db],
            stop: [drain(10s), release_lease, stop],
        },
        job: Script { restart: temporary },
    }
}

fn tuned(db: Script) -> Tuned {
    Tuned {
        db,
        queue: DrainScript::new(
            |cx| async move {
                cx.stop_requested().await;
                Ok(())
            },
            |_| async { Ok(serde_json::Value::Null) },
        ),
        job: Script::until_stopped(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_ready_timeout_override_replaces_the_declared_one() {
    let begun = tokio::time::Instant::now();
    let mut options = Options::default();
    options.role(TunedRole::Db).ready_timeout(secs(2));
    let err = tuned(Script::until_stopped())
        .start_with(options)
        .await
        .expect_err("db never signals");
    assert_eq!(err.role, TunedRole::Db);
    assert_eq!(err.cause, Cause::ReadyTimeout(secs(2)));
    assert_eq!(begun.elapsed(), secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_stop_timeout_override_replaces_the_grace_period() {
    let mut options = Options::default();
    options.role(TunedRole::Db).stop_timeout(secs(1));
    let handle = tuned(Script::hangs())
        .start_with(options)
        .await
        .expect("starts");
    let report = handle.shutdown().await;
    let db = report.role(TunedRole::Db).expect("listed");
    assert_eq!((db.outcome, db.duration), (StopOutcome::Aborted, secs(1)));
}

supervision! {
    app Draining {
        source: Script,
        queue: DrainScript { depends_on: [source], stop: [drain(10s), release_lease, stop(1s)] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_drain_timeout_override_cuts_the_drain_short() {
    let mut options = Options::default();
    options.role(DrainingRole::Queue).drain_timeout(ms(500));
    let handle = Draining {
        source: Script::until_stopped(),
        queue: DrainScript::never_drains(),
    }
    .start_with(options)
    .await
    .expect("starts");
    let report = handle.shutdown().await;
    let queue = report.role(DrainingRole::Queue).expect("listed");
    assert_eq!(queue.drain, Some(DrainOutcome::TimedOut));
    assert_eq!(
        (queue.outcome, queue.duration),
        (StopOutcome::Graceful, ms(500))
    );
}

#[tokio::test(start_paused = true)]
async fn a_budget_override_replaces_the_restart_budget() {
    let mut options = Options::default();
    options.role(TunedRole::Db).budget(1, secs(60));
    let db = Script::fails(u64::MAX, ms(100), "refused");
    let handle = tuned(db).start_with(options).await.expect("starts");
    let (role, cause, _) = escalation(&handle).await;
    assert_eq!(role, TunedRole::Db);
    let budget = Budget {
        max_restarts: 1,
        window: secs(60),
    };
    assert_eq!(cause, Cause::BudgetExhausted(budget));
    let restarts: Vec<_> = handle
        .events()
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::RestartScheduled { .. }))
        .map(|e| e.at)
        .collect();
    // Failed at 100ms, restarted at 200ms, failed again at 300ms: out of budget.
    assert_eq!(restarts, [ms(100)]);
}

#[tokio::test(start_paused = true)]
async fn a_shutdown_timeout_override_is_the_new_deadline() {
    let handle = tuned(Script::hangs())
        .start_with(Options::default().shutdown_timeout(secs(3)))
        .await
        .expect("starts");
    let shutdown = tokio::time::Instant::now();
    let report = handle.shutdown().await;
    assert_eq!(shutdown.elapsed(), secs(3));
    assert!(report.deadline_exceeded);
    assert_eq!(
        rows(&report)
            .into_iter()
            .find(|(role, ..)| *role == TunedRole::Db),
        Some((TunedRole::Db, StopOutcome::Aborted, secs(3)))
    );
}

/// Sets one override.
type Set = fn(&mut Options);

/// Each override the declared spec rules out: the start fails at once, with
/// the role and the typed reason, and nothing was started.
#[tokio::test(start_paused = true)]
async fn an_override_that_cannot_apply_fails_the_start() {
    let cases: [(Set, TunedRole, OverrideError); 8] = [
        (
            |o| {
                o.role(TunedRole::Db).ready_timeout(Duration::ZERO);
            },
            TunedRole::Db,
            OverrideError::ZeroReadyTimeout,
        ),
        (
            |o| {
                o.role(TunedRole::Queue).ready_timeout(secs(1));
            },
            TunedRole::Queue,
            OverrideError::NoReadyTimeout,
        ),
        (
            |o| {
                o.role(TunedRole::Queue).drain_timeout(Duration::ZERO);
            },
            TunedRole::Queue,
            OverrideError::ZeroDrainTimeout,
        ),
        (
            |o| {
                o.role(TunedRole::Db).drain_timeout(secs(1));
            },
            TunedRole::Db,
            OverrideError::NoDrain,
        ),
        (
            |o| {
                o.role(TunedRole::Db).budget(0, secs(1));
            },
            TunedRole::Db,
            OverrideError::ZeroBudget,
        ),
        (
            |o| {
                o.role(TunedRole::Db).budget(1, Duration::ZERO);
            },
            TunedRole::Db,
            OverrideError::ZeroBudget,
        ),
        (
            |o| {
                o.role(TunedRole::Job).budget(1, secs(1));
            },
            TunedRole::Job,
            OverrideError::NoBudget,
        ),
        (
            |o| o.shutdown_timeout = Some(Duration::ZERO),
            TunedRole::Db,
            OverrideError::ZeroShutdownTimeout,
        ),
    ];
    for (set, role, error) in cases {
        let mut options = Options::default();
        set(&mut options);
        let begun = tokio::time::Instant::now();
        let err = tuned(Script::ready_until_stopped())
            .start_with(options)
            .await
            .expect_err("does not start");
        assert_eq!(
            (err.role, &err.cause),
            (role, &Cause::InvalidOverride(error))
        );
        assert_eq!(begun.elapsed(), Duration::ZERO);
        assert!(
            err.report
                .roles
                .iter()
                .all(|r| r.outcome == StopOutcome::AlreadyStopped),
            "{error:?}: nothing started"
        );
        assert_eq!(AppError::from(err).exit_code(), exit::MISCONFIGURED);
    }
}

#[tokio::test(start_paused = true)]
async fn an_override_of_another_apps_role_fails_the_start() {
    let mut options = Options::default();
    options.role(DrainingRole::Queue).drain_timeout(secs(1));
    let err = tuned(Script::ready_until_stopped())
        .start_with(options)
        .await
        .expect_err("does not start");
    assert_eq!(err.cause, Cause::InvalidOverride(OverrideError::OtherApp));
    assert_eq!(
        err.to_string(),
        "role `db` could not start: invalid override: an override names a role of another app"
    );
}

#[test]
fn asking_for_a_role_twice_edits_one_set_of_overrides() {
    let mut options = Options::default();
    options.role(TunedRole::Db).ready_timeout(secs(2));
    options.role(TunedRole::Db).stop_timeout(secs(1));
    let mut expected = Options::default();
    expected
        .role(TunedRole::Db)
        .ready_timeout(secs(2))
        .stop_timeout(secs(1));
    assert_eq!(options, expected);
}
