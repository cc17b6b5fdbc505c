//! Shutdown: stop order, per-role grace periods, the global deadline, drain, leases, idempotence.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use supervision::{App, DrainOutcome, EventKind, Phase, RoleStatus, StopOutcome, supervision};
use supervision_tests::{DrainScript, Log, Probe, Script, kinds, ms, role_kinds, rows, secs};

/// Never returns by itself, whatever it is asked.
fn stubborn(probe: &Probe) -> Script {
    let probe = probe.clone();
    Script::new(move |cx| {
        let guard = probe.enter(cx.role());
        async move {
            let _guard = guard;
            std::future::pending::<()>().await;
            Ok(())
        }
    })
}

supervision! {
    app Tree {
        store: Script,
        reader: Script { depends_on: [store] },
        writer: Script { depends_on: [store] },
        clock: Script,
    }
}

#[tokio::test(start_paused = true)]
async fn a_role_stops_after_its_dependents_and_independent_roles_stop_concurrently() {
    let probe = Probe::default();
    let app = Tree {
        store: probe.lingering(ms(500)),
        reader: probe.lingering(secs(1)),
        writer: probe.lingering(secs(2)),
        clock: probe.lingering(secs(3)),
    };
    let handle = app.start().await.expect("starts");
    let report = handle.shutdown().await;
    assert_eq!(
        rows(&report),
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

supervision! {
    app Stubborn {
        shutdown_timeout: 3s,
        base: Script,
        hold: Script { depends_on: [base], stop: [release_lease, stop(1s)] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_child_ignoring_cancellation_is_aborted_after_its_stop_timeout() {
    let probe = Probe::default();
    let app = Stubborn {
        base: probe.lingering(ms(100)),
        hold: stubborn(&probe),
    };
    let handle = app.start().await.expect("starts");
    let report = handle.shutdown().await;
    assert_eq!(
        rows(&report),
        vec![
            (StubbornRole::Hold, StopOutcome::Aborted, secs(1)),
            (StubbornRole::Base, StopOutcome::Graceful, ms(100)),
        ]
    );
    assert_eq!(probe.live(), 0, "the aborted incarnation was dropped");
}

supervision! {
    app Deadline {
        shutdown_timeout: 3s,
        base: Script,
        hold: Script { depends_on: [base], stop: [stop(10s)] },
        other: Script,
    }
}

#[tokio::test(start_paused = true)]
async fn the_shutdown_timeout_aborts_whatever_is_left() {
    let probe = Probe::default();
    let begun = tokio::time::Instant::now();
    let app = Deadline {
        base: probe.lingering(ms(100)),
        hold: stubborn(&probe),
        other: probe.lingering(ms(100)),
    };
    let handle = app.start().await.expect("starts");
    let report = handle.shutdown().await;
    assert_eq!(begun.elapsed(), secs(3));
    assert_eq!(
        rows(&report),
        vec![
            (DeadlineRole::Other, StopOutcome::Graceful, ms(100)),
            (DeadlineRole::Hold, StopOutcome::Aborted, secs(3)),
            // Still waiting for `hold` when the deadline came: aborted without its turn.
            (DeadlineRole::Base, StopOutcome::Aborted, Duration::ZERO),
        ]
    );
    assert_eq!(probe.live(), 0);
}

supervision! {
    app Drained {
        source: Script { restart: permanent(3 per 60s, backoff: none) },
        queue: DrainScript {
            depends_on: [source],
            ready: signaled(1s),
            stop: [drain(1s, resume_state), release_lease, stop(1s)],
        },
    }
}

#[tokio::test(start_paused = true)]
async fn drained_state_is_handed_to_the_next_incarnation() {
    let log = Log::default();
    let runs = Arc::new(AtomicU64::new(0));
    let source = Script::new(move |cx| {
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
    let queue = DrainScript::new(
        move |cx| {
            let log = run_log.clone();
            async move {
                // The state comes back as the type `drain` returned (the
                // script's is JSON), typed, not re-read from text.
                let resumed: Option<serde_json::Value> = cx.resume_state();
                let resumed = resumed.map(|state| state.to_string());
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
    let handle = Drained { source, queue }.start().await.expect("starts");
    tokio::time::sleep(secs(3)).await;
    assert_eq!(
        log.lines(),
        ["run 0 resumed None", "run 1 resumed Some(\"[0,7,9]\")"]
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
    let queue = DrainScript::never_drains();
    let handle = Drained {
        source: Script::until_stopped(),
        queue,
    }
    .start()
    .await
    .expect("starts");
    let report = handle.shutdown().await;
    let queue = report.role(DrainedRole::Queue).expect("listed");
    assert_eq!(queue.drain, Some(DrainOutcome::TimedOut));
    assert_eq!(queue.outcome, StopOutcome::Graceful);
    assert_eq!(queue.duration, secs(1));
}

supervision! {
    app Leased {
        registry: Script,
        worker: Script { depends_on: [registry], stop: [release_lease, stop(5s)] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_lease_is_held_while_ready_and_released_before_the_stop() {
    let probe = Probe::default();
    let handle = Leased {
        registry: Script::until_stopped(),
        worker: probe.lingering(secs(2)),
    }
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
    assert_eq!(state.phase, Phase::ShuttingDown);
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
        .filter_map(|e| match &e.kind {
            EventKind::LeaseReleased { lease } => Some((lease.to_string(), e.at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        released,
        vec![
            ("worker".to_owned(), ms(0)),
            ("registry".to_owned(), secs(2))
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_is_idempotent() {
    let probe = Probe::default();
    let handle = Tree {
        store: probe.lingering(ms(10)),
        reader: probe.lingering(ms(20)),
        writer: probe.lingering(ms(30)),
        clock: probe.lingering(ms(40)),
    }
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
