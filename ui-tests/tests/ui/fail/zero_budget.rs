use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { restart: transient(0 per 5s) },
    }
}

fn main() {}
