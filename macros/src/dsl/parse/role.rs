//! A role: `[optional] name: Type [{ key: value, ... }]`.

use proc_macro2::{Group, Span};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token, Type, bracketed};

use super::keyword::unknown;
use super::value;
use super::{Seen, each_item, never_joins};
use crate::dsl::ast::Role;
use crate::dsl::errors::Errors;

/// The keys a role block accepts.
pub const ROLE_KEYS: [&str; 5] = ["depends_on", "restart", "ready", "stop", "lease"];

/// The rest of a role once `[optional] name:` has been read.
pub fn role(
    input: ParseStream,
    optional: Option<Span>,
    name: Ident,
    errors: &mut Errors,
) -> syn::Result<Role> {
    let ty: Type = input.parse()?;
    let mut role = Role {
        optional,
        name,
        ty,
        depends_on: None,
        restart: None,
        ready: None,
        stop: None,
        lease: None,
    };
    if input.peek(syn::token::Brace) {
        let block: Group = input.parse()?;
        let mut seen = Seen::default();
        each_item(block.stream(), never_joins, errors, |stream, errors| {
            key(stream, &mut role, &mut seen, errors)
        });
    }
    Ok(role)
}

/// One `key: value` of a role block. A repeated key is parsed (to find the
/// mistakes in it too) but only the first value is kept.
fn key(
    input: ParseStream,
    role: &mut Role,
    seen: &mut Seen,
    errors: &mut Errors,
) -> syn::Result<()> {
    let key = input.call(Ident::parse_any)?;
    let text = key.unraw().to_string();
    if !ROLE_KEYS.contains(&text.as_str()) {
        return Err(unknown(&key, "role key", ROLE_KEYS.into_iter()));
    }
    input.parse::<Token![:]>()?;
    let first = seen.first(&key, "key", errors);
    match text.as_str() {
        "depends_on" => {
            let value = dependencies(input)?;
            if first {
                role.depends_on = Some(value);
            }
        }
        "restart" => {
            let value = value::restart(input, errors)?;
            if first {
                role.restart = Some(value);
            }
        }
        "ready" => {
            let value = value::ready(input, errors)?;
            if first {
                role.ready = Some(value);
            }
        }
        "stop" => {
            let value = value::stop_list(input, errors)?;
            if first {
                role.stop = Some(value);
            }
        }
        _ => {
            let value: LitStr = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected the lease name as a string, e.g. `lease: \"name\"`",
                )
            })?;
            if first {
                role.lease = Some(value);
            }
        }
    }
    Ok(())
}

/// `[a, b, c]`.
fn dependencies(input: ParseStream) -> syn::Result<Vec<Ident>> {
    let content;
    bracketed!(content in input);
    let names = content.parse_terminated(Ident::parse, Token![,])?;
    Ok(names.into_iter().collect())
}
