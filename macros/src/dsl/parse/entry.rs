//! One entry of the app block, a setting or a role, read as far as it goes.
//!
//! A slip in an entry's header (a missing `:`, `optional` in the wrong place,
//! a role without a type, a role key outside any role) is one error that
//! names the fix, and the role is kept with what could be read: it stays in
//! the struct, the enum and the graph, so it causes no follow-on errors.

use proc_macro2::Span;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Token};

use super::app::{SETTINGS, setting};
use super::keyword::unknown;
use super::role::{ROLE_KEYS, role};
use super::value::{POLICIES, READINESS, STRATEGIES};
use super::{Next, Seen, name_colon, skip_entry};
use crate::dsl::ast::{App, Role};
use crate::dsl::check::variant_name;
use crate::dsl::errors::Errors;
use crate::dsl::suggest::closest;

/// The settings whose value may be a const expression.
const CONST_SETTINGS: [&str; 2] = ["intensity", "shutdown_timeout"];

/// One setting or role.
pub fn entry(
    input: ParseStream,
    app: &mut App,
    seen: &mut Seen,
    errors: &mut Errors,
) -> syn::Result<()> {
    let docs = doc_comments(input, errors)?;
    let (optional, name) = header(input, errors)?;
    let text = crate::dsl::text(&name);
    let is_setting = SETTINGS.contains(&text.as_str());
    if optional.is_none() {
        if is_setting && (looks_like_setting_value(input) || looks_like_const(&text, input)) {
            return setting(input, &name, &mut app.settings, seen, errors);
        }
        if let Some(error) = not_a_role(&name, input, app.roles.last()) {
            errors.push(error);
            skip_entry(input, next_entry);
            return Ok(());
        }
    }
    if is_setting {
        // Checked here rather than later: the name decides how the entry parses.
        errors.at(
            name.span(),
            format!("a role cannot be named `{text}`: that is an app setting; rename the role"),
        );
    }
    app.roles.push(role(input, docs, optional, name, errors)?);
    Ok(())
}

/// What follows an entry that is not over: the next entry when a comma is
/// missing (`[#doc] [optional] name:`), or stray tokens.
pub fn next_entry(input: ParseStream) -> Next {
    let fork = input.fork();
    if fork.call(Attribute::parse_outer).is_err() {
        return Next::Stray;
    }
    if fork.peek(Ident::peek_any) && fork.peek2(Ident::peek_any) {
        let _ = fork.call(Ident::parse_any);
    }
    let Some(name) = name_colon(&fork) else {
        return Next::Stray;
    };
    let text = crate::dsl::text(&name);
    let _ = fork.call(Ident::parse_any);
    let _ = fork.parse::<Token![:]>();
    if ROLE_KEYS.contains(&text.as_str()) && looks_like_key_value(&fork) {
        return Next::Explained;
    }
    Next::Entry {
        at: input.span(),
        name: text,
    }
}

/// `[optional] name:`, recovering from the usual slips: `name Type`,
/// `name = Type`, `name optional: Type`, `name: optional Type`.
fn header(input: ParseStream, errors: &mut Errors) -> syn::Result<(Option<Span>, Ident)> {
    let mut optional = None;
    if input.peek(Ident::peek_any) && input.peek2(Ident::peek_any) {
        let fork = input.fork();
        if fork.call(Ident::parse_any)? == "optional" {
            optional = Some(input.call(Ident::parse_any)?.span());
        }
    }
    let name: Ident = input.parse()?;
    let optional_after = |input: ParseStream| {
        let fork = input.fork();
        matches!(fork.call(Ident::parse_any), Ok(word) if word == "optional")
    };
    if input.peek(Token![:]) && !input.peek(Token![::]) {
        input.parse::<Token![:]>()?;
    } else if optional.is_none() && optional_after(input) && name_colon(input).is_some() {
        let word = input.call(Ident::parse_any)?;
        input.parse::<Token![:]>()?;
        errors.at(word.span(), optional_first(&name));
        optional = Some(word.span());
    } else if input.peek(Token![=]) {
        let eq = input.parse::<Token![=]>()?;
        let _ = input.parse::<Option<Token![>]>>();
        errors.at(
            eq.span,
            format!("expected `:` after `{name}`, found `=`: write `{name}: Type`"),
        );
    } else if !input.is_empty() && !input.peek(syn::token::Brace) {
        // A type follows (the missing type is reported with the role).
        errors.at(
            name.span(),
            format!(
                "expected `:` after `{name}`: write `{name}: {}`",
                next_word(input)
            ),
        );
    }
    if optional.is_none() && optional_after(input) && input.peek2(Ident::peek_any) {
        let word = input.call(Ident::parse_any)?;
        errors.at(word.span(), optional_first(&name));
        optional = Some(word.span());
    }
    Ok((optional, name))
}

