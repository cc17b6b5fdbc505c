//! Tokens collected in a plain `Vec` and handed to a `TokenStream` in one
//! `extend`, for the items written once per role or per edge: pushing tree
//! by tree into a `TokenStream` (as `quote!` does) costs several times more.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

use super::Private;
use crate::dsl::model::Model;

#[derive(Default)]
pub struct Tokens(Vec<TokenTree>);

impl Tokens {
    pub fn ident(&mut self, ident: &Ident) -> &mut Self {
        self.0.push(TokenTree::Ident(ident.clone()));
        self
    }

    pub fn literal(&mut self, literal: Literal) -> &mut Self {
        self.0.push(TokenTree::Literal(literal));
        self
    }

    /// A one-character punctuation, alone.
    pub fn punct(&mut self, c: char) -> &mut Self {
        self.0.push(TokenTree::Punct(Punct::new(c, Spacing::Alone)));
        self
    }

    /// A punctuation joined to the next one (the first `.` of `..`).
    pub fn punct_joint(&mut self, c: char) -> &mut Self {
        self.0.push(TokenTree::Punct(Punct::new(c, Spacing::Joint)));
        self
    }

    /// `::`.
    pub fn colon2(&mut self) -> &mut Self {
        self.0
            .push(TokenTree::Punct(Punct::new(':', Spacing::Joint)));
        self.punct(':')
    }

    /// `<krate>::__private::`.
    pub fn private(&mut self, private: &Private) -> &mut Self {
        self.0.extend(private.0.iter().cloned());
        self.colon2()
    }

    /// Anything else, written into a stream of its own first.
    pub fn tokens(&mut self, tokens: &impl ToTokens) -> &mut Self {
        let mut stream = TokenStream::new();
        tokens.to_tokens(&mut stream);
        if !stream.is_empty() {
            self.0.extend(stream);
        }
        self
    }

    /// `AppRole::A, AppRole::B`: the roles with these indices.
    pub fn variants<'a>(&mut self, model: &Model, indices: impl IntoIterator<Item = &'a usize>) {
        for (n, &index) in indices.into_iter().enumerate() {
            if n > 0 {
                self.punct(',');
            }
            self.ident(&model.role_enum)
                .colon2()
                .ident(&model.roles[index].variant);
        }
    }

    /// A group written by `inside`.
    pub fn group(&mut self, delimiter: Delimiter, inside: impl FnOnce(&mut Tokens)) -> &mut Self {
        let mut tokens = Tokens::default();
        inside(&mut tokens);
        let group = Group::new(delimiter, tokens.into_stream());
        self.0.push(TokenTree::Group(group));
        self
    }

    pub fn into_stream(self) -> TokenStream {
        let mut stream = TokenStream::new();
        stream.extend(self.0);
        stream
    }

    /// Moves the tokens to the end of `out`.
    pub fn write_to(&mut self, out: &mut TokenStream) {
        out.extend(self.0.drain(..));
    }
}
