//! Services with their types erased, so the runtime handles every role alike.
//!
//! Each erased service spawns its own tasks: the task's future is the
//! service's own future type, not a boxed one, so a spawn costs one
//! allocation (tokio's task) and no indirection. A task catches its own
//! panic and sends what it returned, with the [`TaskKey`] it was spawned
//! with, to the supervisor's channel; dropped unfinished (aborted), it sends
//! that instead. So the supervisor keeps no set of its tasks.

use core::any::{Any, TypeId};
use core::future::{Future, poll_fn};
use core::pin::{Pin, pin};
use core::task::{Context as TaskCx, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::observe::error::ErrorChain;
use crate::protocol::{Done, Msg, TaskKey, TaskKind, TaskOut};
use crate::service::context::{Context, State};
use crate::service::{BoxError, Drain, Service};

/// A spawned task, kept to abort it (dropping it leaves the task running).
pub(crate) type Task = JoinHandle<()>;

/// Sends the task's end exactly once, through its incarnation's context (no
/// sender of its own to clone and drop): its output, or `Aborted` when the
/// task is dropped before it finished. A run's end first tells the context
/// that `run` is over however it ended (returned, panicked or aborted), so a
/// drain waiting for a hand-over stops waiting.
struct Finish {
    /// Taken by the one send.
    cx: Option<Context>,
    key: TaskKey,
}

impl Finish {
    fn new(cx: &Context, key: TaskKey) -> Self {
        Finish {
            cx: Some(cx.clone()),
            key,
        }
    }

    fn send(&mut self, out: TaskOut) {
        if let Some(cx) = self.cx.take() {
            if self.key.kind == TaskKind::Run {
                cx.run_ended();
            }
            cx.tell(Msg::Ended(Done { key: self.key, out }));
        }
    }
}

impl Drop for Finish {
    fn drop(&mut self) {
        self.send(TaskOut::Aborted);
    }
}

/// The message of a panic (`&str` or `String` payloads).
pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// Polls `future`, the task's one future, turning its output into what the
/// task sends through `out`; a panic becomes [`TaskOut::Panicked`], and the
/// future is dropped there, as tokio drops a task that panicked (a panic of
/// its drop is ignored, as tokio ignores it).
fn poll_guarded<F: Future>(
    mut future: Pin<&mut Option<F>>,
    cx: &mut TaskCx<'_>,
    out: fn(F::Output) -> TaskOut,
) -> Poll<TaskOut> {
    let Some(running) = future.as_mut().as_pin_mut() else {
        return Poll::Ready(TaskOut::Panicked("polled after a panic".to_owned()));
    };
    match catch_unwind(AssertUnwindSafe(|| running.poll(cx))) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(output)) => Poll::Ready(out(output)),
        Err(payload) => {
            let _ = catch_unwind(AssertUnwindSafe(|| future.as_mut().set(None)));
            Poll::Ready(TaskOut::Panicked(payload_message(&*payload)))
        }
    }
}

/// Spawns `task` inside `span`. A span no subscriber wants (disabled when it
/// was made, so it records nothing ever) is not carried: the task is spawned
/// without it, and costs neither the span's bytes nor entering it at every
/// poll.
fn spawn_in(span: tracing::Span, task: impl Future<Output = ()> + Send + 'static) -> Task {
    if span.is_disabled() {
        tokio::spawn(task)
    } else {
        tokio::spawn(task.instrument(span))
    }
}

// Each task's future is written out whole, its service's future made inside
// it and polled in place: a future made outside (or by a closure the task
// captures) would be stored in the task twice, and a larger future can take
// a larger tokio task (they come in steps of 128 bytes).

/// Spawns one incarnation's `run` of `held`'s service. The future is
/// dropped before the end is sent, as a task's is before a `JoinSet`
/// yields it.
fn spawn_run<H: Holds>(held: Arc<H>, cx: Context, key: TaskKey, span: tracing::Span) -> Task {
    let mut finish = Finish::new(&cx, key);
    spawn_in(span, async move {
        let mut future = pin!(Some(held.service().run(cx)));
        let output = poll_fn(|task| poll_guarded(future.as_mut(), task, run_out)).await;
        future.set(None);
        finish.send(output);
    })
}

