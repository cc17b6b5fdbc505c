//! Generated code compiles whatever the calling module shadows.
#![allow(dead_code, non_camel_case_types, unused_imports)]

use supervision::{App, supervision};
use supervision_ui_tests::{Api, Database};

struct Result;
struct Option;
struct Box;
struct Vec;
struct String;
struct Ok;
struct Err;
struct Some;
struct None;
struct Clone;
struct Copy;
struct Debug;
struct Default;
mod core {}
mod std {}
mod serde {}
mod tokio {}
mod supervision_macros {}

supervision! {
    pub app Shop {
        database: Database,
        api: Api { depends_on: [database], restart: transient(2 per 10s, backoff: none) },
    }
}

fn main() {
    let services = Shop {
        database: Database,
        api: Api,
    }
    .into_services();
    assert_eq!(services.len(), 2);
    assert_eq!(Shop::spec().name(), "Shop");
}
