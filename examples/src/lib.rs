//! What the examples share: their flags, the service log, the event printer,
//! the shutdown report and a work queue that hands its backlog over on a
//! drain. Run an example with `cargo run --example atpd`.

use std::collections::{BTreeSet, VecDeque};
use std::ffi::OsString;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use lexopt::ValueExt;
use supervision::{
    App, AppError, AppHandle, AppSpec, BoxError, BuiltApp, Context, Elapsed, EpisodeId, Event,
    EventKind, Role, ShutdownReport,
};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tracing_subscriber::fmt::{format::Writer, time::FormatTime, writer::BoxMakeWriter};
use tracing_subscriber::prelude::*;

/// The flags every long-running example takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// Print the topology as a Mermaid diagram and exit.
    pub diagram: bool,
    /// Print events as JSON lines; the service log goes to stderr.
    pub json: bool,
    /// Shut down by itself after this long, as on Ctrl-C.
    pub exit_after: Option<Duration>,
}

impl Flags {
    /// The usage text shown with a bad flag.
    pub const USAGE: &'static str = "usage: [--diagram] [--json] [--exit-after SECONDS]
  --diagram             print the topology as a Mermaid diagram and exit
  --json                print events as JSON lines (the service log goes to stderr)
  --exit-after SECONDS  shut down by itself after SECONDS, as on Ctrl-C";