/// Spawns the drain of one incarnation of `held`'s service; the state comes
/// back typed (as the service's `Drain::State`), its type erased.
fn spawn_drain<S: Drain>(
    held: Arc<Drainable<S>>,
    cx: Context,
    key: TaskKey,
    span: tracing::Span,
) -> Task {
    let mut finish = Finish::new(&cx, key);
    spawn_in(span, async move {
        let mut future = pin!(Some(async {
            let state = held.0.drain(&cx).await?;
            Ok(Box::new(state) as State)
        }));
        let output = poll_fn(|task| poll_guarded(future.as_mut(), task, drain_out)).await;
        future.set(None);
        finish.send(output);
    })
}

fn run_out(result: Result<(), BoxError>) -> TaskOut {
    TaskOut::Run(result.map_err(|e| ErrorChain::of(&*e)))
}

fn drain_out(result: Result<State, BoxError>) -> TaskOut {
    TaskOut::Drain(result.map_err(|e| e.to_string()))
}

trait DynService: Send + Sync + 'static {
    fn spawn_run(self: Arc<Self>, cx: Context, key: TaskKey, span: tracing::Span) -> Task;

    fn spawn_drain(self: Arc<Self>, cx: Context, key: TaskKey, span: tracing::Span)
    -> Option<Task>;
}

struct Plain<S>(S);
struct Drainable<S>(S);

/// What holds a service: the one future `run` spawns is written once for both.
trait Holds: Send + Sync + 'static {
    type Service: Service;
    fn service(&self) -> &Self::Service;
}

impl<S: Service> Holds for Plain<S> {
    type Service = S;
    fn service(&self) -> &S {
        &self.0
    }
}

impl<S: Drain> Holds for Drainable<S> {
    type Service = S;
    fn service(&self) -> &S {
        &self.0
    }
}

impl<S: Service> DynService for Plain<S> {
    fn spawn_run(self: Arc<Self>, cx: Context, key: TaskKey, span: tracing::Span) -> Task {
        spawn_run(self, cx, key, span)
    }

    fn spawn_drain(self: Arc<Self>, _: Context, _: TaskKey, _: tracing::Span) -> Option<Task> {
        None
    }
}

impl<S: Drain> DynService for Drainable<S> {
    fn spawn_run(self: Arc<Self>, cx: Context, key: TaskKey, span: tracing::Span) -> Task {
        spawn_run(self, cx, key, span)
    }

    fn spawn_drain(
        self: Arc<Self>,
        cx: Context,
        key: TaskKey,
        span: tracing::Span,
    ) -> Option<Task> {
        Some(spawn_drain(self, cx, key, span))
    }
}

/// One role's service, ready to be run any number of times.
#[derive(Clone)]
pub struct ErasedService {
    service: Arc<dyn DynService>,
    /// The service's type, which `Context::ready_with` checks its caller against.
    pub(crate) service_type: TypeId,
}

impl ErasedService {
    /// Spawns one incarnation's `run`, inside `span`; its end goes to the
    /// supervisor through `cx`.
    pub(crate) fn spawn_run(&self, cx: Context, key: TaskKey, span: tracing::Span) -> Task {
        Arc::clone(&self.service).spawn_run(cx, key, span)
    }

    /// Spawns the drain of one incarnation, when the service implements
    /// `Drain`; the state comes back typed (as the service's `Drain::State`),
    /// its type erased.
    pub(crate) fn spawn_drain(
        &self,
        cx: Context,
        key: TaskKey,
        span: tracing::Span,
    ) -> Option<Task> {
        Arc::clone(&self.service).spawn_drain(cx, key, span)
    }
}

impl core::fmt::Debug for ErasedService {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ErasedService")
    }
}

/// Erases a service whose stop list has no `drain`.
pub fn service<S: Service>(service: S) -> ErasedService {
    ErasedService {
        service: Arc::new(Plain(service)),
        service_type: TypeId::of::<S>(),
    }
}

/// Erases a service whose stop list has `drain`: requires `S: Drain`.
pub fn drain_service<S: Drain>(service: S) -> ErasedService {
    ErasedService {
        service: Arc::new(Drainable(service)),
        service_type: TypeId::of::<S>(),
    }
}
