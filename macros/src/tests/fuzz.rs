//! The macro fuzz: generated valid apps, every `supervision!` call of the
//! ui-test cases, and random token soup, mutated, through the whole pipeline.
//! No input makes the macro panic, every error points inside the input, and
//! a generated valid app has no error at all.
//!
//! Input `i` is drawn from a seed derived from `i` alone, so a failure names
//! the input (printed) and its index. CI runs a few thousand; the million:
//!
//! ```text
//! cargo test -p supervision-macros --release -- --ignored --nocapture fuzz_a_million
//! ```
//!
//! `FUZZ_INPUTS` sets how many, `FUZZ_FIRST` the first index, `FUZZ_GENERATED`
//! how many valid apps are generated to start from (default 500).

use std::fmt::Write as _;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};

use super::robustness::{Atom, XorShift, flatten, mutate, pool, rebuild, seeds};

/// A source text the corpus was parsed from: where its tokens lie.
fn extent(stream: &TokenStream) -> Option<Range<usize>> {
    let mut ranges = Vec::new();
    spans(stream, &mut ranges);
    let start = ranges.iter().map(|r| r.start).min()?;
    let end = ranges.iter().map(|r| r.end).max()?;
    Some(start..end)
}

/// Where `span` lies among every source text parsed on this thread:
/// `byte_range` counts from the start of its own text, so only the `Debug`
/// form (`bytes(lo..hi)`) tells two texts apart.
fn place(span: Span) -> Range<usize> {
    let text = format!("{span:?}");
    let range = text
        .strip_prefix("bytes(")
        .and_then(|t| t.strip_suffix(')'))
        .and_then(|t| t.split_once(".."))
        .and_then(|(lo, hi)| Some(lo.parse().ok()?..hi.parse().ok()?));
    range.unwrap_or_else(|| panic!("proc-macro2 without span-locations: {text}"))
}

/// The places of every token and group of `stream`.
fn spans(stream: &TokenStream, out: &mut Vec<Range<usize>>) {
    for tree in stream.clone() {
        out.push(place(tree.span()));
        if let TokenTree::Group(group) = tree {
            spans(&group.stream(), out);
        }
    }
}

/// What the fuzz starts from, and the source texts its tokens come from.
struct Corpus {
    bases: Vec<Vec<Atom>>,
    /// How many of `bases`, from the first, are generated valid apps.
    valid: usize,
    pool: Vec<Atom>,
    files: Vec<Range<usize>>,
}

impl Corpus {
    fn new(generated: usize) -> Self {
        let mut files = Vec::new();
        let mut bases = Vec::new();
        let mut add = |stream: TokenStream, files: &mut Vec<Range<usize>>| {
            files.extend(extent(&stream));
            let mut atoms = Vec::new();
            flatten(stream, &mut atoms);
            bases.push(atoms);
        };
        let mut rng = XorShift(0x0dd_ba11_5eed);
        for _ in 0..generated {
            let text = format!("::supervision;\n{}", valid_app(&mut rng));
            add(TokenStream::from_str(&text).unwrap_or_default(), &mut files);
        }
        for seed in seeds() {
            add(seed, &mut files);
        }
        let krate = TokenStream::from_str("::supervision;").unwrap_or_default();
        files.extend(extent(&krate));
        for call in ui_cases() {
            let mut stream = krate.clone();
            stream.extend(call);
            add(stream, &mut files);
        }
        let pool = pool();
        files.extend(extent(&rebuild(&pool)));
        files.sort_by_key(|f| f.start);
        Corpus {
            bases,
            valid: generated,
            pool,
            files,
        }
    }

    /// Input `i`: a base, mutated (or not), or token soup.
    fn input(&self, i: u64) -> (Vec<Atom>, bool) {
        let mut rng = XorShift(mix(i) | 1);
        if rng.below(10) == 0 {
            let soup = (0..rng.below(80))
                .map(|_| self.pool[rng.below(self.pool.len())].clone())
                .collect();
            return (soup, false);
        }
        let base = rng.below(self.bases.len());
        let mut atoms = self.bases[base].clone();
        let untouched = rng.below(20) == 0;
        if !untouched {
            mutate(&mut atoms, &self.pool, &mut rng);
        }
        (atoms, untouched && base < self.valid)
    }

