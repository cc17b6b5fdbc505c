use supervision::supervision;
use supervision_ui_tests::{Api, Metrics};

supervision! {
    app Shop {
        /// Doc comments are welcome.
        api: Api,
        #[cfg(feature = "metrics")]
        metrics: Metrics,
    }
}

fn main() {}
