//! Exits: restart policies, budgets, intensity, backoff delays, escalation, disabling.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use supervision::{
    App, AppError, Budget, Cause, EventKind, Options, Phase, RoleStatus, StopOutcome, supervision,
};
use supervision_tests::{Script, escalation, ms, role_kinds, secs};

/// Exits the way `how` says, `times` times, after 10ms each; then runs until stopped.
fn exits(how: &'static str, times: u32) -> Script {
    let count = Arc::new(AtomicU32::new(0));
    Script::new(move |cx| {
        let count = Arc::clone(&count);
        async move {
            tokio::time::sleep(ms(10)).await;
            if count.fetch_add(1, Ordering::SeqCst) < times {
                match how {
                    "clean" => return Ok(()),
                    "error" => return Err("boom".into()),
                    _ => panic!("kaboom"),
                }
            }
            cx.stop_requested().await;
            Ok(())
        }
    })
}

supervision! {
    app Policies {
        strategy: one_for_one,
        perm: Script { restart: permanent(5 per 10s, backoff: none) },
        trans: Script { restart: transient(5 per 10s, backoff: none) },
        temp: Script { restart: temporary },
    }
}

async fn run_policies(how: &'static str) -> Vec<(PoliciesRole, Vec<String>, RoleStatus)> {
    let app = Policies {
        perm: exits(how, 1),
        trans: exits(how, 1),
        temp: exits(how, 1),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(1)).await;
    let events = handle.events().events;
    let state = handle.state();
    let out = PoliciesRole::ALL
        .iter()
        .map(|&r| (r, role_kinds(&events, r), state.role(r).status))
        .collect();
    handle.shutdown().await;
    out
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(start_paused = true)]
async fn a_clean_exit_restarts_only_a_permanent_role() {
    let restarted = strs(&[
        "starting",
        "ready",
        "exited",
        "lease_released",
        "restart_scheduled",
        "starting",
        "ready",
    ]);
    let stays = strs(&["starting", "ready", "exited", "lease_released"]);
    assert_eq!(
        run_policies("clean").await,
        vec![
            (PoliciesRole::Perm, restarted, RoleStatus::Ready),
            (PoliciesRole::Trans, stays.clone(), RoleStatus::Stopped),
            (PoliciesRole::Temp, stays, RoleStatus::Stopped),
        ]
    );
}

