use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { restart: permanent(3 per 5s, backoff: exponential(10s, 100ms)) },
    }
}

fn main() {}
