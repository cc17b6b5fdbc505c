use supervision::supervision;
use supervision_ui_tests::{Api, Cache, Database, Metrics, Queue, Worker};

// Independent mistakes in one declaration: every one is reported in one build.
supervision! {
    pub app Shop {
        strategy: one_for_al,
        database: Database { restart: critical(1 per 1s) },
        cache: Cache { depends_on: [databse] },
        api: Api { depends_on: [database, cache], ready: completed(10s) },
        queue: Queue { stop: [stop, drain(5s)] },
        worker: Worker { restart: permanent(0 per 10x) },
        optional metrics: Metrics { restart: critical, lease: "api" },
    }
}

fn main() {}
