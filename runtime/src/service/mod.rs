//! **The service room**: what a role's code sees: the `Service`, `Drain` and
//! `Provide` traits, the `Context` handed to each incarnation, the typed
//! handle keys, and services with their types erased. Imports `spec`,
//! `observe` and `protocol`, never the engine.
//!
//! What a role's type implements.

pub(crate) mod context;
pub(crate) mod erased;
pub(crate) mod handles;
pub(crate) mod waiters;

use core::future::Future;

use crate::service::context::Context;

/// The error a service returns; its `Display` text is reported in events.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A long-running piece of the app, supervised as one role.
///
/// ```
/// use std::time::Duration;
/// use supervision::{BoxError, Context, Service};
///
/// struct Ticker {
///     period: Duration,
/// }
///
/// impl Service for Ticker {
///     async fn run(&self, cx: Context) -> Result<(), BoxError> {
///         let mut ticks = tokio::time::interval(self.period);
///         loop {
///             tokio::select! {
///                 () = cx.stop_requested() => return Ok(()),
///                 _ = ticks.tick() => { /* one unit of work; `Err` restarts the role */ }
///             }
///         }
///     }
/// }
/// ```
///
/// `run` is called once per incarnation. It should return when
/// `cx.stop_requested()` completes; if it does not, it is aborted after the
/// role's `stop(T)` grace period.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a role: it does not implement `supervision::Service`",
    label = "this role type must implement `supervision::Service`",
    note = "add `impl supervision::Service for {Self} {{ async fn run(&self, cx: supervision::Context) -> Result<(), supervision::BoxError> {{ .. }} }}`"
)]
pub trait Service: Send + Sync + 'static {
    /// Runs one incarnation of the role until it exits or is asked to stop.
    fn run(&self, cx: Context) -> impl Future<Output = Result<(), BoxError>> + Send;
}

/// A service that can hand over its in-flight work before it stops.
///
/// Who owns the work, when: until its `drain` action begins the work belongs
/// to `run`. Then `cx.drain_requested()` completes, and `run` keeps running
/// (its lease is still held, so dependents may still be finishing) but takes
/// no new work; what it still holds it gives to `cx.hand_over(self, state)`.
/// From that call on the runtime owns it: `drain` returns it (the default
/// does just that), and with `drain(.., resume_state)` it reaches the next
/// incarnation's `cx.resume_state()`, typed, never serialized. If the drain
/// times out, fails, or `run` ends without handing anything over, the drain
/// is reported as such and nothing is resumed. Then the lease is released and
/// `stop` cancels `run`.
///
/// ```
/// use std::sync::Mutex;
/// use supervision::{BoxError, Context, Drain, Service};
///
/// struct Queue {
///     pending: Mutex<Vec<u64>>,
/// }
///
/// impl Service for Queue {
///     async fn run(&self, cx: Context) -> Result<(), BoxError> {
///         cx.stop_requested().await;
///         Ok(())
///     }
/// }
///
/// impl Drain for Queue {
///     type State = Vec<u64>; // reaches the next incarnation's `cx.resume_state()`
///
///     async fn drain(&self, _cx: &Context) -> Result<Vec<u64>, BoxError> {
///         let mut pending = self.pending.lock().map_err(|_| "queue lock poisoned")?;
///         Ok(std::mem::take(&mut *pending))
///     }
/// }
/// ```
///
/// Required by the `drain(..)` stop action. The drained state is kept and
/// given to the next incarnation through `cx.resume_state()` when the action
/// says `resume_state`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be drained: it does not implement `supervision::Drain`",
    label = "`drain` needs the role type to implement `supervision::Drain`",
    note = "implement `supervision::Drain` for `{Self}`, or remove `drain(..)` from its stop list"
)]
pub trait Drain: Service {
    /// What survives into the next incarnation; `()` when nothing does.
    type State: serde::Serialize + serde::de::DeserializeOwned + Send + 'static;

    /// Returns what is left in flight, for the next incarnation.
    ///
    /// The default waits for `run` to hand it over: `run` sees
    /// `cx.drain_requested()` complete, stops taking work, and calls
    /// `cx.hand_over(self, state)`. Override it when the work lives where
    /// `drain` can reach it itself.
    fn drain(&self, cx: &Context) -> impl Future<Output = Result<Self::State, BoxError>> + Send {
        let cx = cx.clone();
        async move { cx.handed_over::<Self>().await }
    }
}

/// A service that offers its dependents a value: a connection pool, a queue
/// sender, a loaded config. Each incarnation publishes a fresh one with
/// [`Context::ready_with`]; its dependents read it through
/// [`Context::deps`], and the lease's release withdraws it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` offers no handle to its dependents",
    label = "read here",
    note = "implement `supervision::Provide` for `{Self}` (`type Handle = ..;`) and publish the handle with `cx.ready_with(self, handle)`"
)]
pub trait Provide: Service {
    /// What the role offers; cloned for every reader, so usually an `Arc`,
    /// a channel sender or a pool handle.
    type Handle: Clone + Send + Sync + 'static;
}
