//! Shutdown: stop order, per-role grace periods, the global deadline, drain, leases, idempotence.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use supervision::{
    App, AppPhase, Backoff, DrainOutcome, EventKind, Readiness, RoleStatus, StopAction, StopOutcome,
};
use supervision_tests::{
    Erased, Log, Probe, SpecBuilder, drain_svc, kinds, ms, permanent, role_kinds, secs, svc,
    test_app, until_stopped,
};

/// Returns `linger` after being asked to stop; counted by the probe.
fn lingers(probe: &Probe, linger: Duration) -> Erased {
    let probe = probe.clone();
    svc(move |cx| {
        let guard = probe.enter(cx.role());
        async move {
            let _guard = guard;
            cx.stop_requested().await;
            tokio::time::sleep(linger).await;
            Ok(())
        }
    })
}

/// Never returns by itself, whatever it is asked.
fn stubborn(probe: &Probe) -> Erased {
    let probe = probe.clone();
    svc(move |cx| {
        let guard = probe.enter(cx.role());
        async move {
            let _guard = guard;
            std::future::pending::<()>().await;
            Ok(())
        }
    })
}

test_app!(Tree, TreeRole { Store => "store", Reader => "reader", Writer => "writer", Clock => "clock" },
    SpecBuilder::new()
        .role(TreeRole::Reader, |r| r.deps(&[TreeRole::Store]))
        .role(TreeRole::Writer, |r| r.deps(&[TreeRole::Store]))
);

#[tokio::test(start_paused = true)]
async fn a_role_stops_after_its_dependents_and_independent_roles_stop_concurrently() {
    let probe = Probe::default();
    let app = Tree(vec![
        lingers(&probe, ms(500)),
        lingers(&probe, secs(1)),
        lingers(&probe, secs(2)),
        lingers(&probe, secs(3)),
    ]);
    let handle = app.start().await.expect("starts");
    let report = handle.shutdown().await;
    let rows: Vec<_> = report
        .roles
        .iter()
        .map(|r| (r.role, r.outcome, r.duration))
        .collect();
    assert_eq!(
        rows,
        vec![
            (TreeRole::Clock, StopOutcome::Graceful, secs(3)),
            (TreeRole::Writer, StopOutcome::Graceful, secs(2)),
            (TreeRole::Reader, StopOutcome::Graceful, secs(1)),
            (TreeRole::Store, StopOutcome::Graceful, ms(500)),
        ]
    );
    assert_eq!(report.duration, secs(3));
    let stopping: Vec<_> = handle
        .events()
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Stopping))
        .map(|e| (e.role, e.at))
        .collect();
    // clock, writer and reader are asked at once; store only once both dependents are gone.
    assert_eq!(
        stopping,
        vec![
            (Some(TreeRole::Clock), ms(0)),
            (Some(TreeRole::Writer), ms(0)),
            (Some(TreeRole::Reader), ms(0)),
            (Some(TreeRole::Store), secs(2)),
        ]
    );
    assert_eq!(probe.live(), 0);
}

test_app!(Stubborn, StubbornRole { Base => "base", Hold => "hold" },
    SpecBuilder::new()
        .shutdown_timeout(secs(3))
        .role(StubbornRole::Hold, |r| r
            .deps(&[StubbornRole::Base])
            .stop(&[StopAction::ReleaseLease, StopAction::Stop { timeout: secs(1) }]))
);

#[tokio::test(start_paused = true)]
async fn a_child_ignoring_cancellation_is_aborted_after_its_stop_timeout() {
    let probe = Probe::default();
    let app = Stubborn(vec![lingers(&probe, ms(100)), stubborn(&probe)]);
    let handle = app.start().await.expect("starts");
    let report = handle.shutdown().await;
    let rows: Vec<_> = report
        .roles
        .iter()
        .map(|r| (r.role, r.outcome, r.duration))
        .collect();
    assert_eq!(
        rows,
        vec![
            (StubbornRole::Hold, StopOutcome::Aborted, secs(1)),
            (StubbornRole::Base, StopOutcome::Graceful, ms(100)),
        ]
    );
    assert_eq!(probe.live(), 0, "the aborted incarnation was dropped");
}

test_app!(Deadline, DeadlineRole { Base => "base", Hold => "hold", Other => "other" },
    SpecBuilder::new()
        .shutdown_timeout(secs(3))
        .role(DeadlineRole::Hold, |r| r
            .deps(&[DeadlineRole::Base])
            .stop(&[StopAction::Stop { timeout: secs(10) }]))
);

#[tokio::test(start_paused = true)]
async fn the_shutdown_timeout_aborts_whatever_is_left() {
    let probe = Probe::default();
    let begun = tokio::time::Instant::now();
    let app = Deadline(vec![
        lingers(&probe, ms(100)),
        stubborn(&probe),
        lingers(&probe, ms(100)),
    ]);
    let handle = app.start().await.expect("starts");
    let report = handle.shutdown().await;
    assert_eq!(begun.elapsed(), secs(3));
    let rows: Vec<_> = report
        .roles
        .iter()
        .map(|r| (r.role, r.outcome, r.duration))
        .collect();
    assert_eq!(
        rows,
        vec![
            (DeadlineRole::Other, StopOutcome::Graceful, ms(100)),
            (DeadlineRole::Hold, StopOutcome::Aborted, secs(3)),
            // Still waiting for `hold` when the deadline came: aborted without its turn.
            (DeadlineRole::Base, StopOutcome::Aborted, Duration::ZERO),
        ]
    );
    assert_eq!(probe.live(), 0);
}

