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

/// Calls `f` with the text of `value` (an identifier as written, `r#type`
/// included, or a literal), formatted into a buffer on the stack: no
/// allocation for a text of up to 64 bytes, where `to_string` allocates.
pub(crate) fn with_text<R>(value: &impl std::fmt::Display, f: impl FnOnce(&str) -> R) -> R {
    struct Buffer {
        bytes: [u8; 64],
        len: usize,
    }
    impl std::fmt::Write for Buffer {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
            slot.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut buffer = Buffer {
        bytes: [0; 64],
        len: 0,
    };
    if std::fmt::Write::write_fmt(&mut buffer, format_args!("{value}")).is_ok()
        && let Ok(text) = std::str::from_utf8(&buffer.bytes[..buffer.len])
    {
        return f(text);
    }
    f(&value.to_string())
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
