//! The `supervision!` macro. Use it through the `supervision` crate, which
//! passes its own path in front of the DSL.
//!
//! All the work happens in `dsl::expand`, on `proc_macro2` tokens, so the
//! same code runs in unit tests and benchmarks outside the compiler.

mod dsl;
#[cfg(test)]
mod tests;

/// Expands `supervision_impl! { $crate; app ... }`; called by `supervision::supervision!`.
#[proc_macro]
pub fn supervision_impl(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    dsl::expand(input.into()).into()
}
