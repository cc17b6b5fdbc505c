use supervision::supervision;
use supervision_ui_tests::Metrics;

supervision! {
    app Shop {
        optional metrics: Metrics { restart: critical },
    }
}

fn main() {}
