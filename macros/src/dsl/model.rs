//! The checked app with every default filled in: what expansion reads.
//!
//! Values that were malformed (and reported) fall back to their defaults, so
//! the generated items exist and the user sees only the real errors.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Type, TypePath, Visibility};

use super::ast::{self, ActionKind, PolicyKind, ReadyKind, StrategyKind};
use super::check::{self, ConstCheck, Named};
use super::errors::Errors;
use super::graph::{self, Graph};

const SECOND: u64 = 1_000_000_000;
const DEFAULT_SHUTDOWN_TIMEOUT: u64 = 30 * SECOND;
const DEFAULT_STOP_TIMEOUT: u64 = 5 * SECOND;
/// `StopAction::DEFAULT`: `[release_lease, stop(5s)]`.
pub const DEFAULT_STOP: [StopAction; 2] = [
    StopAction::ReleaseLease,
    StopAction::Stop(Value::Literal(DEFAULT_STOP_TIMEOUT)),
];
const DEFAULT_BUDGET: Budget = Budget {
    max: Value::Literal(3),
    window: Value::Literal(5 * SECOND),
};
/// `Backoff::DEFAULT`: `exponential(10ms, 1s)`.
const DEFAULT_EXPONENTIAL: (Nanos, Nanos) =
    (Value::Literal(10 * SECOND / 1000), Value::Literal(SECOND));

/// A value of the spec: a literal, or the const with this id in [`Model::consts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<T> {
    Literal(T),
    Const(usize),
}

/// A duration: nanoseconds, or a const of type `Duration`.
pub type Nanos = Value<u64>;

pub struct Model {
    pub krate: TokenStream,
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub role_enum: Ident,
    pub strategy: StrategyKind,
    pub intensity: Option<Budget>,
    pub shutdown_timeout: Nanos,
    pub roles: Vec<Role>,
    pub graph: Graph,
    /// The const expressions the app names, bound once each by expansion.
    pub consts: Vec<ast::ConstExpr>,
    /// The rules rustc checks on them.
    pub checks: Vec<ConstCheck>,
}

