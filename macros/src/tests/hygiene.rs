//! Generated code reaches nothing through the prelude: a user module may
//! shadow any prelude name, or have none (`#[no_implicit_prelude]`).

use proc_macro2::{TokenStream, TokenTree};

use super::{ATPD, input};

/// Names the prelude (or the language, for primitives) provides, which a
/// module can shadow.
const PRELUDE: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "Box",
    "String",
    "ToString",
    "Default",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Iterator",
    "IntoIterator",
    "Extend",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Debug",
    "AsRef",
    "AsMut",
    "core",
    "std",
    "alloc",
    "serde",
    "usize",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "bool",
    "char",
    "str",
    "f32",
    "f64",
    "vec",
    "format",
    "panic",
    "assert",
    "unreachable",
];

/// Every prelude name in `tokens` that does not follow `::`.
fn unqualified(tokens: TokenStream, found: &mut Vec<String>) {
    let mut after_path_separator = false;
    let mut previous_colon = false;
    for tree in tokens {
        match &tree {
            TokenTree::Group(group) => unqualified(group.stream(), found),
            TokenTree::Ident(ident) => {
                let text = ident.to_string();
                if !after_path_separator && PRELUDE.contains(&text.as_str()) {
                    found.push(text);
                }
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => {}
        }
        let is_colon = matches!(&tree, TokenTree::Punct(p) if p.as_char() == ':');
        after_path_separator = is_colon && previous_colon;
        previous_colon = is_colon;
    }
}

#[test]
fn the_expansion_names_no_prelude_item_unqualified() {
    let (tokens, _) = crate::dsl::run(input(ATPD));
    let mut found = Vec::new();
    unqualified(tokens, &mut found);
    assert!(found.is_empty(), "unqualified prelude names: {found:?}");
}
