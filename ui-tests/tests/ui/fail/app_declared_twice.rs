use supervision::supervision;
use supervision_ui_tests::{Api, Worker};

// Two blocks cannot see each other: this error is rustc's, and only one.
supervision! {
    app Shop {
        api: Api,
    }
}

supervision! {
    app Shop {
        worker: Worker,
    }
}

fn main() {}
