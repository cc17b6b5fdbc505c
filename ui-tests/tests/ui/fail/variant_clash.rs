use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api1: Api,
        api_1: Api,
    }
}

fn main() {}
