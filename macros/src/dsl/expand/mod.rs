//! Expansion: the model to the generated items.
//!
//! Every path goes through `<krate>::__private` (primitive types through
//! `::core::primitive`), so the items work with a renamed dependency,
//! whatever the calling module shadows (`Ok`, `usize`, `mod core`, ...) and
//! under `#[no_implicit_prelude]`; nothing is reached through the prelude. Each item
//! lives in its own file; this one only assembles them.

mod app_impl;
mod app_struct;
mod consts;
mod keys;
mod role_enum;
mod spec;

use proc_macro2::TokenStream;
use quote::quote;

use super::model::{Model, Role};

pub fn items(model: &Model) -> TokenStream {
    let private = private_path(model);
    let mut out = app_struct::expand(model);
    out.extend(role_enum::expand(model, &private));
    out.extend(app_impl::expand(model, &private));
    out.extend(keys::expand(model, &private));
    out
}

/// `<krate>::__private`, the one door to the runtime.
fn private_path(model: &Model) -> TokenStream {
    let krate = &model.krate;
    quote!(#krate::__private)
}

/// The role's type, or `()` for a role written without one (already
/// reported), so the items that name it still compile.
fn role_type(role: &Role) -> TokenStream {
    role.ty
        .as_ref()
        .map_or_else(|| quote!(()), quote::ToTokens::to_token_stream)
}

/// The role's own doc comments, or `fallback` as the doc.
fn docs_or(role: &Role, fallback: String) -> TokenStream {
    if role.docs.is_empty() {
        quote!(#[doc = #fallback])
    } else {
        let docs = &role.docs;
        quote!(#(#docs)*)
    }
}

/// A `Duration` constructor in the largest exact unit, so `30s` reads
/// `Duration::from_secs(30)` under `cargo expand`.
fn duration(private: &TokenStream, nanos: u64) -> TokenStream {
    let units = [
        ("from_secs", 1_000_000_000),
        ("from_millis", 1_000_000),
        ("from_micros", 1_000),
    ];
    let (ctor, size) = units
        .into_iter()
        .find(|(_, size)| nanos.is_multiple_of(*size))
        .unwrap_or(("from_nanos", 1));
    let ctor = proc_macro2::Ident::new(ctor, proc_macro2::Span::call_site());
    let value = proc_macro2::Literal::u64_unsuffixed(nanos / size);
    quote!(#private::Duration::#ctor(#value))
}
