//! The running app, seen from the code that started it.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinHandle;

use crate::observe::chain::{Chain, ChainError};
use crate::observe::episode::{Episode, EpisodeError};
use crate::observe::error::{AppError, Cause, StartError};
use crate::observe::event::{EpisodeId, ShutdownReason};
use crate::observe::follow::Follow;
use crate::observe::health::Health;
use crate::observe::journal::EventLog;
use crate::observe::report::ShutdownReport;
use crate::observe::state::AppState;
use crate::observe::subscription::Subscription;
use crate::protocol::{Link, Msg, Outcome, Shared, Started};
use crate::service::Provide;
use crate::service::handles::{HandleError, Reader, RoleKey, ServedBy};
use crate::spec::AppSpec;
use crate::spec::role::Role;

/// Controls and observes a started app. Cheap to clone; every clone controls
/// the same app. Dropping every handle does not stop the app.
///
/// ```
/// # use supervision::{BoxError, Context, Service, supervision};
/// # struct Store;
/// # impl Service for Store {
/// #     async fn run(&self, cx: Context) -> Result<(), BoxError> {
/// #         cx.ready();
/// #         cx.stop_requested().await;
/// #         Ok(())
/// #     }
/// # }
/// # supervision! { app Shop { store: Store { ready: signaled(1s) } } }
/// use supervision::{App, Phase};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handle = Shop { store: Store }.launch(); // returns at once
/// let mut events = handle.follow(); // from the first event on
/// handle.started().await?;
/// assert_eq!(handle.state().phase, Phase::Running);
/// println!("{}", events.recv().await?); // `0.000s  store#0  starting`
/// let report = handle.shutdown().await;
/// assert_eq!(handle.join().await?, report); // the same report, again
/// # Ok(())
/// # }
/// ```
#[must_use = "dropping the handle leaves the app running with no way to stop it or learn how it ended"]
pub struct AppHandle<R: 'static> {
    shared: Arc<Shared<R>>,
    tx: mpsc::UnboundedSender<Msg>,
    started: watch::Receiver<Option<Started<R>>>,
    done: watch::Receiver<Option<Outcome<R>>>,
    /// The supervisor's task, then the tasks that follow it (the systemd
    /// notifier): `join` waits for every one.
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl<R: Role> Clone for AppHandle<R> {
    fn clone(&self) -> Self {
        AppHandle {
            shared: Arc::clone(&self.shared),
            tx: self.tx.clone(),
            started: self.started.clone(),
            done: self.done.clone(),
            tasks: Arc::clone(&self.tasks),
        }
    }
}

impl<R: Role> core::fmt::Debug for AppHandle<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AppHandle")
            .field("phase", &self.shared.state.snapshot().phase)
            .finish_non_exhaustive()
    }
}

impl<R: Role> AppHandle<R> {
    pub(crate) fn new(link: Link<R>) -> Self {
        AppHandle {
            shared: link.shared,
            tx: link.tx,
            started: link.started,
            done: link.done,
            tasks: Arc::new(Mutex::new(vec![link.task])),
        }
    }

    /// Completes when the start phase is over: `Ok` once every role is ready
    /// (or disabled), the [`StartError`] if a required role could not become
    /// ready (what had started is stopped by then). Any number of callers get
    /// the same answer, also after the fact.
    pub async fn started(&self) -> Result<(), StartError<R>> {
        let mut started = self.started.clone();
        let answer = match started.wait_for(Option::is_some).await {
            Ok(answer) => answer.clone(),
            Err(_) => None,
        };
        match (answer, self.shared.spec.roles().first()) {
            (Some(answer), _) => answer,
            // The supervisor never ends without answering, unless its runtime
            // is shutting down.
            (None, Some(&role)) => Err(StartError {
                role,
                cause: Cause::ShutDown,
                report: ShutdownReport::default(),
                failure: None,
            }),
            (None, None) => Ok(()),
        }
    }

