//! Parsing: tokens to [`ast::App`], recovering after each mistake.
//!
//! The app block is split into entries (roles and settings) and each role
//! block into keys, and each piece is parsed on its own: a mistake in one is
//! recorded and parsing goes on with the next, so every independent mistake
//! of the input is reported in one build.

mod app;
mod entry;
pub(crate) mod fast;
mod keyword;
mod role;
mod value;

use std::cell::RefCell;

use proc_macro2::{Delimiter, Group, Spacing, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};

use super::ast;
use super::errors::{Errors, earlier_place};

/// Parses `krate ; [attrs] vis app Name { ... }`; empty when not even the
/// app's header could be read (the error is recorded).
pub fn parse(input: TokenStream, errors: &mut Errors) -> Vec<ast::App> {
    let (krate, rest, semi) = split_crate_path(input);
    let end = rest
        .last()
        .map(TokenTree::span)
        .or(semi)
        .unwrap_or_else(Span::call_site);
    let rest = hollow_trailing(rest);
    let apps = parse_within(rest, end, |stream| app::apps(stream, krate, errors));
    TRAILING.with(|trailing| trailing.borrow_mut().take());
    match apps {
        Ok(apps) => apps,
        Err(error) => {
            errors.push(error);
            Vec::new()
        }
    }
}

thread_local! {
    /// The tokens of the `{ .. }` that ends the tokens being parsed (the
    /// app's block, a role's block), taken out before syn copies them into
    /// its buffer: the block is parsed on its own afterwards, so the copy
    /// would be thrown away. An empty group with the same span stands in.
    static TRAILING: RefCell<Option<Group>> = const { RefCell::new(None) };
}

/// `tokens` with a trailing `{ .. }` emptied (its tokens kept for
/// [`block_tokens`]); not after `!`, where the group belongs to a macro
/// call (a type `m! { .. }`) that syn reads itself.
fn hollow_trailing(mut tokens: Vec<TokenTree>) -> TokenStream {
    let after_bang = |tokens: &[TokenTree]| {
        let before = tokens.len().checked_sub(2).and_then(|i| tokens.get(i));
        matches!(before, Some(TokenTree::Punct(p)) if p.as_char() == '!')
    };
    if !after_bang(&tokens)
        && let Some(TokenTree::Group(group)) = tokens.last_mut()
        && group.delimiter() == Delimiter::Brace
    {
        let mut empty = Group::new(Delimiter::Brace, TokenStream::new());
        empty.set_span(group.span());
        let full = std::mem::replace(group, empty);
        TRAILING.with(|trailing| *trailing.borrow_mut() = Some(full));
    }
    tokens.into_iter().collect()
}

/// A `{ .. }` just parsed from `input`, whole: the one taken out by
/// [`hollow_trailing`] when it was the last token, else itself.
fn whole_block(group: Group, input: ParseStream) -> Group {
    let last =
        input.is_empty() && group.delimiter() == Delimiter::Brace && group.stream().is_empty();
    let taken = last.then(|| TRAILING.with(|trailing| trailing.borrow_mut().take()));
    taken.flatten().unwrap_or(group)
}

/// The tokens of a block just parsed from `input` (see [`whole_block`]).
fn block_tokens(group: Group, input: ParseStream) -> TokenStream {
    // The group dropped, its stream is the only owner of the tokens, which
    // are then moved, not copied, into the block's items.
    whole_block(group, input).stream()
}

/// Splits off the crate path the `macro_rules!` wrapper puts before `;`,
/// and the `;`'s span.
///
/// Without one (the proc macro called directly), generated code names `::supervision`.
fn split_crate_path(input: TokenStream) -> (TokenStream, Vec<TokenTree>, Option<Span>) {
    let mut tokens: Vec<TokenTree> = input.into_iter().collect();
    let semi = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'));
    match semi {
        Some(i) => {
            let rest = tokens.split_off(i + 1);
            let semi = tokens.pop().map(|semi| semi.span());
            (tokens.into_iter().collect(), rest, semi)
        }
        None => (quote::quote!(::supervision), tokens, None),
    }
}

