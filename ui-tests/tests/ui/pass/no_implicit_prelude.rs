//! Generated code compiles inside `#[no_implicit_prelude]`: every path it
//! writes is absolute.

#[no_implicit_prelude]
mod bare {
    use ::supervision::supervision;
    use ::supervision_ui_tests::{Api, Database, Queue};

    supervision! {
        pub app Shop {
            strategy: one_for_all,
            intensity: 5 per 1m,
            database: Database { restart: critical },
            api: Api { depends_on: [database], ready: signaled(1s) },
            queue: Queue { stop: [drain(1s, resume_state), stop] },
        }
    }
}

fn main() {
    use supervision::App;

    let services = bare::Shop {
        database: supervision_ui_tests::Database,
        api: supervision_ui_tests::Api,
        queue: supervision_ui_tests::Queue,
    }
    .into_services();
    assert_eq!(services.len(), 3);
    assert_eq!(bare::ShopRole::Queue.name(), "queue");
}
