use supervision::supervision;
use supervision_ui_tests::{Api, Cache, Database, Metrics, Worker};

// Two independent cycles: each is reported once, at the edge closing it.
supervision! {
    app Shop {
        database: Database { depends_on: [cache] },
        cache: Cache { depends_on: [database] },
        api: Api { depends_on: [database, worker] },
        worker: Worker { depends_on: [metrics] },
        metrics: Metrics { depends_on: [api] },
    }
}

fn main() {}
