//! What the examples share: a service log, the event log, the shutdown report
//! table and the command line. Run an example with `cargo run --example atpd`.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use std::process::ExitCode;

use supervision::{
    App, AppHandle, AppSpec, BoxError, Context, Elapsed, EpisodeId, Event, EventKind,
    RestartPolicy, Role, ShutdownReport,
};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How events are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// One readable line per event.
    Text,
    /// One JSON object per line; service logs go to stderr.
    Json,
}

static CLOCK: Mutex<Option<Instant>> = Mutex::new(None);
static JSON: AtomicBool = AtomicBool::new(false);

/// Restarts the log clock (call right before launching an app) and picks the output.
pub fn init_log(output: Output) {
    *CLOCK.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    JSON.store(output == Output::Json, Ordering::Relaxed);
}

/// Prints a service log line where it belongs: stdout, or stderr beside `--json`.
fn emit(line: &str) {
    if JSON.load(Ordering::Relaxed) {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

/// A service's log line: the time since start, the role and its incarnation.
pub fn say(cx: &Context, message: fmt::Arguments<'_>) {
    let at = CLOCK
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(Instant::now)
        .elapsed();
    let who = format!("{}#{}", cx.role(), cx.incarnation());
    emit(&format!("{:>9}  {who:<24}  | {message}", Elapsed(at)));
}

/// Says `message` every `period` until the incarnation is asked to stop.
pub async fn tick_until_stopped(cx: &Context, period: Duration, message: &str) {
    let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
    loop {
        tokio::select! {
            () = cx.stop_requested() => return,
            _ = ticks.tick() => say(cx, format_args!("{message}")),
        }
    }
}

/// A role's queue of work, done one item at a time: the sender is the role's
/// handle, the queue its `run` loop. Each incarnation opens its own, starting
/// with what the last one handed over.
pub struct WorkQueue<T> {
    backlog: VecDeque<T>,
    inbox: mpsc::Receiver<T>,
}

impl<T: Clone> WorkQueue<T> {
    /// A queue holding `backlog` first, then up to `capacity` items sent in.
    pub fn open(backlog: Vec<T>, capacity: usize) -> (mpsc::Sender<T>, WorkQueue<T>) {
        let (tx, inbox) = mpsc::channel(capacity);
        let backlog = backlog.into();
        (tx, WorkQueue { backlog, inbox })
    }

    /// Works through the queue in order until the role's drain begins
    /// ([`Context::drain_requested`]), then closes it and returns what is
    /// left, for [`Context::hand_over`]: the item in progress (its work
    /// abandoned, to be done again in full), the backlog, then what was still
    /// in the channel. An item leaves the queue only once `work` on it
    /// returned `Ok`; an error ends the incarnation with that error.
    pub async fn run_until_drain<F, Fut>(
        mut self,
        cx: &Context,
        mut work: F,
    ) -> Result<Vec<T>, BoxError>
    where
        F: FnMut(T) -> Fut,
        Fut: Future<Output = Result<(), BoxError>>,
    {
        let mut current: Option<Pin<Box<Fut>>> = None;
        loop {
            if current.is_none()
                && let Some(next) = self.backlog.front()
            {
                current = Some(Box::pin(work(next.clone())));
            }
            tokio::select! {
                // A stop without a drain (past the shutdown deadline) ends the
                // same way; nobody takes what is left then.
                () = cx.drain_requested() => break,
                () = cx.stop_requested() => break,
                Some(item) = self.inbox.recv() => self.backlog.push_back(item),
                done = in_progress(&mut current) => {
                    current = None;
                    done?;
                    self.backlog.pop_front();
                }
            }
        }
        self.inbox.close();
        while let Ok(item) = self.inbox.try_recv() {
            self.backlog.push_back(item);
        }
        Ok(self.backlog.into())
    }
}

/// The work in progress, or never if there is none.
async fn in_progress<F: Future + Unpin>(current: &mut Option<F>) -> F::Output {
    match current {
        Some(work) => work.await,
        None => std::future::pending().await,
    }
}

/// Prints one event in the chosen format.
pub fn print_event<R: Role>(event: &Event<R>, output: Output) {
    match output {
        Output::Text => println!("{event}"),
        Output::Json => match serde_json::to_string(event) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("event {} could not be serialized: {e}", event.seq),
        },
    }
}

/// Prints every event of the app, from its first to `shutdown_completed`, as
/// it happens: [`AppHandle::follow`] replays what came before the call, so a
/// printer spawned right after `launch` shows the whole start live. In text
/// output, once a restart is over (every role its failure stopped is ready
/// again) the failure's whole episode follows as one timeline, so the cascade
/// reads in one place; `--json` output stays one event per line.
pub fn spawn_event_printer<R: Role>(
    handle: &AppHandle<R>,
    spec: &'static AppSpec<R>,
    output: Output,
) -> tokio::task::JoinHandle<()> {
    let mut events = handle.follow();
    let handle = handle.clone();
    tokio::spawn(async move {
        let mut restarts = Restarts::new(spec);
        loop {
            match events.recv().await {
                Ok(event) => {
                    print_event(&event, output);
                    if output == Output::Text
                        && let Some(id) = restarts.observe(&event)
                    {
                        print_episode(&handle, id);
                    }
                    if event.kind == EventKind::ShutdownCompleted {
                        return;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    eprintln!("({missed} events not shown: the printer fell behind)")
                }
                Err(RecvError::Closed) => return,
            }
        }
    })
}

/// Prints episode `id` as a timeline block.
fn print_episode<R: Role>(handle: &AppHandle<R>, id: EpisodeId) {
    let episode = match handle.episode(id) {
        Ok(episode) => episode,
        Err(error) => {
            println!("({error})");
            match error.into_partial() {
                Some(partial) => partial,
                None => return,
            }
        }
    };
    println!();
    println!("{episode}");
    println!();
}

/// Failure episodes in progress, followed event by event, to tell when a
/// restart is over: the episode scheduled a restart, and every role it
/// concerned is ready again, disabled, or a `temporary` one left stopped (a
/// bystander that is not restarted, as in OTP).
struct Restarts<R: 'static> {
    spec: &'static AppSpec<R>,
    open: BTreeMap<EpisodeId, Progress<R>>,
}

struct Progress<R> {
    restarted: bool,
    /// Per role: whether its latest event in the episode left it settled.
    settled: BTreeMap<R, bool>,
}

impl<R: Role> Restarts<R> {
    fn new(spec: &'static AppSpec<R>) -> Self {
        Restarts {
            spec,
            open: BTreeMap::new(),
        }
    }

    /// Episodes that never restart anything (a role left stopped) are forgotten
    /// past this many, so a long-running daemon does not accumulate them.
    const MAX_OPEN: usize = 64;

    /// Takes one event; returns the episode whose restart it completes.
    fn observe(&mut self, event: &Event<R>) -> Option<EpisodeId> {
        if matches!(event.kind, EventKind::ShutdownRequested { .. }) {
            // From here on nothing restarts.
            self.open.clear();
            return None;
        }
        let (Some(id), Some(role)) = (event.episode, event.role) else {
            return None;
        };
        let progress = self.open.entry(id).or_insert_with(|| Progress {
            restarted: false,
            settled: BTreeMap::new(),
        });
        progress.restarted |= matches!(event.kind, EventKind::RestartScheduled { .. });
        let settled = match event.kind {
            EventKind::Ready | EventKind::Disabled => true,
            EventKind::Stopped { .. } => self.spec.restart(role) == RestartPolicy::Temporary,
            _ => false,
        };
        progress.settled.insert(role, settled);
        let over = event.kind == EventKind::Ready
            && progress.restarted
            && progress.settled.values().all(|&s| s);
        if over {
            self.open.remove(&id);
        }
        while self.open.len() > Self::MAX_OPEN {
            self.open.pop_first();
        }
        over.then_some(id)
    }
}

/// Prints the shutdown report as a table, one row per role in stop order.
pub fn print_report<R: Role>(report: &ShutdownReport<R>) {
    println!();
    println!("{:<24} {:<16} {:>10}  drain", "role", "outcome", "took");
    println!("{:-<24} {:-<16} {:->10}  {:-<12}", "", "", "", "");
    for row in &report.roles {
        let drain = row
            .drain
            .as_ref()
            .map_or_else(|| "-".to_owned(), ToString::to_string);
        println!(
            "{:<24} {:<16} {:>10}  {drain}",
            row.role.name(),
            row.outcome.to_string(),
            Elapsed(row.duration)
        );
    }
    println!("shutdown took {}", Elapsed(report.duration));
}

/// Runs an example app the way a daemon runs: `--diagram` prints the topology;
/// otherwise start, print events, stop on Ctrl-C / SIGTERM / `--exit-after`,
/// print the report. Exit code 0 after a clean shutdown, 1 otherwise.
pub async fn run_daemon<A: App>(app: A, flags: Flags) -> ExitCode {
    run_daemon_with(app, flags, |_| {}).await
}

/// [`run_daemon`], handing the app's handle to `launched` right after the
/// launch, before any role runs far: for code inside the tree that needs the
/// handle itself (an HTTP health check reading [`AppHandle::state`]).
pub async fn run_daemon_with<A: App>(
    app: A,
    flags: Flags,
    launched: impl FnOnce(&AppHandle<A::Role>),
) -> ExitCode {
    if flags.diagram {
        print!("{}", A::spec().to_mermaid());
        return ExitCode::SUCCESS;
    }
    init_log(flags.output);
    let handle = app.launch();
    launched(&handle);
    let printer = spawn_event_printer(&handle, A::spec(), flags.output);
    if let Err(error) = handle.started().await {
        let _ = printer.await;
        eprintln!("{} did not start: {error}", A::spec().name());
        return ExitCode::FAILURE;
    }
    // A signal is recorded as the shutdown's reason; `--exit-after` asks
    // through the handle.
    let ended = tokio::select! {
        ended = handle.shutdown_on_signal() => ended,
        () = flags.exit_after() => {
            handle.shutdown().await;
            handle.join().await
        }
    };
    // The printer ends with the `shutdown_completed` event, the last of all.
    let _ = printer.await;
    match ended {
        Ok(report) => {
            if flags.output == Output::Text {
                print_report(&report);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            if let Some(report) = error.report()
                && flags.output == Output::Text
            {
                print_report(report);
            }
            eprintln!("{} stopped with an error: {error}", A::spec().name());
            ExitCode::FAILURE
        }
    }
}

/// The flags every long-running example takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags {
    /// Print the topology as a Mermaid diagram and exit.
    pub diagram: bool,
    /// Event output format.
    pub output: Output,
    /// Shut down by itself after this long, as if Ctrl-C had been pressed.
    pub exit_after: Option<Duration>,
}

impl Flags {
    /// Usage text shown with a bad flag.
    pub const USAGE: &'static str = "usage: [--diagram] [--json] [--exit-after SECONDS]
  --diagram             print the topology as a Mermaid diagram and exit
  --json                print events as JSON lines (service logs go to stderr)
  --exit-after SECONDS  shut down by itself after SECONDS, as on Ctrl-C";

    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Flags, String> {
        Flags::parse_with(args, |_, _| Ok(false))
    }

    /// [`Flags::parse`], offering each flag it does not know to `extra` with
    /// the remaining arguments (for its value); `extra` answers whether the
    /// flag was its own.
    pub fn parse_with(
        args: impl IntoIterator<Item = String>,
        mut extra: impl FnMut(&str, &mut dyn Iterator<Item = String>) -> Result<bool, String>,
    ) -> Result<Flags, String> {
        let mut flags = Flags {
            diagram: false,
            output: Output::Text,
            exit_after: None,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--diagram" => flags.diagram = true,
                "--json" => flags.output = Output::Json,
                "--exit-after" => {
                    let secs = flag_value(&arg, &mut args, "whole seconds")?;
                    flags.exit_after = Some(Duration::from_secs(secs));
                }
                other => {
                    if !extra(other, &mut args)? {
                        return Err(format!("unknown flag `{other}`"));
                    }
                }
            }
        }
        Ok(flags)
    }

    /// Parses the process arguments; on a bad flag prints the usage and exits with code 2.
    pub fn from_env() -> Flags {
        Flags::from_env_with("", |_, _| Ok(false))
    }

    /// [`Flags::from_env`] with an example's own flags ([`Flags::parse_with`]),
    /// described by `usage` (lines appended to [`Flags::USAGE`]).
    pub fn from_env_with(
        usage: &str,
        extra: impl FnMut(&str, &mut dyn Iterator<Item = String>) -> Result<bool, String>,
    ) -> Flags {
        match Flags::parse_with(std::env::args().skip(1), extra) {
            Ok(flags) => flags,
            Err(problem) => {
                eprintln!("error: {problem}\n{}{usage}", Flags::USAGE);
                std::process::exit(2);
            }
        }
    }

    /// Completes after `--exit-after`; never without it.
    pub async fn exit_after(&self) {
        match self.exit_after {
            Some(after) => tokio::time::sleep(after).await,
            None => std::future::pending().await,
        }
    }
}

