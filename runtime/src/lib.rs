//! `supervision`: declare a daemon's supervision tree once with [`supervision!`],
//! get it checked at compile time, and run it on tokio.
//!
//! [`App::start`] returns an [`AppHandle`] once every role is ready; the handle
//! observes the app ([`AppHandle::state`], [`AppHandle::subscribe`],
//! [`AppHandle::events`]) and ends it ([`AppHandle::shutdown`], [`AppHandle::join`]).
#![forbid(unsafe_code)]

mod app;
mod backoff;
mod budget;
mod context;
mod duration;
mod erased;
mod error;
mod event;
mod handle;
mod journal;
mod mermaid;
mod options;
mod plan;
mod report;
mod role;
mod service;
mod spec;
mod state;
mod supervisor;
#[cfg(test)]
mod test_app;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use crate::app::App;
pub use crate::context::Context;
pub use crate::duration::DisplayDuration;
pub use crate::error::{AppError, Cause, StartError};
pub use crate::event::{DrainOutcome, EpisodeId, Event, EventKind, ShutdownReason, StopOutcome};
pub use crate::handle::AppHandle;
pub use crate::journal::EventLog;
pub use crate::options::Options;
pub use crate::plan::{Action, LifecycleEvent, Phase};
pub use crate::report::{RoleReport, ShutdownReport};
pub use crate::role::Role;
pub use crate::service::{BoxError, Drain, Service};
pub use crate::spec::{
    AppSpec, Backoff, Budget, Readiness, RestartPolicy, RoleSpec, StopAction, Strategy,
};
pub use crate::state::{AppPhase, AppState, RoleState, RoleStatus};

/// Declares a supervision tree; see the crate documentation for the DSL.
///
/// The proc macro receives this crate's path as `$crate`, so generated code
/// works even when the dependency is renamed.
#[macro_export]
macro_rules! supervision {
    ($($tokens:tt)*) => {
        $crate::__private::supervision_impl! { $crate; $($tokens)* }
    };
}
