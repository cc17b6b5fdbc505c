use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { restart: permanent(3 per 0s) },
    }
}

fn main() {}
