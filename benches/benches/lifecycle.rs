//! How the runtime scales: start and stop a 10,000-role app (a binary tree of
//! dependencies, so start and stop are ordered) next to the floor, plain tokio
//! spawning 10,000 tasks, waiting for each to run, then cancelling and joining
//! them. Prints the median of several runs and the ratio to the floor.
//!
//! Run with `cargo bench -p supervision-benches --bench lifecycle`.

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use supervision::{App, Options};
use supervision_tests::{TREE_NODES, Tree};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const RUNS: usize = 7;

/// Start and stop durations of one plain-tokio run.
async fn plain_tokio(tasks: usize) -> (Duration, Duration) {
    let began = Instant::now();
    let cancel = CancellationToken::new();
    let (running, mut all_running) = mpsc::unbounded_channel();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let cancel = cancel.child_token();
        let running = running.clone();
        set.spawn(async move {
            let _ = running.send(());
            cancel.cancelled().await;
        });
    }
    for _ in 0..tasks {
        let _ = all_running.recv().await;
    }
    let started = began.elapsed();
    let stopping = Instant::now();
    cancel.cancel();
    while set.join_next().await.is_some() {}
    (started, stopping.elapsed())
}

/// Start and stop durations of one supervised run.
async fn supervised() -> (Duration, Duration) {
    let app = Tree::until_stopped();
    let began = Instant::now();
    let handle = match app
        .start_with(Options::default().journal_capacity(4 * TREE_NODES))
        .await
    {
        Ok(handle) => handle,
        Err(error) => panic!("the tree did not start: {error}"),
    };
    let started = began.elapsed();
    let stopping = Instant::now();
    let report = handle.shutdown().await;
    assert_eq!(report.roles.len(), TREE_NODES);
    (started, stopping.elapsed())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn ratio(ours: Duration, floor: Duration) -> f64 {
    ours.as_secs_f64() / floor.as_secs_f64().max(f64::EPSILON)
}

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("no tokio runtime: {error}"),
    };
    let (mut floor_start, mut floor_stop, mut ours_start, mut ours_stop) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    runtime.block_on(async {
        // One warm-up run of each, not counted.
        plain_tokio(TREE_NODES).await;
        supervised().await;
        for _ in 0..RUNS {
            let (start, stop) = plain_tokio(TREE_NODES).await;
            floor_start.push(start);
            floor_stop.push(stop);
            let (start, stop) = supervised().await;
            ours_start.push(start);
            ours_stop.push(stop);
        }
    });
    let (floor_start, floor_stop) = (median(floor_start), median(floor_stop));
    let (ours_start, ours_stop) = (median(ours_start), median(ours_stop));
    println!("{TREE_NODES} roles, median of {RUNS} runs");
    println!("{:<26} {:>12} {:>12}", "", "start", "stop");
    println!(
        "{:<26} {:>12.2?} {:>12.2?}",
        "plain tokio (floor)", floor_start, floor_stop
    );
    println!(
        "{:<26} {:>12.2?} {:>12.2?}",
        "supervision", ours_start, ours_stop
    );
    println!(
        "{:<26} {:>11.1}x {:>11.1}x",
        "ratio",
        ratio(ours_start, floor_start),
        ratio(ours_stop, floor_stop)
    );
}
