//! How `supervision!` scales: expands generated DAGs of 100, 1,000 and
//! 10,000 roles (each depending on up to 5 earlier ones) in-process and
//! prints the time and the size of the output. Time and tokens should grow
//! linearly with the roles.
//!
//! Run with `cargo bench -p supervision-benches --bench expand`; `ROLES=1000
//! RUNS=1` expands one size once, for `valgrind --tool=callgrind
//! --toggle-collect=expand::expand_once`.

// The included pipeline is built for the proc macro; the bench uses only `expand`.
#![allow(missing_docs, dead_code)]

#[path = "../../macros/src/dsl/mod.rs"]
mod dsl;

use std::str::FromStr;
use std::time::{Duration, Instant};

use proc_macro2::{TokenStream, TokenTree};
use supervision_benches::dag;

fn count(stream: TokenStream) -> usize {
    stream
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => 1 + count(group.stream()),
            _ => 1,
        })
        .sum()
}

/// One expansion; a function of its own, for `--toggle-collect=expand::expand_once`.
#[inline(never)]
fn expand_once(input: TokenStream) -> TokenStream {
    dsl::expand(input)
}

/// 100, 1,000 and 10,000 roles, or the sizes in `ROLES=300,3000`.
fn sizes() -> Vec<usize> {
    std::env::var("ROLES")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![100, 1_000, 10_000])
}

/// `RUNS=1` expands each size once, for a profiler (`valgrind --tool=callgrind`).
fn runs() -> Option<usize> {
    std::env::var("RUNS").ok()?.trim().parse().ok()
}

fn main() {
    println!(
        "{:>7} {:>7} {:>12} {:>12} {:>14}",
        "roles", "edges", "expand", "per role", "tokens out"
    );
    for roles in sizes() {
        let (text, edges) = dag(roles);
        let input = TokenStream::from_str(&text).unwrap_or_default();
        let runs = runs().unwrap_or(if roles >= 10_000 { 3 } else { 10 });
        let mut best = Duration::MAX;
        let mut tokens = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let out = expand_once(input.clone());
            best = best.min(start.elapsed());
            tokens = count(out);
        }
        let per_role = best / roles as u32;
        println!("{roles:>7} {edges:>7} {best:>12.2?} {per_role:>12.2?} {tokens:>14}");
    }
}
