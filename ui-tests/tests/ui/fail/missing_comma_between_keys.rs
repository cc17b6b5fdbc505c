use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { restart: temporary ready: spawned },
    }
}

fn main() {}
