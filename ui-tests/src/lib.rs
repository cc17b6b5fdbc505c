//! Compile-fail and pass cases for `supervision!`, run by `tests/ui.rs`.
//!
//! The cases share these services so each file shows only the DSL under test.

use supervision::{BoxError, Context, Drain, Service};

macro_rules! services {
    ($($(#[$doc:meta])* $name:ident,)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Default)]
        pub struct $name;

        impl Service for $name {
            async fn run(&self, cx: Context) -> Result<(), BoxError> {
                cx.stop_requested().await;
                Ok(())
            }
        }
    )*};
}

services! {
    /// A store other roles depend on.
    Database,
    /// A cache in front of the database.
    Cache,
    /// A public API.
    Api,
    /// A background worker.
    Worker,
    /// An optional metrics exporter.
    Metrics,
}

/// A queue that hands its pending jobs over when drained.
#[derive(Debug, Default)]
pub struct Queue;

impl Service for Queue {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.stop_requested().await;
        Ok(())
    }
}

impl Drain for Queue {
    type State = Vec<u64>;

    async fn drain(&self, _cx: &Context) -> Result<Vec<u64>, BoxError> {
        Ok(Vec::new())
    }
}

/// Not a service at all: roles of this type are rejected.
#[derive(Debug, Default)]
pub struct Config;

/// What [`Store`] offers its dependents.
#[derive(Clone, Debug, Default)]
pub struct Pool;

/// A store that publishes a [`Pool`] when it is ready.
#[derive(Debug, Default)]
pub struct Store;

impl Service for Store {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.ready_with(self, Pool)?;
        cx.stop_requested().await;
        Ok(())
    }
}

impl supervision::Provide for Store {
    type Handle = Pool;
}
