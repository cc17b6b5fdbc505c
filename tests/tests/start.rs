//! Start: readiness gating, concurrency of independent roles, ready timeouts, one-shot jobs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use supervision::{App, Cause, EventKind, Phase, RoleStatus, StopOutcome, supervision};
use supervision_tests::{Log, Script, kinds, ms, role_kinds, rows, secs};

supervision! {
    app Gated {
        db: Script { ready: signaled(10s) },
        cache: Script { depends_on: [db], ready: signaled(10s) },
        api: Script { depends_on: [db, cache] },
        metrics: Script,
    }
}

fn signals_after(delay: Duration, log: &Log) -> Script {
    let log = log.clone();
    Script::new(move |cx| {
        let log = log.clone();
        async move {
            log.push(format!("{} run", cx.role()));
            tokio::time::sleep(delay).await;
            cx.ready();
            cx.stop_requested().await;
            Ok(())
        }
    })
}

#[tokio::test(start_paused = true)]
async fn a_role_starts_once_its_dependencies_are_ready_and_independent_ones_concurrently() {
    let log = Log::default();
    let begun = tokio::time::Instant::now();
    let app = Gated {
        db: signals_after(ms(100), &log),
        cache: signals_after(ms(50), &log),
        api: Script::until_stopped(),
        metrics: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    // start returns exactly when the last role (api) is ready: 100ms + 50ms.
    assert_eq!(begun.elapsed(), ms(150));
    assert_eq!(handle.state().phase, Phase::Running);
    let starts: Vec<_> = handle
        .events()
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Starting | EventKind::Ready))
        .map(|e| (e.role.map(|r| r.to_string()), e.kind.clone(), e.at))
        .collect();
    let s = |r: &str| Some(r.to_owned());
    assert_eq!(
        starts,
        vec![
            (s("db"), EventKind::Starting, ms(0)),
            (s("metrics"), EventKind::Starting, ms(0)),
            (s("metrics"), EventKind::Ready, ms(0)),
            (s("db"), EventKind::Ready, ms(100)),
            (s("cache"), EventKind::Starting, ms(100)),
            (s("cache"), EventKind::Ready, ms(150)),
            (s("api"), EventKind::Starting, ms(150)),
            (s("api"), EventKind::Ready, ms(150)),
        ]
    );
    assert_eq!(log.lines(), ["db run", "cache run"]);
    assert_eq!(
        handle.leases(),
        ["db", "cache", "api", "metrics"],
        "every ready role holds its lease"
    );
    let report = handle.shutdown().await;
    assert!(
        report
            .roles
            .iter()
            .all(|r| r.outcome == StopOutcome::Graceful)
    );
    assert!(handle.leases().is_empty());
}

supervision! {
    app Slow {
        db: Script,
        broker: Script { depends_on: [db], ready: signaled(2s) },
        api: Script { depends_on: [broker] },
        side: Script,
    }
}

#[tokio::test(start_paused = true)]
async fn a_ready_timeout_fails_start_and_stops_what_had_started_in_stop_order() {
    let begun = tokio::time::Instant::now();
    let app = Slow {
        db: Script::until_stopped(),
        // Never signals readiness.
        broker: Script::until_stopped(),
        api: Script::until_stopped(),
        side: Script::until_stopped(),
    };
    let err = app.start().await.expect_err("broker never gets ready");
    assert_eq!(begun.elapsed(), secs(2));
    assert_eq!(err.role, SlowRole::Broker);
    assert_eq!(err.cause, Cause::ReadyTimeout(secs(2)));
    assert_eq!(
        err.to_string(),
        "role `broker` could not start: not ready within 2s"
    );
    let outcomes: Vec<_> = err
        .report
        .roles
        .iter()
        .map(|r| (r.role, r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (SlowRole::Side, StopOutcome::Graceful),
            (SlowRole::Api, StopOutcome::AlreadyStopped),
            (SlowRole::Broker, StopOutcome::Graceful),
            (SlowRole::Db, StopOutcome::Graceful),
        ]
    );
}

