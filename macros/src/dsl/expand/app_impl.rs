//! `Atpd::START_ORDER`, `Atpd::STOP_ORDER` and `impl App for Atpd`.

use proc_macro2::{Group, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

use super::consts::{self, Values};
use super::{Private, each, spec, variants};
use crate::dsl::model::Model;

pub fn expand(model: &Model, private: &Private, out: &mut TokenStream) {
    let Model {
        name, role_enum, ..
    } = model;
    let count = Literal::usize_unsuffixed(model.roles.len());
    let order = &model.graph.start_order;
    let start = variants(model, order);
    let stop = variants(model, order.iter().rev());
    let values = Values::new(model, private);
    let spec = spec::expand(model, &values);
    let defaults = spec::defaults(model, private);
    // A role without a type (already reported) has no service to run.
    let typed = model
        .roles
        .iter()
        .filter_map(|role| Some((role, role.ty.as_ref()?)));
    let services = each(typed.enumerate(), |(n, (role, ty))| {
        let field = &role.field;
        // The bound is checked where the user can fix it: at the type for
        // `Service`, at `drain` for `Drain`.
        let erase = match role.drain {
            Some(drain) => {
                let ty = respan(ty.to_token_stream(), drain);
                quote_spanned!(drain=> #private::drain_service::<#ty>)
            }
            None => quote_spanned!(ty.span()=> #private::service::<#ty>),
        };
        let comma = (n > 0).then(|| Punct::new(',', Spacing::Alone));
        quote!(#comma #erase(self.#field))
    });
    out.extend(quote! {
        impl #name {
            /// The order roles start in: dependencies first, earliest declared first.
            pub const START_ORDER: [#role_enum; #count] = [#start];
            /// The order roles stop in: the reverse of [`Self::START_ORDER`].
            pub const STOP_ORDER: [#role_enum; #count] = [#stop];
        }

        impl #private::App for #name {
            type Role = #role_enum;

            fn spec() -> &'static #private::AppSpec<#role_enum> {
                #defaults
                static SPEC: #private::AppSpec<#role_enum> = #spec;
                &SPEC
            }

            fn into_services(self) -> #private::Vec<#private::ErasedService> {
                // An inherent method, as in `vec![]`: `Vec::from` needs the
                // `From` trait in scope, which `#[no_implicit_prelude]` removes.
                <[#private::ErasedService]>::into_vec(#private::Box::new([#services]))
            }
        }
    });
    consts::expand(model, &values, out);
}

/// The tokens with every span set to `span`: rustc reports an unmet bound at
/// the type argument, and for `Drain` the place to fix is the `drain` action.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
