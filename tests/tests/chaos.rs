//! Whatever services do (return, fail, panic, hang, ignore cancellation, linger),
//! the supervisor loses no exit, never overlaps incarnations, always ends, and
//! leaves no task behind. Behaviours are pseudo-random from fixed seeds.

use std::collections::HashMap;
use std::sync::OnceLock;

use supervision::__private::{ErasedService, service};
use supervision::{App, AppSpec, EventKind, Role};
use supervision_tests::{Probe, Script, SpecBuilder, ms, secs};

const ROLES: usize = 48;
type Node = supervision_tests::Node<ROLES>;

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Each node depends on up to two earlier nodes (fixed for every seed).
struct Chaos(Vec<ErasedService>);

impl App for Chaos {
    type Role = Node;
    fn spec() -> &'static AppSpec<Node> {
        static SPEC: OnceLock<&'static AppSpec<Node>> = OnceLock::new();
        SPEC.get_or_init(|| {
            let mut builder = SpecBuilder::<Node>::new();
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
fn dependents(role: Node) -> Vec<Node> {
    let spec = Chaos::spec();
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

/// One incarnation's behaviour, drawn from (seed, role, incarnation).
fn script(seed: u64, probe: &Probe) -> Script {
    let probe = probe.clone();
    Script::new(move |cx| {
        let guard = probe.enter(cx.role());
        let h = mix(seed
            ^ mix(cx.role().len() as u64 ^ (cx.role().as_ptr() as u64))
            ^ mix(cx.incarnation()));
        let delay = ms(h % 700);
        let linger = ms((h >> 16) % 3000);
        async move {
            let _guard = guard;
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
    })
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
    for seed in 0..24u64 {
        let probe = Probe::default();
        let services = (0..ROLES).map(|_| service(script(seed, &probe))).collect();
        let ended = match Chaos(services).start().await {
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
        let Some(log) = ended else { continue };
        assert_eq!(log.dropped, 0);
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
            let (Some(role), Some(inc)) = (e.role, e.incarnation) else {
                continue;
            };
            match e.kind {
                EventKind::Starting => {
                    for d in dependents(role) {
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
    eprintln!("endings: {outcomes:?}");
    // The seeds exercise more than one ending.
    assert!(outcomes.len() >= 2, "{outcomes:?}");
}
