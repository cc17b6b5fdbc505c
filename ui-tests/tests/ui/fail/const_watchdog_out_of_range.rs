use std::time::Duration;

use supervision::supervision;
use supervision_ui_tests::{Api, Queue};

const FINE: Duration = Duration::from_micros(500);
const LONG: Duration = Duration::from_secs(2 * 86_400);

supervision! {
    app Shop {
        api: Api { watchdog: FINE },
        queue: Queue { watchdog: LONG },
    }
}

fn main() {}
