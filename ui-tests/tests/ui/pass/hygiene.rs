//! Generated code compiles whatever the calling module shadows: it names
//! nothing through the prelude, so a module that shadows every prelude name
//! it might use, at module level and in a function body, still compiles.
#![allow(dead_code, non_camel_case_types, unused_imports)]

use supervision::{App, supervision};
use supervision_ui_tests::{Api, Database};

/// Shadows every prelude name the expansion could use. Items a
/// `macro_rules!` declares are visible where it is called, like written there.
macro_rules! shadow_the_prelude {
    () => {
        // Values and types: a tuple struct is both, so `Ok(..)` or `None`
        // would resolve to these instead of the prelude's.
        struct Ok(u8);
        struct Err(u8);
        struct Some(u8);
        struct None(u8);
        struct Option;
        struct Result;
        struct Box;
        struct Vec;
        struct String;
        struct Default;
        struct Into;
        struct From;
        struct Clone;
        struct Copy;
        struct Debug;
        struct usize;
        struct str;
        struct bool;
        mod core {}
        mod std {}
        mod serde {}
        mod tokio {}
        mod supervision_macros {}
    };
}

shadow_the_prelude!();

supervision! {
    pub app Shop {
        database: Database { ready: signaled(1s), stop: [release_lease, stop(2s)] },
        api: Api { depends_on: [database], restart: transient(2 per 10s, backoff: fixed(1s)) },
    }
}

fn in_a_function_body() -> ::core::primitive::usize {
    shadow_the_prelude!();

    supervision! {
        app Local {
            database: Database,
            optional api: Api { depends_on: [database], restart: temporary },
        }
    }

    Local {
        database: Database,
        api: Api,
    }
    .into_services()
    .len()
}

fn main() {
    let services = Shop {
        database: Database,
        api: Api,
    }
    .into_services();
    ::core::assert_eq!(services.len(), 2);
    ::core::assert_eq!(Shop::spec().name(), "Shop");
    ::core::assert_eq!(ShopRole::Api.to_string(), "api");
    ::core::assert_eq!(in_a_function_body(), 2);
}
