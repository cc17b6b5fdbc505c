//! The commonest items read straight from their tokens, without syn: a role
//! `name: Type { .. }` and the keys `depends_on: [a, b]`, `after: [..]`,
//! `restart: permanent(3 per 5s)`, `ready: signaled(10s)` and `watchdog: 5s`.
//!
//! syn buffers each item's tokens (copying every token inside a group),
//! clones each identifier it reads (and formats it into a `String` to rule
//! out keywords) and reads each literal with its generic literal parser,
//! about 2,500 instructions for a `3` or a `5s`. A fast path takes an item
//! only when it is exactly one of these forms, and valid, and builds what
//! the general path builds from the same tokens, so spans, values and the
//! rules of the later phases see no difference. Anything else (a doc comment,
//! `optional`, a generic type, a const, a comma before a `)`, any mistake)
//! takes the general path, which reads and reports it as before: the only
//! error a fast path records is a repeated key's, through the same [`Seen`]
//! as the general path. A test runs a fuzz corpus both ways and compares
//! the expansions and every error.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, TokenTree};
use syn::{Path, Type, TypePath};

use super::app::SETTINGS;
use super::role::keys;
use super::value::{POLICIES, READINESS, UNITS};
use super::{Seen, keep};
use crate::dsl::ast::{Budget, Duration, Ready, Restart, RestartParams, Role, Value, Watchdog};
use crate::dsl::errors::Errors;
use crate::dsl::with_text;

#[cfg(test)]
thread_local! {
    /// Set by the test comparing both paths: every item takes the general one.
    pub static GENERAL_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn enabled() -> bool {
    #[cfg(test)]
    if GENERAL_ONLY.with(std::cell::Cell::get) {
        return false;
    }
    true
}

/// `name: Type` or `name: Type { keys }`, without doc comments or
/// `optional`: the name a plain identifier that is no setting, the type one
/// plain identifier starting with a capital (a lower-case word there may be
/// a setting's value under a wrong name, which the general path explains).
/// `None`, the tokens untouched, for anything else.
pub(super) fn role(tokens: &mut Vec<TokenTree>, errors: &mut Errors) -> Option<Role> {
    if !enabled() || !is_role(tokens) {
        return None;
    }
    let block = match tokens.len() {
        4 => match tokens.pop() {
            Some(TokenTree::Group(block)) => Some(block),
            other => {
                tokens.extend(other);
                return None;
            }
        },
        _ => None,
    };
    let mut taken = std::mem::take(tokens).into_iter();
    let (name, ty) = match (taken.next(), taken.next(), taken.next()) {
        (Some(TokenTree::Ident(name)), Some(_), Some(TokenTree::Ident(ty))) => (name, ty),
        // Not reached (`is_role` checked the kinds); the tokens go back.
        (first, colon, ty) => {
            tokens.extend(first.into_iter().chain(colon).chain(ty).chain(taken));
            tokens.extend(block.map(TokenTree::Group));
            return None;
        }
    };
    let ty = Type::Path(TypePath {
        attrs: Vec::new(),
        qself: None,
        path: Path::from(ty),
    });
    let mut role = Role::new(Vec::new(), None, name, Some(ty));
    if let Some(block) = block {
        keys(stream_of(block), &mut role, errors);
    }
    Some(role)
}

/// Whether `tokens` are a role [`role`] takes.
fn is_role(tokens: &[TokenTree]) -> bool {
    let (name, colon, ty, rest) = match tokens {
        [
            TokenTree::Ident(name),
            TokenTree::Punct(colon),
            TokenTree::Ident(ty),
            rest @ ..,
        ] => (name, colon, ty, rest),
        _ => return false,
    };
    let block = match rest {
        [] => true,
        [TokenTree::Group(block)] => block.delimiter() == Delimiter::Brace,
        _ => false,
    };
    block
        && alone(colon, ':')
        && with_text(name, |name| {
            plain(name) && !SETTINGS.contains(&name) && name != "optional"
        })
        && with_text(ty, |ty| {
            plain(ty) && ty.starts_with(|c: char| c.is_ascii_uppercase())
        })
}

/// The stream of a group, which is then its only owner: its tokens are
/// moved, not copied, by whoever iterates it.
fn stream_of(group: Group) -> proc_macro2::TokenStream {
    group.stream()
}

/// A key of a role block, when [`value`] reads it; recorded as the general
/// path records it (a repeated key is reported, its value dropped).
pub(super) fn key(
    tokens: &mut Vec<TokenTree>,
    role: &mut Role,
    seen: &mut Seen,
    errors: &mut Errors,
) -> bool {
    if !enabled() {
        return false;
    }
    let (Some(TokenTree::Ident(key)), Some(value)) = (tokens.first(), value(tokens)) else {
        return false;
    };
    let first = seen.first(key, "key", errors);
    match value {
        KeyValue::DependsOn(names) => keep(&mut role.depends_on, first, names),
        KeyValue::After(names) => keep(&mut role.after, first, names),
        KeyValue::Restart(restart) => keep(&mut role.restart, first, restart),
        KeyValue::Ready(ready) => keep(&mut role.ready, first, ready),
        KeyValue::Watchdog(period) => {
            let key = key.clone();
            keep(&mut role.watchdog, first, Watchdog { key, period });
        }
    }
    tokens.clear();
    true
}

/// A key's value, as the general path would read it.
// Lives only from reading to storing, by value, so its size costs nothing.
#[allow(clippy::large_enum_variant)]
enum KeyValue {
    DependsOn(Vec<Ident>),
    After(Vec<Ident>),
    Restart(Restart),
    Ready(Ready),
    Watchdog(Duration),
}

/// `key: value` when the key is written plainly and its value is one of the
/// fast forms: a list of names, a policy with at most a budget, a readiness
/// with at most a timeout, a watchdog period; `None` for anything else.
fn value(tokens: &[TokenTree]) -> Option<KeyValue> {
    let [TokenTree::Ident(key), TokenTree::Punct(colon), value @ ..] = tokens else {
        return None;
    };
    if !alone(colon, ':') {
        return None;
    }
    let keys = ["depends_on", "after", "restart", "ready", "watchdog"];
    let key = with_text(key, |key| keys.into_iter().find(|k| *k == key))?;
    let list = |value: &[TokenTree]| match value {
        [TokenTree::Group(list)] if list.delimiter() == Delimiter::Bracket => names(list),
        _ => None,
    };
    match (key, value) {
        ("depends_on", _) => list(value).map(KeyValue::DependsOn),
        ("after", _) => list(value).map(KeyValue::After),
        ("restart", [TokenTree::Ident(word), params @ ..]) => {
            let kind = with_text(word, |word| lookup(&POLICIES, word))?;
            let params = match params {
                [] => None,
                [TokenTree::Group(params)] => Some(restart_params(params)?),
                _ => return None,
            };
            Some(KeyValue::Restart(Restart {
                kind,
                ident: word.clone(),
                params,
            }))
        }
        ("ready", [TokenTree::Ident(word), timeout @ ..]) => {
            let kind = with_text(word, |word| lookup(&READINESS, word))?;
            let timeout = match timeout {
                [] => None,
                [TokenTree::Group(timeout)] if timeout.delimiter() == Delimiter::Parenthesis => {
                    match inside(timeout).as_slice() {
                        [TokenTree::Literal(lit)] => Some(duration(lit)?),
                        _ => return None,
                    }
                }
                _ => return None,
            };
            Some(KeyValue::Ready(Ready {
                kind,
                ident: word.clone(),
                timeout,
            }))
        }
        ("watchdog", [TokenTree::Literal(period)]) => duration(period).map(KeyValue::Watchdog),
        _ => None,
    }
}

/// `(3 per 5s)`: a budget of literals, nothing else.
fn restart_params(group: &Group) -> Option<RestartParams> {
    if group.delimiter() != Delimiter::Parenthesis {
        return None;
    }
    let tokens = inside(group);
    let [
        TokenTree::Literal(count),
        TokenTree::Ident(per),
        TokenTree::Literal(window),
    ] = tokens.as_slice()
    else {
        return None;
    };
    if !with_text(per, |per| per == "per") {
        return None;
    }
    let max = with_text(count, |count| {
        let digits = count.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| count.parse::<u32>().ok()).flatten()
    })?;
    Some(RestartParams {
        span: group.span(),
        budget: Budget {
            max: Value::Literal(max),
            max_span: count.span(),
            window: duration(window)?,
        },
        backoff: None,
    })
}

