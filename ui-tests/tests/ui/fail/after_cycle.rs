use supervision::supervision;
use supervision_ui_tests::{Api, Cache, Database};

// `after` orders the start as `depends_on` does, so it can close a cycle too.
supervision! {
    app Shop {
        database: Database { after: [api] },
        cache: Cache { depends_on: [database] },
        api: Api { depends_on: [cache] },
    }
}

fn main() {}
