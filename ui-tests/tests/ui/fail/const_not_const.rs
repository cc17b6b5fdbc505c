use std::time::Duration;

use supervision::supervision;
use supervision_ui_tests::{Api, Queue};

const SECONDS: u64 = 5;

fn from_env() -> Duration {
    Duration::from_secs(5)
}

supervision! {
    app Shop {
        api: Api { ready: signaled(SECONDS) },
        queue: Queue { stop: [stop({ from_env() })] },
    }
}

fn main() {}
