//! The expansion of the DESIGN.md example, pretty-printed and committed, so
//! every change to generated code shows up in review.
//! `UPDATE_SNAPSHOTS=1 cargo test -p supervision-macros` rewrites it.

use super::{ATPD, input};

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/snapshots/atpd.expanded.rs"
);

#[test]
fn atpd_expansion_matches_snapshot() {
    let tokens = crate::dsl::expand(input(ATPD));
    let file = syn::parse2::<syn::File>(tokens);
    let Ok(file) = file else {
        panic!("expansion is not a valid file: {file:?}", file = file.err());
    };
    let text = prettyplease::unparse(&file);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        if let Err(error) = std::fs::write(PATH, &text) {
            panic!("cannot write {PATH}: {error}");
        }
        return;
    }
    let expected = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        expected == text,
        "expansion changed; review it and run with UPDATE_SNAPSHOTS=1\n--- new expansion ---\n{text}"
    );
}
