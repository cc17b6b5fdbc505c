//! Parsing: tokens to [`ast::App`], recovering after each mistake.
//!
//! The app block is split into entries (roles and settings) and each role
//! block into keys, and each piece is parsed on its own: a mistake in one is
//! recorded and parsing goes on with the next, so every independent mistake
//! of the input is reported in one build.

mod app;
mod keyword;
mod role;
mod value;

use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::parse::Parser;

use super::ast;
use super::errors::{Errors, earlier_place};

/// Parses `krate ; [attrs] vis app Name { ... }`; `None` when not even the
/// app's header could be read (the error is recorded).
pub fn parse(input: TokenStream, errors: &mut Errors) -> Option<ast::App> {
    let (krate, rest) = split_crate_path(input);
    let parser = |stream: syn::parse::ParseStream| app::app(stream, krate, errors);
    match parser.parse2(rest) {
        Ok(app) => Some(app),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

/// Splits off the crate path the `macro_rules!` wrapper puts before `;`.
///
/// Without one (the proc macro called directly), generated code names `::supervision`.
fn split_crate_path(input: TokenStream) -> (TokenStream, TokenStream) {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let semi = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'));
    match semi {
        Some(i) => (
            tokens[..i].iter().cloned().collect(),
            tokens[i + 1..].iter().cloned().collect(),
        ),
        None => (quote::quote!(::supervision), tokens.into_iter().collect()),
    }
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

/// Parses each comma-separated item of a block on its own, recording the
/// error of a broken item and going on with the next one.
///
/// Each item gets a fresh parser, so a mistake deep inside one (an unclosed
/// list, a stray token) can never leak into the next item or the whole macro.
fn each_item(
    block: TokenStream,
    joins: impl Fn(&[TokenTree]) -> bool,
    errors: &mut Errors,
    mut item: impl FnMut(syn::parse::ParseStream, &mut Errors) -> syn::Result<()>,
) {
    for tokens in split_items(block, joins) {
        let result = (|stream: syn::parse::ParseStream| item(stream, errors)).parse2(tokens);
        if let Err(error) = result {
            errors.push(error);
        }
    }
}

/// Splits a block at its top-level commas. `joins(next)` says whether the
/// tokens after a comma continue the current item (the `V>` of `Map<K, V>`).
fn split_items(block: TokenStream, joins: impl Fn(&[TokenTree]) -> bool) -> Vec<TokenStream> {
    let tokens: Vec<TokenTree> = block.into_iter().collect();
    let mut items = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        let is_comma = matches!(token, TokenTree::Punct(p) if p.as_char() == ',');
        if is_comma && !joins(&tokens[i + 1..]) {
            items.push(tokens[start..i].iter().cloned().collect());
            start = i + 1;
        }
    }
    if start < tokens.len() {
        items.push(tokens[start..].iter().cloned().collect());
    }
    items
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
