use supervision::supervision;
use supervision_ui_tests::{Api, Config};

supervision! {
    app Shop {
        config: Config,
        api: Api { depends_on: [config] },
    }
}

fn main() {}
