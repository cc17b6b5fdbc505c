use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { restart: critical(1 per 1m) },
    }
}

fn main() {}
