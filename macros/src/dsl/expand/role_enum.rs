//! `pub enum AtpdRole { .. }` with its inherent items, `Display`, serde and `Role`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{Private, Variant, docs_or, each, variants};
use crate::dsl::model::Model;

pub fn expand(model: &Model, private: &Private, out: &mut TokenStream) {
    let Model {
        vis,
        name,
        role_enum,
        ..
    } = model;
    let roles = || (0..model.roles.len()).map(|i| Variant(model, i));
    let declared = each(model.roles.iter(), |r| {
        let docs = docs_or(r, || format!(" The `{}` role.", r.field));
        let variant = &r.variant;
        quote!(#docs #variant,)
    });
    let every: Vec<usize> = (0..model.roles.len()).collect();
    let all = variants(model, &every);
    let indices = each(roles(), |v| {
        let index = Literal::usize_unsuffixed(v.1);
        quote!(#v => #index,)
    });
    let names = each(roles(), |v| {
        let lease = model.roles[v.1].lease.as_str();
        quote!(#v => #lease,)
    });
    let count = Literal::usize_unsuffixed(model.roles.len());
    let enum_doc = format!(" The roles of [`{name}`], in declaration order.");
    let all_doc = format!(" Every role of [`{name}`], in declaration order.");
    out.extend(quote! {
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
            #declared
        }

        impl #role_enum {
            #[doc = #all_doc]
            pub const ALL: [#role_enum; #count] = [#all];

            /// The role's lease name.
            pub fn name(self) -> &'static ::core::primitive::str {
                <Self as #private::Role>::name(self)
            }
        }

        impl #private::Role for #role_enum {
            const ALL: &'static [#role_enum] = &[#all];

            fn index(self) -> ::core::primitive::usize {
                match self {
                    #indices
                }
            }

            fn name(self) -> &'static ::core::primitive::str {
                match self {
                    #names
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
                #private::deserialize_role(deserializer)
            }
        }
    });
}
