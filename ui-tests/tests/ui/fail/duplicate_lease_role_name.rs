use supervision::supervision;
use supervision_ui_tests::{Api, Worker};

// A lease may collide with another role's default lease, its name.
supervision! {
    app Shop {
        api: Api,
        worker: Worker { lease: "api" },
    }
}

fn main() {}