supervision! {
    app Migrated {
        migrate: Script { ready: completed(5s), restart: transient(3 per 5s, backoff: none) },
        server: Script { depends_on: [migrate] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_one_shot_job_gates_its_dependents_until_it_completes() {
    let app = Migrated {
        migrate: Script::new(|_| async {
            tokio::time::sleep(ms(300)).await;
            Ok(())
        }),
        server: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    let events = handle.events().events;
    let seen: Vec<_> = kinds(&events);
    let pair = |r: &str, k: &str| (r.to_owned(), k.to_owned());
    assert_eq!(
        seen,
        vec![
            pair("migrate", "starting"),
            pair("migrate", "exited"),
            pair("migrate", "ready"),
            pair("server", "starting"),
            pair("server", "ready"),
        ]
    );
    let server_start = events
        .iter()
        .find(|e| e.role == Some(MigratedRole::Server))
        .map(|e| e.at);
    assert_eq!(server_start, Some(ms(300)));
    let state = handle.state();
    assert_eq!(
        state.role(MigratedRole::Migrate).status,
        RoleStatus::Completed
    );
    assert_eq!(state.role(MigratedRole::Server).status, RoleStatus::Ready);
    // The job is not run again: it completed.
    tokio::time::sleep(secs(60)).await;
    assert_eq!(
        handle.state().role(MigratedRole::Migrate).incarnation,
        Some(0)
    );
    let report = handle.shutdown().await;
    assert_eq!(
        report.outcome(MigratedRole::Migrate),
        Some(StopOutcome::AlreadyStopped)
    );
    assert_eq!(
        report.outcome(MigratedRole::Server),
        Some(StopOutcome::Graceful)
    );
}

#[tokio::test(start_paused = true)]
async fn a_one_shot_job_that_fails_during_start_fails_start() {
    let app = Migrated {
        migrate: Script::new(|_| async { Err("schema locked".into()) }),
        server: Script::until_stopped(),
    };
    let err = app.start().await.expect_err("the migration fails");
    assert_eq!(err.role, MigratedRole::Migrate);
    assert_eq!(err.cause, Cause::Error("schema locked".to_owned()));
}

supervision! {
    app Partial {
        core: Script,
        optional extra: Script { ready: signaled(1s) },
        optional extra_ui: Script { depends_on: [extra] },
    }
}

#[tokio::test(start_paused = true)]
async fn an_optional_role_that_cannot_start_is_disabled_and_start_goes_on() {
    let begun = tokio::time::Instant::now();
    let app = Partial {
        core: Script::until_stopped(),
        extra: Script::until_stopped(),
        extra_ui: Script::until_stopped(),
    };
    let handle = app.start().await.expect("optional roles do not fail start");
    assert_eq!(begun.elapsed(), secs(1));
    let statuses: Vec<_> = handle.state().roles.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            RoleStatus::Ready,
            RoleStatus::Disabled,
            RoleStatus::Disabled
        ]
    );
    let events = handle.events().events;
    assert_eq!(
        supervision_tests::role_kinds(&events, PartialRole::Extra),
        ["starting", "failed", "stopping", "stopped", "disabled"]
    );
    assert_eq!(
        supervision_tests::role_kinds(&events, PartialRole::ExtraUi),
        ["disabled"]
    );
    let report = handle.shutdown().await;
    assert_eq!(
        report.outcome(PartialRole::Extra),
        Some(StopOutcome::Disabled)
    );
}

supervision! {
    app Stranded {
        job: Script { restart: temporary },
        slow: Script { ready: signaled(1s) },
        late: Script { depends_on: [job, slow] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_role_stopping_for_good_before_its_dependents_started_fails_start() {
    let app = Stranded {
        job: Script::new(|_| async {
            tokio::time::sleep(ms(10)).await;
            Ok(())
        }),
        slow: Script::new(|cx| async move {
            tokio::time::sleep(ms(100)).await;
            cx.ready();
            cx.stop_requested().await;
            Ok(())
        }),
        late: Script::until_stopped(),
    };
    let err = app.start().await.expect_err("late can never start");
    assert_eq!(err.role, StrandedRole::Job);
    assert_eq!(err.cause, Cause::StoppedDuringStart);
    assert_eq!(
        err.report.outcome(StrandedRole::Slow),
        Some(StopOutcome::Graceful)
    );
}

#[tokio::test(start_paused = true)]
async fn launch_returns_at_once_and_the_start_can_be_followed_while_it_happens() {
    let log = Log::default();
    let begun = tokio::time::Instant::now();
    let handle = Gated {
        db: signals_after(ms(100), &log),
        cache: signals_after(ms(50), &log),
        api: Script::until_stopped(),
        metrics: Script::until_stopped(),
    }
    .launch();
    assert_eq!(handle.state().phase, Phase::Starting);
    // Let the start get under way before following: what happened before the
    // call is replayed, what happens after it is seen live, nothing twice.
    tokio::time::sleep(ms(20)).await;
    let mut follow = handle.follow();
    assert_eq!(follow.dropped(), 0);
    let mut seen = Vec::new();
    while seen.len() < 8 {
        let event = follow.recv().await.expect("no event is missed");
        let role = event.role.map(|r| r.to_string()).unwrap_or_default();
        seen.push((event.seq, role, event.kind, begun.elapsed()));
    }
    let row = |seq, role: &str, kind, at| (seq, role.to_owned(), kind, ms(at));
    assert_eq!(
        seen,
        vec![
            // Replayed at 20ms: the start had begun.
            row(0, "db", EventKind::Starting, 20),
            row(1, "metrics", EventKind::Starting, 20),
            row(2, "metrics", EventKind::Ready, 20),
            // Live, each as it happens.
            row(3, "db", EventKind::Ready, 100),
            row(4, "cache", EventKind::Starting, 100),
            row(5, "cache", EventKind::Ready, 150),
            row(6, "api", EventKind::Starting, 150),
            row(7, "api", EventKind::Ready, 150),
        ]
    );
    // Every caller gets the answer, also after the fact.
    assert_eq!(handle.started().await, Ok(()));
    assert_eq!(handle.clone().started().await, Ok(()));
    assert_eq!(begun.elapsed(), ms(150));
    assert_eq!(handle.state().phase, Phase::Running);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn started_reports_the_start_error_to_every_caller() {
    let log = Log::default();
    let handle = Gated {
        db: signals_after(ms(100), &log),
        cache: Script::new(|_| async { Err("cache warmup failed".into()) }),
        api: Script::until_stopped(),
        metrics: Script::until_stopped(),
    }
    .launch();
    let error = handle.started().await.expect_err("cache cannot start");
    assert_eq!(error.role, GatedRole::Cache);
    assert_eq!(error.cause, Cause::Error("cache warmup failed".to_owned()));
    assert_eq!(handle.started().await, Err(error.clone()));
    let ended = handle.join().await.expect_err("the app did not start");
    assert_eq!(ended, supervision::AppError::Start(error));
}

/// `temp`, required or `optional`, is still starting when `db` fails.
macro_rules! early {
    ($app:ident $(, $optional:ident)?) => {
        supervision! {
            app $app {
                strategy: one_for_all,
                db: Script { restart: permanent(5 per 60s, backoff: fixed(100ms)) },
                $($optional)? temp: Script { restart: temporary, ready: signaled(1s) },
            }
        }

        impl $app {
            /// db is ready at once and fails at 100ms; temp would be ready at 500ms.
            fn new() -> Self {
                let runs = Arc::new(AtomicU32::new(0));
                $app {
                    db: Script::new(move |cx| {
                        let first = runs.fetch_add(1, Ordering::SeqCst) == 0;
                        async move {
                            if first {
                                tokio::time::sleep(ms(100)).await;
                                return Err("lost connection".into());
                            }
                            cx.stop_requested().await;
                            Ok(())
                        }
                    }),
                    temp: Script::new(|cx| async move {
                        tokio::time::sleep(ms(500)).await;
                        cx.ready();
                        cx.stop_requested().await;
                        Ok(())
                    }),
                }
            }
        }
    };
}

early!(Early);
early!(EarlyOptional, optional);

#[tokio::test(start_paused = true)]
async fn a_temporary_bystander_stopped_before_it_was_ready_fails_start() {
    let err = Early::new()
        .start()
        .await
        .expect_err("temp never becomes ready");
    assert_eq!(
        (err.role, err.cause.clone()),
        (EarlyRole::Temp, Cause::StoppedDuringStart)
    );
    assert_eq!(
        err.to_string(),
        "role `temp` could not start: stopped for good before the app had started"
    );
    assert_eq!(
        rows(&err.report),
        [
            (EarlyRole::Temp, StopOutcome::AlreadyStopped, ms(0)),
            (EarlyRole::Db, StopOutcome::AlreadyStopped, ms(0)),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_optional_temporary_bystander_stopped_before_it_was_ready_is_disabled() {
    let handle = EarlyOptional::new()
        .start()
        .await
        .expect("starts without temp");
    let statuses: Vec<_> = handle
        .state()
        .roles
        .iter()
        .map(|r| (r.role, r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (EarlyOptionalRole::Db, RoleStatus::Ready),
            (EarlyOptionalRole::Temp, RoleStatus::Disabled),
        ]
    );
    assert_eq!(
        supervision_tests::role_kinds(&handle.events().events, EarlyOptionalRole::Temp),
        ["starting", "stopping", "stopped", "disabled"]
    );
    let report = handle.shutdown().await;
    assert_eq!(
        rows(&report),
        [
            (EarlyOptionalRole::Temp, StopOutcome::Disabled, ms(0)),
            (EarlyOptionalRole::Db, StopOutcome::Graceful, ms(0)),
        ]
    );
}

supervision! {
    app Booting {
        db: Script {
            ready: signaled(1s),
            restart: permanent(3 per 60s, backoff: fixed(100ms)),
        },
        api: Script { depends_on: [db] },
    }
}

/// Refuses the first `refusals` connections (10ms each), then is ready;
/// `hang_first` makes the first incarnation miss its ready timeout instead
/// (it stops at once when asked to).
fn database(refusals: u64, hang_first: bool) -> Script {
    Script::new(move |cx| async move {
        if hang_first && cx.incarnation() == 0 {
            cx.stop_requested().await;
            return Ok(());
        }
        if cx.incarnation() < refusals {
            tokio::time::sleep(ms(10)).await;
            return Err("connection refused".into());
        }
        cx.ready();
        cx.stop_requested().await;
        Ok(())
    })
}

fn booting(db: Script) -> Booting {
    Booting {
        db,
        api: Script::until_stopped(),
    }
}

#[tokio::test(start_paused = true)]
async fn with_start_retries_a_role_that_fails_before_ready_is_restarted_within_its_budget() {
    let begun = tokio::time::Instant::now();
    let options = supervision::Options::default().start(supervision::StartMode::Retry);
    let handle = booting(database(2, false))
        .start_with(options)
        .await
        .expect("the third connection succeeds");
    // 10ms refused, 100ms backoff, 10ms refused, 100ms backoff, then ready.
    assert_eq!(begun.elapsed(), ms(220));
    let db = role_kinds(&handle.events().events, BootingRole::Db);
    assert_eq!(
        db,
        [
            "starting",
            "failed",
            "restart_scheduled",
            "starting",
            "failed",
            "restart_scheduled",
            "starting",
            "ready"
        ]
    );
    assert_eq!(
        handle.state().role(BootingRole::Api).status,
        RoleStatus::Ready
    );
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn with_start_retries_the_start_fails_once_the_budget_is_spent() {
    let begun = tokio::time::Instant::now();
    let options = supervision::Options::default().start(supervision::StartMode::Retry);
    let error = booting(database(u64::MAX, false))
        .start_with(options)
        .await
        .expect_err("never connects");
    assert_eq!(error.role, BootingRole::Db);
    assert!(matches!(error.cause, Cause::BudgetExhausted(_)), "{error}");
    // Four attempts of 10ms, three backoffs of 100ms: the fourth failure
    // finds the budget of 3 restarts spent.
    assert_eq!(begun.elapsed(), ms(340));
    assert_eq!(
        error.to_string(),
        "role `db` could not start: restart budget of 3 per 1m exhausted \
         (after db#3 failed: connection refused)"
    );
}

#[tokio::test(start_paused = true)]
async fn with_start_retries_a_missed_ready_timeout_is_retried_and_fail_fast_stays_the_default() {
    let begun = tokio::time::Instant::now();
    let options = supervision::Options::default().start(supervision::StartMode::Retry);
    let handle = booting(database(0, true))
        .start_with(options)
        .await
        .expect("the second incarnation is ready");
    // The ready timeout of 1s, then 100ms of backoff.
    assert_eq!(begun.elapsed(), ms(1100));
    handle.shutdown().await;

    let error = booting(database(1, false))
        .start()
        .await
        .expect_err("fail-fast by default");
    assert_eq!(error.cause, Cause::Error("connection refused".to_owned()));
}
