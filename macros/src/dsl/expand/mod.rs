//! Expansion: the model to the generated items.
//!
//! Every path goes through `<krate>::__private` (primitive types through
//! `::core::primitive`), so the items work with a renamed dependency,
//! whatever the calling module shadows (`Ok`, `usize`, `mod core`, ...) and
//! under `#[no_implicit_prelude]`; nothing is reached through the prelude. Each item
//! lives in its own file; this one only assembles them.
//!
//! The items are written into one stream: a piece interpolated into a
//! `quote!` is a value whose [`ToTokens`] writes its tokens in place (a
//! [`Lazy`], [`Private`], [`Variant`]), never a finished `TokenStream`,
//! which `quote!` would copy token by token at every level of nesting.

mod app_impl;
mod app_struct;
mod consts;
mod keys;
mod role_enum;
mod spec;
mod write;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt, quote};

use super::model::Model;

pub fn items(model: &Model) -> TokenStream {
    let private = Private::new(&model.krate);
    let lists = Lists::new(model);
    let mut out = app_struct::expand(model);
    role_enum::expand(model, &private, &lists, &mut out);
    app_impl::expand(model, &private, &lists, &mut out);
    keys::expand(model, &private, &mut out);
    out
}

/// The role lists the items write twice each, as `[..]` groups made once
/// (a copy shares the tokens): every role in declaration order
/// (`AppRole::ALL` and the spec's `all`), the start order
/// (`App::START_ORDER`, `start_order`) and the stop order.
pub struct Lists {
    pub all: Group,
    pub start: Group,
    pub stop: Group,
}

impl Lists {
    fn new(model: &Model) -> Self {
        fn list<'a, I>(model: &'a Model, indices: I) -> Group
        where
            I: IntoIterator<Item = &'a usize> + Clone + 'a,
        {
            let roles = variants(model, indices).into_token_stream();
            Group::new(Delimiter::Bracket, roles)
        }
        let every: Vec<usize> = (0..model.roles.len()).collect();
        let order = &model.graph.start_order;
        Lists {
            all: list(model, &every),
            start: list(model, order),
            stop: list(model, order.iter().rev()),
        }
    }
}

/// `<krate>::__private`, the one door to the runtime: its tokens, cloned
/// into the output at each use.
pub struct Private(Vec<TokenTree>);

impl Private {
    fn new(krate: &TokenStream) -> Self {
        let mut tokens: Vec<TokenTree> = krate.clone().into_iter().collect();
        tokens.push(Punct::new(':', Spacing::Joint).into());
        tokens.push(Punct::new(':', Spacing::Alone).into());
        tokens.push(Ident::new("__private", Span::call_site()).into());
        Private(tokens)
    }
}

impl ToTokens for Private {
    fn to_tokens(&self, out: &mut TokenStream) {
        out.extend(self.0.iter().cloned());
    }
}

/// Tokens written by a closure where the value is interpolated.
pub struct Lazy<F>(pub F);

impl<F: Fn(&mut TokenStream)> ToTokens for Lazy<F> {
    fn to_tokens(&self, out: &mut TokenStream) {
        (self.0)(out);
    }
}

/// One `quote!` per item, each moved (not copied) into the output.
pub fn each<I, F>(items: I, write: F) -> impl ToTokens
where
    I: Iterator + Clone,
    F: Fn(I::Item) -> TokenStream,
{
    Lazy(move |out: &mut TokenStream| {
        for item in items.clone() {
            out.extend(write(item));
        }
    })
}

/// `AppRole::Variant` of the role with this index.
#[derive(Clone, Copy)]
pub struct Variant<'a>(pub &'a Model, pub usize);

impl ToTokens for Variant<'_> {
    fn to_tokens(&self, out: &mut TokenStream) {
        let Variant(model, index) = *self;
        model.role_enum.to_tokens(out);
        colon2(out);
        model.roles[index].variant.to_tokens(out);
    }
}

/// `::`, as `quote!` writes it.
fn colon2(out: &mut TokenStream) {
    out.append(Punct::new(':', Spacing::Joint));
    out.append(Punct::new(':', Spacing::Alone));
}

/// `AppRole::A, AppRole::B`: the roles with these indices.
pub fn variants<'a, I>(model: &'a Model, indices: I) -> impl ToTokens + 'a
where
    I: IntoIterator<Item = &'a usize> + Clone + 'a,
{
    Lazy(move |out: &mut TokenStream| {
        let mut tokens = write::Tokens::chunk();
        for (n, &index) in indices.clone().into_iter().enumerate() {
            if n > 0 {
                tokens.punct(',');
            }
            tokens.variants(model, [&index]);
            tokens.spill(out);
        }
        tokens.write_to(out);
    })
}

/// A `Duration` constructor in the largest exact unit, so `30s` reads
/// `Duration::from_secs(30)` under `cargo expand`.
fn duration(private: &Private, nanos: u64) -> impl ToTokens + '_ {
    Lazy(move |out: &mut TokenStream| {
        let units = [
            ("from_secs", 1_000_000_000),
            ("from_millis", 1_000_000),
            ("from_micros", 1_000),
        ];
        let (ctor, size) = units
            .into_iter()
            .find(|(_, size)| nanos.is_multiple_of(*size))
            .unwrap_or(("from_nanos", 1));
        let ctor = Ident::new(ctor, Span::call_site());
        let value = Literal::u64_unsuffixed(nanos / size);
        out.extend(quote!(#private::Duration::#ctor(#value)));
    })
}
