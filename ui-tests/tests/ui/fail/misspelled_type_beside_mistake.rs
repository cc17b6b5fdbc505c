use supervision::supervision;
use supervision_ui_tests::Api;

// A DSL mistake does not hide rustc's own error for a misspelled type:
// both show in one build.
supervision! {
    app Shop {
        database: Databse,
        api: Api { restart: permanant },
    }
}

fn main() {}
