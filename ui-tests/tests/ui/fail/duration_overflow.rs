use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        shutdown_timeout: 99999999999h,
        api: Api,
    }
}

fn main() {}
