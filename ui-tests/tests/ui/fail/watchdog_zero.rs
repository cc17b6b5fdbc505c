use supervision::supervision;
use supervision_ui_tests::{Api, Worker};

supervision! {
    app Shop {
        api: Api { watchdog: 0s },
        worker: Worker { watchdog: 10s },
    }
}

fn main() {}
