use supervision::supervision;
use supervision_ui_tests::{Api, Metrics};

supervision! {
    app Shop {
        metrics: optional Metrics,
        optional api: Api { depends_on: [metrics] },
    }
}

fn main() {}