    /// Why the errors of `stream` are wrong, if they are: one outside every
    /// source text's stretch of the input, or any error for a valid app.
    fn check(&self, stream: &TokenStream, valid: bool) -> Result<(), String> {
        let mut tokens = Vec::new();
        spans(stream, &mut tokens);
        // The stretch of each source text the input's tokens cover (texts are
        // parsed one after another, so their places are sorted).
        let mut covered: Vec<(usize, Range<usize>)> = Vec::new();
        for t in &tokens {
            let file = self.files.partition_point(|f| f.end < t.end);
            match covered.iter_mut().find(|(f, _)| *f == file) {
                Some((_, c)) => *c = c.start.min(t.start)..c.end.max(t.end),
                None => covered.push((file, t.clone())),
            }
        }
        let run = catch_unwind(AssertUnwindSafe(|| crate::dsl::run(stream.clone())));
        let Ok((_, errors)) = run else {
            return Err("the macro panicked".to_owned());
        };
        let mut wrong = String::new();
        for error in errors
            .into_vec()
            .into_iter()
            .flat_map(syn::Error::into_iter)
        {
            let at = place(error.span());
            let inside = covered
                .iter()
                .any(|(_, c)| c.start <= at.start && at.end <= c.end);
            if valid || (!inside && !tokens.is_empty()) {
                let _ = writeln!(wrong, "error at {at:?} (input covers {covered:?}): {error}");
            }
            let _ = error.to_compile_error();
        }
        if wrong.is_empty() { Ok(()) } else { Err(wrong) }
    }
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The token streams inside every `supervision! { .. }` of the ui-test cases.
fn ui_cases() -> Vec<TokenStream> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui-tests/tests/ui");
    let mut calls = Vec::new();
    for dir in ["fail", "pass"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if let Ok(stream) = TokenStream::from_str(&text) {
                macro_calls(stream, &mut calls);
            }
        }
    }
    calls
}

/// `supervision ! { .. }` anywhere in `stream`, nested ones too.
fn macro_calls(stream: TokenStream, out: &mut Vec<TokenStream>) {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        if let TokenTree::Group(group) = tree {
            let named = matches!(
                (i.checked_sub(2).map(|j| &trees[j]), i.checked_sub(1).map(|j| &trees[j])),
                (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(bang)))
                    if name == "supervision" && bang.as_char() == '!'
            );
            if named && group.delimiter() != Delimiter::None {
                out.push(group.stream());
            } else {
                macro_calls(group.stream(), out);
            }
        }
    }
}

