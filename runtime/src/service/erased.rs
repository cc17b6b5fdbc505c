//! Services with their types erased, so the runtime handles every role alike.

use core::any::TypeId;
use core::future::Future;
use core::pin::Pin;
use std::sync::Arc;

use crate::service::context::Context;
use crate::service::{BoxError, Drain, Service};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

trait DynService: Send + Sync + 'static {
    fn run(self: Arc<Self>, cx: Context) -> BoxFuture<Result<(), BoxError>>;
    fn drain(
        self: Arc<Self>,
        cx: Context,
    ) -> Option<BoxFuture<Result<serde_json::Value, BoxError>>>;
}

struct Plain<S>(S);
struct Drainable<S>(S);

impl<S: Service> DynService for Plain<S> {
    fn run(self: Arc<Self>, cx: Context) -> BoxFuture<Result<(), BoxError>> {
        Box::pin(async move { self.0.run(cx).await })
    }

    fn drain(
        self: Arc<Self>,
        _: Context,
    ) -> Option<BoxFuture<Result<serde_json::Value, BoxError>>> {
        None
    }
}

impl<S: Drain> DynService for Drainable<S> {
    fn run(self: Arc<Self>, cx: Context) -> BoxFuture<Result<(), BoxError>> {
        Box::pin(async move { self.0.run(cx).await })
    }

    fn drain(
        self: Arc<Self>,
        cx: Context,
    ) -> Option<BoxFuture<Result<serde_json::Value, BoxError>>> {
        Some(Box::pin(async move {
            let state = self.0.drain(&cx).await?;
            Ok(serde_json::to_value(state)?)
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

    /// Drains, when the service implements `Drain`; the state comes back as JSON.
    pub(crate) fn drain(
        &self,
        cx: Context,
    ) -> Option<BoxFuture<Result<serde_json::Value, BoxError>>> {
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
