use supervision::supervision;
use supervision_ui_tests::{Api, Cache, Database};

supervision! {
    app Shop {
        database: Database { depends_on: [cache] },
        cache: Cache { depends_on: [api] },
        api: Api { depends_on: [database] },
    }
}

fn main() {}
