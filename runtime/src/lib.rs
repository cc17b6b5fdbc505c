//! `supervision`: declare a daemon's supervision tree once with [`supervision!`],
//! get it checked at compile time, and run it on tokio.
#![forbid(unsafe_code)]

mod app;
mod context;
mod duration;
mod erased;
mod mermaid;
mod plan;
mod role;
mod service;
mod spec;
#[cfg(test)]
mod test_app;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use crate::app::App;
pub use crate::context::Context;
pub use crate::duration::DisplayDuration;
pub use crate::plan::{Action, LifecycleEvent, Phase};
pub use crate::role::Role;
pub use crate::service::{BoxError, Drain, Service};
pub use crate::spec::{
    AppSpec, Backoff, Budget, Readiness, RestartPolicy, RoleSpec, StopAction, Strategy,
};

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
