//! Const expressions: each is bound once on the app struct, which the spec
//! reads, and the rules the macro checks on literals become `const _` items
//! rustc evaluates. Nothing here is emitted for an app of literals only.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

use super::{Lazy, Private};
use crate::dsl::ast::ConstType;
use crate::dsl::check::{ConstCheck, ConstRule, Operand};
use crate::dsl::model::{Model, Nanos, Value};

/// Writes the spec's values: literals as they are, consts as the setting
/// that binds them.
pub struct Values<'a> {
    pub private: &'a Private,
    model: &'a Model,
}

impl<'a> Values<'a> {
    pub fn new(model: &'a Model, private: &'a Private) -> Self {
        Values { private, model }
    }

    /// A `Duration` constructor, or the const bound for it.
    pub fn duration(&self, value: Nanos) -> impl ToTokens + '_ {
        Lazy(move |out: &mut TokenStream| match value {
            Value::Literal(nanos) => super::duration(self.private, nanos).to_tokens(out),
            Value::Const(id) => out.extend(self.read(id)),
        })
    }

    /// A `u32` literal, or the const bound for it.
    pub fn count(&self, value: Value<u32>) -> impl ToTokens + '_ {
        Lazy(move |out: &mut TokenStream| match value {
            Value::Literal(count) => Literal::u32_unsuffixed(count).to_tokens(out),
            Value::Const(id) => out.extend(self.read(id)),
        })
    }

    /// `<App as Setting<Duration, 0>>::VALUE`.
    fn read(&self, id: usize) -> TokenStream {
        let app = &self.model.name;
        let p = self.private;
        let ty = self.ty(id);
        let id = Literal::usize_unsuffixed(id);
        quote!(<#app as #p::Setting<#ty, #id>>::VALUE)
    }

    fn ty(&self, id: usize) -> TokenStream {
        let p = self.private;
        match self.model.consts.get(id).map(|c| c.ty) {
            Some(ConstType::Count) => quote!(::core::primitive::u32),
            Some(ConstType::Duration) | None => quote!(#p::Duration),
        }
    }

    fn operand(&self, operand: Operand) -> TokenStream {
        match operand {
            Operand::Nanos(nanos) => self.duration(Value::Literal(nanos)).into_token_stream(),
            Operand::Const(id) => self.read(id),
        }
    }
}

/// One `impl Setting` per const expression, then one `const _` per rule.
pub fn expand(model: &Model, values: &Values, out: &mut TokenStream) {
    let app = &model.name;
    let p = values.private;
    let bound = model.consts.iter().map(|constant| {
        let ty = values.ty(constant.id);
        let id = Literal::usize_unsuffixed(constant.id);
        let expr = &constant.expr;
        let written = constant
            .span
            .source_text()
            .unwrap_or_else(|| expr.to_string());
        let doc = format!(" `{written}`, bound once for the spec and its checks.");
        quote! {
            #[doc = #doc]
            impl #p::Setting<#ty, #id> for #app {
                const VALUE: #ty = #expr;
            }
        }
    });
    let checks = model.checks.iter().map(|check| self::check(values, check));
    out.extend(bound);
    out.extend(checks);
}

/// `const _: () = { use ..::not_zero as check; check(VALUE, "..") };`: the
/// call is written with the checked token's span, so rustc reports a failed
/// rule there.
fn check(values: &Values, check: &ConstCheck) -> TokenStream {
    let p = values.private;
    let (function, args) = match check.rule {
        ConstRule::NotZero(id) => {
            let function = match values.model.consts.get(id).map(|c| c.ty) {
                Some(ConstType::Count) => quote!(count_not_zero),
                Some(ConstType::Duration) | None => quote!(not_zero),
            };
            (function, values.read(id))
        }
        ConstRule::NotBelow(id, min) => {
            let value = values.read(id);
            let min = values.duration(Value::Literal(min));
            (quote!(not_below), quote!(#value, #min))
        }
        ConstRule::NotAbove(id, max) => {
            let value = values.read(id);
            let max = values.duration(Value::Literal(max));
            (quote!(not_above), quote!(#value, #max))
        }
        ConstRule::Ordered(min, max) => {
            let (min, max) = (values.operand(min), values.operand(max));
            (quote!(ordered), quote!(#min, #max))
        }
    };
    let message = &check.message;
    let alias = proc_macro2::Ident::new("check", check.span);
    let call = quote_spanned!(check.span=> #alias(#args, #message));
    quote! {
        const _: () = {
            use #p::check::#function as #alias;
            #call
        };
    }
}