/// An error and a panic are handled alike: a permanent or transient role is
/// restarted, a temporary one stays stopped.
async fn assert_failures_restart_all_but_temporary(how: &'static str, kind: &str) {
    let restarted = strs(&[
        "starting",
        "ready",
        kind,
        "lease_released",
        "restart_scheduled",
        "starting",
        "ready",
    ]);
    let stays = strs(&["starting", "ready", kind, "lease_released"]);
    assert_eq!(
        run_policies(how).await,
        vec![
            (PoliciesRole::Perm, restarted.clone(), RoleStatus::Ready),
            (PoliciesRole::Trans, restarted, RoleStatus::Ready),
            (PoliciesRole::Temp, stays, RoleStatus::Stopped),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_error_restarts_permanent_and_transient_roles_but_not_a_temporary_one() {
    assert_failures_restart_all_but_temporary("error", "failed").await;
}

#[tokio::test(start_paused = true)]
async fn a_panic_is_caught_with_its_message_and_handled_like_an_error() {
    assert_failures_restart_all_but_temporary("panic", "panicked").await;
    let app = Policies {
        perm: exits("panic", 1),
        trans: Script::until_stopped(),
        temp: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(1)).await;
    let panicked: Vec<_> = handle
        .events()
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Panicked { message } => Some((e.role, e.incarnation, message)),
            _ => None,
        })
        .collect();
    assert_eq!(
        panicked,
        vec![(Some(PoliciesRole::Perm), Some(0), "kaboom".to_owned())]
    );
    handle.shutdown().await;
}

supervision! {
    app Budgeted {
        core: Script { restart: permanent(2 per 10s, backoff: fixed(100ms)) },
        optional extra: Script { restart: permanent(2 per 10s, backoff: fixed(100ms)) },
        optional extra_ui: Script { depends_on: [extra] },
        other: Script,
    }
}

#[tokio::test(start_paused = true)]
async fn a_required_role_exhausting_its_budget_escalates() {
    let app = Budgeted {
        core: exits("error", 100),
        extra: Script::until_stopped(),
        extra_ui: Script::until_stopped(),
        other: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    let (role, cause, report) = escalation(&handle).await;
    assert_eq!(role, BudgetedRole::Core);
    let budget = Budget {
        max_restarts: 2,
        window: secs(10),
    };
    assert_eq!(cause, Cause::BudgetExhausted(budget));
    assert!(
        report
            .roles
            .iter()
            .all(|r| r.role == BudgetedRole::Core || r.outcome == StopOutcome::Graceful)
    );
    let events = handle.events().events;
    assert_eq!(
        role_kinds(&events, BudgetedRole::Core),
        strs(&[
            "starting",
            "ready",
            "failed",
            "lease_released",
            "restart_scheduled",
            "starting",
            "ready",
            "failed",
            "lease_released",
            "restart_scheduled",
            "starting",
            "ready",
            "failed",
            "lease_released",
            "budget_exhausted",
            "escalated",
            "shutdown_requested",
        ])
    );
    // Three runs of 10ms, two 100ms backoffs.
    let escalated = events
        .iter()
        .find(|e| e.kind == EventKind::Escalated)
        .map(|e| e.at);
    assert_eq!(escalated, Some(ms(230)));
    // The other roles' budgets were never touched.
    assert!(events.iter().all(|e| e.role == Some(BudgetedRole::Core)
        || !matches!(e.kind, EventKind::RestartScheduled { .. })));
}

#[tokio::test(start_paused = true)]
async fn an_optional_role_exhausting_its_budget_is_disabled_with_its_dependents() {
    let app = Budgeted {
        core: Script::until_stopped(),
        extra: exits("error", 100),
        extra_ui: Script::until_stopped(),
        other: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(5)).await;
    let state = handle.state();
    assert_eq!(state.phase, Phase::Running);
    let statuses: Vec<_> = state.roles.iter().map(|r| (r.role, r.status)).collect();
    assert_eq!(
        statuses,
        vec![
            (BudgetedRole::Core, RoleStatus::Ready),
            (BudgetedRole::Extra, RoleStatus::Disabled),
            (BudgetedRole::ExtraUi, RoleStatus::Disabled),
            (BudgetedRole::Other, RoleStatus::Ready),
        ]
    );
    let events = handle.events().events;
    let tail: Vec<_> = role_kinds(&events, BudgetedRole::Extra)
        .into_iter()
        .rev()
        .take(4)
        .collect();
    assert_eq!(
        tail,
        strs(&["disabled", "budget_exhausted", "lease_released", "failed"])
    );
    // extra_ui is restarted twice with extra (rest_for_one), then stopped and disabled.
    assert_eq!(
        role_kinds(&events, BudgetedRole::ExtraUi),
        strs(&[
            "starting",
            "ready",
            "lease_released",
            "stopping",
            "stopped",
            "starting",
            "ready",
            "lease_released",
            "stopping",
            "stopped",
            "starting",
            "ready",
            "lease_released",
            "stopping",
            "stopped",
            "disabled",
        ])
    );
    assert_eq!(handle.leases(), ["core", "other"]);
    let report = handle.shutdown().await;
    assert_eq!(
        report.outcome(BudgetedRole::Extra),
        Some(StopOutcome::Disabled)
    );
    assert_eq!(
        report.outcome(BudgetedRole::ExtraUi),
        Some(StopOutcome::Disabled)
    );
    assert_eq!(
        report.outcome(BudgetedRole::Core),
        Some(StopOutcome::Graceful)
    );
}

supervision! {
    app Intense {
        strategy: one_for_one,
        intensity: 3 per 60s,
        a: Script { restart: permanent(10 per 60s, backoff: none) },
        b: Script { restart: permanent(10 per 60s, backoff: none) },
    }
}

#[tokio::test(start_paused = true)]
async fn the_app_intensity_counts_restarts_of_every_role_together() {
    let app = Intense {
        a: exits("error", 2),
        b: exits("error", 2),
    };
    let handle = app.start().await.expect("starts");
    let err = handle.join().await.expect_err("intensity exceeded");
    let AppError::Escalated { cause, .. } = err else {
        panic!("expected an escalation, got {err:?}");
    };
    assert_eq!(
        cause,
        Cause::IntensityExceeded(Budget {
            max_restarts: 3,
            window: secs(60)
        })
    );
    let exhausted = handle
        .events()
        .events
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::BudgetExhausted { app_wide: true, .. }))
        .count();
    assert_eq!(exhausted, 1);
}

supervision! {
    app Backoffs {
        strategy: one_for_one,
        fixed: Script { restart: permanent(10 per 10m, backoff: fixed(250ms)) },
        expo: Script { restart: permanent(10 per 10m, backoff: exponential(100ms, 1s)) },
    }
}

