//! The error sink every phase writes to, so one build reports every mistake.

use proc_macro2::{Span, TokenStream};

use crate::dsl::check::ConstCheck;

/// Collects errors from parse, check and graph; turned into `compile_error!`s at the end.
///
/// Phases never stop at the first mistake: they record it here and carry on
/// with what they could understand, so users fix everything in one round.
#[must_use = "errors must be emitted, or the user never sees them"]
#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
    /// Mistakes only rustc can see: rules on const values, taken by the
    /// model of the app they belong to.
    deferred: Vec<ConstCheck>,
}

impl Errors {
    /// Hands a rule on a const value to rustc.
    pub fn defer(&mut self, check: ConstCheck) {
        self.deferred.push(check);
    }

    /// The rules deferred since the last call (those of the app just
    /// checked), in source order, as rustc then reports them.
    pub fn take_deferred(&mut self) -> Vec<ConstCheck> {
        let mut deferred = std::mem::take(&mut self.deferred);
        deferred.sort_by_key(|check| (check.span.start().line, check.span.start().column));
        deferred
    }

    pub fn push(&mut self, error: syn::Error) {
        self.list.push(error);
    }

    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// The errors in source order (for tests).
    #[cfg(test)]
    pub fn into_vec(mut self) -> Vec<syn::Error> {
        self.sort();
        self.list
    }

    /// The errors as `compile_error!`s, in source order: phases find them in
    /// their own order, users read top to bottom.
    ///
    /// rustc hides "cannot find" errors in a module where a macro emitted a
    /// `compile_error!` item, since the macro might have failed to define
    /// the name. Beside generated items that would hide the user's own
    /// mistakes (a misspelled role type) until the next build, so the errors
    /// then go in an anonymous `const` block, which hides nothing. Without
    /// items the hiding is welcome: code naming the app would only err too.
    pub fn into_compile_errors(mut self, beside_items: bool) -> TokenStream {
        self.sort();
        let errors: TokenStream = self.list.iter().map(syn::Error::to_compile_error).collect();
        if errors.is_empty() || !beside_items {
            return errors;
        }
        quote::quote!(const _: () = { #errors };)
    }

    fn sort(&mut self) {
        self.list.sort_by_key(|error| {
            let start = error.span().start();
            (start.line, start.column)
        });
    }
}

/// Where an earlier, conflicting token is, for a message about a repeat at
/// `here`: "on line 6", or "earlier on this line".
///
/// A mistake is one error at the token to change; stable proc macros cannot
/// attach a note, and a second `error:` at the first place would count as a
/// second mistake. So the message names the earlier place itself.
pub fn earlier_place(earlier: Span, here: Span) -> String {
    let (line, now) = (earlier.start().line, here.start().line);
    if line == 0 {
        // The compiler gave no location (it always does on 1.88+).
        "earlier".to_owned()
    } else if line == now {
        "earlier on this line".to_owned()
    } else {
        format!("on line {line}")
    }
}
