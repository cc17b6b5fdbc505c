use supervision::supervision;
use supervision_ui_tests::{Api, Metrics};

supervision! {
    app Shop {
        optional metrics: Metrics,
        api: Api { depends_on: [metrics] },
    }
}

fn main() {}
