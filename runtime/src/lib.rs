//! `supervision`: declare a daemon's supervision tree once with [`supervision!`],
//! get it checked at compile time, and run it on tokio.
//!
//! ```no_run
//! use supervision::{App, BoxError, Context, Service, supervision};
//!
//! struct Store;
//! impl Service for Store {
//!     async fn run(&self, cx: Context) -> Result<(), BoxError> {
//!         // open the store, then:
//!         cx.ready();
//!         cx.stop_requested().await;
//!         Ok(())
//!     }
//! }
//!
//! struct Api;
//! impl Service for Api {
//!     async fn run(&self, cx: Context) -> Result<(), BoxError> {
//!         cx.stop_requested().await;
//!         Ok(())
//!     }
//! }
//!
//! supervision! {
//!     app Daemon {
//!         store: Store { ready: signaled(5s), restart: critical },
//!         api: Api { depends_on: [store], restart: permanent(5 per 1m) },
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Start, wait for Ctrl-C or SIGTERM, stop in order, report.
//!     let report = Daemon { store: Store, api: Api }.run().await?;
//!     println!("{report:?}");
//!     Ok(())
//! }
//! ```
//!
//! [`App::start`] returns an [`AppHandle`] once every role is ready; the handle
//! observes the app ([`AppHandle::state`], [`AppHandle::subscribe`],
//! [`AppHandle::events`], [`AppHandle::chain`]) and ends it
//! ([`AppHandle::shutdown`], [`AppHandle::join`]). [`App::launch`] returns the
//! handle at once instead, so [`AppHandle::follow`] can watch the start live
//! and [`AppHandle::started`] await its end. Every data type the runtime
//! returns implements `Serialize` and `Deserialize` (with a run-time app's
//! [`RoleId`], `Serialize` only: read its events back as `Event<String>`).
//!
//! Roles known only at run time (one per shard or config entry) are declared
//! with a [`Builder`] instead: `build()` applies the macro's rules and returns
//! every broken one in a [`BuildError`]; the [`BuiltApp`] runs like any app.
//!
//! # Under systemd or Kubernetes
//!
//! Restarts across processes and machines belong to the outer supervisor;
//! the app reports to it. Under systemd (`Type=notify`, `$NOTIFY_SOCKET` set)
//! [`App::run`] sends `READY=1` once every role is ready, `STATUS=` lines as
//! roles restart, are disabled or come back, `STOPPING=1` when the shutdown
//! begins, and with `WatchdogSec=` a `WATCHDOG=1` every half period while
//! every required role is ready, so systemd restarts a process that stays
//! wedged. Without `$NOTIFY_SOCKET` nothing is sent. [`AppHandle::health`]
//! answers liveness and readiness probes, and [`exit_code`] turns what `run`
//! returned into a process exit code ([`exit`] lists them) that
//! `Restart=on-failure` and `RestartPreventExitStatus=` can act on.
//!
//! # How the runtime executes a spec
//!
//! One supervisor task owns every decision; each incarnation runs in its own task.
//!
//! - **Start**: a role starts when all its dependencies are ready (independent
//!   roles together, in start order); `start` fails, after stopping what had
//!   started in stop order, if a required role cannot become ready. An optional
//!   one is disabled with its dependents instead.
//! - **Exits**: every exit is an event (`exited`, `failed`, `panicked`). The
//!   role's policy decides; a restart consumes the role's own sliding-window
//!   budget and the app's `intensity`, waits its backoff, and never overlaps the
//!   previous incarnation. The strategy decides which other roles are stopped
//!   (dependents first) and started again (in start order) with it.
//! - **Giving up**: a required role escalates (the app shuts down, `join`
//!   returns [`AppError::Escalated`]); an optional one is disabled with its
//!   dependents. A `critical` role's clean exit shuts the app down with `Ok`.
//!   A `temporary` role's exit leaves it stopped and its dependents running;
//!   only an optional one that fails is disabled (with its dependents).
//! - **Bystanders**: a role stopped for another role's restart starts again
//!   with it, whatever its policy (that stop is not its own exit), except a
//!   `temporary` one, which stays stopped, as OTP never restarts a temporary
//!   child. A role that is to start again while a dependency stays stopped
//!   never could: a required one escalates ([`Cause::DependencyStopped`]), an
//!   optional one is disabled with its dependents.
//! - **During start**, by default, nothing is retried: a required role that
//!   exits or times out before its first readiness fails `start` at once (as
//!   an OTP child whose `init` fails), and so does one that stops for good
//!   while roles that depend on it have not started yet. With
//!   [`StartMode::Retry`] (in [`Options`]) such a role's own restart policy,
//!   budget and backoff apply during the start too, each attempt under its
//!   `ready` timeout.
//! - **Watchdogs**: a role with `watchdog: T` must call
//!   [`Context::heartbeat`] at least once per T once ready; an incarnation
//!   that does not is hung (an [`EventKind::Hung`] event), is stopped with its
//!   stop actions at once, and its restart policy handles it as a failure
//!   ([`Cause::Hung`]), as systemd's `WatchdogSec=` does for a whole process.
//! - **One-shot jobs** (`ready: completed`) that finished stay finished: a
//!   restart of a role they depend on does not run them again.
//! - **Stopping**: the same stop sequence serves shutdown, restarts and
//!   disables: `drain` (state kept for the next incarnation), `release_lease`,
//!   `stop` (cancel, wait, abort). A role's stop begins once its dependents
//!   have stopped; `shutdown_timeout` aborts whatever is left.
//! - **Handles**: a role whose type implements [`Provide`] publishes a value
//!   with [`Context::ready_with`]; the roles that depend on it read it with
//!   [`Context::deps`] and the generated keys (`shop::database` for role
//!   `database` of `app Shop`), and rustc rejects a read along an edge the
//!   `depends_on` does not declare. Releasing the lease (or exiting) withdraws
//!   the handle; the next incarnation publishes a fresh one; a stopping one
//!   cannot publish again. [`AppHandle::get`] reads any role from outside.
//! - **Events**: every transition is an [`Event`] with a gapless `seq`; those
//!   a failure (or the shutdown) caused share its [`EpisodeId`]. The journal
//!   is bounded ([`Options::journal_capacity`]) and subscribers that fall
//!   behind lose events, never slow supervision.
//! - **Chains and episodes**: [`AppHandle::chain`] gives one role's events
//!   grouped by incarnation and tagged with their [`Stage`];
//!   [`AppHandle::episode`] gives one failure's whole cascade. Both print as
//!   a timeline, and report a journal that dropped part of the history as a
//!   typed error rather than a silently short answer.
#![forbid(unsafe_code)]
// Every public type prints, so users can `{:?}` whatever the runtime hands them.
#![warn(missing_debug_implementations)]

