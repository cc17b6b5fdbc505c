//! Exits: restart policies, budgets, intensity, backoff delays, escalation, disabling.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use supervision::{
    App, AppError, AppPhase, Backoff, Budget, Cause, EventKind, Options, RestartPolicy, RoleStatus,
    StopOutcome,
};
use supervision_tests::{
    Erased, SpecBuilder, ms, permanent, role_kinds, secs, svc, test_app, transient, until_stopped,
};

/// Exits the way `how` says, `times` times, after 10ms each; then runs until stopped.
fn exits(how: &'static str, times: u32) -> Erased {
    let count = Arc::new(AtomicU32::new(0));
    svc(move |cx| {
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

test_app!(Policies, PolicyRole { Perm => "perm", Trans => "trans", Temp => "temp" },
    SpecBuilder::new()
        .strategy(supervision::Strategy::OneForOne)
        .role(PolicyRole::Perm, |r| r.restart(permanent(5, secs(10), Backoff::None)))
        .role(PolicyRole::Trans, |r| r.restart(transient(5, secs(10), Backoff::None)))
        .role(PolicyRole::Temp, |r| r.restart(RestartPolicy::Temporary))
);

async fn run_policies(how: &'static str) -> Vec<(PolicyRole, Vec<String>, RoleStatus)> {
    let app = Policies(vec![exits(how, 1), exits(how, 1), exits(how, 1)]);
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(1)).await;
    let events = handle.events().events;
    let state = handle.state();
    let out = supervision::Role::ALL
        .iter()
        .map(|&r: &PolicyRole| (r, role_kinds(&events, r), state.role(r).status))
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
            (PolicyRole::Perm, restarted, RoleStatus::Ready),
            (PolicyRole::Trans, stays.clone(), RoleStatus::Stopped),
            (PolicyRole::Temp, stays, RoleStatus::Stopped),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_error_restarts_permanent_and_transient_roles_but_not_a_temporary_one() {
    let restarted = strs(&[
        "starting",
        "ready",
        "failed",
        "lease_released",
        "restart_scheduled",
        "starting",
        "ready",
    ]);
    assert_eq!(
        run_policies("error").await,
        vec![
            (PolicyRole::Perm, restarted.clone(), RoleStatus::Ready),
            (PolicyRole::Trans, restarted, RoleStatus::Ready),
            (
                PolicyRole::Temp,
                strs(&["starting", "ready", "failed", "lease_released"]),
                RoleStatus::Stopped
            ),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_panic_is_caught_with_its_message_and_handled_like_an_error() {
    let restarted = strs(&[
        "starting",
        "ready",
        "panicked",
        "lease_released",
        "restart_scheduled",
        "starting",
        "ready",
    ]);
    assert_eq!(
        run_policies("panic").await,
        vec![
            (PolicyRole::Perm, restarted.clone(), RoleStatus::Ready),
            (PolicyRole::Trans, restarted, RoleStatus::Ready),
            (
                PolicyRole::Temp,
                strs(&["starting", "ready", "panicked", "lease_released"]),
                RoleStatus::Stopped
            ),
        ]
    );
    let app = Policies(vec![exits("panic", 1), until_stopped(), until_stopped()]);
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
        vec![(Some(PolicyRole::Perm), Some(0), "kaboom".to_owned())]
    );
    handle.shutdown().await;
}

test_app!(Budgeted, BudgetRole { Core => "core", Extra => "extra", ExtraUi => "extra_ui", Other => "other" },
    SpecBuilder::new()
        .role(BudgetRole::Core, |r| r.restart(permanent(2, secs(10), Backoff::Fixed { delay: ms(100) })))
        .role(BudgetRole::Extra, |r| r.optional().restart(permanent(2, secs(10), Backoff::Fixed { delay: ms(100) })))
        .role(BudgetRole::ExtraUi, |r| r.optional().deps(&[BudgetRole::Extra]))
);

#[tokio::test(start_paused = true)]
async fn a_required_role_exhausting_its_budget_escalates() {
    let app = Budgeted(vec![
        exits("error", 100),
        until_stopped(),
        until_stopped(),
        until_stopped(),
    ]);
    let handle = app.start().await.expect("starts");
    let err = handle.join().await.expect_err("core gives up");
    let AppError::Escalated {
        role,
        cause,
        report,
    } = err
    else {
        panic!("expected an escalation, got {err:?}");
    };
    assert_eq!(role, BudgetRole::Core);
    let budget = Budget {
        max_restarts: 2,
        window: secs(10),
    };
    assert_eq!(cause, Cause::BudgetExhausted(budget));
    assert!(
        report
            .roles
            .iter()
            .all(|r| r.role == BudgetRole::Core || r.outcome == StopOutcome::Graceful)
    );
    let events = handle.events().events;
    assert_eq!(
        role_kinds(&events, BudgetRole::Core),
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
    assert!(events.iter().all(|e| e.role == Some(BudgetRole::Core)
        || !matches!(e.kind, EventKind::RestartScheduled { .. })));
}

#[tokio::test(start_paused = true)]
async fn an_optional_role_exhausting_its_budget_is_disabled_with_its_dependents() {
    let app = Budgeted(vec![
        until_stopped(),
        exits("error", 100),
        until_stopped(),
        until_stopped(),
    ]);
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(5)).await;
    let state = handle.state();
    assert_eq!(state.phase, AppPhase::Running);
    let statuses: Vec<_> = state.roles.iter().map(|r| (r.role, r.status)).collect();
    assert_eq!(
        statuses,
        vec![
            (BudgetRole::Core, RoleStatus::Ready),
            (BudgetRole::Extra, RoleStatus::Disabled),
            (BudgetRole::ExtraUi, RoleStatus::Disabled),
            (BudgetRole::Other, RoleStatus::Ready),
        ]
    );
    let events = handle.events().events;
    let tail: Vec<_> = role_kinds(&events, BudgetRole::Extra)
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
        role_kinds(&events, BudgetRole::ExtraUi),
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
        report.outcome(BudgetRole::Extra),
        Some(StopOutcome::Disabled)
    );
    assert_eq!(
        report.outcome(BudgetRole::ExtraUi),
        Some(StopOutcome::Disabled)
    );
    assert_eq!(
        report.outcome(BudgetRole::Core),
        Some(StopOutcome::Graceful)
    );
}

test_app!(Intense, IntenseRole { A => "a", B => "b" },
    SpecBuilder::new()
        .strategy(supervision::Strategy::OneForOne)
        .intensity(3, secs(60))
        .role(IntenseRole::A, |r| r.restart(permanent(10, secs(60), Backoff::None)))
        .role(IntenseRole::B, |r| r.restart(permanent(10, secs(60), Backoff::None)))
);

#[tokio::test(start_paused = true)]
async fn the_app_intensity_counts_restarts_of_every_role_together() {
    let app = Intense(vec![exits("error", 2), exits("error", 2)]);
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

test_app!(Backoffs, BackoffRole { Fixed => "fixed", Expo => "expo" },
    SpecBuilder::new()
        .strategy(supervision::Strategy::OneForOne)
        .role(BackoffRole::Fixed, |r| r.restart(permanent(10, secs(600), Backoff::Fixed { delay: ms(250) })))
        .role(BackoffRole::Expo, |r| r.restart(permanent(10, secs(600), Backoff::Exponential { min: ms(100), max: ms(1000) })))
);

async fn delays(options: Options) -> Vec<(BackoffRole, Duration, u32, Duration)> {
    let app = Backoffs(vec![exits("error", 6), exits("error", 6)]);
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
        .filter(|d| d.0 == BackoffRole::Fixed)
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
        .filter(|d| d.0 == BackoffRole::Expo)
        .map(|d| (d.1, d.2))
        .collect();
    let expected: Vec<_> = caps.iter().zip(1..).map(|(&c, a)| (c, a)).collect();
    assert_eq!(exact, expected);

    let jittered: Vec<_> = delays(Options::default())
        .await
        .into_iter()
        .filter(|d| d.0 == BackoffRole::Expo)
        .collect();
    assert_eq!(jittered.len(), 6);
    for ((_, delay, attempt, _), cap) in jittered.iter().zip(caps) {
        assert!(
            *delay >= ms(100) && *delay <= cap,
            "attempt {attempt}: {delay:?} > {cap:?}"
        );
    }
    // The seed comes from the app name: the same app jitters the same way.
    let again: Vec<_> = delays(Options::default())
        .await
        .into_iter()
        .filter(|d| d.0 == BackoffRole::Expo)
        .collect();
    assert_eq!(jittered, again);
}

test_app!(Crit, CritRole { Core => "core", Worker => "worker" },
    SpecBuilder::new()
        .role(CritRole::Core, |r| r.restart(RestartPolicy::Critical))
        .role(CritRole::Worker, |r| r.deps(&[CritRole::Core]))
);

#[tokio::test(start_paused = true)]
async fn a_critical_role_exiting_cleanly_shuts_the_app_down_with_ok() {
    let app = Crit(vec![exits("clean", 1), until_stopped()]);
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
    assert_eq!(handle.state().phase, AppPhase::Stopped);
}

#[tokio::test(start_paused = true)]
async fn a_critical_role_failing_escalates() {
    let app = Crit(vec![exits("error", 1), until_stopped()]);
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
