//! Everything generated code reaches, and nothing users should name.
//! Not public API: may change in any release.
//!
//! Generated code names only `<krate>::__private::X`, so it compiles whatever
//! the calling module shadows (`Result`, `core`, `serde`, ...) and with a
//! renamed dependency.

pub use ::core::clone::Clone;
pub use ::core::cmp::{Eq, Ord, PartialEq, PartialOrd};
pub use ::core::default::Default;
pub use ::core::fmt::{self, Debug};
pub use ::core::hash::Hash;
pub use ::core::marker::Copy;
pub use ::core::option::Option::{self, None, Some};
pub use ::core::result::Result::{self, Err, Ok};
pub use ::core::time::Duration;
pub use ::serde;
pub use ::std::boxed::Box;
pub use ::std::vec::Vec;
pub use supervision_macros::supervision_impl;

pub use crate::app::App;
pub use crate::service::erased::{ErasedService, drain_service, service};
pub use crate::service::handles::{DependencyOf, RoleKey, ServedBy};
pub use crate::service::{Drain, Service};
pub use crate::spec::role::Role;
pub use crate::spec::{
    AppSpec, Backoff, Budget, Readiness, RestartPolicy, RoleSpec, StopAction, Strategy,
};

/// Deserializes a role enum from its lease name, for the generated `Deserialize` impl.
pub fn deserialize_role<'de, R: Role, D: serde::Deserializer<'de>>(
    deserializer: D,
    all: &'static [R],
) -> Result<R, D::Error> {
    deserializer.deserialize_str(RoleVisitor(all))
}

struct RoleVisitor<R: 'static>(&'static [R]);

impl<R: Role> serde::de::Visitor<'_> for RoleVisitor<R> {
    type Value = R;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a role name: ")?;
        for (i, role) in self.0.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            write!(f, "{separator}`{}`", role.name())?;
        }
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<R, E> {
        self.0
            .iter()
            .copied()
            .find(|role| role.name() == name)
            .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(name), &self))
    }
}

/// A const expression of a `supervision!` app, bound once on the app struct
/// (`impl Setting<Duration, 0> for App`), so the spec and the checks read
/// the same value and rustc reports a bad expression once.
pub trait Setting<T, const N: usize> {
    /// The expression's value.
    const VALUE: T;
}

/// The rules the macro checks on literals, for const values: each runs in a
/// `const _` item, so a bad value fails the build with the literal's message,
/// at the expression (`#[track_caller]`).
pub mod check {
    use core::time::Duration;

    /// `message` unless `value` is longer than zero.
    #[track_caller]
    pub const fn not_zero(value: Duration, message: &'static str) {
        if value.is_zero() {
            panic!("{}", message);
        }
    }

    /// `message` unless `count` is more than zero.
    #[track_caller]
    pub const fn count_not_zero(count: u32, message: &'static str) {
        if count == 0 {
            panic!("{}", message);
        }
    }

    /// `message` when `value` is shorter than `min` but not zero (zero is
    /// [`not_zero`]'s to report).
    #[track_caller]
    pub const fn not_below(value: Duration, min: Duration, message: &'static str) {
        if !value.is_zero() && value.as_nanos() < min.as_nanos() {
            panic!("{}", message);
        }
    }

    /// `message` when `value` is longer than `max`.
    #[track_caller]
    pub const fn not_above(value: Duration, max: Duration, message: &'static str) {
        if value.as_nanos() > max.as_nanos() {
            panic!("{}", message);
        }
    }

    /// `message` when `min` is longer than `max`.
    #[track_caller]
    pub const fn ordered(min: Duration, max: Duration, message: &'static str) {
        not_above(min, max, message);
    }
}
