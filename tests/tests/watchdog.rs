//! `watchdog: PERIOD`: a ready incarnation that calls no `cx.heartbeat()` within
//! its period is hung: stopped with its stop actions, then handled by its
//! restart policy as a failure.

use std::time::Duration;

use supervision::{App, Cause, EventKind, Stage, StopOutcome, supervision};
use supervision_tests::{Script, escalation, ms, role_kinds, secs};

/// Beats every second, `beats` times in its first incarnation (for ever in the
/// later ones), then waits to be stopped without beating.
fn beats(beats: u32) -> Script {
    Script::new(move |cx| async move {
        let mut left = if cx.incarnation() == 0 {
            beats
        } else {
            u32::MAX
        };
        while left > 0 && !cx.is_stop_requested() {
            cx.heartbeat();
            left -= 1;
            tokio::select! {
                () = tokio::time::sleep(secs(1)) => {}
                () = cx.stop_requested() => {}
            }
        }
        cx.stop_requested().await;
        Ok(())
    })
}

supervision! {
    app Beating {
        worker: Script {
            restart: permanent(3 per 1m, backoff: fixed(100ms)),
            watchdog: 3s,
        },
        api: Script { depends_on: [worker] },
    }
}

/// A first incarnation that becomes ready, hangs, is stopped and restarted.
const HUNG_ONCE: &[&str] = &[
    "starting",
    "ready",
    "hung",
    "lease_released",
    "stopping",
    "stopped",
    "restart_scheduled",
];

fn at_of(events: &[supervision::Event<BeatingRole>], kind: &str) -> Vec<Duration> {
    events
        .iter()
        .filter(|e| {
            serde_json::to_value(e).expect("serializes")["kind"] == kind
                && e.role == Some(BeatingRole::Worker)
        })
        .map(|e| e.at)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_role_that_beats_within_its_period_is_never_hung() {
    let app = Beating {
        worker: beats(u32::MAX),
        api: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(60)).await;
    let events = handle.events().events;
    assert_eq!(
        role_kinds(&events, BeatingRole::Worker),
        ["starting", "ready"]
    );
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_role_that_stops_beating_is_stopped_and_restarted_with_its_dependents() {
    let app = Beating {
        worker: beats(3),
        api: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(10)).await;
    let events = handle.events().events;
    // Beats at 0s (when it became ready, so it does not count), 1s and 2s: the
    // period after the last beat ends at 5s.
    assert_eq!(at_of(&events, "hung"), [secs(5)]);
    assert_eq!(at_of(&events, "starting"), [secs(0), ms(5100)]);
    assert_eq!(
        role_kinds(&events, BeatingRole::Worker),
        [HUNG_ONCE, &["starting", "ready"]].concat()
    );
    // `rest_for_one`: the dependent is stopped and started again with it.
    assert_eq!(
        role_kinds(&events, BeatingRole::Api),
        [
            "starting",
            "ready",
            "lease_released",
            "stopping",
            "stopped",
            "starting",
            "ready",
        ]
    );
    let hung = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Hung { .. }))
        .expect("a hung event");
    assert_eq!(hung.kind, EventKind::Hung { period: secs(3) });
    assert!(
        hung.to_string().contains("hung: no heartbeat within 3s"),
        "{hung}"
    );
    // The hang is the failure of its episode, and the decision stage of its chain.
    let episode = handle
        .episode(hung.episode.expect("in an episode"))
        .expect("retained");
    assert_eq!(episode.cause(), Some(hung));
    let chain = handle.chain(BeatingRole::Worker).expect("retained");
    let stage = chain
        .steps()
        .find(|s| s.event.seq == hung.seq)
        .map(|s| s.stage);
    assert_eq!(stage, Some(Stage::FailureDecision));
    // Still watched after the restart: the new incarnation beats and stays up.
    assert_eq!(
        handle.state().role(BeatingRole::Worker).incarnation,
        Some(1)
    );
    handle.shutdown().await;
}

supervision! {
    app Wedged {
        core: Script {
            restart: critical,
            watchdog: 2s,
            stop: [release_lease, stop(1s)],
        },
    }
}

#[tokio::test(start_paused = true)]
async fn a_hung_critical_role_that_ignores_its_stop_is_aborted_and_escalates() {
    let begun = tokio::time::Instant::now();
    let app = Wedged {
        core: Script::new(|_cx| std::future::pending()),
    };
    let handle = app.start().await.expect("starts");
    let (role, cause, _) = escalation(&handle).await;
    assert_eq!((role, cause), (WedgedRole::Core, Cause::Hung(secs(2))));
    // Hung at 2s, cancelled, aborted when `stop(1s)` ran out.
    assert_eq!(begun.elapsed(), secs(3));
    let stopped: Vec<_> = handle
        .events()
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Hung { .. } | EventKind::Stopped { .. } => Some((e.at, e.kind)),
            _ => None,
        })
        .collect();
    assert_eq!(
        stopped,
        [
            (secs(2), EventKind::Hung { period: secs(2) }),
            (
                secs(3),
                EventKind::Stopped {
                    outcome: StopOutcome::Aborted
                }
            ),
        ]
    );
}

supervision! {
    app Budgeted {
        optional flaky: Script {
            restart: transient(1 per 1m, backoff: none),
            watchdog: 1s,
        },
    }
}

#[tokio::test(start_paused = true)]
async fn hangs_spend_the_restart_budget_and_an_optional_role_is_then_disabled() {
    let app = Budgeted {
        flaky: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(5)).await;
    let events = handle.events().events;
    assert_eq!(
        role_kinds(&events, BudgetedRole::Flaky),
        [
            HUNG_ONCE,
            &[
                "starting",
                "ready",
                "hung",
                "lease_released",
                "stopping",
                "stopped"
            ],
            &["budget_exhausted", "disabled"],
        ]
        .concat()
    );
    let hung: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Hung { .. }))
        .map(|e| e.at)
        .collect();
    assert_eq!(hung, [secs(1), secs(2)]);
    handle.shutdown().await;
}