    /// Parses `args` (without the program name). A long flag that is not one
    /// of these is offered to `own`, with the parser for its value; `own`
    /// answers whether the flag was its own.
    pub fn parse_with(
        args: impl IntoIterator<Item: Into<OsString>>,
        mut own: impl FnMut(&str, &mut lexopt::Parser) -> Result<bool, lexopt::Error>,
    ) -> Result<Flags, lexopt::Error> {
        use lexopt::Arg::Long;
        let mut flags = Flags::default();
        let mut parser = lexopt::Parser::from_args(args);
        while let Some(arg) = parser.next()? {
            match arg {
                Long("diagram") => flags.diagram = true,
                Long("json") => flags.json = true,
                Long("exit-after") => {
                    let secs = flag_value(&mut parser, "exit-after")?;
                    flags.exit_after = Some(Duration::from_secs(secs));
                }
                Long(flag) => {
                    let flag = flag.to_owned();
                    if !own(&flag, &mut parser)? {
                        return Err(Long(&flag).unexpected());
                    }
                }
                _ => return Err(arg.unexpected()),
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
        own: impl FnMut(&str, &mut lexopt::Parser) -> Result<bool, lexopt::Error>,
    ) -> Flags {
        Flags::parse_with(std::env::args_os().skip(1), own).unwrap_or_else(|error| {
            eprintln!("error: {error}\n{}{usage}", Flags::USAGE);
            std::process::exit(2)
        })
    }
}

/// The value of flag `--flag`, parsed; the error of a bad one names the flag.
pub fn flag_value<T>(parser: &mut lexopt::Parser, flag: &str) -> Result<T, lexopt::Error>
where
    T: FromStr,
    T::Err: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
{
    let value = parser.value()?;
    value
        .parse()
        .map_err(|e| lexopt::Error::Custom(format!("--{flag}: {e}").into()))
}

/// When the app now running was launched: the zero of the log's clock, as of
/// the events' `at`.
static LAUNCHED: Mutex<Option<Instant>> = Mutex::new(None);

/// Times each log line like the events: seconds since the launch.
struct SinceLaunch;

impl FormatTime for SinceLaunch {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        let launched = *LAUNCHED.lock().unwrap_or_else(PoisonError::into_inner);
        let at = launched.map_or(Duration::ZERO, |t| t.elapsed());
        write!(w, "{:>9}", Elapsed(at))
    }
}

/// Starts the log's clock (call it right before launching an app) and, once
/// per process, sends the services' `tracing` lines to stdout, or to stderr
/// beside `--json`. A line written inside `run` names the runtime's role
/// span: `INFO role{role="peer_directory" incarnation=1}: ..`. The runtime's
/// own lines (target `supervision`) are left out, since the event printer
/// shows every event already.
pub fn init_log(json: bool) {
    *LAUNCHED.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    let writer = if json {
        BoxMakeWriter::new(std::io::stderr)
    } else {
        BoxMakeWriter::new(std::io::stdout)
    };
    let services = tracing_subscriber::filter::filter_fn(|meta| {
        *meta.level() <= tracing::Level::INFO && (meta.is_span() || meta.target() != "supervision")
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(false)
        .with_timer(SinceLaunch)
        .with_writer(writer)
        .with_filter(services);
    // Fails only when a subscriber is already set: a second app in the same
    // program keeps the first one's.
    let _ = tracing_subscriber::registry().with(layer).try_init();
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

/// Prints every event of the app as it happens, from the first
/// ([`AppHandle::follow`] replays what came before the call) to
/// `shutdown_completed`, one line each or one JSON object each. In text, once
/// a restart is over, the failure's whole episode follows as one timeline, so
/// the cascade reads in one place.
fn spawn_event_printer<R: Role>(handle: &AppHandle<R>, json: bool) -> tokio::task::JoinHandle<()> {
    let mut events = handle.follow();
    let handle = handle.clone();
    tokio::spawn(async move {
        let mut restarting = BTreeSet::new();
        loop {
            let event = match events.recv().await {
                Ok(event) => event,
                Err(RecvError::Lagged(missed)) => {
                    eprintln!("({missed} events not shown: the printer fell behind)");
                    continue;
                }
                Err(RecvError::Closed) => return,
            };
            if json {
                match serde_json::to_string(&event) {
                    Ok(line) => println!("{line}"),
                    Err(e) => eprintln!("event {} could not be serialized: {e}", event.seq),
                }
            } else {
                println!("{event}");
                for id in restarts_over(&handle, &mut restarting, &event) {
                    match handle.episode(id) {
                        Ok(episode) => println!("\n{episode}\n"),
                        // A journal too small for the episode: the part it holds.
                        Err(error) => {
                            println!("({error})");
                            if let Some(partial) = error.into_partial() {
                                println!("\n{partial}\n");
                            }
                        }
                    }
                }
            }
            if event.kind == EventKind::ShutdownCompleted {
                return;
            }
        }
    })
}

/// Takes one event; returns the failure episodes whose restart it shows over:
/// those that scheduled a restart, once a role is ready and the app with it
/// ([`Health::ready`](supervision::Health::ready) is false during a restart
/// cascade, and leaves out the optional roles, such as a `temporary` bystander
/// that stays stopped).
fn restarts_over<R: Role>(
    handle: &AppHandle<R>,
    restarting: &mut BTreeSet<EpisodeId>,
    event: &Event<R>,
) -> Vec<EpisodeId> {
    match event.kind {
        EventKind::RestartScheduled { .. } => restarting.extend(event.episode),
        EventKind::ShutdownRequested { .. } => restarting.clear(),
        EventKind::Ready if !restarting.is_empty() && handle.health().ready => {
            // A printer that lags finds the app ready at an earlier `ready`:
            // it waits for the episode's last, to follow the live lines.
            let over: Vec<_> = restarting
                .iter()
                .copied()
                .filter(|&id| last_ready(handle, id) <= Some(event.seq))
                .collect();
            restarting.retain(|id| !over.contains(id));
            return over;
        }
        _ => {}
    }
    Vec::new()
}

/// The `seq` of the last `ready` of episode `id` in the journal.
fn last_ready<R: Role>(handle: &AppHandle<R>, id: EpisodeId) -> Option<u64> {
    let episode = handle.episode(id).ok()?;
    let readies = episode.events().filter(|e| e.kind == EventKind::Ready);
    readies.map(|e| e.seq).last()
}

/// Prints the shutdown report as a table, one row per role in stop order.
pub fn print_report<R: Role>(report: &ShutdownReport<R>) {
    println!("\n{:<24} {:<16} {:>10}  drain", "role", "outcome", "took");
    println!("{:-<24} {:-<16} {:->10}  {:-<12}", "", "", "", "");
    for row in &report.roles {
        let drain = row.drain.as_ref().map(ToString::to_string);
        let (role, outcome) = (row.role.name(), row.outcome.to_string());
        let took = Elapsed(row.duration);
        println!(
            "{role:<24} {outcome:<16} {took:>10}  {}",
            drain.as_deref().unwrap_or("-")
        );
    }
    println!("shutdown took {}", Elapsed(report.duration));
}

/// Runs an example app the way a daemon runs: `--diagram` prints the topology;
/// otherwise start, print events, stop on Ctrl-C / SIGTERM / `--exit-after`,
/// print the report, and return the exit code of how the app ended
/// ([`supervision::exit`]: 0 after a clean shutdown).
pub async fn run_daemon<A: App>(app: A, flags: Flags) -> ExitCode {
    run_daemon_with(app, flags, |_| {}).await
}

/// [`run_daemon`], handing the app's handle to `launched` right after the
/// launch, before any role runs far: for code beside the tree that needs the
/// handle (a probe server reading [`AppHandle::health`], a self-check).
pub async fn run_daemon_with<A: App>(
    app: A,
    flags: Flags,
    launched: impl FnOnce(&AppHandle<A::Role>),
) -> ExitCode {
    drive(A::spec(), || app.launch(), flags, launched).await
}

/// [`run_daemon`] for an app built at run time ([`supervision::Builder`]).
pub async fn run_built(app: BuiltApp, flags: Flags) -> ExitCode {
    drive(app.spec(), || app.launch(), flags, |_| {}).await
}

/// What both kinds of app share: `launch` starts the app described by `spec`.
async fn drive<R: Role>(
    spec: &'static AppSpec<R>,
    launch: impl FnOnce() -> AppHandle<R>,
    flags: Flags,
    launched: impl FnOnce(&AppHandle<R>),
) -> ExitCode {
    if flags.diagram {
        print!("{}", spec.to_mermaid());
        return ExitCode::SUCCESS;
    }
    init_log(flags.json);
    let handle = launch();
    launched(&handle);
    let printer = spawn_event_printer(&handle, flags.json);
    let exit_after = async {
        match flags.exit_after {
            Some(after) => tokio::time::sleep(after).await,
            None => std::future::pending().await,
        }
    };
    let ended = match handle.started().await {
        Err(error) => Err(AppError::from(error)),
        // A signal is recorded as the shutdown's reason; `--exit-after` asks
        // through the handle.
        Ok(()) => tokio::select! {
            ended = handle.shutdown_on_signal() => ended,
            () = exit_after => {
                handle.shutdown().await;
                handle.join().await
            }
        },
    };
    // The printer ends with the `shutdown_completed` event, the last of all.
    let _ = printer.await;
    let report = ended.as_ref().map_or_else(AppError::report, Some);
    if let Some(report) = report
        && !flags.json
    {
        print_report(report);
    }
    if let Err(error) = &ended {
        eprintln!("{} stopped: {error}", spec.name());
    }
    supervision::exit_code(&ended)
}

#[cfg(test)]
mod tests;

/// The README's Rust blocks, compiled by `cargo test` so the quick start stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
