//! `Atpd::START_ORDER`, `Atpd::STOP_ORDER` and `impl App for Atpd`.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};

use super::consts::{self, Values};
use super::write::Tokens;
use super::{Lazy, Lists, Private, spec};
use crate::dsl::model::Model;

pub fn expand(model: &Model, private: &Private, lists: &Lists, out: &mut TokenStream) {
    let Model {
        name, role_enum, ..
    } = model;
    let count = Literal::usize_unsuffixed(model.roles.len());
    let (start, stop) = (&lists.start, &lists.stop);
    let values = Values::new(model, private);
    let spec = spec::expand(model, &values, lists);
    let defaults = spec::defaults(model, private);
    // A role without a type (already reported) has no service to run.
    let typed = model
        .roles
        .iter()
        .filter_map(|role| Some((role, role.ty.as_ref()?)));
    let services = Lazy(|out: &mut TokenStream| {
        let mut t = Tokens::chunk();
        let self_ = Ident::new("self", Span::call_site());
        for (n, (role, ty)) in typed.clone().enumerate() {
            if n > 0 {
                t.punct(',');
            }
            // The bound is checked where the user can fix it: at the type for
            // `Service`, at `drain` for `Drain`:
            // `<p>::service::<Type>` (or `drain_service`) spanned there.
            let (function, span) = match role.drain {
                Some(drain) => ("drain_service", drain),
                None => ("service", role.ty_span),
            };
            t.private_path(private).colon2_at(span);
            t.ident(&Ident::new(function, span))
                .colon2_at(span)
                .punct_at('<', span);
            match role.drain {
                Some(drain) => t.tokens(&respan(ty.to_token_stream(), drain)),
                None => t.trees(&role.ty_tokens),
            };
            t.punct_at('>', span);
            // `(self.field)`
            t.group(Delimiter::Parenthesis, |t| {
                t.ident(&self_).punct('.').ident(&role.field);
            });
            t.spill(out);
        }
        t.write_to(out);
    });
    out.extend(quote! {
        impl #name {
            /// The order roles start in: dependencies first, earliest declared first.
            pub const START_ORDER: [#role_enum; #count] = #start;
            /// The order roles stop in: the reverse of [`Self::START_ORDER`].
            pub const STOP_ORDER: [#role_enum; #count] = #stop;
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