/// Parses `tokens` as the inside of a group spanning `end`, so a mistake at
/// their end (a missing value) is reported at `end`: `parse2` alone would
/// report it at the macro's call site, outside the input.
fn parse_within<T>(
    tokens: TokenStream,
    end: Span,
    parser: impl FnOnce(ParseStream) -> syn::Result<T>,
) -> syn::Result<T> {
    let mut group = Group::new(Delimiter::Brace, tokens);
    group.set_span(end);
    let within = |input: ParseStream| {
        let content;
        syn::braced!(content in input);
        parser(&content)
    };
    within.parse2(TokenTree::Group(group).into())
}

/// Keys (or settings) already given in one block, to report a repeat at the
/// second one, naming where the first is.
#[derive(Default)]
struct Seen(Vec<syn::Ident>);

impl Seen {
    /// Records `key`; `false` (and an error) when it was already given.
    fn first(&mut self, key: &syn::Ident, what: &str, errors: &mut Errors) -> bool {
        if let Some(earlier) = self.0.iter().find(|k| *k == key) {
            let place = earlier_place(earlier.span(), key.span());
            errors.at(
                key.span(),
                format!("{what} `{key}` is given twice, first {place}; remove one"),
            );
            return false;
        }
        self.0.push(key.clone());
        true
    }
}

/// Stores a key's value unless the key was a repeat: the first one wins, the
/// repeat was parsed only to report the mistakes inside it too.
fn keep<T>(slot: &mut Option<T>, first: bool, value: T) {
    if first {
        *slot = Some(value);
    }
}

/// What follows an entry (a role, a setting, a role key) in its item when
/// the item is not over yet.
enum Next {
    /// Another entry, named `name`: the comma between the two is missing.
    Entry { at: Span, name: String },
    /// Another entry whose own error says what is wrong (a role key written
    /// at app level): no second error for the comma.
    Explained,
    /// Tokens that start no entry.
    Stray,
}

/// What the items of a block are read into: the app (its roles and
/// settings) or a role (its keys).
trait Block {
    /// Told how many items the block holds before the first is read.
    fn reserve(&mut self, _items: usize) {}

    /// Takes the item when it is one of the commonest forms, read straight
    /// from its tokens ([`fast`]); `false`, the tokens untouched, for the
    /// general path.
    fn fast(&mut self, tokens: &mut Vec<TokenTree>, errors: &mut Errors) -> bool;

    /// One entry of the item, read with syn.
    fn entry(&mut self, input: ParseStream, errors: &mut Errors) -> syn::Result<()>;
}

