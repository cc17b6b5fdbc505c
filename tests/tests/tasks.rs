//! Tasks: nothing outlives `join`, and a large app starts and stops correctly.

use std::sync::OnceLock;
use std::time::Duration;

use supervision::__private::{ErasedService, service};
use supervision::{App, AppSpec, Options, Phase, RoleStatus, StopOutcome, supervision};
use supervision_tests::{DrainScript, Probe, Script, ms, tree};

supervision! {
    app Mixed {
        strategy: one_for_one,
        base: Script,
        stubborn: Script { depends_on: [base], stop: [stop(1s)] },
        drainer: DrainScript { depends_on: [base], stop: [drain(500ms), stop(1s)] },
        flaky: Script { restart: permanent(100 per 1s, backoff: fixed(50ms)) },
    }
}

/// A service body as a plain function, so several can share `counted`.
type Body = fn(
    supervision::Context,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), supervision::BoxError>> + Send>,
>;

/// Runs `body`, counted by the probe while the incarnation lives.
fn counted(probe: &Probe, body: Body) -> Script {
    let probe = probe.clone();
    Script::new(move |cx| {
        let guard = probe.enter(cx.role());
        let fut = body(cx);
        async move {
            let _guard = guard;
            fut.await
        }
    })
}

#[tokio::test(start_paused = true)]
async fn no_task_is_left_running_after_join() {
    let probe = Probe::default();
    let base = counted(&probe, |cx| {
        Box::pin(async move {
            cx.stop_requested().await;
            Ok(())
        })
    });
    let stubborn = counted(&probe, |_| Box::pin(std::future::pending()));
    let drain_probe = probe.clone();
    let drainer = DrainScript::new(
        move |cx| {
            let guard = drain_probe.enter("drainer");
            async move {
                let _guard = guard;
                cx.stop_requested().await;
                Ok(())
            }
        },
        |_| async {
            std::future::pending::<()>().await;
            Ok(serde_json::Value::Null)
        },
    );
    let flaky = counted(&probe, |_| {
        Box::pin(async {
            tokio::time::sleep(ms(20)).await;
            panic!("flaky")
        })
    });
    let handle = Mixed {
        base,
        stubborn,
        drainer,
        flaky,
    }
    .start()
    .await
    .expect("starts");
    tokio::time::sleep(ms(500)).await;
    assert_eq!(probe.live(), 4);
    let report = handle.shutdown().await;
    assert_eq!(
        report.outcome(MixedRole::Stubborn),
        Some(StopOutcome::Aborted)
    );
    assert_eq!(
        report
            .role(MixedRole::Drainer)
            .and_then(|r| r.drain.clone()),
        Some(supervision::DrainOutcome::TimedOut)
    );
    handle
        .join()
        .await
        .expect("a requested shutdown ends with Ok");
    assert_eq!(probe.live(), 0, "every incarnation was dropped");
    assert!(probe.total() > 10, "flaky was restarted many times");
    let alive = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    assert_eq!(alive, 0, "no service, drain or supervisor task is left");
}

const NODES: usize = supervision_tests::TREE_NODES;

#[tokio::test(start_paused = true)]
async fn ten_thousand_roles_start_in_dependency_order_and_stop_dependents_first() {
    let wall = std::time::Instant::now();
    let handle = tree()
        .start_with(Options::default().journal_capacity(100_000))
        .await
        .expect("starts");
    let state = handle.state();
    assert_eq!(state.phase, Phase::Running);
    assert!(state.roles.iter().all(|r| r.status == RoleStatus::Ready));
    let started = wall.elapsed();
    let report = handle.shutdown().await;
    assert_eq!(report.roles.len(), NODES);
    assert!(
        report
            .roles
            .iter()
            .all(|r| r.outcome == StopOutcome::Graceful)
    );
    assert_eq!(report.duration, Duration::ZERO);
    eprintln!(
        "10k roles: started in {started:?}, stopped in {:?} (wall clock)",
        wall.elapsed() - started
    );
    // Each node stopped before its parent, and started after it.
    let log = handle.events();
    assert_eq!(log.dropped, 0);
    let mut started_at = vec![u64::MAX; NODES];
    let mut stopped_at = vec![u64::MAX; NODES];
    for e in &log.events {
        let Some(node) = e.role else { continue };
        match e.kind {
            supervision::EventKind::Starting => started_at[node.index()] = e.seq,
            supervision::EventKind::Stopped { .. } => stopped_at[node.index()] = e.seq,
            _ => {}
        }
    }
    for i in 1..NODES {
        let parent = (i - 1) / 2;
        assert!(started_at[parent] < started_at[i]);
        assert!(stopped_at[i] < stopped_at[parent]);
    }
}

/// A hand-built spec whose stop list lacks the final `stop` (the macro refuses one).
struct NoStop(Vec<ErasedService>);

impl App for NoStop {
    type Role = supervision_tests::Lone;
    fn spec() -> &'static AppSpec<Self::Role> {
        static SPEC: OnceLock<&'static AppSpec<supervision_tests::Lone>> = OnceLock::new();
        SPEC.get_or_init(|| {
            let def = supervision_tests::RoleDef {
                stop: vec![supervision::StopAction::ReleaseLease],
                ..Default::default()
            };
            supervision_tests::unchecked("NoStop", def)
        })
    }
    fn into_services(self) -> Vec<ErasedService> {
        self.0
    }
}

#[tokio::test(start_paused = true)]
async fn a_stop_list_without_stop_still_stops_the_incarnation() {
    let probe = Probe::default();
    let handle = NoStop(vec![service(probe.lingering(ms(100)))])
        .start()
        .await
        .expect("starts");
    let report = handle.shutdown().await;
    assert_eq!(report.roles[0].outcome, StopOutcome::Graceful);
    assert_eq!(report.roles[0].duration, ms(100));
    assert_eq!(probe.live(), 0);
}
