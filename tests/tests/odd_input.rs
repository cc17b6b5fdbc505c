//! Odd options and odd calls through the public API: each works or returns a
//! typed error, and nothing panics inside the supervisor (a panic there would
//! end `join` with `AppError::SupervisorLost`).

use std::sync::OnceLock;
use std::time::Duration;

use supervision::__private::{ErasedService, service};
use supervision::{
    App, AppError, AppSpec, Backoff, Budget, Builder, Cause, EventKind, Options, Phase, Readiness,
    RestartPolicy, RoleId, StopAction, StopOutcome, supervision,
};
use supervision_tests::{Probe, RoleDef, Script, rows, secs};

supervision! {
    app Pair {
        db: Script { ready: signaled(1s) },
        api: Script { depends_on: [db] },
    }
}

/// `db` signals twice (the second does nothing); both serve until stopped.
fn pair(probe: &Probe) -> Pair {
    let counted = probe.clone();
    Pair {
        db: Script::new(move |cx| {
            let guard = counted.enter(cx.role());
            async move {
                let _guard = guard;
                cx.ready();
                cx.ready();
                cx.stop_requested().await;
                Ok(())
            }
        }),
        api: probe.lingering(Duration::ZERO),
    }
}

fn graceful() -> Vec<(PairRole, StopOutcome)> {
    vec![
        (PairRole::Api, StopOutcome::Graceful),
        (PairRole::Db, StopOutcome::Graceful),
    ]
}

fn outcomes(report: &supervision::ShutdownReport<PairRole>) -> Vec<(PairRole, StopOutcome)> {
    rows(report).into_iter().map(|(r, o, _)| (r, o)).collect()
}

#[tokio::test(start_paused = true)]
async fn zero_capacities_are_raised_to_one() {
    let probe = Probe::default();
    let options = Options::default()
        .journal_capacity(0)
        .subscriber_capacity(0);
    let handle = pair(&probe).start_with(options).await.expect("starts");
    let mut live = handle.subscribe();
    let report = handle.shutdown().await;
    assert_eq!(outcomes(&report), graceful());
    // The journal keeps one event and counts the rest as dropped.
    let log = handle.events();
    assert_eq!(log.events.len(), 1);
    assert_eq!(log.events[0].kind, EventKind::ShutdownCompleted);
    assert_eq!(log.dropped, log.events[0].seq);
    // A subscriber that fell behind a channel of one is told how far.
    assert!(matches!(
        live.recv().await,
        Err(tokio::sync::broadcast::error::RecvError::Lagged(_))
    ));
    assert_eq!(probe.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn huge_capacities_work_without_allocating_them() {
    let probe = Probe::default();
    let options = Options::default()
        .journal_capacity(usize::MAX)
        .subscriber_capacity(usize::MAX);
    let handle = pair(&probe).start_with(options).await.expect("starts");
    let mut events = handle.follow();
    assert_eq!(outcomes(&handle.shutdown().await), graceful());
    let log = handle.events();
    assert_eq!(log.dropped, 0);
    let mut followed = 0;
    while let Ok(e) = events.recv().await {
        assert_eq!(e.seq, followed);
        followed += 1;
        if e.kind == EventKind::ShutdownCompleted {
            break;
        }
    }
    assert_eq!(followed, log.events.len() as u64);
}

#[tokio::test(start_paused = true)]
async fn any_jitter_seed_works() {
    for seed in [0, 1, u64::MAX] {
        let handle = Flaky::app()
            .start_with(Options::default().jitter_seed(seed))
            .await
            .expect("starts");
        tokio::time::sleep(secs(5)).await;
        let restarts = handle
            .events()
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::RestartScheduled { .. }))
            .count();
        assert_eq!(restarts, 1, "seed {seed}");
        handle.shutdown().await;
    }
}

#[tokio::test(start_paused = true)]
async fn concurrent_shutdowns_and_joins_return_one_report() {
    let probe = Probe::default();
    let handle = pair(&probe).start().await.expect("starts");
    let callers: Vec<_> = (0..64)
        .map(|i| {
            let handle = handle.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    Ok(handle.shutdown().await)
                } else {
                    handle.join().await
                }
            })
        })
        .collect();
    handle.request_shutdown();
    let first = handle.shutdown().await;
    assert_eq!(outcomes(&first), graceful());
    for caller in callers {
        let report = caller
            .await
            .expect("no caller panics")
            .expect("a clean end");
        assert_eq!(report, first);
    }
    // After the end: join, shutdown and a request answer the same, at once.
    handle.request_shutdown();
    assert_eq!(handle.join().await.expect("a clean end"), first);
    assert_eq!(handle.shutdown().await, first);
    let requests = handle
        .events()
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::ShutdownRequested { .. }))
        .count();
    assert_eq!(requests, 1);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_handle_leaves_the_app_running() {
    let probe = Probe::default();
    let handle = pair(&probe).launch();
    let kept = handle.clone();
    drop(handle);
    kept.started().await.expect("starts");
    tokio::time::sleep(secs(3600)).await;
    assert_eq!(kept.state().phase, Phase::Running);
    assert_eq!(probe.live(), 2);
    assert_eq!(outcomes(&kept.shutdown().await), graceful());
    // Every handle dropped: the app still runs, as documented.
    let alone = pair(&probe).start().await.expect("starts");
    drop(alone);
    tokio::time::sleep(secs(3600)).await;
    assert_eq!(probe.live(), 2);
}

