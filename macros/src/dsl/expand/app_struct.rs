//! `pub struct Atpd { pub identity_manager: IdentityManager, .. }`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs_or, each};
use crate::dsl::model::Model;

pub fn expand(model: &Model) -> TokenStream {
    let Model {
        attrs, vis, name, ..
    } = model;
    let has_doc = attrs.iter().any(|a| a.path().is_ident("doc"));
    let default_doc = (!has_doc).then(|| {
        let doc = format!(" The `{name}` app, declared with `supervision!`.");
        quote!(#[doc = #doc])
    });
    let fields = each(model.roles.iter(), |role| {
        let field = &role.field;
        let ty = super::role_type(role);
        let docs = docs_or(role, || {
            format!(" The service run as role `{}`.", role.lease)
        });
        quote! {
            #docs
            pub #field: #ty,
        }
    });
    quote! {
        #(#attrs)*
        #default_doc
        #vis struct #name {
            #fields
        }
    }
}
