//! The drain handshake: `run` learns that its drain began, hands over the work
//! it holds, and the next incarnation resumes exactly that work, typed.

use supervision::{
    App, BoxError, Context, Drain, DrainOutcome, EventKind, HandleError, Service, StopOutcome,
    supervision,
};
use supervision_tests::{Log, Script, ms, secs};

/// Works through jobs, one every 100ms. Incarnation 0 is given jobs 1 to 10;
/// a later one resumes what the previous one handed over.
struct Worker {
    done: Log,
}

impl Service for Worker {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let mut queue: Vec<u32> = match cx.resume_state::<Vec<u32>>() {
            Some(resumed) => resumed,
            None if cx.incarnation() == 0 => (1..=10).collect(),
            None => Vec::new(),
        };
        cx.ready();
        loop {
            tokio::select! {
                // The drain began: take no more work, hand over what is left
                // (nothing, when the queue is empty: the drain waits for it).
                () = cx.drain_requested() => {
                    self.done.push(format!("#{} hands over {queue:?}", cx.incarnation()));
                    cx.hand_over(self, std::mem::take(&mut queue))?;
                    break;
                }
                () = tokio::time::sleep(ms(100)), if !queue.is_empty() => {
                    let job = queue.remove(0);
                    self.done.push(format!("#{} did job {job}", cx.incarnation()));
                }
            }
        }
        cx.stop_requested().await;
        Ok(())
    }
}

/// The default `drain`: whatever `run` hands over.
impl Drain for Worker {
    type State = Vec<u32>;
}

supervision! {
    app Plant {
        strategy: rest_for_one,
        db: Script { restart: permanent(3 per 60s, backoff: fixed(100ms)) },
        worker: Worker {
            depends_on: [db],
            ready: signaled(1s),
            stop: [drain(1s, resume_state), release_lease, stop(1s)],
        },
    }
}

#[tokio::test(start_paused = true)]
async fn a_restart_caused_by_a_dependency_loses_no_job() {
    let done = Log::default();
    // db fails once, at 350ms: the worker is stopped with it, mid-queue.
    let handle = Plant {
        db: Script::fails(1, ms(350), "connection reset"),
        worker: Worker { done: done.clone() },
    }
    .start()
    .await
    .expect("starts");
    tokio::time::sleep(secs(3)).await;
    handle.shutdown().await;

    let mut expected: Vec<String> = (1..=3).map(|j| format!("#0 did job {j}")).collect();
    expected.push("#0 hands over [4, 5, 6, 7, 8, 9, 10]".to_owned());
    expected.extend((4..=10).map(|j| format!("#1 did job {j}")));
    expected.push("#1 hands over []".to_owned());
    assert_eq!(done.lines(), expected, "every job once, in order");
    let drains: Vec<_> = handle
        .events()
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Drained { result } => Some((e.incarnation, result.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        drains,
        [
            (Some(0), DrainOutcome::Drained),
            (Some(1), DrainOutcome::Drained)
        ]
    );
}

/// Hands over only once it has finished its current job, 250ms after the
/// drain began, and logs what it still holds the lease for.
struct Slow {
    log: Log,
}

impl Service for Slow {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.ready();
        cx.drain_requested().await;
        self.log.push(format!(
            "drain requested, stop requested: {}",
            cx.is_stop_requested()
        ));
        tokio::time::sleep(ms(250)).await;
        cx.hand_over(self, vec![42])?;
        cx.stop_requested().await;
        self.log.push("stop requested".to_owned());
        Ok(())
    }
}

impl Drain for Slow {
    type State = Vec<u32>;
}

/// Never hands anything over, and returns as soon as its drain begins.
struct Quitter;

impl Service for Quitter {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.ready();
        cx.drain_requested().await;
        Ok(())
    }
}

impl Drain for Quitter {
    type State = Vec<u32>;
}

supervision! {
    app Line {
        slow: Slow { ready: signaled(1s), stop: [drain(1s, resume_state), release_lease, stop] },
        quitter: Quitter { ready: signaled(1s), stop: [drain(1s), stop] },
    }
}

#[tokio::test(start_paused = true)]
async fn the_drain_waits_for_the_hand_over_and_a_run_that_ends_without_one_is_reported() {
    let log = Log::default();
    let handle = Line {
        slow: Slow { log: log.clone() },
        quitter: Quitter,
    }
    .start()
    .await
    .expect("starts");
    let report = handle.shutdown().await;
    assert_eq!(
        log.lines(),
        ["drain requested, stop requested: false", "stop requested"],
        "the drain comes before the stop"
    );
    let slow = report.role(LineRole::Slow).expect("in the report");
    assert_eq!(slow.drain, Some(DrainOutcome::Drained));
    assert_eq!(slow.outcome, StopOutcome::Graceful);
    assert_eq!(
        slow.duration,
        ms(250),
        "the drain took as long as the hand-over"
    );
    let quitter = report.role(LineRole::Quitter).expect("in the report");
    assert_eq!(
        quitter.drain,
        Some(DrainOutcome::Failed {
            error: "`run` ended without handing its work over".to_owned()
        })
    );
    assert_eq!(
        quitter.duration,
        ms(0),
        "no wait for a hand-over that cannot come"
    );
}

#[tokio::test(start_paused = true)]
async fn a_hand_over_as_another_service_is_refused() {
    struct Other;
    impl Service for Other {
        async fn run(&self, cx: Context) -> Result<(), BoxError> {
            let refused = cx.hand_over(
                &Slow {
                    log: Log::default(),
                },
                vec![1],
            );
            match refused {
                Err(HandleError::NotThisRole { .. }) => Ok(()),
                other => Err(format!("accepted: {other:?}").into()),
            }
        }
    }
    let other = supervision::testing::Harness::new(line::quitter).start(Other);
    assert!(other.join().await.is_ok(), "the hand-over was refused");
}
