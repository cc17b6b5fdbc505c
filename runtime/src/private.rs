//! Everything generated code reaches, and nothing users should name.
//! Not public API: may change in any release.

pub use ::core::default::Default;
pub use ::core::fmt;
pub use ::core::option::Option::{self, None, Some};
pub use ::core::result::Result::{self, Err, Ok};
pub use ::core::time::Duration;
pub use ::serde;
pub use ::std::boxed::Box;
pub use ::std::vec::Vec;
pub use supervision_macros::supervision_impl;

pub use crate::app::App;
pub use crate::erased::{ErasedService, drain_service, service};
pub use crate::role::Role;
pub use crate::service::{Drain, Service};
pub use crate::spec::{
    AppSpec, Backoff, Budget, Readiness, RestartPolicy, RoleSpec, StopAction, Strategy,
};
