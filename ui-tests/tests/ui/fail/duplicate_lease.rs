use supervision::supervision;
use supervision_ui_tests::{Api, Worker};

supervision! {
    app Shop {
        api: Api { lease: "frontend" },
        worker: Worker { lease: "frontend" },
    }
}

fn main() {}