async fn delays(options: Options) -> Vec<(BackoffsRole, Duration, u32, Duration)> {
    let app = Backoffs {
        fixed: exits("error", 6),
        expo: exits("error", 6),
    };
    let handle = app.start_with(options).await.expect("starts");
    tokio::time::sleep(secs(30)).await;
    let events = handle.events().events;
    handle.shutdown().await;
    events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::RestartScheduled { delay, attempt } => {
                e.role.map(|r| (r, delay, attempt, e.at))
            }
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn fixed_backoff_waits_exactly_its_delay() {
    let fixed: Vec<_> = delays(Options::default())
        .await
        .into_iter()
        .filter(|d| d.0 == BackoffsRole::Fixed)
        .map(|(_, delay, attempt, at)| (delay, attempt, at))
        .collect();
    // Each run lasts 10ms, then 250ms of backoff.
    let expected: Vec<_> = (0..6u32)
        .map(|i| (ms(250), i + 1, ms(10 + 260 * u64::from(i))))
        .collect();
    assert_eq!(fixed, expected);
}

#[tokio::test(start_paused = true)]
async fn exponential_backoff_doubles_up_to_its_max_with_jitter_within_the_caps() {
    let caps = [100, 200, 400, 800, 1000, 1000].map(ms);
    let exact: Vec<_> = delays(Options::default().jitter(false))
        .await
        .into_iter()
        .filter(|d| d.0 == BackoffsRole::Expo)
        .map(|d| (d.1, d.2))
        .collect();
    let expected: Vec<_> = caps.iter().zip(1..).map(|(&c, a)| (c, a)).collect();
    assert_eq!(exact, expected);

    let jittered: Vec<_> = delays(Options::default())
        .await
        .into_iter()
        .filter(|d| d.0 == BackoffsRole::Expo)
        .collect();
    assert_eq!(jittered.len(), 6);
    for ((_, delay, attempt, _), cap) in jittered.iter().zip(caps) {
        assert!(*delay <= cap, "attempt {attempt}: {delay:?} > {cap:?}");
    }
    // Full jitter: delays are drawn below their caps, not pinned to them.
    assert!(jittered.iter().zip(caps).any(|(d, cap)| d.1 < cap));
    // The seed comes from the app name: the same app jitters the same way.
    let again: Vec<_> = delays(Options::default())
        .await
        .into_iter()
        .filter(|d| d.0 == BackoffsRole::Expo)
        .collect();
    assert_eq!(jittered, again);
}

supervision! {
    app Crit {
        core: Script { restart: critical },
        worker: Script { depends_on: [core] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_critical_role_exiting_cleanly_shuts_the_app_down_with_ok() {
    let app = Crit {
        core: exits("clean", 1),
        worker: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    let report = handle
        .join()
        .await
        .expect("a clean exit of a critical role is not an error");
    assert_eq!(
        report.outcome(CritRole::Worker),
        Some(StopOutcome::Graceful)
    );
    assert_eq!(
        report.outcome(CritRole::Core),
        Some(StopOutcome::AlreadyStopped)
    );
    assert_eq!(handle.state().phase, Phase::Stopped);
}

#[tokio::test(start_paused = true)]
async fn a_critical_role_failing_escalates() {
    let app = Crit {
        core: exits("error", 1),
        worker: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    let err = handle
        .join()
        .await
        .expect_err("a critical failure escalates");
    assert!(matches!(
        err,
        AppError::Escalated { role: CritRole::Core, cause: Cause::Error(ref e), .. } if e == "boom"
    ));
    assert_eq!(err.to_string(), "role `core` escalated: failed: boom");
}

supervision! {
    app Resignal {
        strategy: one_for_one,
        gate: Script { ready: signaled(2s), restart: permanent(5 per 1m, backoff: none) },
    }
}

#[tokio::test(start_paused = true)]
async fn a_restarted_incarnation_that_misses_its_ready_timeout_fails_and_is_restarted() {
    let gate = Script::new(|cx| async move {
        match cx.incarnation() {
            0 => {
                cx.ready();
                tokio::time::sleep(secs(1)).await;
                Err("dropped".into())
            }
            // Never signals: stopped after 2s, then restarted.
            1 => std::future::pending().await,
            _ => {
                cx.ready();
                cx.stop_requested().await;
                Ok(())
            }
        }
    });
    let handle = Resignal { gate }.start().await.expect("starts");
    tokio::time::sleep(secs(10)).await;
    let events = handle.events().events;
    let seen: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.incarnation,
                supervision_tests::kinds(std::slice::from_ref(e))[0]
                    .1
                    .clone(),
                e.at,
            )
        })
        .collect();
    let k = |i: u64, kind: &str, at| (Some(i), kind.to_owned(), at);
    assert_eq!(
        seen,
        vec![
            k(0, "starting", ms(0)),
            k(0, "ready", ms(0)),
            k(0, "failed", secs(1)),
            k(0, "lease_released", secs(1)),
            k(0, "restart_scheduled", secs(1)),
            k(1, "starting", secs(1)),
            k(1, "failed", secs(3)),
            k(1, "stopping", secs(3)),
            k(1, "stopped", secs(8)),
            k(1, "restart_scheduled", secs(8)),
            k(2, "starting", secs(8)),
            k(2, "ready", secs(8)),
        ]
    );
    let failed = events.iter().find_map(|e| match &e.kind {
        EventKind::Failed { error, .. } if e.incarnation == Some(1) => Some(error.clone()),
        _ => None,
    });
    assert_eq!(failed.as_deref(), Some("not ready within 2s"));
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn run_returns_the_report_when_a_critical_role_ends_the_app() {
    let app = Crit {
        core: exits("clean", 1),
        worker: Script::until_stopped(),
    };
    let report = app
        .run()
        .await
        .expect("a clean critical exit ends run with Ok");
    assert_eq!(
        report.outcome(CritRole::Worker),
        Some(StopOutcome::Graceful)
    );
}

#[tokio::test(start_paused = true)]
async fn a_role_still_being_disabled_when_the_shutdown_begins_is_reported_disabled() {
    // extra_ui's third incarnation takes 1s to stop: the disable that extra's
    // exhausted budget begins at 230ms is still running when shutdown starts.
    let slow_third_stop = Script::new(|cx| async move {
        cx.stop_requested().await;
        if cx.incarnation() == 2 {
            tokio::time::sleep(secs(1)).await;
        }
        Ok(())
    });
    let app = Budgeted {
        core: Script::until_stopped(),
        extra: exits("error", 100),
        extra_ui: slow_third_stop,
        other: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(ms(500)).await;
    assert_eq!(
        handle.state().role(BudgetedRole::ExtraUi).status,
        RoleStatus::Stopping
    );
    let report = handle.shutdown().await;
    let extra_ui = report.role(BudgetedRole::ExtraUi).expect("in the report");
    assert_eq!(extra_ui.outcome, StopOutcome::Disabled);
    assert_eq!(extra_ui.duration, ms(1000));
    assert_eq!(
        report.outcome(BudgetedRole::Extra),
        Some(StopOutcome::Disabled)
    );
    assert_eq!(
        report.outcome(BudgetedRole::Core),
        Some(StopOutcome::Graceful)
    );
    let events = handle.events().events;
    let tail: Vec<_> = role_kinds(&events, BudgetedRole::ExtraUi)
        .into_iter()
        .rev()
        .take(3)
        .collect();
    assert_eq!(tail, strs(&["disabled", "stopped", "stopping"]));
    assert_eq!(
        handle.state().role(BudgetedRole::ExtraUi).status,
        RoleStatus::Disabled
    );
}

/// An error with a cause, as a database driver returns one.
#[derive(Debug)]
struct QueryFailed(std::io::Error);

impl std::fmt::Display for QueryFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("query failed")
    }
}

impl std::error::Error for QueryFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

supervision! {
    app Chained {
        db: Script { restart: permanent(1 per 60s, backoff: none) },
    }
}

#[tokio::test(start_paused = true)]
async fn a_failure_keeps_its_error_chain_and_the_escalation_names_it() {
    let db = Script::new(|_| async {
        tokio::time::sleep(ms(10)).await;
        let refused =
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        Err(QueryFailed(refused).into())
    });
    let handle = Chained { db }.start().await.expect("starts");
    let error = handle.join().await.expect_err("the budget runs out");
    let failed: Vec<_> = handle
        .events()
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Failed { error, causes } => Some((e.incarnation, error, causes)),
            _ => None,
        })
        .collect();
    let chain = || {
        (
            "query failed".to_owned(),
            vec!["connection refused".to_owned()],
        )
    };
    assert_eq!(
        failed,
        [
            (Some(0), chain().0, chain().1),
            (Some(1), chain().0, chain().1)
        ]
    );
    let AppError::Escalated { failure, .. } = &error else {
        panic!("expected an escalation, got {error:?}");
    };
    assert_eq!(
        failure.as_ref(),
        Some(&supervision::Failure {
            role: ChainedRole::Db,
            incarnation: 1,
            error: chain().0,
            causes: chain().1,
        })
    );
    assert_eq!(
        error.to_string(),
        "role `db` escalated: restart budget of 1 per 1m exhausted \
         (after db#1 failed: query failed: connection refused)"
    );
    let line = handle
        .events()
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Failed { .. }))
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        line.ends_with("failed: query failed: connection refused  (episode #1)"),
        "{line}"
    );
}
