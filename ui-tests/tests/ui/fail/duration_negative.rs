use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { stop: [stop(-5s)] },
    }
}

fn main() {}
