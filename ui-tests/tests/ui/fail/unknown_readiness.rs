use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { ready: signalled(10s) },
    }
}

fn main() {}
