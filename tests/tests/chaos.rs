//! Whatever services do (return, fail, panic, hang, ignore cancellation, linger),
//! the supervisor loses no exit, never overlaps incarnations, always ends, and
//! leaves no task behind. Behaviours are pseudo-random from fixed seeds.

use std::collections::HashMap;
use std::sync::OnceLock;

use std::future::Future;

use supervision::__private::{ErasedService, drain_service, service};
use supervision::{
    App, AppSpec, Backoff, BoxError, Budget, Context, EventKind, Readiness, RestartPolicy, Role,
    StopAction, Strategy,
};
use supervision_tests::{DrainScript, Probe, RoleDef, Script, SpecBuilder, mix, ms, secs};

const ROLES: usize = 48;
type Node = supervision_tests::Node<ROLES>;

/// Each node depends on up to two earlier nodes; nodes from 36 on are optional;
/// policies, readiness and stop lists vary by node; `S` picks the strategy.
struct Chaos<const S: usize>(Vec<ErasedService>);

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

impl<const S: usize> App for Chaos<S> {
    type Role = Node;
    fn spec() -> &'static AppSpec<Node> {
        static SPECS: [OnceLock<&'static AppSpec<Node>>; 3] = [const { OnceLock::new() }; 3];
        SPECS[S].get_or_init(|| {
            let mut builder = SpecBuilder::<Node>::new()
                .strategy(STRATEGIES[S])
                .intensity(Some(Budget {
                    max_restarts: 40,
                    window: secs(10),
                }));
            for i in 0..ROLES {
                builder = builder.define(Node::from_index(i), def(i));
            }
            for i in 1..ROLES {
                let h = mix(i as u64);
                let mut deps = vec![Node::from_index((h % i as u64) as usize)];
                let second = Node::from_index(((h >> 32) % i as u64) as usize);
                if h.is_multiple_of(3) && !deps.contains(&second) {
                    deps.push(second);
                }
                builder = builder.depends_on(Node::from_index(i), &deps);
            }
            builder.build("Chaos")
        })
    }
    fn into_services(self) -> Vec<ErasedService> {
        self.0
    }
}

/// Every role that depends on `role`, directly or not.
fn dependents(spec: &AppSpec<Node>, role: Node) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
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

fn services(seed: u64, probe: &Probe) -> Vec<ErasedService> {
    (0..ROLES)
        .map(|i| {
            let probe = probe.clone();
            let job = matches!(def(i).ready, Readiness::Completed { .. });
            let run = move |cx| behaviour(seed, job, probe.clone(), cx);
            if drains(i) {
                drain_service(DrainScript::new(run, move |cx| {
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
                }))
            } else {
                service(Script::new(run))
            }
        })
        .collect()
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
        run_seed::<0>(seed, &mut outcomes).await;
        run_seed::<1>(seed, &mut outcomes).await;
        run_seed::<2>(seed, &mut outcomes).await;
    }
    eprintln!("endings: {outcomes:?}");
    // The seeds exercise more than one ending.
    assert!(outcomes.len() >= 2, "{outcomes:?}");
}

/// Runs one app to its end and checks what must hold whatever happened.
async fn run_seed<const S: usize>(seed: u64, outcomes: &mut HashMap<&'static str, u32>) {
    let spec = Chaos::<S>::spec();
    // With `one_for_one` a dependency restarts under running dependents by design.
    let ordered = STRATEGIES[S] != Strategy::OneForOne;
    let probe = Probe::default();
    let ended = match Chaos::<S>(services(seed, &probe)).start().await {
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
        let name = Node::from_index(i).name();
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
    let mut open: HashMap<Node, (u64, bool)> = HashMap::new();
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