mod app;
mod observe;
mod protocol;
mod service;
mod spec;
mod supervisor;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use crate::app::testing;

/// Apps defined at run time, checked with the macro's rules: [`Builder`].
pub mod build {
    pub use crate::app::builder::{Builder, BuiltApp, RoleBuilder};
    pub use crate::spec::dynamic::{BuildError, Mistake, RoleId, Rule};
}

pub use crate::app::App;
pub use crate::app::builder::{Builder, BuiltApp};
pub use crate::app::handle::AppHandle;
pub use crate::app::signal::shutdown_signal;
pub use crate::observe::chain::{Chain, ChainError, Incarnation, MissingStages};
pub use crate::observe::episode::{Episode, EpisodeError};
pub use crate::observe::error::{AppError, Cause, Failure, StartError};
pub use crate::observe::event::{
    DrainOutcome, EpisodeId, Event, EventKind, ShutdownReason, StopOutcome,
};
pub use crate::observe::exit::{self, exit_code};
pub use crate::observe::follow::Follow;
pub use crate::observe::footprint::Footprint;
pub use crate::observe::health::Health;
pub use crate::observe::journal::EventLog;
pub use crate::observe::report::{RoleReport, ShutdownReport};
pub use crate::observe::stage::{Stage, Step};
pub use crate::observe::state::{AppState, Phase, RoleState, RoleStatus};
pub use crate::observe::subscription::Subscription;
pub use crate::service::context::Context;
pub use crate::service::handles::{DependencyOf, Deps, HandleError, RoleKey, ServedBy};
pub use crate::service::{BoxError, Drain, Provide, Service};
pub use crate::spec::duration::{DisplayDuration, Elapsed};
pub use crate::spec::dynamic::{BuildError, RoleId};
pub use crate::spec::options::{Options, OverrideError, RoleOverrides, StartMode};
pub use crate::spec::plan::{Action, LifecycleEvent, LifecyclePhase};
pub use crate::spec::role::Role;
pub use crate::spec::{
    AppSpec, Backoff, Budget, Readiness, RestartPolicy, RoleSpec, StopAction, Strategy,
};
pub use crate::supervisor::footprint;

/// Declares a supervision tree, checks it at compile time and generates the app.
///
/// ```text
/// [attributes] [visibility] app Name {
///     strategy: one_for_one | rest_for_one | one_for_all,   // default rest_for_one
///     intensity: N per DURATION,                            // app-wide restart budget
///     shutdown_timeout: DURATION,                           // default 30s
///     [optional] role: Type,                                // every default
///     [optional] role: Type {
///         depends_on: [other, ...],                         // order, restart, handles
///         after: [other, ...],                              // order only
///         restart: permanent[(N per W[, backoff: none | fixed(D) | exponential(MIN, MAX)])]
///                | transient[(..)] | temporary | critical, // default permanent(3 per 5s)
///         ready: spawned | signaled(TIMEOUT) | completed(TIMEOUT),
///         stop: [drain(T[, resume_state]), release_lease, stop[(T)]],
///         lease: "name",
///         watchdog: DURATION,         // cx.heartbeat() at least once per period
///     },
/// }
/// ```
///
/// Durations are integer literals with a unit (`ns us ms s m h`). A duration
/// or a restart count may also be a const: a path (`TIMEOUT`,
/// `config::TIMEOUT`) or a braced const expression (`{ Duration::from_secs(5) }`),
/// of type `Duration` or `u32`, held to the same rules as a literal at compile
/// time. [`Options`] overrides timeouts and budgets at run time. For
/// `pub app Atpd { .. }` it generates `pub struct Atpd` (one field per role),
/// `pub enum AtpdRole`, `Atpd::START_ORDER` / `Atpd::STOP_ORDER`,
/// `impl App for Atpd`, and `pub mod atpd` with one typed key per role
/// (`atpd::identity_manager`) for reading handles. Every mistake is a compile error at the offending
/// token; the README's error gallery shows them.
///
/// The proc macro receives this crate's path as `$crate`, so generated code
/// works even when the dependency is renamed.
#[macro_export]
macro_rules! supervision {
    ($($tokens:tt)*) => {
        $crate::__private::supervision_impl! { $crate; $($tokens)* }
    };
}
