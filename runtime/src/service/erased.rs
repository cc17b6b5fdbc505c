//! Services with their types erased, so the runtime handles every role alike.

use core::any::TypeId;
use core::future::Future;
use core::pin::Pin;
use std::sync::Arc;

use crate::service::context::{Context, State};
use crate::service::{BoxError, Drain, Service};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

trait DynService: Send + Sync + 'static {
    fn run(self: Arc<Self>, cx: Context) -> BoxFuture<Result<(), BoxError>>;
    fn drain(self: Arc<Self>, cx: Context) -> Option<BoxFuture<Result<State, BoxError>>>;
}

struct Plain<S>(S);
struct Drainable<S>(S);

/// Tells the context that `run` is over however it ends (returned, panicked
/// or aborted), so a drain waiting for a hand-over stops waiting.
struct RunEnds(Context);

impl Drop for RunEnds {
    fn drop(&mut self) {
        self.0.run_ended();
    }
}

/// Runs one incarnation of `service`, telling the context when it is over.
async fn run_once<S: Service>(service: &S, cx: Context) -> Result<(), BoxError> {
    let _ends = RunEnds(cx.clone());
    service.run(cx).await
}

impl<S: Service> DynService for Plain<S> {
    fn run(self: Arc<Self>, cx: Context) -> BoxFuture<Result<(), BoxError>> {
        Box::pin(async move { run_once(&self.0, cx).await })
    }

    fn drain(self: Arc<Self>, _: Context) -> Option<BoxFuture<Result<State, BoxError>>> {
        None
    }
}

impl<S: Drain> DynService for Drainable<S> {
    fn run(self: Arc<Self>, cx: Context) -> BoxFuture<Result<(), BoxError>> {
        Box::pin(async move { run_once(&self.0, cx).await })
    }

    fn drain(self: Arc<Self>, cx: Context) -> Option<BoxFuture<Result<State, BoxError>>> {
        Some(Box::pin(async move {
            let state = self.0.drain(&cx).await?;
            Ok(Box::new(state) as State)
        }))
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
    /// Starts one incarnation.
    pub(crate) fn run(&self, cx: Context) -> BoxFuture<Result<(), BoxError>> {
        Arc::clone(&self.service).run(cx)
    }

    /// Drains, when the service implements `Drain`; the state comes back typed
    /// (as the service's `Drain::State`), its type erased.
    pub(crate) fn drain(&self, cx: Context) -> Option<BoxFuture<Result<State, BoxError>>> {
        Arc::clone(&self.service).drain(cx)
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
