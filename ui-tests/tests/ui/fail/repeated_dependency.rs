use supervision::supervision;
use supervision_ui_tests::{Api, Cache, Database};

supervision! {
    app Shop {
        database: Database,
        cache: Cache,
        api: Api { depends_on: [database, cache, database] },
    }
}

fn main() {}
