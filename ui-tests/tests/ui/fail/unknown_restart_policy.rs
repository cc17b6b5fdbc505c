use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { restart: permanant(3 per 5s) },
    }
}

fn main() {}
