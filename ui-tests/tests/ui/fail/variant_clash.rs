use supervision::supervision;
use supervision_ui_tests::{Api, Worker};

// The clash is the one error: `worker` naming the dropped `api_1` is no
// second mistake.
supervision! {
    app Shop {
        api1: Api,
        api_1: Api,
        worker: Worker { depends_on: [api_1] },
    }
}

fn main() {}
