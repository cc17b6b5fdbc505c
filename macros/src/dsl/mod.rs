//! The macro's whole pipeline: parse → check → graph → model → expand.
//!
//! Every phase records its errors in one [`errors::Errors`] and carries on,
//! and expansion runs even after errors, on what could be understood, so the
//! generated items exist and the user sees only the real mistakes.

mod ast;
pub(crate) mod check;
pub(crate) mod errors;
mod expand;
mod graph;
pub(crate) mod model;
pub(crate) mod parse;
pub(crate) use supervision_rules::suggest;

use proc_macro2::TokenStream;

/// An identifier as names and messages write it: `r#type` is `type`. The
/// same as `unraw().to_string()`, without copying the identifier first.
pub(crate) fn text(ident: &proc_macro2::Ident) -> String {
    let mut text = ident.to_string();
    if text.starts_with("r#") {
        text.drain(..2);
    }
    text
}

/// Expands the macro input (`krate; [attrs] vis app Name { .. }`) into the
/// generated items followed by one `compile_error!` per mistake.
pub fn expand(input: TokenStream) -> TokenStream {
    let (mut out, errors) = run(input);
    let beside_items = !out.is_empty();
    out.extend(errors.into_compile_errors(beside_items));
    out
}

/// The generated items and the errors, apart (tests look at the errors).
pub(crate) fn run(input: TokenStream) -> (TokenStream, errors::Errors) {
    let mut errors = errors::Errors::default();
    let out = parse::parse(input, &mut errors)
        .into_iter()
        .map(|app| {
            // A clash with the user's types is reported once; items would
            // only add rustc errors about generated internals.
            let clash = check::check_generated_names(&app, &mut errors);
            let model = model::build(app, &mut errors);
            if clash {
                TokenStream::new()
            } else {
                expand::items(&model)
            }
        })
        .collect();
    (out, errors)
}
