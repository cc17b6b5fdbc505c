use std::time::Duration;

use supervision::supervision;
use supervision_ui_tests::{Api, Queue};

const ZERO: Duration = Duration::ZERO;
const NONE: u32 = 0;

supervision! {
    app Shop {
        shutdown_timeout: ZERO,
        api: Api { ready: signaled(ZERO), restart: permanent(NONE per { Duration::from_secs(0) }) },
        queue: Queue { stop: [drain(ZERO), stop] },
    }
}

fn main() {}
