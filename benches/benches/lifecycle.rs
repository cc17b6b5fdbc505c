//! How the runtime scales, side by side in one run: 10,000 roles started and
//! stopped
//! - by plain tokio (the floor): spawn, wait until each task runs, cancel, join;
//! - by `task-supervisor` (a rival: a flat list of supervised tasks);
//! - by `tokio-graceful-shutdown` (a rival: subsystems under one toplevel);
//! - by `supervision` with 10,000 independent roles (`flat`);
//! - by `supervision` with the roles in a binary tree of dependencies (`tree`),
//!   so start and stop are ordered level by level.
//!
//! Prints the median of several runs and each one's ratio to the floor.
//!
//! Run with `cargo bench -p supervision-benches --bench lifecycle`.

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use supervision::__private::{ErasedService, service};
use supervision::{App, AppSpec, Options};
use supervision_tests::{Node, Script, SpecBuilder, TREE_NODES, Tree};
use task_supervisor::{SupervisedTask, SupervisorBuilder, TaskResult};
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

/// 10,000 roles with no dependencies: every role starts at once.
struct Flat(Vec<ErasedService>);

impl App for Flat {
    type Role = Node<TREE_NODES>;

    fn spec() -> &'static AppSpec<Self::Role> {
        static SPEC: std::sync::OnceLock<&'static AppSpec<Node<TREE_NODES>>> =
            std::sync::OnceLock::new();
        SPEC.get_or_init(|| SpecBuilder::new().build("Flat"))
    }

    fn into_services(self) -> Vec<ErasedService> {
        self.0
    }
}

/// Start and stop durations of one supervised run.
async fn supervised<A: App>(app: A) -> (Duration, Duration) {
    let began = Instant::now();
    let handle = match app
        .start_with(Options::default().journal_capacity(4 * TREE_NODES))
        .await
    {
        Ok(handle) => handle,
        Err(error) => panic!("the app did not start: {error}"),
    };
    let started = began.elapsed();
    let stopping = Instant::now();
    let report = handle.shutdown().await;
    assert_eq!(report.roles.len(), TREE_NODES);
    (started, stopping.elapsed())
}

fn flat() -> Flat {
    Flat(
        (0..TREE_NODES)
            .map(|_| service(Script::until_stopped()))
            .collect(),
    )
}

/// A `task-supervisor` task that reports when it runs, then waits to be cancelled.
#[derive(Clone)]
struct Idle(mpsc::UnboundedSender<()>);

impl SupervisedTask for Idle {
    async fn run(self, cancel: task_supervisor::CancellationToken) -> TaskResult {
        let _ = self.0.send(());
        cancel.cancelled().await;
        Ok(())
    }
}

/// Start and stop durations of one `task-supervisor` run.
async fn rival(tasks: usize) -> (Duration, Duration) {
    let began = Instant::now();
    let (running, mut all_running) = mpsc::unbounded_channel();
    let mut builder = SupervisorBuilder::new();
    for i in 0..tasks {
        builder = builder.with_task(&format!("task_{i}"), Idle(running.clone()));
    }
    let handle = builder.spawn();
    for _ in 0..tasks {
        let _ = all_running.recv().await;
    }
    let started = began.elapsed();
    let stopping = Instant::now();
    let _ = handle.shutdown().await;
    (started, stopping.elapsed())
}

/// Start and stop durations of one `tokio-graceful-shutdown` run.
async fn rival_subsystems(tasks: usize) -> (Duration, Duration) {
    use tokio_graceful_shutdown::{SubsystemBuilder, SubsystemHandle, Toplevel};

    let began = Instant::now();
    let (running, mut all_running) = mpsc::unbounded_channel::<()>();
    let shutdown = CancellationToken::new();
    let toplevel = Toplevel::new_with_shutdown_token(
        async move |s: &mut SubsystemHandle| {
            for i in 0..tasks {
                let running = running.clone();
                s.start(SubsystemBuilder::new(
                    format!("task_{i}"),
                    async move |s: &mut SubsystemHandle| {
                        let _ = running.send(());
                        s.on_shutdown_requested().await;
                        Ok::<(), std::convert::Infallible>(())
                    },
                ));
            }
        },
        shutdown.clone(),
    );
    let run = tokio::spawn(toplevel.handle_shutdown_requests(Duration::from_secs(30)));
    for _ in 0..tasks {
        let _ = all_running.recv().await;
    }
    let started = began.elapsed();
    let stopping = Instant::now();
    shutdown.cancel();
    let _ = run.await;
    (started, stopping.elapsed())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn ratio(ours: Duration, floor: Duration) -> f64 {
    ours.as_secs_f64() / floor.as_secs_f64().max(f64::EPSILON)
}

/// Start and stop samples of one contender.
#[derive(Default)]
struct Samples {
    start: Vec<Duration>,
    stop: Vec<Duration>,
}

impl Samples {
    fn push(&mut self, (start, stop): (Duration, Duration)) {
        self.start.push(start);
        self.stop.push(stop);
    }

    fn medians(self) -> (Duration, Duration) {
        (median(self.start), median(self.stop))
    }
}

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("no tokio runtime: {error}"),
    };
    let mut samples: [Samples; 5] = Default::default();
    runtime.block_on(async {
        // One warm-up run of each, not counted.
        plain_tokio(TREE_NODES).await;
        rival(TREE_NODES).await;
        rival_subsystems(TREE_NODES).await;
        supervised(flat()).await;
        supervised(Tree::until_stopped()).await;
        for _ in 0..RUNS {
            samples[0].push(plain_tokio(TREE_NODES).await);
            samples[1].push(rival(TREE_NODES).await);
            samples[2].push(rival_subsystems(TREE_NODES).await);
            samples[3].push(supervised(flat()).await);
            samples[4].push(supervised(Tree::until_stopped()).await);
        }
    });
    let names = [
        "plain tokio (floor)",
        "task-supervisor",
        "tokio-graceful-shutdown",
        "supervision, flat",
        "supervision, tree",
    ];
    let medians = samples.map(Samples::medians);
    let (floor_start, floor_stop) = medians[0];
    println!("{TREE_NODES} tasks or roles, median of {RUNS} runs");
    println!(
        "{:<24} {:>10} {:>8} {:>10} {:>8}",
        "", "start", "ratio", "stop", "ratio"
    );
    for (name, (start, stop)) in names.iter().zip(medians) {
        println!(
            "{name:<24} {:>10.2?} {:>7.1}x {:>10.2?} {:>7.1}x",
            start,
            ratio(start, floor_start),
            stop,
            ratio(stop, floor_stop)
        );
    }
}