pub struct Role {
    /// The role's doc comments; generated items fall back to their own.
    pub docs: Vec<Attribute>,
    pub field: Ident,
    pub variant: Ident,
    /// `None` when the type is missing (already reported): the field is
    /// `()` and the role runs no service, so nothing else errs.
    pub ty: Option<Type>,
    /// The type's tokens (`()` without one), made once for the items that
    /// name it, and the span of the type.
    pub ty_tokens: Vec<TokenTree>,
    pub ty_span: Span,
    pub lease: String,
    pub optional: bool,
    pub restart: Restart,
    pub ready: Ready,
    pub stop: Vec<StopAction>,
    /// The `drain` token, when the stop list has one: the service must be `Drain`.
    pub drain: Option<Span>,
    /// The heartbeat period; none by default.
    pub watchdog: Option<Nanos>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub max: Value<u32>,
    pub window: Nanos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backoff {
    /// `Backoff::DEFAULT`: exponential from 10ms to 1s.
    Default,
    None,
    Fixed(Nanos),
    Exponential(Nanos, Nanos),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// `RestartPolicy::DEFAULT`: `permanent(3 per 5s)` with the default backoff.
    Default,
    Permanent(Budget, Backoff),
    Transient(Budget, Backoff),
    Temporary,
    Critical,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ready {
    Spawned,
    Signaled(Nanos),
    Completed(Nanos),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopAction {
    Drain { timeout: Nanos, resume_state: bool },
    ReleaseLease,
    Stop(Nanos),
}

/// Runs every check, then resolves the graph and the defaults.
pub fn build(app: ast::App, errors: &mut Errors) -> Model {
    check::app(&app, errors);
    let checks = errors.take_deferred();
    let (roles, removed) = check::unique_roles(app.roles, errors);
    check::check_leases(&roles, errors);
    let nodes: Vec<graph::Node> = roles
        .iter()
        .map(|Named { role: r, .. }| graph::Node {
            name: &r.name,
            optional: r.optional.is_some(),
            depends_on: r.depends_on.as_deref().unwrap_or(&[]),
            after: r.after.as_deref().unwrap_or(&[]),
        })
        .collect();
    let graph = graph::build(&nodes, &removed, errors);
    let settings = &app.settings;
    Model {
        role_enum: Ident::new(&format!("{}Role", app.name.unraw()), app.name.span()),
        krate: app.krate,
        attrs: app.attrs,
        vis: app.vis,
        name: app.name,
        strategy: settings
            .strategy
            .as_ref()
            .map_or(StrategyKind::RestForOne, |(kind, _)| *kind),
        intensity: settings.intensity.as_ref().map(budget),
        shutdown_timeout: settings
            .shutdown_timeout
            .as_ref()
            .map_or(Value::Literal(DEFAULT_SHUTDOWN_TIMEOUT), |d| {
                nanos(d, DEFAULT_SHUTDOWN_TIMEOUT)
            }),
        roles: roles.into_iter().map(role).collect(),
        graph,
        consts: app.consts,
        checks,
    }
}

fn role(named: Named) -> Role {
    let lease = match &named.role.lease {
        Some(lease) => lease.value(),
        None => named.name,
    };
    let role = named.role;
    let stop = match &role.stop {
        Some(list) => list.actions.iter().map(stop_action).collect(),
        None => DEFAULT_STOP.to_vec(),
    };
    let drain = role.stop.as_ref().and_then(|list| {
        list.actions
            .iter()
            .find(|a| a.kind == ActionKind::Drain)
            .map(|a| a.ident.span())
    });
    let (ty_tokens, ty_span) = match &role.ty {
        // One identifier, the commonest type: its tokens are the identifier.
        Some(Type::Path(TypePath {
            attrs,
            qself: None,
            path,
        })) if attrs.is_empty()
            && path.leading_colon.is_none()
            && let Some(segment) = path.get_ident() =>
        {
            (vec![TokenTree::Ident(segment.clone())], segment.span())
        }
        Some(ty) => (ty.to_token_stream().into_iter().collect(), ty.span()),
        None => {
            let unit = Group::new(Delimiter::Parenthesis, TokenStream::new());
            (vec![TokenTree::Group(unit)], Span::call_site())
        }
    };
    Role {
        docs: role.docs,
        variant: Ident::new(&named.variant, role.name.span()),
        field: role.name,
        ty: role.ty,
        ty_tokens,
        ty_span,
        lease,
        optional: role.optional.is_some(),
        restart: role.restart.as_ref().map_or(Restart::Default, restart),
        ready: role.ready.as_ref().map_or(Ready::Spawned, ready),
        stop,
        drain,
        watchdog: role.watchdog.and_then(|w| known(&w.period.value)),
    }
}

/// The value as the spec takes it; `None` when malformed (already reported).
fn known<T: Copy>(value: &ast::Value<T>) -> Option<Value<T>> {
    match value {
        ast::Value::Literal(literal) => Some(Value::Literal(*literal)),
        ast::Value::Const(constant) => Some(Value::Const(constant.id)),
        ast::Value::Malformed => None,
    }
}

fn nanos(duration: &ast::Duration, default: u64) -> Nanos {
    known(&duration.value).unwrap_or(Value::Literal(default))
}

fn budget(budget: &ast::Budget) -> Budget {
    Budget {
        max: known(&budget.max).unwrap_or(DEFAULT_BUDGET.max),
        window: known(&budget.window.value).unwrap_or(DEFAULT_BUDGET.window),
    }
}

fn restart(restart: &ast::Restart) -> Restart {
    let (budget, backoff) = match &restart.params {
        Some(params) => (
            budget(&params.budget),
            params.backoff.as_ref().map_or(Backoff::Default, backoff),
        ),
        None => (DEFAULT_BUDGET, Backoff::Default),
    };
    match restart.kind {
        // `permanent(3 per 5s)` spelled out is the default: the spec names it so.
        PolicyKind::Permanent if budget == DEFAULT_BUDGET && backoff == Backoff::Default => {
            Restart::Default
        }
        PolicyKind::Permanent => Restart::Permanent(budget, backoff),
        PolicyKind::Transient => Restart::Transient(budget, backoff),
        PolicyKind::Temporary => Restart::Temporary,
        PolicyKind::Critical => Restart::Critical,
    }
}

fn backoff(backoff: &ast::Backoff) -> Backoff {
    match backoff {
        ast::Backoff::None => Backoff::None,
        ast::Backoff::Fixed(delay) => known(&delay.value).map_or(Backoff::Default, Backoff::Fixed),
        ast::Backoff::Exponential { min, max, .. } => {
            match (known(&min.value), known(&max.value)) {
                (Some(min), Some(max)) if (min, max) == DEFAULT_EXPONENTIAL => Backoff::Default,
                (Some(min), Some(max)) => Backoff::Exponential(min, max),
                _ => Backoff::Default,
            }
        }
    }
}

fn ready(ready: &ast::Ready) -> Ready {
    let timeout = ready
        .timeout
        .as_ref()
        .map_or(Value::Literal(10 * SECOND), |d| nanos(d, 10 * SECOND));
    match ready.kind {
        ReadyKind::Spawned => Ready::Spawned,
        ReadyKind::Signaled => Ready::Signaled(timeout),
        ReadyKind::Completed => Ready::Completed(timeout),
    }
}

fn stop_action(action: &ast::StopAction) -> StopAction {
    let timeout = action
        .timeout
        .as_ref()
        .map_or(Value::Literal(DEFAULT_STOP_TIMEOUT), |d| {
            nanos(d, DEFAULT_STOP_TIMEOUT)
        });
    match action.kind {
        ActionKind::Drain => StopAction::Drain {
            timeout,
            resume_state: action.resume_state,
        },
        ActionKind::ReleaseLease => StopAction::ReleaseLease,
        ActionKind::Stop => StopAction::Stop(timeout),
    }
}
