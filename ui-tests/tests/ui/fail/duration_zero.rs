use supervision::supervision;
use supervision_ui_tests::{Api, Queue};

supervision! {
    app Shop {
        shutdown_timeout: 0s,
        api: Api { ready: signaled(0ms) },
        queue: Queue { stop: [drain(0s), stop] },
    }
}

fn main() {}
