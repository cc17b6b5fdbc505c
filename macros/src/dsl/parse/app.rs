//! The app: `[attrs] vis app Name { (setting | role),* }`.

use proc_macro2::{Group, TokenStream};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Attribute, Ident, Token, Visibility};

use super::keyword::unknown;
use super::role::role;
use super::{Seen, continues_type, each_item, value};
use crate::dsl::ast::{App, Settings};
use crate::dsl::errors::Errors;
use crate::dsl::suggest::closest;

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
    each_item(block.stream(), continues_type, errors, |stream, errors| {
        entry(stream, &mut app, &mut seen, errors)
    });
    Ok(app)
}

/// One setting or role.
fn entry(
    input: ParseStream,
    app: &mut App,
    seen: &mut Seen,
    errors: &mut Errors,
) -> syn::Result<()> {
    let optional = if input.peek(Ident::peek_any) && input.peek2(Ident::peek_any) {
        let word = input.call(Ident::parse_any)?;
        if word != "optional" {
            return Err(syn::Error::new(
                word.span(),
                format!("expected `:` after `{word}`, or `optional` before a role"),
            ));
        }
        Some(word.span())
    } else {
        None
    };
    let name: Ident = input.parse()?;
    input.parse::<Token![:]>()?;
    let text = name.unraw().to_string();
    let is_setting = SETTINGS.contains(&text.as_str());
    if optional.is_none() && looks_like_setting_value(input) {
        if is_setting {
            return setting(input, &name, &mut app.settings, seen, errors);
        }
        if input.peek(syn::Lit) || closest(&text, SETTINGS).is_some() {
            return Err(unknown(&name, "app setting", SETTINGS.into_iter()));
        }
    } else if is_setting {
        // Checked here rather than later: the name decides how the entry parses.
        errors.at(
            name.span(),
            format!("a role cannot be named `{text}`: that is an app setting; rename the role"),
        );
    }
    app.roles.push(role(input, optional, name, errors)?);
    Ok(())
}

/// Whether the value after `name:` reads as a setting's value (a literal or
/// a lone lower-case word) rather than a role's type.
fn looks_like_setting_value(input: ParseStream) -> bool {
    if input.peek(syn::Lit) {
        return true;
    }
    let fork = input.fork();
    let Ok(word) = fork.call(Ident::parse_any) else {
        return false;
    };
    let lower = word
        .unraw()
        .to_string()
        .starts_with(|c: char| c.is_ascii_lowercase());
    lower && !fork.peek(Token![::]) && !fork.peek(Token![<]) && !fork.peek(syn::token::Brace)
}

fn setting(
    input: ParseStream,
    name: &Ident,
    settings: &mut Settings,
    seen: &mut Seen,
    errors: &mut Errors,
) -> syn::Result<()> {
    let first = seen.first(name, "app setting", errors);
    match name.to_string().as_str() {
        "strategy" => {
            let value = value::strategy(input)?;
            if first {
                settings.strategy = Some(value);
            }
        }
        "intensity" => {
            let value = value::budget(input, errors)?;
            if first {
                settings.intensity = Some(value);
            }
        }
        _ => {
            let value = value::duration(input, errors)?;
            if first {
                settings.shutdown_timeout = Some(value);
            }
        }
    }
    Ok(())
}
