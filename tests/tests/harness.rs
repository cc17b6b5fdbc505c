//! `supervision::testing` as a user's tests would use it: one service under a
//! context the test controls, and a whole app of scripted roles.

use supervision::testing::{Harness, Script};
use supervision::{App, BoxError, Context, EventKind, HandleError, Provide, Service, supervision};
use supervision_tests::{ms, role_kinds, secs};

/// Resumes what the previous incarnation drained, and publishes how many
/// jobs it holds.
struct Queue;

impl Provide for Queue {
    type Handle = usize;
}

impl Service for Queue {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let jobs: Vec<u64> = cx.resume_state().unwrap_or_default();
        cx.ready_with(self, jobs.len())?;
        cx.stop_requested().await;
        Ok(())
    }
}

/// Needs the queue's count, and says so if it cannot have it.
struct Reporter;

impl Service for Reporter {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        match cx.deps(office::reporter)?.get(office::queue) {
            Ok(jobs) if jobs > 0 => {
                cx.ready();
                cx.stop_requested().await;
                Ok(())
            }
            Ok(_) => Err("nothing to report".into()),
            Err(e) => Err(e.into()),
        }
    }
}

supervision! {
    app Office {
        queue: Queue { ready: signaled(1s) },
        optional reporter: Reporter { depends_on: [queue], ready: signaled(1s) },
    }
}

#[tokio::test(start_paused = true)]
async fn a_service_runs_alone_with_the_resume_state_and_incarnation_the_test_gives() {
    let mut queue = Harness::new(office::queue)
        .incarnation(3)
        .resume_state(vec![7_u64, 8, 9])
        .start(Queue);
    queue.ready().await.expect("ready");
    assert!(queue.is_ready());
    assert_eq!(queue.published::<Queue>(), Some(3));
    queue.stop();
    queue.join().await.expect("a clean stop");
}

#[tokio::test(start_paused = true)]
async fn a_dependent_runs_alone_with_the_handles_the_test_gives() {
    let mut reporter = Harness::new(office::reporter)
        .dependency(office::queue, 2)
        .start(Reporter);
    reporter.ready().await.expect("ready with two jobs");
    reporter.stop();
    reporter.join().await.expect("a clean stop");

    let mut idle = Harness::new(office::reporter)
        .dependency(office::queue, 0)
        .start(Reporter);
    let ended = idle.ready().await.expect_err("ends first");
    assert_eq!(
        ended.to_string(),
        "the service failed before it was ready: nothing to report"
    );

    let mut orphan = Harness::new(office::reporter)
        .disabled(office::queue)
        .start(Reporter);
    let ended = orphan.ready().await.expect_err("ends first");
    let error = ended.0.expect_err("failed");
    assert_eq!(
        error.downcast_ref::<HandleError>(),
        Some(&HandleError::Disabled {
            role: "queue".to_owned()
        })
    );

    let mut alone = Harness::new(office::reporter).start(Reporter);
    assert!(alone.ready().await.is_err(), "no queue published");
}

#[tokio::test(start_paused = true)]
async fn a_service_given_the_wrong_role_gets_a_typed_error_and_a_panic_comes_back_as_one() {
    // `Reporter` reads `office::reporter`'s dependencies: as `queue` it is refused.
    let wrong = Harness::new(office::queue).start(Reporter);
    let error = wrong.join().await.expect_err("not its role");
    assert_eq!(
        error.to_string(),
        "`reporter` was used with the context of `queue`"
    );

    let panics = Harness::new(office::queue).start(Script::panics(ms(5), "boom"));
    assert_eq!(
        panics.join().await.map_err(|e| e.to_string()),
        Err("panicked: boom".to_owned())
    );
}

supervision! {
    app Scripted {
        strategy: one_for_one,
        db: Script { restart: permanent(3 per 60s, backoff: fixed(100ms)) },
        api: Script { depends_on: [db], ready: signaled(1s) },
    }
}

#[tokio::test(start_paused = true)]
async fn a_whole_app_of_scripted_roles_restarts_as_its_topology_says() {
    let handle = Scripted {
        db: Script::fails(2, secs(1), "connection reset"),
        api: Script::ready_until_stopped(),
    }
    .start()
    .await
    .expect("starts");
    tokio::time::sleep(secs(5)).await;
    handle.shutdown().await;
    let db = role_kinds(&handle.events().events, ScriptedRole::Db);
    assert_eq!(
        db,
        [
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
            "lease_released",
            "stopping",
            "stopped",
        ]
    );
    let api = handle.chain(ScriptedRole::Api).expect("a whole chain");
    assert_eq!(api.incarnations().len(), 1, "one_for_one: api kept running");
    assert!(
        handle
            .events()
            .events
            .iter()
            .all(|e| e.kind != EventKind::Escalated)
    );
}
