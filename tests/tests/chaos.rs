//! Whatever services do (return, fail, panic, hang, ignore cancellation, linger),
//! the supervisor loses no exit, never overlaps incarnations, always ends, and
//! leaves no task behind. Behaviours are pseudo-random from fixed seeds.

use std::collections::HashMap;

use std::future::Future;

use supervision::{
    AppSpec, Backoff, BoxError, Budget, Builder, BuiltApp, Context, EventKind, Readiness,
    RestartPolicy, RoleId, StopAction, Strategy,
};
use supervision_tests::{DrainScript, Probe, RoleDef, Script, mix, ms, secs};

const ROLES: usize = 48;

const STRATEGIES: [Strategy; 3] = [
    Strategy::RestForOne,
    Strategy::OneForOne,
    Strategy::OneForAll,
];

fn def(i: usize) -> RoleDef {
    let restart = match i % 5 {
        0 => RestartPolicy::Transient {
            budget: Budget {
                max_restarts: 3,
                window: secs(5),
            },
            backoff: Backoff::DEFAULT,
        },
        1 => RestartPolicy::Temporary,
        _ => RestartPolicy::DEFAULT,
    };
    let ready = if i.is_multiple_of(9) && i % 5 <= 1 {
        Readiness::Completed { timeout: secs(1) }
    } else if i.is_multiple_of(4) {
        Readiness::Signaled { timeout: secs(1) }
    } else {
        Readiness::Spawned
    };
    let stop = if drains(i) {
        vec![
            StopAction::Drain {
                timeout: ms(500),
                resume_state: true,
            },
            StopAction::ReleaseLease,
            StopAction::Stop { timeout: secs(1) },
        ]
    } else {
        StopAction::DEFAULT.to_vec()
    };
    RoleDef {
        optional: i >= 36,
        restart,
        ready,
        stop,
        watchdog: None,
    }
}

fn drains(i: usize) -> bool {
    i.is_multiple_of(3)
}

/// Each node depends on up to two earlier nodes; nodes from 36 on are optional;
/// policies, readiness and stop lists vary by node; `strategy` is one of
/// [`STRATEGIES`]. Behaviours are drawn from `seed`.
fn chaos(strategy: Strategy, seed: u64, probe: &Probe) -> BuiltApp {
    let mut app = Builder::new("Chaos");
    app.strategy(strategy).intensity(Budget {
        max_restarts: 40,
        window: secs(10),
    });
    for i in 0..ROLES {
        let probe = probe.clone();
        let job = matches!(def(i).ready, Readiness::Completed { .. });
        let run = move |cx| behaviour(seed, job, probe.clone(), cx);
        let name = format!("node_{i}");
        let role = if drains(i) {
            app.draining_role(
                name,
                DrainScript::new(run, move |cx| {
                    let h = draw(seed ^ 0xd7a1, &cx);
                    async move {
                        match h % 4 {
                            0 => Ok(serde_json::json!(cx.incarnation())),
                            1 => {
                                tokio::time::sleep(secs(2)).await;
                                Ok(serde_json::Value::Null)
                            }
                            2 => Err("drain failed".into()),
                            _ => panic!("chaos"),
                        }
                    }
                }),
            )
        } else {
            app.role(name, Script::new(run))
        };
        let role = def(i).declare(role);
        if i > 0 {
            let h = mix(i as u64);
            let first = (h % i as u64) as usize;
            let second = ((h >> 32) % i as u64) as usize;
            let mut deps = vec![format!("node_{first}")];
            if h.is_multiple_of(3) && second != first {
                deps.push(format!("node_{second}"));
            }
            role.depends_on(deps);
        }
    }
    app.build().expect("the chaos app is valid")
}

/// Every role that depends on `role`, directly or not.
fn dependents(spec: &AppSpec<RoleId>, role: RoleId) -> Vec<RoleId> {
    let mut out: Vec<RoleId> = Vec::new();
    let mut queue = vec![role];
    while let Some(r) = queue.pop() {
        for &d in spec.dependents(r) {
            if !out.contains(&d) {
                out.push(d);
                queue.push(d);
            }
        }
    }
    out
}

fn draw(seed: u64, cx: &Context) -> u64 {
    let role = cx.role().bytes().fold(0u64, |h, b| mix(h ^ u64::from(b)));
    mix(seed ^ mix(role) ^ mix(cx.incarnation()))
}

