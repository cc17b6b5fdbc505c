use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        strategy: one_for_one,
        api: Api,
        strategy: one_for_all,
    }
}

fn main() {}