/// `5s`, `10ms`: decimal digits and a unit, read as syn reads them (a
/// `LitInt` with that suffix); `None` for any other literal, and for one
/// the general path reports (a length beyond `u64` nanoseconds).
fn duration(lit: &Literal) -> Option<Duration> {
    let nanos = with_text(lit, |text| {
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let (number, unit) = text.split_at(digits);
        let (_, size) = UNITS.iter().find(|(u, _)| *u == unit)?;
        let number: u64 = if digits == 0 {
            None
        } else {
            number.parse().ok()
        }?;
        number.checked_mul(*size)
    })?;
    Some(Duration {
        value: Value::Literal(nanos),
        span: lit.span(),
    })
}

/// `[a, b, c]` (a trailing comma allowed, as `parse_terminated` allows it):
/// identifiers syn accepts as names, keywords ruled out.
fn names(list: &Group) -> Option<Vec<Ident>> {
    let tokens = inside(list);
    let mut names = Vec::with_capacity(tokens.len().div_ceil(2));
    let mut tokens = tokens.into_iter();
    loop {
        match tokens.next() {
            None => return Some(names),
            Some(TokenTree::Ident(name)) if with_text(&name, syn_accepts) => names.push(name),
            Some(_) => return None,
        }
        match tokens.next() {
            None => return Some(names),
            Some(TokenTree::Punct(comma)) if comma.as_char() == ',' => {}
            Some(_) => return None,
        }
    }
}

/// The tokens inside a group, copied: the group stays whole (its opening and
/// closing spans too) for the general path, should it take the item.
fn inside(group: &Group) -> Vec<TokenTree> {
    group.stream().into_iter().collect()
}

fn lookup<T: Copy>(words: &[(&str, T)], word: &str) -> Option<T> {
    words
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, value)| *value)
}

/// A lone `c`: `:` and not the first half of `::`.
fn alone(punct: &Punct, c: char) -> bool {
    punct.as_char() == c && punct.spacing() == Spacing::Alone
}

/// An identifier written without `r#` that syn reads as a name.
fn plain(text: &str) -> bool {
    !text.starts_with("r#") && syn_accepts(text)
}

/// Whether syn's `Ident` parser takes an identifier written `text`: not
/// `_` nor a keyword (`r#type` is taken). The list is syn's own; a test
/// holds the two to each other.
pub(crate) fn syn_accepts(text: &str) -> bool {
    !matches!(
        text,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}
