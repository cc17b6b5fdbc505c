//! The app: `[attrs] vis app Name { (setting | role),* }`.

use proc_macro2::{Group, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::parse::discouraged::Speculative;
use syn::{Attribute, Ident, Visibility};

use super::entry::{entry, next_entry};
use super::{Block, Seen, block_tokens, continues_type, each_item, fast, keep, value};
use crate::dsl::ast::{App, Backoff, Budget, ConstExpr, Duration, Settings, Value};
use crate::dsl::errors::{Errors, earlier_place};

/// The app settings; a role may not take one of these names.
pub const SETTINGS: [&str; 3] = ["strategy", "intensity", "shutdown_timeout"];

/// The header `[attrs] vis app Name`, then each entry of the block on its own.
pub fn app(input: ParseStream, krate: TokenStream, errors: &mut Errors) -> syn::Result<App> {
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let app_token = input.call(Ident::parse_any)?;
    if app_token != "app" {
        return Err(syn::Error::new(
            app_token.span(),
            "expected `app`, as in `pub app Name { .. }`",
        ));
    }
    let name: Ident = input.parse()?;
    let block = match input.parse::<Group>() {
        Ok(group) if group.delimiter() == proc_macro2::Delimiter::Brace => group,
        Ok(group) => {
            return Err(syn::Error::new(
                group.span(),
                "expected `{` after the app name",
            ));
        }
        Err(error) => {
            return Err(syn::Error::new(
                error.span(),
                "expected `{` after the app name",
            ));
        }
    };
    let mut app = App {
        krate,
        attrs,
        vis,
        name,
        settings: Settings::default(),
        roles: Vec::new(),
        consts: Vec::new(),
    };
    let mut items = AppBlock {
        app: &mut app,
        seen: Seen::default(),
    };
    let block = block_tokens(block, input);
    each_item(block, continues_type, next_entry, errors, &mut items);
    number_consts(&mut app);
    Ok(app)
}

/// The app block's entries, read into the app.
struct AppBlock<'a> {
    app: &'a mut App,
    /// The settings given so far.
    seen: Seen,
}

impl Block for AppBlock<'_> {
    /// Room for a role an item: a role is large, and a growing vector would
    /// copy all of them at every doubling.
    fn reserve(&mut self, items: usize) {
        self.app.roles.reserve(items);
    }

    fn fast(&mut self, tokens: &mut Vec<TokenTree>, errors: &mut Errors) -> bool {
        let role = fast::role(tokens, errors);
        role.map(|role| self.app.roles.push(role)).is_some()
    }

    fn entry(&mut self, input: ParseStream, errors: &mut Errors) -> syn::Result<()> {
        entry(input, self.app, &mut self.seen, errors)
    }
}

/// Numbers the app's const expressions in source order and lists them in
/// [`App::consts`], so a check and the spec can name each one.
fn number_consts(app: &mut App) {
    let mut consts = Vec::new();
    for (id, constant) in consts_of(app).into_iter().enumerate() {
        constant.id = id;
        consts.push(constant.clone());
    }
    app.consts = consts;
}

/// Every const expression of the app, settings first, then role by role.
fn consts_of(app: &mut App) -> Vec<&mut ConstExpr> {
    let mut out = Vec::new();
    if let Some(intensity) = &mut app.settings.intensity {
        budget_consts(intensity, &mut out);
    }
    if let Some(timeout) = &mut app.settings.shutdown_timeout {
        duration_const(timeout, &mut out);
    }
    for role in &mut app.roles {
        if let Some(params) = role.restart.as_mut().and_then(|r| r.params.as_mut()) {
            budget_consts(&mut params.budget, &mut out);
            match &mut params.backoff {
                Some(Backoff::Fixed(delay)) => duration_const(delay, &mut out),
                Some(Backoff::Exponential { min, max, .. }) => {
                    duration_const(min, &mut out);
                    duration_const(max, &mut out);
                }
                Some(Backoff::None) | None => {}
            }
        }
        if let Some(timeout) = role.ready.as_mut().and_then(|r| r.timeout.as_mut()) {
            duration_const(timeout, &mut out);
        }
        for action in role.stop.iter_mut().flat_map(|list| &mut list.actions) {
            if let Some(timeout) = &mut action.timeout {
                duration_const(timeout, &mut out);
            }
        }
        if let Some(watchdog) = &mut role.watchdog {
            duration_const(&mut watchdog.period, &mut out);
        }
    }
    out
}

fn duration_const<'a>(duration: &'a mut Duration, out: &mut Vec<&'a mut ConstExpr>) {
    if let Value::Const(constant) = &mut duration.value {
        out.push(constant);
    }
}

fn budget_consts<'a>(budget: &'a mut Budget, out: &mut Vec<&'a mut ConstExpr>) {
    if let Value::Const(constant) = &mut budget.max {
        out.push(constant);
    }
    duration_const(&mut budget.window, out);
}

/// The app, then whatever follows it. The items are always emitted, so
/// nothing after the app's `}` may cost the app: a second app is one error
/// (a block declares one app, which keeps each block readable on its own)
/// and is still expanded unless it repeats the first one's name; any other
/// tokens are one error and are skipped.
pub fn apps(input: ParseStream, krate: TokenStream, errors: &mut Errors) -> syn::Result<Vec<App>> {
    let mut apps = vec![app(input, krate.clone(), errors)?];
    while !input.is_empty() {
        let fork = input.fork();
        let Ok(next) = app(&fork, krate.clone(), errors) else {
            let what = input
                .span()
                .source_text()
                .unwrap_or_else(|| "token".to_owned());
            errors.at(
                input.span(),
                format!("unexpected `{what}` after the app's `}}`; remove it"),
            );
            input.parse::<TokenStream>()?;
            break;
        };
        input.advance_to(&fork);
        let name = &next.name;
        match apps.iter().find(|a| a.name == *name) {
            Some(first) => errors.at(
                name.span(),
                format!(
                    "app `{name}` is already declared {} in this block; remove this one",
                    earlier_place(first.name.span(), name.span())
                ),
            ),
            None => {
                errors.at(
                    name.span(),
                    format!(
                        "a `supervision!` block declares one app: give `{name}` its own \
                         `supervision! {{ .. }}`"
                    ),
                );
                apps.push(next);
            }
        }
    }
    Ok(apps)
}

/// `strategy: ..`, `intensity: ..` or `shutdown_timeout: ..`; a repeat is
/// parsed for its own mistakes, then dropped.
pub fn setting(
    input: ParseStream,
    name: &Ident,
    settings: &mut Settings,
    seen: &mut Seen,
    errors: &mut Errors,
) -> syn::Result<()> {
    let first = seen.first(name, "app setting", errors);
    match name.to_string().as_str() {
        "strategy" => keep(&mut settings.strategy, first, value::strategy(input)?),
        "intensity" => keep(
            &mut settings.intensity,
            first,
            value::budget(input, errors)?,
        ),
        _ => keep(
            &mut settings.shutdown_timeout,
            first,
            value::duration(input, errors)?,
        ),
    }
    Ok(())
}