fn optional_first(name: &Ident) -> String {
    format!("`optional` goes before the role name: `optional {name}: ..`")
}

/// The next token as text, for an example of the fix.
fn next_word(input: ParseStream) -> String {
    let fork = input.fork();
    fork.call(Ident::parse_any)
        .map_or_else(|_| "Type".to_owned(), |word| word.to_string())
}

/// Why `name: value` is not a role although it is no setting: a role key
/// outside any role, or a known setting's value under a wrong name.
fn not_a_role(name: &Ident, input: ParseStream, previous: Option<&Role>) -> Option<syn::Error> {
    let text = crate::dsl::text(name);
    let example = || previous.map_or_else(|| "api: Api".to_owned(), role_example);
    if ROLE_KEYS.contains(&text.as_str()) && looks_like_key_value(input) {
        let example = example();
        return Some(syn::Error::new(
            name.span(),
            format!(
                "`{text}` is a role key, not an app setting: write it in braces after the \
                 role's type, as in `{example} {{ {text}: .. }}`"
            ),
        ));
    }
    if !looks_like_setting_value(input) {
        return None;
    }
    let fork = input.fork();
    let word = fork.call(Ident::parse_any).map(|w| w.to_string());
    let word = word.as_deref().unwrap_or_default();
    let owner = |words: &[&str]| words.contains(&word);
    let of = |key: &str, what: &str| {
        format!("unknown app setting `{text}`; `{word}` is a value of {what}`{key}`")
    };
    let message = if closest(&text, SETTINGS).is_some() {
        // A typo of the setting's name: its did-you-mean is the better fix.
        return Some(unknown(name, "app setting", SETTINGS.into_iter()));
    } else if owner(&STRATEGIES.map(|(w, _)| w)) {
        format!("{}: write `strategy: {word}`", of("strategy", ""))
    } else if let Some(key) = [
        ("restart", &POLICIES.map(|(w, _)| w)[..]),
        ("ready", &READINESS.map(|(w, _)| w)[..]),
    ]
    .into_iter()
    .find_map(|(key, words)| owner(words).then_some(key))
    {
        format!(
            "{}, which goes in a role's braces: `{} {{ {key}: {word} }}`",
            of(key, "the role key "),
            example()
        )
    } else if input.peek(syn::Lit) {
        return Some(unknown(name, "app setting", SETTINGS.into_iter()));
    } else {
        return None;
    };
    Some(syn::Error::new(name.span(), message))
}

/// `name: Type` of a role, as an example in a message.
fn role_example(role: &Role) -> String {
    let ty = role.ty.as_ref().map_or_else(
        || variant_name(&crate::dsl::text(&role.name)),
        |ty| {
            ty.to_token_stream()
                .to_string()
                .replace(" :: ", "::")
                .replace(" < ", "<")
                .replace(" >", ">")
                .replace(" ,", ",")
        },
    );
    format!("{}: {ty}", role.name)
}

/// Doc comments before an entry; any other attribute is an error, since a
/// role is more than a field (a `cfg` would remove the field but not the role).
fn doc_comments(input: ParseStream, errors: &mut Errors) -> syn::Result<Vec<Attribute>> {
    let mut attrs = input.call(Attribute::parse_outer)?;
    attrs.retain(|attr| {
        let doc = attr.path().is_ident("doc");
        if !doc {
            errors.at(
                attr.path().span(),
                "only doc comments can be written on a role or a setting",
            );
        }
        doc
    });
    Ok(attrs)
}

/// Whether the value after `name:` reads as a setting's value (a literal or
/// a lone lower-case word) rather than a role's type.
fn looks_like_setting_value(input: ParseStream) -> bool {
    if input.peek(syn::Lit) || input.peek(Token![-]) {
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

/// `{ .. }` or a path Rust's naming says is a const, not a type (`TIMEOUT`,
/// `config::TIMEOUT`), after a setting that takes one: `shutdown_timeout:
/// TIMEOUT` is the setting, not a role of type `TIMEOUT`.
fn looks_like_const(name: &str, input: ParseStream) -> bool {
    if !CONST_SETTINGS.contains(&name) {
        return false;
    }
    if input.peek(syn::token::Brace) {
        return true;
    }
    let fork = input.fork();
    let Ok(path) = fork.parse::<syn::Path>() else {
        return false;
    };
    let screaming = path.segments.last().is_some_and(|last| {
        let name = crate::dsl::text(&last.ident);
        !name.contains(|c: char| c.is_ascii_lowercase())
    });
    screaming && !fork.peek(Token![<]) && !fork.peek(syn::token::Brace)
}

/// Whether the value after a role key's name reads as that key's value (a
/// list, a literal, a lower-case word) rather than a role's type.
fn looks_like_key_value(input: ParseStream) -> bool {
    input.peek(syn::token::Bracket) || looks_like_setting_value(input)
}
