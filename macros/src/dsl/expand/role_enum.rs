//! `pub enum AtpdRole { .. }` with its inherent items, `Display`, serde and `Role`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs_or;
use crate::dsl::model::Model;

pub fn expand(model: &Model, private: &TokenStream) -> TokenStream {
    let app = &model.name;
    let Model {
        vis,
        name,
        role_enum,
        ..
    } = model;
    let variants: Vec<_> = model.roles.iter().map(|r| &r.variant).collect();
    let docs = model
        .roles
        .iter()
        .map(|r| docs_or(r, format!(" The `{}` role.", r.field)));
    let leases: Vec<_> = model.roles.iter().map(|r| r.lease.as_str()).collect();
    let indices = (0..variants.len()).map(Literal::usize_unsuffixed);
    let count = Literal::usize_unsuffixed(variants.len());
    let enum_doc = format!(" The roles of [`{name}`], in declaration order.");
    let all_doc = format!(" Every role of [`{name}`], in declaration order.");
    quote! {
        #[doc = #enum_doc]
        #[derive(
            #private::Clone,
            #private::Copy,
            #private::PartialEq,
            #private::Eq,
            #private::PartialOrd,
            #private::Ord,
            #private::Hash,
            #private::Debug,
        )]
        #vis enum #role_enum {
            #(#docs #variants,)*
        }

        impl #role_enum {
            #[doc = #all_doc]
            pub const ALL: [#role_enum; #count] = [#(#role_enum::#variants),*];

            /// The role's lease name.
            pub fn name(self) -> &'static ::core::primitive::str {
                <Self as #private::Role>::name(self)
            }
        }

        impl #private::Role for #role_enum {
            fn index(self) -> ::core::primitive::usize {
                match self {
                    #(#role_enum::#variants => #indices,)*
                }
            }

            fn name(self) -> &'static ::core::primitive::str {
                match self {
                    #(#role_enum::#variants => #leases,)*
                }
            }
        }

        impl #private::fmt::Display for #role_enum {
            fn fmt(&self, f: &mut #private::fmt::Formatter<'_>) -> #private::fmt::Result {
                f.write_str(<Self as #private::Role>::name(*self))
            }
        }

        impl #private::serde::Serialize for #role_enum {
            fn serialize<S: #private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> #private::Result<S::Ok, S::Error> {
                serializer.serialize_str(<Self as #private::Role>::name(*self))
            }
        }

        impl<'de> #private::serde::Deserialize<'de> for #role_enum {
            fn deserialize<D: #private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> #private::Result<Self, D::Error> {
                #private::deserialize_role(deserializer, <#app as #private::App>::spec().roles())
            }
        }
    }
}