    /// The app as declared: its roles, orders and policies, and its
    /// lifecycle plans (`spec().start_plan()`, `spec().shutdown_plan()`).
    pub fn spec(&self) -> &'static AppSpec<R> {
        self.shared.spec
    }

    /// The app's phase and every role's status, incarnation and lease, right now.
    pub fn state(&self) -> AppState<R> {
        self.shared.state.snapshot()
    }

    /// The app's health right now, for an HTTP probe or an outer supervisor:
    /// [`Health::live`] while the supervisor runs, [`Health::ready`] while the
    /// app runs with every required role ready, the optional roles disabled
    /// in [`Health::degraded`]. Cheap: one lock of the state table, no copy of it.
    pub fn health(&self) -> Health<R> {
        self.shared.state.health(!self.tx.is_closed())
    }

    /// The handle role `key` publishes right now (`atpd::database` for role
    /// `database` of `app Atpd`), for code outside the tree: an HTTP handler,
    /// a test. Typed by the role's [`Provide::Handle`]; any role of this app
    /// can be read.
    pub fn get<K, S>(&self, key: K) -> Result<S::Handle, HandleError>
    where
        K: RoleKey<Role = R> + ServedBy<S>,
        S: Provide,
    {
        let _ = key;
        self.reader().get::<K, S>()
    }

    /// The handle of role `key` as soon as it publishes one (at once if it has);
    /// [`HandleError::Disabled`] if the role is disabled, and
    /// [`HandleError::NotPublished`] if the app ends first (a failed start, a
    /// shutdown), so it never waits for an app that is gone.
    pub async fn wait<K, S>(&self, key: K) -> Result<S::Handle, HandleError>
    where
        K: RoleKey<Role = R> + ServedBy<S>,
        S: Provide,
    {
        let _ = key;
        self.reader().wait::<K, S>().await
    }

    pub(crate) fn reader(&self) -> Reader<'_> {
        Reader {
            registry: &self.shared.handles,
            stop: None,
        }
    }

    /// The lease names held right now (a role holds its lease while it is ready),
    /// in declaration order.
    pub fn leases(&self) -> Vec<&'static str> {
        self.shared.state.leases()
    }

    /// Every event from now on. A reader that falls more than
    /// `Options::subscriber_capacity` behind sees `RecvError::Lagged` and
    /// misses events; reading or not, it never slows supervision down.
    pub fn subscribe(&self) -> Subscription<R> {
        Subscription::new(&self.shared.journal, false)
    }

    /// Every event from the app's start on: those the journal retained, then
    /// each new one, with no gap and no repeat. Unlike [`AppHandle::subscribe`],
    /// it sees the events recorded before it was called, so a handle from
    /// [`App::launch`](crate::App::launch) can watch the start while it happens.
    pub fn follow(&self) -> Follow<R> {
        Follow::new(&self.shared.journal)
    }

    /// The journal: the most recent events (`Options::journal_capacity`) and how many
    /// older ones were dropped.
    pub fn events(&self) -> EventLog<R> {
        self.shared.journal.snapshot()
    }

    /// Every retained event of one episode (a failure and all it caused, or the
    /// shutdown), across roles, in order; see [`Episode::from_log`] for the errors.
    pub fn episode(&self, id: EpisodeId) -> Result<Episode<R>, EpisodeError<R>> {
        Episode::from_log(&self.events(), id)
    }

    /// What happened to `role`, in order: its events grouped by incarnation, each
    /// with its stage. The episode of an incarnation's spawn says why it was
    /// restarted. See [`Chain::from_log`] for the errors.
    pub fn chain(&self, role: R) -> Result<Chain<R>, ChainError<R>> {
        Chain::from_log(&self.events(), role)
    }

    /// Asks for a graceful shutdown without waiting for it.
    pub fn request_shutdown(&self) {
        self.send_shutdown(ShutdownReason::Requested);
    }

    pub(crate) fn send_shutdown(&self, reason: ShutdownReason) {
        // The supervisor is gone only once the app has stopped.
        let _ = self.tx.send(Msg::Shutdown(reason));
    }

    /// Shuts the app down gracefully and returns the report. Idempotent: a later
    /// call (or a call after the app stopped on its own) returns the same report.
    /// [`ShutdownReport::is_clean`] says whether the app ended as asked for, or
    /// escalated first (then [`AppHandle::join`] has the error).
    pub async fn shutdown(&self) -> ShutdownReport<R> {
        self.request_shutdown();
        match self.join().await {
            Ok(report) => report,
            Err(e) => e.report().cloned().unwrap_or_default(),
        }
    }

    /// Adds a task that follows the app, for `join` to wait for; only called
    /// on a fresh handle, so the lock is free.
    pub(crate) fn attach(&self, task: JoinHandle<()>) {
        if let Ok(mut tasks) = self.tasks.try_lock() {
            tasks.push(task);
        }
    }

    /// Waits for Ctrl-C or SIGTERM, or for the app to end on its own, and shuts
    /// the app down gracefully on the signal, recording the signal as the
    /// reason: what [`App::run`](crate::App::run) does once started, for code
    /// that keeps the handle.
    pub async fn shutdown_on_signal(&self) -> Result<ShutdownReport<R>, AppError<R>> {
        tokio::select! {
            ended = self.join() => return ended,
            () = crate::app::signal::shutdown_signal() => {}
        }
        self.send_shutdown(ShutdownReason::Signal);
        self.join().await
    }

    /// Completes when the app has stopped and the supervisor task has ended:
    /// `Ok` after a requested shutdown or a `critical` role's clean exit,
    /// `Err(AppError::Escalated { .. })` when a required role gave up.
    pub async fn join(&self) -> Result<ShutdownReport<R>, AppError<R>> {
        let mut done = self.done.clone();
        let outcome = match done.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            Err(_) => None,
        };
        // The supervisor publishes last; wait for its task (and those that
        // follow it) to end too, so nothing it owned outlives `join`.
        let mut tasks = self.tasks.lock().await;
        for task in tasks.drain(..) {
            let _ = task.await;
        }
        outcome.unwrap_or(Err(AppError::SupervisorLost))
    }
}