/// Parses each comma-separated item of a block on its own, recording the
/// error of a broken item and going on with the next one.
///
/// Each item gets a fresh parser, so a mistake deep inside one (an unclosed
/// list, a stray token) can never leak into the next item or the whole macro.
/// An item holding two entries has lost its comma: that is one error, at
/// the second entry, and both entries are kept.
fn each_item(
    block: TokenStream,
    joins: impl Fn(&[TokenTree]) -> bool,
    next: fn(syn::parse::ParseStream) -> Next,
    errors: &mut Errors,
    items: &mut impl Block,
) {
    // A block taken out of the enclosing tokens (a later app's) waits until
    // these items are parsed.
    let outer = TRAILING.with(|trailing| trailing.borrow_mut().take());
    let split = split_items(block, joins);
    items.reserve(split.len());
    for (mut tokens, end) in split {
        if items.fast(&mut tokens, errors) {
            continue;
        }
        let tokens = hollow_trailing(tokens);
        let parser = |stream: syn::parse::ParseStream| loop {
            items.entry(stream, errors)?;
            if stream.is_empty() {
                return Ok(());
            }
            match next(stream) {
                Next::Entry { at, name } => errors.at(
                    at,
                    format!("expected `,` before `{name}`: entries are separated by commas"),
                ),
                Next::Explained => {}
                Next::Stray => return Err(stray(stream)),
            }
        };
        let parsed = parse_within(tokens, end, parser);
        TRAILING.with(|trailing| trailing.borrow_mut().take());
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    TRAILING.with(|trailing| *trailing.borrow_mut() = outer);
}

/// "unexpected `;`; expected `,`" at the first token left over.
fn stray(input: syn::parse::ParseStream) -> syn::Error {
    let text = input
        .cursor()
        .token_tree()
        .map(|(tree, _)| match tree {
            TokenTree::Group(group) => match group.delimiter() {
                proc_macro2::Delimiter::Brace => "{ .. }".to_owned(),
                proc_macro2::Delimiter::Bracket => "[ .. ]".to_owned(),
                proc_macro2::Delimiter::Parenthesis => "( .. )".to_owned(),
                proc_macro2::Delimiter::None => group.stream().to_string(),
            },
            other => other.to_string(),
        })
        .unwrap_or_default();
    input.error(format!(
        "unexpected `{text}`; expected `,` or the end of the block"
    ))
}

/// Skips what is left of an entry already reported as wrong, up to the
/// next entry (when a comma is missing too) or the end of the item.
fn skip_entry(input: syn::parse::ParseStream, next: fn(syn::parse::ParseStream) -> Next) {
    while !input.is_empty() && matches!(next(input), Next::Stray) {
        if input.parse::<TokenTree>().is_err() {
            return;
        }
    }
}

/// `name :` (a lone colon, not `::`) at the start of `input`: the name.
fn name_colon(input: syn::parse::ParseStream) -> Option<syn::Ident> {
    let fork = input.fork();
    let name = fork.call(syn::Ident::parse_any).ok()?;
    (fork.peek(syn::Token![:]) && !fork.peek(syn::Token![::])).then_some(name)
}

/// Splits a block at its top-level commas, each item with the span its end
/// is reported at: its last token, or the comma closing an empty item.
/// `joins(next)` says whether the tokens after a comma continue the current
/// item (the `V>` of `Map<K, V>`).
fn split_items(
    block: TokenStream,
    joins: impl Fn(&[TokenTree]) -> bool,
) -> Vec<(Vec<TokenTree>, Span)> {
    let tokens: Vec<TokenTree> = block.into_iter().collect();
    // Where each item ends (exclusive) and the span its end is reported at;
    // the tokens are then moved into the items, not copied.
    let mut ends = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        let is_comma = matches!(token, TokenTree::Punct(p) if p.as_char() == ',');
        if is_comma && !joins(&tokens[i + 1..]) {
            let end = if i > start {
                tokens[i - 1].span()
            } else {
                token.span()
            };
            ends.push((i, end, true));
            start = i + 1;
        }
    }
    if let Some(last) = tokens.last()
        && start < tokens.len()
    {
        ends.push((tokens.len(), last.span(), false));
    }
    let mut tokens = tokens.into_iter();
    let mut taken = 0;
    ends.into_iter()
        .map(|(end, span, comma)| {
            let item: Vec<TokenTree> = tokens.by_ref().take(end - taken).collect();
            taken = end;
            if comma {
                tokens.next();
                taken += 1;
            }
            (item, span)
        })
        .collect()
}

/// Role keys never contain a top-level comma.
fn never_joins(_: &[TokenTree]) -> bool {
    false
}

/// After a comma in the app block, a new entry starts with `name:`,
/// `optional name:` or a doc comment (`#`); anything else (`V>` of
/// `Map<K, V>`) belongs to the type.
fn continues_type(rest: &[TokenTree]) -> bool {
    if matches!(rest.first(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        return false;
    }
    let is_ident = |t: Option<&TokenTree>| matches!(t, Some(TokenTree::Ident(_)));
    // A lone `:`, not the first half of `::`.
    let is_colon = |t: Option<&TokenTree>| matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Alone);
    let starts = |at: usize| is_ident(rest.get(at)) && is_colon(rest.get(at + 1));
    !(rest.is_empty() || starts(0) || (is_ident(rest.first()) && starts(1)))
}
