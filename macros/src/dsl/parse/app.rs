//! The app: `[attrs] vis app Name { (setting | role),* }`.

use proc_macro2::{Group, TokenStream};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::parse::discouraged::Speculative;
use syn::{Attribute, Ident, Visibility};

use super::entry::{entry, next_entry};
use super::{Seen, continues_type, each_item, keep, value};
use crate::dsl::ast::{App, Settings};
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
    };
    let mut seen = Seen::default();
    each_item(
        block.stream(),
        continues_type,
        next_entry,
        errors,
        |stream, errors| entry(stream, &mut app, &mut seen, errors),
    );
    Ok(app)
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
