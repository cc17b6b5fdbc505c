use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        restart_strategy: one_for_all,
        api: Api,
    }
}

fn main() {}
