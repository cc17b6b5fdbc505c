use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { stop: [drain(30s), stop] },
    }
}

fn main() {}
