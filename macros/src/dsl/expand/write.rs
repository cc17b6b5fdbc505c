//! Tokens collected in a plain `Vec` and handed to a `TokenStream` in one
//! `extend`, for the items written once per role or per edge: pushing tree
//! by tree into a `TokenStream` (as `quote!` does) costs several times more.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;

use super::Private;
use crate::dsl::model::{Model, Role};

pub struct Tokens {
    trees: Vec<TokenTree>,
    /// Emptied vectors of finished groups, reused by the next groups.
    spare: Vec<Vec<TokenTree>>,
    puncts: Puncts,
}

/// The punctuation the items use, and the `doc` of every `#[doc = ".."]`,
/// made once per [`Tokens::chunk`] and copied: `Punct::new`, out of line in
/// proc_macro2, checks its character against every legal one, `Ident::new`
/// its text. (Made per expansion: a token of one macro call must not reach
/// another.)
struct Puncts {
    alone: [Punct; Self::CHARS.len()],
    joint_colon: Punct,
    doc: Ident,
}

impl Puncts {
    const CHARS: [char; 10] = [':', ',', ';', '<', '>', '=', '#', '&', '.', '!'];

    fn new() -> Self {
        Puncts {
            alone: Self::CHARS.map(|c| Punct::new(c, Spacing::Alone)),
            joint_colon: Punct::new(':', Spacing::Joint),
            doc: Ident::new("doc", Span::call_site()),
        }
    }

    /// The place of `c` in [`Puncts::CHARS`]: a `match`, which stays a jump
    /// even in the unoptimized build cargo makes of a proc macro.
    fn index(c: char) -> Option<usize> {
        Some(match c {
            ':' => 0,
            ',' => 1,
            ';' => 2,
            '<' => 3,
            '>' => 4,
            '=' => 5,
            '#' => 6,
            '&' => 7,
            '.' => 8,
            '!' => 9,
            _ => return None,
        })
    }
}

impl Tokens {
    /// For a list written item by item with [`Tokens::spill`]: the vector
    /// stays this size, however many roles, so it is allocated once and
    /// stays in the cache.
    pub fn chunk() -> Self {
        Tokens {
            trees: Vec::with_capacity(Self::CHUNK + 64),
            spare: Vec::new(),
            puncts: Puncts::new(),
        }
    }

    const CHUNK: usize = 2048;

    /// Moves the tokens to the end of `out` once a chunk is full.
    pub fn spill(&mut self, out: &mut TokenStream) {
        if self.trees.len() >= Self::CHUNK {
            self.write_to(out);
        }
    }

    pub fn ident(&mut self, ident: &Ident) -> &mut Self {
        self.trees.push(TokenTree::Ident(ident.clone()));
        self
    }

    pub fn literal(&mut self, literal: Literal) -> &mut Self {
        self.trees.push(TokenTree::Literal(literal));
        self
    }

    /// A one-character punctuation, alone. Inlined, so the character's
    /// place in the table is found at compile time.
    #[inline]
    pub fn punct(&mut self, c: char) -> &mut Self {
        let punct = match Puncts::index(c) {
            Some(i) => self.puncts.alone[i].clone(),
            None => Punct::new(c, Spacing::Alone),
        };
        self.trees.push(TokenTree::Punct(punct));
        self
    }

    /// A punctuation joined to the next one (the first `.` of `..`).
    pub fn punct_joint(&mut self, c: char) -> &mut Self {
        self.trees
            .push(TokenTree::Punct(Punct::new(c, Spacing::Joint)));
        self
    }

    /// `::`.
    pub fn colon2(&mut self) -> &mut Self {
        let joint = self.puncts.joint_colon.clone();
        self.trees.push(TokenTree::Punct(joint));
        self.punct(':')
    }

    /// A one-character punctuation, alone, at `span`.
    pub fn punct_at(&mut self, c: char, span: Span) -> &mut Self {
        let mut punct = Punct::new(c, Spacing::Alone);
        punct.set_span(span);
        self.trees.push(TokenTree::Punct(punct));
        self
    }

    /// `::` at `span`.
    pub fn colon2_at(&mut self, span: Span) -> &mut Self {
        let mut joint = Punct::new(':', Spacing::Joint);
        joint.set_span(span);
        self.trees.push(TokenTree::Punct(joint));
        self.punct_at(':', span)
    }

    /// `<krate>::__private`, without the `::` after it.
    pub fn private_path(&mut self, private: &Private) -> &mut Self {
        self.trees.extend(private.0.iter().cloned());
        self
    }

    /// `<krate>::__private::`.
    pub fn private(&mut self, private: &Private) -> &mut Self {
        self.trees.extend(private.0.iter().cloned());
        self.colon2()
    }

    /// Anything else, written into a stream of its own first.
    pub fn tokens(&mut self, tokens: &impl ToTokens) -> &mut Self {
        let mut stream = TokenStream::new();
        tokens.to_tokens(&mut stream);
        if !stream.is_empty() {
            self.trees.extend(stream);
        }
        self
    }

    /// `#[doc = "text"]`.
    pub fn doc(&mut self, text: &str) -> &mut Self {
        self.punct('#').group(Delimiter::Bracket, |t| {
            let doc = TokenTree::Ident(t.puncts.doc.clone());
            t.trees.push(doc);
            t.punct('=').literal(Literal::string(text));
        })
    }

    /// The role's own doc comments, or `fallback` as its doc.
    pub fn docs_or(&mut self, role: &Role, fallback: impl FnOnce() -> String) -> &mut Self {
        if role.docs.is_empty() {
            self.doc(&fallback())
        } else {
            for doc in &role.docs {
                self.tokens(doc);
            }
            self
        }
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
        let group = self.new_group(delimiter, inside);
        self.trees.push(TokenTree::Group(group));
        self
    }

    /// The group written by `inside`, to write more than once with
    /// [`Tokens::shared`].
    pub fn new_group(&mut self, delimiter: Delimiter, inside: impl FnOnce(&mut Tokens)) -> Group {
        // The group is written into `self`, its own vector in place of the
        // outer one, so the punctuation and the spare vectors stay put.
        let inner = self.spare.pop().unwrap_or_default();
        let outer = std::mem::replace(&mut self.trees, inner);
        inside(self);
        // Collected, not extended: inside rustc the trees then go to the
        // bridge in one sized batch, without a deferred buffer first.
        let stream: TokenStream = self.trees.drain(..).collect();
        let empty = std::mem::replace(&mut self.trees, outer);
        self.spare.push(empty);
        Group::new(delimiter, stream)
    }

    /// A group built once where the same tokens recur (a key's derives, an
    /// empty `{}`): a copy shares the group's tokens instead of making them
    /// again, one allocation per identifier and per group.
    pub fn shared(&mut self, group: &Group) -> &mut Self {
        self.trees.push(TokenTree::Group(group.clone()));
        self
    }

    /// Tokens made once, such as a role's type, copied.
    pub fn trees(&mut self, trees: &[TokenTree]) -> &mut Self {
        self.trees.extend_from_slice(trees);
        self
    }

    /// Moves the tokens to the end of `out`.
    pub fn write_to(&mut self, out: &mut TokenStream) {
        out.extend(self.trees.drain(..));
    }
}
