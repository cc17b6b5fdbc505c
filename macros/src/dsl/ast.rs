//! The DSL as written, with a span on everything a rule may point at.
//!
//! Values stay as close to the source as possible (a policy may carry
//! parameters it must not have): the check phase, not the parser, says what
//! is wrong with them, so each rule lives in one place.

use proc_macro2::{Span, TokenStream};
use syn::{Attribute, Ident, LitStr, Type, Visibility};

pub struct App {
    /// Path of the `supervision` crate, as passed by the `macro_rules!` wrapper.
    pub krate: TokenStream,
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub settings: Settings,
    pub roles: Vec<Role>,
    /// The const expressions the app names, by [`ConstExpr::id`], numbered
    /// once parsing is done.
    pub consts: Vec<ConstExpr>,
}

#[derive(Default)]
pub struct Settings {
    pub strategy: Option<(StrategyKind, Ident)>,
    pub intensity: Option<Budget>,
    pub shutdown_timeout: Option<Duration>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StrategyKind {
    OneForOne,
    RestForOne,
    OneForAll,
}

pub struct Role {
    /// Doc comments, for the struct field and the enum variant.
    pub docs: Vec<Attribute>,
    pub optional: Option<Span>,
    pub name: Ident,
    /// `None` when the type is missing (already reported).
    pub ty: Option<Type>,
    pub depends_on: Option<Vec<Ident>>,
    pub after: Option<Vec<Ident>>,
    pub restart: Option<Restart>,
    pub ready: Option<Ready>,
    pub stop: Option<StopList>,
    pub lease: Option<LitStr>,
    pub watchdog: Option<Watchdog>,
}

impl Role {
    /// A role as its header declares it, before any key of its block.
    pub fn new(
        docs: Vec<Attribute>,
        optional: Option<Span>,
        name: Ident,
        ty: Option<Type>,
    ) -> Self {
        Role {
            docs,
            optional,
            name,
            ty,
            depends_on: None,
            after: None,
            restart: None,
            ready: None,
            stop: None,
            lease: None,
            watchdog: None,
        }
    }
}

/// `watchdog: PERIOD`, with its key, which a rule about the whole key points at.
pub struct Watchdog {
    pub key: Ident,
    pub period: Duration,
}

/// A duration or a count as written: a literal the macro reads now, or a
/// const expression only rustc can evaluate.
#[derive(Clone)]
pub enum Value<T> {
    Literal(T),
    Const(ConstExpr),
    /// Malformed, already reported: the default stands in.
    Malformed,
}

/// What a const expression must evaluate to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConstType {
    Duration,
    Count,
}

/// `TIMEOUT`, `config::TIMEOUT` or `{ Duration::from_secs(5) }`, where a
/// literal may stand; `id` is its position in [`App::consts`].
#[derive(Clone)]
pub struct ConstExpr {
    pub id: usize,
    pub ty: ConstType,
    pub expr: TokenStream,
    pub span: Span,
}

/// A duration: `nanos` for a literal (`30s`), or a const of type `Duration`.
#[derive(Clone)]
pub struct Duration {
    pub value: Value<u64>,
    pub span: Span,
}

/// `N per WINDOW`; `N` is a literal or a const of type `u32`.
pub struct Budget {
    pub max: Value<u32>,
    pub max_span: Span,
    pub window: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PolicyKind {
    Permanent,
    Transient,
    Temporary,
    Critical,
}

pub struct Restart {
    pub kind: PolicyKind,
    pub ident: Ident,
    /// The parenthesized parameters, whatever the policy (checked later).
    pub params: Option<RestartParams>,
}

pub struct RestartParams {
    pub span: Span,
    pub budget: Budget,
    pub backoff: Option<Backoff>,
}

pub enum Backoff {
    None,
    Fixed(Duration),
    Exponential {
        ident: Ident,
        min: Duration,
        max: Duration,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReadyKind {
    Spawned,
    Signaled,
    Completed,
}

pub struct Ready {
    pub kind: ReadyKind,
    pub ident: Ident,
    pub timeout: Option<Duration>,
}

pub struct StopList {
    pub span: Span,
    pub actions: Vec<StopAction>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ActionKind {
    Drain,
    ReleaseLease,
    Stop,
}

pub struct StopAction {
    pub kind: ActionKind,
    pub ident: Ident,
    pub timeout: Option<Duration>,
    pub resume_state: bool,
}
