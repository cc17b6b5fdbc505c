use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        shutdown_timeout: 30sec,
        api: Api { ready: signaled(10d) },
    }
}

fn main() {}
