//! `pub enum AtpdRole { .. }` with its inherent items, `Display`, serde and `Role`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::write::Tokens;
use super::{Lazy, Lists, Private};
use crate::dsl::model::Model;

pub fn expand(model: &Model, private: &Private, lists: &Lists, out: &mut TokenStream) {
    let Model {
        vis,
        name,
        role_enum,
        ..
    } = model;
    // #[doc = ".."] <Variant>,
    let declared = Lazy(|out: &mut TokenStream| {
        let mut t = Tokens::chunk();
        for r in &model.roles {
            t.docs_or(r, || format!(" The `{}` role.", r.field));
            t.ident(&r.variant).punct(',');
            t.spill(out);
        }
        t.write_to(out);
    });
    let all = &lists.all;
    let count = Literal::usize_unsuffixed(model.roles.len());
    // Declaration order is the variants' own: the index is the discriminant,
    // and the name the lease at that index. (An enum without variants, from
    // an app without roles, cannot be cast.)
    let (index, lease_at) = if model.roles.is_empty() {
        (quote!(match self {}), quote!(match self {}))
    } else {
        let leases = Lazy(|out: &mut TokenStream| {
            let mut t = Tokens::chunk();
            for (n, role) in model.roles.iter().enumerate() {
                if n > 0 {
                    t.punct(',');
                }
                t.literal(Literal::string(&role.lease));
                t.spill(out);
            }
            t.write_to(out);
        });
        (
            quote!(self as ::core::primitive::usize),
            quote! {
                const NAMES: [&::core::primitive::str; #count] = [#leases];
                NAMES[self as ::core::primitive::usize]
            },
        )
    };
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
            pub const ALL: [#role_enum; #count] = #all;

            /// The role's lease name.
            pub fn name(self) -> &'static ::core::primitive::str {
                <Self as #private::Role>::name(self)
            }
        }

        impl #private::Role for #role_enum {
            fn index(self) -> ::core::primitive::usize {
                #index
            }

            fn name(self) -> &'static ::core::primitive::str {
                #lease_at
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
                #private::deserialize_role(deserializer, <#name as #private::App>::spec().roles())
            }
        }
    });
}
