use supervision::supervision;
use supervision_ui_tests::Worker;

supervision! {
    app Shop {
        migrate: Worker { restart: transient, ready: completed(1m), watchdog: 10s },
        worker: Worker { watchdog: 10s },
    }
}

fn main() {}
