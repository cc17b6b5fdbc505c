//! Rules on const values: the macro cannot evaluate `TIMEOUT`, so each rule
//! a literal is held to is handed to rustc as a `const` assertion with the
//! literal's message, and a bad const is still a compile error at its place.

use proc_macro2::Span;

use crate::dsl::ast::Value;
use crate::dsl::errors::Errors;

/// A rule rustc checks: expansion writes it as `const _: () = check(..)`.
pub struct ConstCheck {
    pub span: Span,
    pub rule: ConstRule,
    pub message: String,
}

/// What the const with this id (in `App::consts`) must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstRule {
    /// Not zero (a duration or a count).
    NotZero(usize),
    /// Zero (the positivity rule's) or at least this many nanoseconds.
    NotBelow(usize, u64),
    /// At most this many nanoseconds.
    NotAbove(usize, u64),
    /// The first duration is not longer than the second (either may be a const).
    Ordered(Operand, Operand),
}

/// One side of [`ConstRule::Ordered`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Nanos(u64),
    Const(usize),
}

impl Operand {
    /// `None` for a malformed value (already reported).
    pub fn of(value: &Value<u64>) -> Option<Operand> {
        match value {
            Value::Literal(nanos) => Some(Operand::Nanos(*nanos)),
            Value::Const(constant) => Some(Operand::Const(constant.id)),
            Value::Malformed => None,
        }
    }
}

/// One rule on one value: a literal that breaks it (`broken`) is an error
/// now; a const gets `rule`, with the same message, for rustc to check.
pub fn require<T: Copy>(
    value: &Value<T>,
    span: Span,
    broken: impl FnOnce(T) -> bool,
    rule: impl FnOnce(usize) -> ConstRule,
    message: impl FnOnce() -> String,
    errors: &mut Errors,
) {
    match value {
        Value::Literal(literal) if broken(*literal) => errors.at(span, message()),
        Value::Const(constant) => errors.defer(ConstCheck {
            span,
            rule: rule(constant.id),
            message: message(),
        }),
        Value::Literal(_) | Value::Malformed => {}
    }
}
