//! `pub struct Atpd { pub identity_manager: IdentityManager, .. }`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::Lazy;
use super::write::Tokens;
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
    // #[doc = ".."] pub <field>: <Type>,
    let fields = Lazy(|out: &mut TokenStream| {
        let mut t = Tokens::chunk();
        let pub_ = Ident::new("pub", Span::call_site());
        for role in &model.roles {
            t.docs_or(role, || {
                format!(" The service run as role `{}`.", role.lease)
            });
            t.ident(&pub_).ident(&role.field).punct(':');
            t.trees(&role.ty_tokens).punct(',');
            t.spill(out);
        }
        t.write_to(out);
    });
    quote! {
        #(#attrs)*
        #default_doc
        #vis struct #name {
            #fields
        }
    }
}
