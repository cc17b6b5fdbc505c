//! The macro never panics: thousands of truncated and mutated versions of
//! valid inputs must each come back as code or errors.
//!
//! Mutations are deterministic (a seeded xorshift), so a failure reproduces;
//! the failing input is printed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use super::{ATPD, input};

/// A token tree flattened: groups become an opening and a closing atom, so
/// a mutation can cut a group in half and the rebuilt stream stays valid.
#[derive(Clone)]
enum Atom {
    Open(Delimiter),
    Close,
    Leaf(TokenTree),
}

fn flatten(stream: TokenStream, out: &mut Vec<Atom>) {
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                out.push(Atom::Open(group.delimiter()));
                flatten(group.stream(), out);
                out.push(Atom::Close);
            }
            leaf => out.push(Atom::Leaf(leaf)),
        }
    }
}

/// Rebuilds a stream, dropping unmatched closers and closing what is left open.
fn rebuild(atoms: &[Atom]) -> TokenStream {
    let mut stack: Vec<(Delimiter, Vec<TokenTree>)> = vec![(Delimiter::None, Vec::new())];
    for atom in atoms {
        match atom {
            Atom::Open(delimiter) => stack.push((*delimiter, Vec::new())),
            Atom::Close if stack.len() > 1 => close(&mut stack),
            Atom::Close => {}
            Atom::Leaf(leaf) => {
                if let Some((_, trees)) = stack.last_mut() {
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
        .map(|(_, trees)| trees.into_iter().collect())
        .unwrap_or_default()
}

fn close(stack: &mut Vec<(Delimiter, Vec<TokenTree>)>) {
    if let Some((delimiter, trees)) = stack.pop() {
        let group = Group::new(delimiter, trees.into_iter().collect());
        if let Some((_, parent)) = stack.last_mut() {
            parent.push(TokenTree::Group(group));
        }
    }
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens a mutation may insert: DSL words, edge-case literals, punctuation.
const POOL: &str = "app optional strategy intensity shutdown_timeout depends_on restart ready stop lease \
    drain release_lease resume_state permanent transient temporary critical backoff none fixed \
    exponential spawned signaled completed per , : :: < > ; # ! = 0 0s 1.5s 99999999999999999999h \
    4294967296 \"\" \"x\" 'a' r#type self Self crate $ { } [ ] ( ) _ - =>";

fn check(stream: TokenStream) {
    let text = stream.to_string();
    if catch_unwind(AssertUnwindSafe(|| crate::dsl::expand(stream))).is_err() {
        panic!("the macro panicked on this input:\n{text}");
    }
}

fn seeds() -> Vec<TokenStream> {
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
    let pool: Vec<Atom> = {
        let mut atoms = Vec::new();
        flatten(TokenStream::from_str(POOL).unwrap_or_default(), &mut atoms);
        atoms
    };
    let mut rng = XorShift(0x5eed_cafe_f00d_d00d);
    let mut count = 0;
    for seed in seeds() {
        let mut original = Vec::new();
        flatten(seed, &mut original);
        for _ in 0..1500 {
            let mut atoms = original.clone();
            for _ in 0..=rng.below(3) {
                let at = rng.below(atoms.len());
                match rng.below(5) {
                    0 if !atoms.is_empty() => {
                        atoms.remove(at);
                    }
                    1 if !atoms.is_empty() => {
                        let atom = atoms[at].clone();
                        atoms.insert(at, atom);
                    }
                    2 if at + 1 < atoms.len() => atoms.swap(at, at + 1),
                    3 if !atoms.is_empty() => atoms[at] = pool[rng.below(pool.len())].clone(),
                    _ => atoms.insert(at, pool[rng.below(pool.len())].clone()),
                }
            }
            check(rebuild(&atoms));
            count += 1;
        }
    }
    assert!(count >= 4000);
}
