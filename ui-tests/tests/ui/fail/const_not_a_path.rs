use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { ready: signaled(timeout()) },
    }
}

fn main() {}