/// A random app that breaks no rule: roles depend on earlier ones only,
/// optional roles only have optional dependents, every value is in range.
fn valid_app(rng: &mut XorShift) -> String {
    let pick = |rng: &mut XorShift, options: &[&'static str]| options[rng.below(options.len())];
    let roles = 1 + rng.below(12);
    let mut text = String::new();
    let _ = writeln!(text, "/// Generated.\npub app Fuzz{} {{", rng.below(1000));
    if rng.below(2) == 0 {
        let strategy = pick(rng, &["one_for_one", "rest_for_one", "one_for_all"]);
        let _ = writeln!(text, "strategy: {strategy},");
    }
    if rng.below(2) == 0 {
        let _ = writeln!(
            text,
            "intensity: {} per {}s,",
            1 + rng.below(50),
            1 + rng.below(60)
        );
    }
    if rng.below(3) == 0 {
        let _ = writeln!(text, "shutdown_timeout: {}ms,", 1 + rng.below(60_000));
    }
    let first_optional = rng.below(roles + 1);
    for i in 0..roles {
        let optional = i >= first_optional;
        let mut keys = Vec::new();
        let deps: Vec<String> = (0..i)
            .filter(|&d| rng.below(3) == 0 && (optional || d < first_optional))
            .map(|d| format!("role_{d}"))
            .collect();
        if !deps.is_empty() {
            keys.push(format!("depends_on: [{}]", deps.join(", ")));
        }
        let budget = format!("{} per {}s", 1 + rng.below(9), 1 + rng.below(60));
        let backoff = match rng.below(4) {
            0 => String::new(),
            1 => ", backoff: none".to_owned(),
            2 => format!(", backoff: fixed({}ms)", rng.below(1000)),
            _ => {
                let min = 1 + rng.below(100);
                format!(
                    ", backoff: exponential({min}ms, {}ms)",
                    min + rng.below(5000)
                )
            }
        };
        let (restart, one_shot) = match rng.below(6) {
            0 => (String::new(), false),
            1 => (format!("permanent({budget}{backoff})"), false),
            2 => (format!("transient({budget}{backoff})"), true),
            3 => ("temporary".to_owned(), true),
            4 if !optional => ("critical".to_owned(), false),
            _ => ("permanent".to_owned(), false),
        };
        if !restart.is_empty() {
            keys.push(format!("restart: {restart}"));
        }
        match rng.below(4) {
            0 => keys.push("ready: spawned".to_owned()),
            1 => keys.push(format!("ready: signaled({}s)", 1 + rng.below(30))),
            2 if one_shot => keys.push(format!("ready: completed({}m)", 1 + rng.below(10))),
            _ => {}
        }
        if rng.below(2) == 0 {
            let mut actions = Vec::new();
            if rng.below(2) == 0 {
                let resume = if rng.below(2) == 0 {
                    ", resume_state"
                } else {
                    ""
                };
                actions.push(format!("drain({}s{resume})", 1 + rng.below(30)));
            }
            if rng.below(2) == 0 {
                actions.push("release_lease".to_owned());
            }
            actions.push(pick(rng, &["stop", "stop(1s)", "stop(250ms)"]).to_owned());
            keys.push(format!("stop: [{}]", actions.join(", ")));
        }
        if rng.below(4) == 0 {
            keys.push(format!("lease: \"lease_{i}\""));
        }
        let prefix = if optional { "optional " } else { "" };
        if keys.is_empty() && rng.below(2) == 0 {
            let _ = writeln!(text, "{prefix}role_{i}: Type{i},");
        } else {
            let _ = writeln!(text, "{prefix}role_{i}: Type{i} {{ {} }},", keys.join(", "));
        }
    }
    text.push('}');
    text
}

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Runs inputs `first..first + count`; panics naming every wrong one.
fn fuzz(first: u64, count: u64) {
    let corpus = Corpus::new(env("FUZZ_GENERATED").unwrap_or(500) as usize);
    assert!(
        corpus.bases.len() > corpus.valid + 50,
        "the ui-test cases are read"
    );
    let mut failures = Vec::new();
    for i in first..first + count {
        let (atoms, valid) = corpus.input(i);
        let stream = rebuild(&atoms);
        if let Err(why) = corpus.check(&stream, valid) {
            failures.push(format!("input {i}: {why}  in: {stream}"));
        }
    }
    eprintln!(
        "fuzz: {count} inputs from {} bases, {} wrong",
        corpus.bases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} inputs went wrong; the first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
}

#[test]
fn thousands_of_inputs_neither_panic_nor_err_outside_the_input() {
    fuzz(
        env("FUZZ_FIRST").unwrap_or(0),
        env("FUZZ_INPUTS").unwrap_or(5_000),
    );
}

#[test]
#[ignore = "about 20 minutes in release mode: cargo test -p supervision-macros --release -- --ignored fuzz_a_million"]
fn fuzz_a_million() {
    fuzz(
        env("FUZZ_FIRST").unwrap_or(0),
        env("FUZZ_INPUTS").unwrap_or(1_000_000),
    );
}

/// The expansion, each token with its place in the input, and every error
/// (message and place) of `stream`. (Tokens the macro lexes itself, such as
/// a `quote!`'s doc comments, lie in a source text of their own, which
/// differs from run to run: they go without a place.)
fn outcome(stream: &TokenStream) -> (String, Vec<(String, String)>) {
    let input = extent(stream).unwrap_or_default();
    let at = |span: Span| {
        let place = place(span);
        if input.start <= place.start && place.end <= input.end {
            format!("{place:?}")
        } else {
            "-".to_owned()
        }
    };
    fn placed(stream: TokenStream, at: &impl Fn(Span) -> String, out: &mut String) {
        for tree in stream {
            out.push_str(&at(tree.span()));
            match tree {
                TokenTree::Group(group) => {
                    let _ = write!(out, " {:?}( ", group.delimiter());
                    placed(group.stream(), at, out);
                    out.push_str(") ");
                }
                other => {
                    let _ = write!(out, " {other} ");
                }
            }
        }
    }
    let (items, errors) = crate::dsl::run(stream.clone());
    let errors = errors
        .into_vec()
        .into_iter()
        .flat_map(syn::Error::into_iter)
        .map(|error| (error.to_string(), at(error.span())))
        .collect();
    let mut text = String::new();
    placed(items, &at, &mut text);
    (text, errors)
}

/// The fast paths of the parser (`parse/fast.rs`) change nothing: the fuzz
/// inputs, valid apps and mutated ones, expand to the same items with the
/// same errors, at the same places, when every item takes the general path.
#[test]
fn fast_paths_read_every_input_as_the_general_path() {
    use crate::dsl::parse::fast::GENERAL_ONLY;
    let corpus = Corpus::new(200);
    let count = env("FUZZ_INPUTS").unwrap_or(3_000);
    let mut fast_taken = 0;
    for i in 0..count {
        let (atoms, _) = corpus.input(i);
        let stream = rebuild(&atoms);
        let fast = outcome(&stream);
        GENERAL_ONLY.with(|general| general.set(true));
        let general = outcome(&stream);
        GENERAL_ONLY.with(|general| general.set(false));
        assert!(
            fast == general,
            "input {i} reads differently on the fast path: {stream}\n\
             fast: {fast:?}\ngeneral: {general:?}"
        );
        fast_taken += usize::from(!fast.0.is_empty());
    }
    assert!(fast_taken > 0);
}

/// `syn_accepts` is syn's rule for names: every keyword and reserved word
/// of Rust, and a few names, read the same by both.
#[test]
fn the_fast_paths_rule_for_names_is_syns() {
    let words = "_ abstract as async auto await become box break const continue crate default \
                 do dyn else enum extern false final fn for gen if impl in let loop macro \
                 macro_rules match mod move mut override priv pub raw ref return safe self \
                 Self static struct super trait true try type typeof union unsafe unsized use \
                 virtual where while yield r#type r#fn name Name _name name_ r#name";
    for word in words.split_whitespace() {
        let syn = syn::parse_str::<syn::Ident>(word).is_ok();
        assert_eq!(
            crate::dsl::parse::fast::syn_accepts(word),
            syn,
            "`{word}`: syn {}",
            if syn { "accepts it" } else { "refuses it" }
        );
    }
}

/// A text longer than `with_text`'s stack buffer is read whole (through
/// `to_string`), and an app naming roles that long reads the same both ways.
#[test]
fn long_names_are_read_whole() {
    let long = format!("role_{}", "x".repeat(80));
    let ident = proc_macro2::Ident::new(&long, Span::call_site());
    assert_eq!(crate::dsl::with_text(&ident, str::to_owned), long);
    let dsl = format!(
        "app Long {{ {long}: Api, other: Other {{ depends_on: [{long}], restart: permanent(3 per 5s) }} }}"
    );
    let stream = super::input(&dsl);
    let fast = outcome(&stream);
    crate::dsl::parse::fast::GENERAL_ONLY.with(|general| general.set(true));
    let general = outcome(&stream);
    crate::dsl::parse::fast::GENERAL_ONLY.with(|general| general.set(false));
    assert!(fast == general, "fast: {fast:?}\ngeneral: {general:?}");
    assert!(fast.1.is_empty(), "{:?}", fast.1);
}
