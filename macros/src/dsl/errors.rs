//! The error sink every phase writes to, so one build reports every mistake.

use proc_macro2::{Span, TokenStream};

/// Collects errors from parse, check and graph; turned into `compile_error!`s at the end.
///
/// Phases never stop at the first mistake: they record it here and carry on
/// with what they could understand, so users fix everything in one round.
#[must_use = "errors must be emitted, or the user never sees them"]
#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        self.list.push(error);
    }

    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// An error plus a second message at an earlier place it conflicts with.
    ///
    /// Stable proc macros cannot attach real notes, so the note is a second
    /// spanned error, kept right after the first in the output.
    pub fn at_with_note(
        &mut self,
        span: Span,
        message: impl std::fmt::Display,
        note_span: Span,
        note: impl std::fmt::Display,
    ) {
        let mut error = syn::Error::new(span, message);
        error.combine(syn::Error::new(note_span, note));
        self.push(error);
    }

    /// The errors in source order (for tests).
    #[cfg(test)]
    pub fn into_vec(mut self) -> Vec<syn::Error> {
        self.sort();
        self.list
    }

    /// The errors as `compile_error!`s, in source order: phases find them in
    /// their own order, users read top to bottom.
    pub fn into_compile_errors(mut self) -> TokenStream {
        self.sort();
        self.list.iter().map(syn::Error::to_compile_error).collect()
    }

    fn sort(&mut self) {
        self.list.sort_by_key(|error| {
            let start = error.span().start();
            (start.line, start.column)
        });
    }
}
