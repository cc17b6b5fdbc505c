//! Expansions pretty-printed and committed, so every change to generated
//! code shows up in review: the DESIGN.md example, and an app with mistakes
//! (best-effort items beside the errors).
//! `UPDATE_SNAPSHOTS=1 cargo test -p supervision-macros` rewrites them.

use super::{ATPD, input};

const BROKEN: &str = r#"
    pub app Broken {
        database: Database { depends_on: [api] },
        api: Api { depends_on: [database, cach], restart: permanant },
        database: Database,
    }
"#;

fn check(name: &str, dsl: &str) {
    let path = format!(
        "{}/tests/snapshots/{name}.expanded.rs",
        env!("CARGO_MANIFEST_DIR")
    );
    let tokens = crate::dsl::expand(input(dsl));
    let file = match syn::parse2::<syn::File>(tokens) {
        Ok(file) => file,
        Err(error) => panic!("the expansion of {name} is not a valid file: {error}"),
    };
    let text = prettyplease::unparse(&file);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        if let Err(error) = std::fs::write(&path, &text) {
            panic!("cannot write {path}: {error}");
        }
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == text,
        "the expansion of {name} changed; review it and run with UPDATE_SNAPSHOTS=1\n\
         --- new expansion ---\n{text}"
    );
}

#[test]
fn atpd_expansion_matches_snapshot() {
    check("atpd", ATPD);
}

#[test]
fn best_effort_expansion_matches_snapshot() {
    check("best_effort", BROKEN);
}

/// Const values: each bound once on the app struct, the spec reading it, and
/// one `const _` per rule a literal would be held to.
const CONSTS: &str = r#"
    pub app Tuned {
        shutdown_timeout: config::SHUTDOWN,
        db: Db {
            restart: permanent(RESTARTS per 10s, backoff: exponential(MIN, 1s)),
            ready: signaled({ Duration::from_secs(3) }),
            stop: [release_lease, stop(STOP)],
        },
    }
"#;

#[test]
fn const_values_expansion_matches_snapshot() {
    check("const_values", CONSTS);
}