test_app!(Drained, DrainedRole { Source => "source", Queue => "queue" },
    SpecBuilder::new()
        .role(DrainedRole::Source, |r| r.restart(permanent(3, secs(60), Backoff::None)))
        .role(DrainedRole::Queue, |r| r
            .deps(&[DrainedRole::Source])
            .ready(Readiness::Signaled { timeout: secs(1) })
            .stop(&[
                StopAction::Drain { timeout: secs(1), resume_state: true },
                StopAction::ReleaseLease,
                StopAction::Stop { timeout: secs(1) },
            ]))
);

#[tokio::test(start_paused = true)]
async fn drained_state_is_handed_to_the_next_incarnation() {
    let log = Log::default();
    let runs = Arc::new(AtomicU64::new(0));
    let source = svc(move |cx| {
        let first = runs.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            if first {
                tokio::time::sleep(secs(1)).await;
                return Err("upstream reset".into());
            }
            cx.stop_requested().await;
            Ok(())
        }
    });
    let run_log = log.clone();
    let queue = drain_svc(
        move |cx| {
            let log = run_log.clone();
            async move {
                let resumed: Option<Vec<u32>> = cx.resume_state();
                log.push(format!("run {} resumed {resumed:?}", cx.incarnation()));
                cx.ready();
                cx.stop_requested().await;
                Ok(())
            }
        },
        |cx| async move {
            tokio::time::sleep(ms(200)).await;
            Ok(serde_json::json!([cx.incarnation(), 7, 9]))
        },
    );
    let handle = Drained(vec![source, queue]).start().await.expect("starts");
    tokio::time::sleep(secs(3)).await;
    assert_eq!(
        log.lines(),
        ["run 0 resumed None", "run 1 resumed Some([0, 7, 9])"]
    );
    let events = handle.events().events;
    let queue_kinds = role_kinds(&events, DrainedRole::Queue);
    assert_eq!(
        queue_kinds,
        [
            "starting",
            "ready",
            "draining",
            "drained",
            "lease_released",
            "stopping",
            "stopped",
            "starting",
            "ready",
        ]
    );
    let report = handle.shutdown().await;
    let queue = report.role(DrainedRole::Queue).expect("listed");
    assert_eq!(queue.drain, Some(DrainOutcome::Drained));
    assert_eq!(queue.duration, ms(200));
}

#[tokio::test(start_paused = true)]
async fn a_drain_that_overruns_its_timeout_is_abandoned_and_the_stop_goes_on() {
    let queue = drain_svc(
        |cx| async move {
            cx.ready();
            cx.stop_requested().await;
            Ok(())
        },
        |_| async {
            std::future::pending::<()>().await;
            Ok(serde_json::Value::Null)
        },
    );
    let handle = Drained(vec![until_stopped(), queue])
        .start()
        .await
        .expect("starts");
    let report = handle.shutdown().await;
    let queue = report.role(DrainedRole::Queue).expect("listed");
    assert_eq!(queue.drain, Some(DrainOutcome::TimedOut));
    assert_eq!(queue.outcome, StopOutcome::Graceful);
    assert_eq!(queue.duration, secs(1));
}

test_app!(Leased, LeasedRole { Registry => "registry", Worker => "worker" },
    SpecBuilder::new()
        .role(LeasedRole::Worker, |r| r
            .deps(&[LeasedRole::Registry])
            .stop(&[StopAction::ReleaseLease, StopAction::Stop { timeout: secs(5) }]))
);

#[tokio::test(start_paused = true)]
async fn a_lease_is_held_while_ready_and_released_before_the_stop() {
    let probe = Probe::default();
    let handle = Leased(vec![until_stopped(), lingers(&probe, secs(2))])
        .start()
        .await
        .expect("starts");
    assert_eq!(handle.leases(), ["registry", "worker"]);
    let stopper = handle.clone();
    let shutdown = tokio::spawn(async move { stopper.shutdown().await });
    tokio::time::sleep(secs(1)).await;
    // The worker released its lease first, and is still stopping.
    assert_eq!(handle.leases(), ["registry"]);
    let state = handle.state();
    assert_eq!(state.phase, AppPhase::ShuttingDown);
    assert_eq!(state.role(LeasedRole::Worker).status, RoleStatus::Stopping);
    let report = shutdown.await.expect("the shutdown task ends");
    assert!(handle.leases().is_empty());
    assert_eq!(
        report.outcome(LeasedRole::Worker),
        Some(StopOutcome::Graceful)
    );
    let released: Vec<_> = handle
        .events()
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::LeaseReleased { lease } => Some((lease, e.at)),
            _ => None,
        })
        .collect();
    assert_eq!(released, vec![("worker", ms(0)), ("registry", secs(2))]);
}

#[tokio::test(start_paused = true)]
async fn shutdown_is_idempotent() {
    let probe = Probe::default();
    let handle = Tree(vec![
        lingers(&probe, ms(10)),
        lingers(&probe, ms(20)),
        lingers(&probe, ms(30)),
        lingers(&probe, ms(40)),
    ])
    .start()
    .await
    .expect("starts");
    let (first, second) = tokio::join!(handle.shutdown(), handle.shutdown());
    let third = handle.shutdown().await;
    assert_eq!(first, second);
    assert_eq!(first, third);
    assert_eq!(handle.join().await, Ok(first));
    let events = handle.events().events;
    let requested = kinds(&events)
        .iter()
        .filter(|(_, k)| k == "shutdown_requested")
        .count();
    let completed = kinds(&events)
        .iter()
        .filter(|(_, k)| k == "shutdown_completed")
        .count();
    assert_eq!((requested, completed), (1, 1));
}
