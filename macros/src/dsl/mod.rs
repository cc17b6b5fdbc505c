//! The macro's whole pipeline: parse → check → graph → model → expand.
//!
//! Every phase records its errors in one [`errors::Errors`] and carries on,
//! and expansion runs even after errors, on what could be understood, so the
//! generated items exist and the user sees only the real mistakes.

mod ast;
mod check;
mod errors;
mod expand;
mod graph;
mod model;
mod parse;
mod suggest;

use proc_macro2::TokenStream;

/// Expands the macro input (`krate; [attrs] vis app Name { .. }`) into the
/// generated items followed by one `compile_error!` per mistake.
pub fn expand(input: TokenStream) -> TokenStream {
    let mut errors = errors::Errors::default();
    let mut out = match parse::parse(input, &mut errors) {
        Some(app) => expand::items(&model::build(app, &mut errors)),
        None => TokenStream::new(),
    };
    out.extend(errors.into_compile_errors());
    out
}
