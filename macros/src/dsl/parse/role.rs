//! A role: `[optional] name: Type [{ key: value, ... }]`.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token, Type, bracketed};

use super::keyword::unknown;
use super::value;
use super::{Block, Next, Seen, block_tokens, each_item, fast, keep, name_colon, never_joins};
use crate::dsl::ast::{Role, Watchdog};
use crate::dsl::check::variant_name;
use crate::dsl::errors::Errors;

/// The keys a role block accepts.
pub const ROLE_KEYS: [&str; 7] = [
    "depends_on",
    "after",
    "restart",
    "ready",
    "stop",
    "lease",
    "watchdog",
];

/// The rest of a role once `[optional] name:` has been read.
pub fn role(
    input: ParseStream,
    docs: Vec<syn::Attribute>,
    optional: Option<Span>,
    name: Ident,
    errors: &mut Errors,
) -> syn::Result<Role> {
    let ty = if input.is_empty() || input.peek(syn::token::Brace) {
        // Kept without a type: the role still has its field, variant and edges.
        let text = crate::dsl::text(&name);
        errors.at(
            name.span(),
            format!(
                "role `{text}` has no type: write `{text}: {}`, naming its service type",
                variant_name(&text)
            ),
        );
        None
    } else {
        Some(input.parse::<Type>()?)
    };
    let mut role = Role::new(docs, optional, name, ty);
    if input.peek(syn::token::Brace) {
        let block: Group = input.parse()?;
        keys(block_tokens(block, input), &mut role, errors);
    }
    Ok(role)
}

/// The keys of a role's block, each read into the role.
pub fn keys(block: TokenStream, role: &mut Role, errors: &mut Errors) {
    let mut items = RoleBlock {
        role,
        seen: Seen::default(),
    };
    each_item(block, never_joins, next_key, errors, &mut items);
}

/// A role block's keys, read into the role.
struct RoleBlock<'a> {
    role: &'a mut Role,
    /// The keys given so far.
    seen: Seen,
}

impl Block for RoleBlock<'_> {
    fn fast(&mut self, tokens: &mut Vec<TokenTree>, errors: &mut Errors) -> bool {
        fast::key(tokens, self.role, &mut self.seen, errors)
    }

    fn entry(&mut self, input: ParseStream, errors: &mut Errors) -> syn::Result<()> {
        key(input, self.role, &mut self.seen, errors)
    }
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
    let text = crate::dsl::text(&key);
    if !ROLE_KEYS.contains(&text.as_str()) {
        return Err(unknown(&key, "role key", ROLE_KEYS.into_iter()));
    }
    input.parse::<Token![:]>()?;
    let first = seen.first(&key, "key", errors);
    match text.as_str() {
        "depends_on" => keep(&mut role.depends_on, first, dependencies(input)?),
        "after" => keep(&mut role.after, first, dependencies(input)?),
        "restart" => keep(&mut role.restart, first, value::restart(input, errors)?),
        "ready" => keep(&mut role.ready, first, value::ready(input, errors)?),
        "stop" => keep(&mut role.stop, first, value::stop_list(input, errors)?),
        "watchdog" => {
            let period = value::duration(input, errors)?;
            keep(&mut role.watchdog, first, Watchdog { key, period });
        }
        _ => keep(&mut role.lease, first, lease(input)?),
    }
    Ok(())
}

/// What follows a key that is not over: the next key when a comma is missing.
fn next_key(input: ParseStream) -> Next {
    match name_colon(input) {
        Some(name) => Next::Entry {
            at: name.span(),
            name: crate::dsl::text(&name),
        },
        None => Next::Stray,
    }
}

fn lease(input: ParseStream) -> syn::Result<LitStr> {
    input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected the lease name as a string, e.g. `lease: \"name\"`",
        )
    })
}

/// `[a, b, c]`.
fn dependencies(input: ParseStream) -> syn::Result<Vec<Ident>> {
    let content;
    bracketed!(content in input);
    let names = content.parse_terminated(Ident::parse, Token![,])?;
    Ok(names.into_iter().collect())
}
