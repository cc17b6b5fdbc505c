//! Expansion: the model to the generated items.
//!
//! Every path goes through `<krate>::__private`, so the items work with a
//! renamed dependency and whatever the calling module shadows. Each item
//! lives in its own file; this one only assembles them.

mod app_impl;
mod app_struct;
mod role_enum;
mod spec;

use proc_macro2::TokenStream;
use quote::quote;

use super::model::Model;

pub fn items(model: &Model) -> TokenStream {
    let private = private_path(model);
    let mut out = app_struct::expand(model);
    out.extend(role_enum::expand(model, &private));
    out.extend(app_impl::expand(model, &private));
    out
}

/// `<krate>::__private`, the one door to the runtime.
fn private_path(model: &Model) -> TokenStream {
    let krate = &model.krate;
    quote!(#krate::__private)
}

/// A `Duration` constructor in the largest exact unit, so `30s` reads
/// `Duration::from_secs(30)` under `cargo expand`.
fn duration(private: &TokenStream, nanos: u64) -> TokenStream {
    let (ctor, value) = if nanos.is_multiple_of(1_000_000_000) {
        (quote!(from_secs), nanos / 1_000_000_000)
    } else if nanos.is_multiple_of(1_000_000) {
        (quote!(from_millis), nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        (quote!(from_micros), nanos / 1_000)
    } else {
        (quote!(from_nanos), nanos)
    };
    let value = proc_macro2::Literal::u64_unsuffixed(value);
    quote!(#private::Duration::#ctor(#value))
}
