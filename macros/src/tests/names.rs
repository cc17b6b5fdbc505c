//! Name conversions and suggestions.

use crate::dsl::check::variant_name;
use crate::dsl::suggest::{closest, did_you_mean};

use super::errors;

fn snake_case_hint(name: &str) -> String {
    let found = errors(&format!("app A {{ {name}: X }}"));
    found.into_iter().map(|(m, ..)| m).collect()
}

#[test]
fn suggests_the_snake_case_name() {
    let cases = [
        ("PeerDirectory", "peer_directory"),
        ("peerDirectory", "peer_directory"),
        ("peer__directory", "peer_directory"),
        ("_PeerDirectory_", "_peer_directory_"),
    ];
    for (name, fixed) in cases {
        assert_eq!(
            snake_case_hint(name),
            format!("role name `{name}` should be snake_case: `{fixed}`")
        );
    }
    for name in ["http2_server", "_legacy", "type_", "__private"] {
        assert_eq!(snake_case_hint(name), "", "{name}");
    }
}

#[test]
fn variants_are_pascal_case() {
    assert_eq!(variant_name("peer_directory"), "PeerDirectory");
    assert_eq!(variant_name("http2_server"), "Http2Server");
    assert_eq!(variant_name("self_"), "RSelf");
}

#[test]
fn finds_typos_and_abbreviations_not_strangers() {
    let keys = ["depends_on", "restart", "ready", "stop", "lease"];
    assert_eq!(closest("depend_on", keys), Some("depends_on"));
    assert_eq!(closest("restrat", keys), Some("restart"));
    assert_eq!(closest("colour", keys), None);
    assert_eq!(
        closest("peer_dir", ["peer_directory", "cache"]),
        Some("peer_directory")
    );
    assert_eq!(did_you_mean("stpo", keys), ", did you mean `stop`?");
}
