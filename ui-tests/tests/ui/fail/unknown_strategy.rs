use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        strategy: rest_for_all,
        api: Api,
    }
}

fn main() {}