#[test]
fn an_app_runs_in_a_current_thread_runtime_built_by_hand() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let probe = Probe::default();
    let report = runtime.block_on(async {
        let handle = pair(&probe).start().await.expect("starts");
        handle.shutdown().await
    });
    assert_eq!(outcomes(&report), graceful());
    assert_eq!(probe.live(), 0);
}

/// An app whose every duration is `Duration::MAX` (the macro accepts up to
/// `u64::MAX` hours, more than a `Duration` holds), or which is given too few
/// services: its spec comes from the builder, its services from the test.
struct Flaky(Vec<ErasedService>);

static FLAKY_SPEC: OnceLock<&'static AppSpec<RoleId>> = OnceLock::new();

impl Flaky {
    /// Role 0 fails once, 1s after it is ready; role 1 depends on it.
    fn app() -> Self {
        let fails_once = Script::new(|cx| async move {
            cx.ready();
            if cx.incarnation() == 0 {
                tokio::time::sleep(secs(1)).await;
                return Err("flaky".into());
            }
            cx.stop_requested().await;
            Ok(())
        });
        let steady = Script::new(|cx| async move {
            cx.ready();
            cx.stop_requested().await;
            Ok(())
        });
        Flaky(vec![service(fails_once), service(steady)])
    }
}

impl App for Flaky {
    type Role = RoleId;
    fn spec() -> &'static AppSpec<RoleId> {
        FLAKY_SPEC.get_or_init(|| {
            let huge = RoleDef {
                optional: false,
                restart: RestartPolicy::Permanent {
                    budget: Budget {
                        max_restarts: u32::MAX,
                        window: Duration::MAX,
                    },
                    backoff: Backoff::Exponential {
                        min: Duration::from_millis(1),
                        max: Duration::MAX,
                    },
                },
                ready: Readiness::Signaled {
                    timeout: Duration::MAX,
                },
                stop: vec![
                    StopAction::ReleaseLease,
                    StopAction::Stop {
                        timeout: Duration::MAX,
                    },
                ],
                watchdog: None,
            };
            let mut app = Builder::new("Flaky");
            app.intensity(Budget {
                max_restarts: u32::MAX,
                window: Duration::MAX,
            })
            .shutdown_timeout(Duration::MAX);
            huge.declare(app.role("node_0", Script::until_stopped()));
            huge.declare(app.role("node_1", Script::until_stopped()))
                .depends_on(["node_0"]);
            app.build().expect("valid").spec()
        })
    }
    fn into_services(self) -> Vec<ErasedService> {
        self.0
    }
}

#[tokio::test(start_paused = true)]
async fn durations_at_their_maximum_work() {
    // Deadlines beyond any `Instant` saturate; the restart's backoff is the
    // exponential minimum, its budgets never run out.
    let handle = Flaky::app().start().await.expect("starts");
    tokio::time::sleep(secs(86_400)).await;
    let first: Vec<_> = handle
        .events()
        .role(Flaky::spec().roles()[0])
        .cloned()
        .collect();
    let kinds: Vec<String> = supervision_tests::kinds(&first)
        .into_iter()
        .map(|(_, kind)| kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "starting",
            "ready",
            "failed",
            "lease_released",
            "restart_scheduled",
            "starting",
            "ready"
        ]
    );
    let report = handle.shutdown().await;
    assert_eq!(
        rows(&report)
            .into_iter()
            .map(|(role, outcome, _)| (role.index(), outcome))
            .collect::<Vec<_>>(),
        [(1, StopOutcome::Graceful), (0, StopOutcome::Graceful)]
    );
}

#[tokio::test(start_paused = true)]
async fn too_few_services_is_a_typed_start_error() {
    let Flaky(mut services) = Flaky::app();
    services.pop();
    let error = Flaky(services).start().await.expect_err("cannot start");
    assert!(matches!(error.cause, Cause::Misconfigured(_)), "{error}");
    assert_eq!(
        error.to_string(),
        "role `node_0` could not start: misconfigured: the app provided 1 services for 2 roles"
    );
    let handle = Flaky(Vec::new()).launch();
    assert!(matches!(
        handle.join().await,
        Err(AppError::Start(e)) if matches!(e.cause, Cause::Misconfigured(_))
    ));
}
