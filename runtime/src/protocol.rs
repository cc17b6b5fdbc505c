//! **The protocol**: how the engine and its clients talk. Contexts and handles
//! send [`Msg`]s to the supervisor; the supervisor shares the journal and the
//! state table, and publishes the app's [`Outcome`] once. Imports `spec` and
//! `observe` only, so `service`, `app` and the engine can all import it.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::observe::error::{AppError, StartError};
use crate::observe::event::ShutdownReason;
use crate::observe::journal::Journal;
use crate::observe::report::ShutdownReport;
use crate::observe::state::StateTable;

/// What reaches the supervisor from outside: contexts and handles.
#[derive(Debug)]
pub(crate) enum Msg {
    /// `Context::ready()` of one incarnation.
    Ready { role: usize, incarnation: u64 },
    /// `AppHandle::shutdown()` or a signal (`App::run`).
    Shutdown(ShutdownReason),
}

/// How the app ended, published once by the supervisor.
pub(crate) type Outcome<R> = Result<ShutdownReport<R>, AppError<R>>;

/// How the start phase ended, published once by the supervisor.
pub(crate) type Started<R> = Result<(), StartError<R>>;

/// What the supervisor shares with every handle.
pub(crate) struct Shared<R> {
    pub(crate) journal: Journal<R>,
    pub(crate) state: StateTable<R>,
}

/// The client's end of a launched supervisor: what an `AppHandle` is made of.
pub(crate) struct Link<R> {
    pub(crate) shared: Arc<Shared<R>>,
    pub(crate) tx: mpsc::UnboundedSender<Msg>,
    pub(crate) started: watch::Receiver<Option<Started<R>>>,
    pub(crate) done: watch::Receiver<Option<Outcome<R>>>,
    pub(crate) task: JoinHandle<()>,
}
