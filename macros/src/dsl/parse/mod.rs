//! Parsing: tokens to [`ast::App`], recovering after each mistake.
//!
//! A mistake inside one entry (a role or a setting) or one role key is
//! recorded and the parser skips to the next comma at that level, so every
//! independent mistake of the input is reported in one build.

mod app;
mod keyword;
mod role;
mod value;

use proc_macro2::{TokenStream, TokenTree};
use syn::parse::Parser;

use super::ast;
use super::errors::Errors;

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
/// second one with a note at the first.
#[derive(Default)]
struct Seen(Vec<syn::Ident>);

impl Seen {
    /// Records `key`; `false` (and an error) when it was already given.
    fn first(&mut self, key: &syn::Ident, what: &str, errors: &mut Errors) -> bool {
        if let Some(earlier) = self.0.iter().find(|k| *k == key) {
            errors.at_with_note(
                key.span(),
                format!("{what} `{key}` is given twice"),
                earlier.span(),
                format!("`{key}` first given here"),
            );
            return false;
        }
        self.0.push(key.clone());
        true
    }
}

/// Skips the rest of a broken role key, up to (not including) the next comma.
fn skip_to_comma(input: syn::parse::ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    });
}

/// Skips the rest of a broken entry, through the comma before the next entry.
///
/// A comma alone is not enough: `Map<K, V>` has one. The next entry starts
/// with `name:` or `optional name:`.
fn skip_entry(input: syn::parse::ParseStream) {
    loop {
        skip_to_comma(input);
        if input
            .parse::<Option<syn::Token![,]>>()
            .ok()
            .flatten()
            .is_none()
        {
            return;
        }
        if input.is_empty() || starts_entry(input) {
            return;
        }
    }
}

fn starts_entry(input: syn::parse::ParseStream) -> bool {
    use syn::ext::IdentExt;
    let fork = input.fork();
    let _ = fork.call(|s| {
        if s.peek(syn::Ident::peek_any) && s.peek2(syn::Ident::peek_any) {
            s.call(syn::Ident::parse_any)?;
        }
        Ok(())
    });
    fork.peek(syn::Ident::peek_any) && fork.peek2(syn::Token![:]) && !fork.peek2(syn::Token![::])
}
