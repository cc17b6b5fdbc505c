use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { restart: transient, ready: spawned, restart: temporary },
    }
}

fn main() {}
