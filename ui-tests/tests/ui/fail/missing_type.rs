use supervision::supervision;
use supervision_ui_tests::Api;

// The role stays in the enum and the graph: `api` may still depend on it.
supervision! {
    app Shop {
        database,
        api: Api { depends_on: [database] },
    }
}

fn main() {}
