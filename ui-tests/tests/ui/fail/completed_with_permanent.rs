use supervision::supervision;
use supervision_ui_tests::{Api, Worker};

supervision! {
    app Shop {
        api: Api { restart: permanent(3 per 5s), ready: completed(1m) },
        // `permanent` is also the default policy.
        worker: Worker { ready: completed(1m) },
    }
}

fn main() {}