/// One incarnation's behaviour, drawn from (seed, role, incarnation).
fn behaviour(
    seed: u64,
    job: bool,
    probe: Probe,
    cx: Context,
) -> impl Future<Output = Result<(), BoxError>> {
    let guard = probe.enter(cx.role());
    let h = draw(seed, &cx);
    let signal = ms(h % 350);
    // Failures mostly come after the start phase, so both phases see them.
    let delay = ms(200 + (h >> 4) % 2800);
    let linger = ms((h >> 16) % 3000);
    async move {
        let _guard = guard;
        if !(h >> 8).is_multiple_of(100) {
            // Signaled roles mostly signal in time; the others ignore it.
            tokio::time::sleep(signal).await;
            cx.ready();
        }
        // One-shot jobs mostly complete at once.
        if job && !(h >> 24).is_multiple_of(20) {
            return Ok(());
        }
        match (h >> 40) % 12 {
            0 => {
                tokio::time::sleep(delay).await;
                Ok(())
            }
            1 => {
                tokio::time::sleep(delay).await;
                Err("chaos".into())
            }
            2 => {
                tokio::time::sleep(delay).await;
                panic!("chaos")
            }
            3 => std::future::pending().await,
            4 | 5 => {
                cx.stop_requested().await;
                tokio::time::sleep(linger).await;
                Ok(())
            }
            _ => {
                cx.stop_requested().await;
                Ok(())
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_supervisor_survives_any_behaviour_and_loses_no_exit() {
    // Keep the output readable: the services' own panics are expected.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"chaos") {
            default_hook(info);
        }
    }));
    let mut outcomes = HashMap::new();
    for seed in 0..12u64 {
        for strategy in STRATEGIES {
            run_seed(strategy, seed, &mut outcomes).await;
        }
    }
    eprintln!("endings: {outcomes:?}");
    // The seeds exercise more than one ending.
    assert!(outcomes.len() >= 2, "{outcomes:?}");
}

/// Runs one app to its end and checks what must hold whatever happened.
async fn run_seed(strategy: Strategy, seed: u64, outcomes: &mut HashMap<&'static str, u32>) {
    // With `one_for_one` a dependency restarts under running dependents by design.
    let ordered = strategy != Strategy::OneForOne;
    let probe = Probe::default();
    let app = chaos(strategy, seed, &probe);
    let spec = app.spec();
    let ended = match app.start().await {
        Err(e) => {
            assert_eq!(e.report.roles.len(), ROLES);
            *outcomes.entry("start failed").or_insert(0) += 1;
            None
        }
        Ok(handle) => {
            tokio::time::sleep(secs(20)).await;
            let stopper = handle.clone();
            let shutdown = tokio::spawn(async move { stopper.shutdown().await });
            let joined = tokio::time::timeout(secs(3600), handle.join())
                .await
                .expect("the app always ends");
            let report = shutdown.await.expect("shutdown returns");
            let key = if joined.is_ok() {
                "shut down"
            } else {
                "escalated"
            };
            *outcomes.entry(key).or_insert(0) += 1;
            // `shutdown` returns the same report, however the app ended.
            let ended = match &joined {
                Ok(r) => r,
                Err(e) => e.report().expect("an escalation has a report"),
            };
            assert_eq!(&report, ended);
            assert_eq!(report.roles.len(), ROLES);
            Some(handle.events())
        }
    };
    assert_eq!(
        probe.live(),
        0,
        "seed {seed}: an incarnation outlived the app"
    );
    for i in 0..ROLES {
        let name = spec.roles()[i].name();
        assert!(probe.max_live(name) <= 1, "seed {seed}: {name} overlapped");
    }
    let Some(log) = ended else { return };
    assert_eq!(log.dropped, 0);
    // Once the shutdown is requested nothing starts or is scheduled again.
    let requested = log
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::ShutdownRequested { .. }))
        .expect("every app that started shuts down");
    assert!(
        log.events[requested..].iter().all(|e| !matches!(
            e.kind,
            EventKind::Starting | EventKind::RestartScheduled { .. }
        )),
        "seed {seed}: a start after the shutdown request"
    );
    let requests = log
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::ShutdownRequested { .. }))
        .count();
    assert_eq!(requests, 1);
    for (i, e) in log.events.iter().enumerate() {
        assert_eq!(e.seq, i as u64, "seed {seed}: gap in the event sequence");
    }
    assert_eq!(
        log.events.last().map(|e| e.kind.clone()),
        Some(EventKind::ShutdownCompleted)
    );
    // Every incarnation that started has an end event, and numbers follow on;
    // no role starts again while a role depending on it still runs (rest_for_one).
    let mut open: HashMap<RoleId, (u64, bool)> = HashMap::new();
    for e in &log.events {
        // App-wide events (the shutdown's) belong to no incarnation.
        let (Some(role), Some(inc)) = (e.role, e.incarnation) else {
            continue;
        };
        match e.kind {
            EventKind::Starting => {
                for d in dependents(spec, role).into_iter().filter(|_| ordered) {
                    let running = open.get(&d).is_some_and(|&(_, ended)| !ended);
                    assert!(!running, "seed {seed}: {role} restarted under running {d}");
                }
                if let Some(&(last, ended)) = open.get(&role) {
                    assert!(
                        ended,
                        "seed {seed}: {role} restarted before incarnation {last} ended"
                    );
                    assert_eq!(inc, last + 1);
                } else {
                    assert_eq!(inc, 0);
                }
                open.insert(role, (inc, false));
            }
            EventKind::Exited
            | EventKind::Failed { .. }
            | EventKind::Panicked { .. }
            | EventKind::Stopped { .. } => {
                if let Some(entry) = open.get_mut(&role) {
                    entry.1 = true;
                }
            }
            _ => {}
        }
    }
    for (role, (inc, ended)) in open {
        assert!(
            ended,
            "seed {seed}: the end of {role} incarnation {inc} was lost"
        );
    }
    assert_eq!(
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks(),
        0
    );
}
