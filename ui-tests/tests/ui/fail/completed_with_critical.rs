use supervision::supervision;
use supervision_ui_tests::Worker;

supervision! {
    app Shop {
        worker: Worker { restart: critical, ready: completed(1m) },
    }
}

fn main() {}
