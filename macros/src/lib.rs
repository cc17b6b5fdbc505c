//! The `supervision!` macro. Use it through the `supervision` crate.

use proc_macro::TokenStream;

/// Expands `supervision! { $crate; app ... }`; called by `supervision::supervision!`.
#[proc_macro]
pub fn supervision_impl(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
