use std::time::Duration;

use supervision::supervision;
use supervision_ui_tests::Api;

const MAX: Duration = Duration::from_millis(500);

supervision! {
    app Shop {
        api: Api { restart: permanent(3 per 5s, backoff: exponential(1s, MAX)) },
    }
}

fn main() {}
