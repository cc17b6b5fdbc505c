//! The macro never panics: thousands of truncated and mutated versions of
//! valid inputs must each come back as code or errors.
//!
//! Mutations are deterministic (a seeded xorshift), so a failure reproduces;
//! the failing input is printed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};

use super::{ATPD, input};

/// A token tree flattened: groups become an opening and a closing atom, so
/// a mutation can cut a group in half and the rebuilt stream stays valid.
/// The opening keeps the group's span, so errors at a group still point
/// into the input.
#[derive(Clone)]
pub(super) enum Atom {
    Open(Delimiter, Span),
    Close,
    Leaf(TokenTree),
}

pub(super) fn flatten(stream: TokenStream, out: &mut Vec<Atom>) {
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                out.push(Atom::Open(group.delimiter(), group.span()));
                flatten(group.stream(), out);
                out.push(Atom::Close);
            }
            leaf => out.push(Atom::Leaf(leaf)),
        }
    }
}

/// Rebuilds a stream, dropping unmatched closers and closing what is left open.
pub(super) fn rebuild(atoms: &[Atom]) -> TokenStream {
    let mut stack: Vec<(Delimiter, Span, Vec<TokenTree>)> =
        vec![(Delimiter::None, Span::call_site(), Vec::new())];
    for atom in atoms {
        match atom {
            Atom::Open(delimiter, span) => stack.push((*delimiter, *span, Vec::new())),
            Atom::Close if stack.len() > 1 => close(&mut stack),
            Atom::Close => {}
            Atom::Leaf(leaf) => {
                if let Some((_, _, trees)) = stack.last_mut() {
                    trees.push(leaf.clone());
                }
            }
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack
        .pop()
        .map(|(_, _, trees)| trees.into_iter().collect())
        .unwrap_or_default()
}

fn close(stack: &mut Vec<(Delimiter, Span, Vec<TokenTree>)>) {
    if let Some((delimiter, span, trees)) = stack.pop() {
        let mut group = Group::new(delimiter, trees.into_iter().collect());
        group.set_span(span);
        if let Some((_, _, parent)) = stack.last_mut() {
            parent.push(TokenTree::Group(group));
        }
    }
}

pub(super) struct XorShift(pub(super) u64);

impl XorShift {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens a mutation may insert: DSL words, edge-case literals, punctuation.
pub(super) const POOL: &str = "app optional strategy intensity shutdown_timeout depends_on restart ready stop lease \
    drain release_lease resume_state permanent transient temporary critical backoff none fixed \
    exponential spawned signaled completed per , : :: < > ; # ! = 0 0s 1.5s 99999999999999999999h \
    4294967296 \"\" \"x\" 'a' r#type self Self crate $ { } [ ] ( ) _ - =>";

/// One to four random edits: remove, repeat, swap, replace or insert an atom
/// (from the pool, or moved within the input).
pub(super) fn mutate(atoms: &mut Vec<Atom>, pool: &[Atom], rng: &mut XorShift) {
    for _ in 0..=rng.below(4) {
        let at = rng.below(atoms.len());
        match rng.below(6) {
            0 if !atoms.is_empty() => {
                atoms.remove(at);
            }
            1 if !atoms.is_empty() => {
                let atom = atoms[at].clone();
                atoms.insert(at, atom);
            }
            2 if at + 1 < atoms.len() => atoms.swap(at, at + 1),
            3 if !atoms.is_empty() => atoms[at] = pool[rng.below(pool.len())].clone(),
            4 if !atoms.is_empty() => {
                let atom = atoms[rng.below(atoms.len())].clone();
                atoms[at] = atom;
            }
            _ => atoms.insert(at, pool[rng.below(pool.len())].clone()),
        }
    }
}

/// The pool's atoms.
pub(super) fn pool() -> Vec<Atom> {
    let mut atoms = Vec::new();
    flatten(TokenStream::from_str(POOL).unwrap_or_default(), &mut atoms);
    atoms
}

fn check(stream: TokenStream) {
    let text = stream.to_string();
    if catch_unwind(AssertUnwindSafe(|| crate::dsl::expand(stream))).is_err() {
        panic!("the macro panicked on this input:\n{text}");
    }
}

pub(super) fn seeds() -> Vec<TokenStream> {
    let extra = r#"
        #[doc = "x"] pub(crate) app B {
            strategy: one_for_all, intensity: 1 per 1h,
            a: Map<K, V> { restart: transient(2 per 5ms, backoff: fixed(1us)), ready: completed(1m), lease: "l" },
            optional b: ::x::Y<'static, [u8; 4]> { depends_on: [a], stop: [drain(1s, resume_state), stop(0ns)] },
        }
    "#;
    vec![
        input(ATPD),
        input(extra),
        TokenStream::from_str(ATPD).unwrap_or_default(),
    ]
}

#[test]
fn every_truncation_expands_without_panicking() {
    for seed in seeds() {
        let mut atoms = Vec::new();
        flatten(seed, &mut atoms);
        for end in 0..=atoms.len() {
            check(rebuild(&atoms[..end]));
        }
    }
}

#[test]
fn thousands_of_mutations_expand_without_panicking() {
    let pool = pool();
    let mut rng = XorShift(0x5eed_cafe_f00d_d00d);
    let mut count = 0;
    for seed in seeds() {
        let mut original = Vec::new();
        flatten(seed, &mut original);
        for _ in 0..1500 {
            let mut atoms = original.clone();
            mutate(&mut atoms, &pool, &mut rng);
            check(rebuild(&atoms));
            count += 1;
        }
    }
    assert!(count >= 4000);
}