/// The value after flag `flag`, parsed; `what` names the expected kind in the error.
pub fn flag_value<T: std::str::FromStr>(
    flag: &str,
    args: &mut dyn Iterator<Item = String>,
    what: &str,
) -> Result<T, String> {
    let value = args.next().ok_or_else(|| format!("{flag} needs {what}"))?;
    value
        .parse()
        .map_err(|_| format!("{flag} takes {what}, not `{value}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Flags, String> {
        Flags::parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn flags_parse_and_bad_flags_are_named() {
        let flags = parse(&["--json", "--exit-after", "3"]);
        assert_eq!(
            flags,
            Ok(Flags {
                diagram: false,
                output: Output::Json,
                exit_after: Some(Duration::from_secs(3)),
            })
        );
        assert_eq!(
            parse(&["--verbose"]),
            Err("unknown flag `--verbose`".to_owned())
        );
        assert_eq!(
            parse(&["--exit-after"]),
            Err("--exit-after needs whole seconds".to_owned())
        );
        assert_eq!(
            parse(&["--exit-after", "soon"]),
            Err("--exit-after takes whole seconds, not `soon`".to_owned())
        );
    }
}

#[cfg(test)]
mod restarts {
    use super::*;
    use supervision::{Service, supervision};

    /// Fails its first incarnation soon after starting.
    struct FailsOnce;

    impl Service for FailsOnce {
        async fn run(&self, cx: Context) -> Result<(), BoxError> {
            if cx.incarnation() == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                return Err("lost the connection".into());
            }
            cx.stop_requested().await;
            Ok(())
        }
    }

    struct Idle;

    impl Service for Idle {
        async fn run(&self, cx: Context) -> Result<(), BoxError> {
            cx.stop_requested().await;
            Ok(())
        }
    }

    supervision! {
        app Cascade {
            strategy: rest_for_one,
            base: FailsOnce { restart: permanent(3 per 5s, backoff: fixed(10ms)) },
            dependent: Idle { depends_on: [base] },
            optional extra: Idle { depends_on: [base], restart: temporary },
        }
    }

    #[tokio::test]
    async fn a_restart_is_over_though_a_temporary_bystander_stays_stopped() {
        let handle = Cascade {
            base: FailsOnce,
            dependent: Idle,
            extra: Idle,
        }
        .launch();
        let mut events = handle.follow();
        let mut restarts = Restarts::new(Cascade::spec());
        let over = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                let event = events.recv().await?;
                if let Some(id) = restarts.observe(&event) {
                    return Ok::<_, RecvError>((id, event));
                }
            }
        })
        .await;
        handle.shutdown().await;
        let (id, last) = match over {
            Ok(Ok(over)) => over,
            other => panic!("the restart never read as over: {other:?}"),
        };
        assert_eq!(
            (last.role, last.kind),
            (Some(CascadeRole::Dependent), EventKind::Ready)
        );
        let episode = handle.episode(id).expect("the whole episode");
        assert!(
            episode.to_string().contains("extra#0"),
            "the temporary bystander is part of the episode:\n{episode}"
        );
    }
}

/// The README's Rust blocks, compiled by `cargo test` so the quick start stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
