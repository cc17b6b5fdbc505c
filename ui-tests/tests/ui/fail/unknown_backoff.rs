use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { restart: permanent(3 per 5s, backoff: exponental(1ms, 1s)) },
    }
}

fn main() {}
