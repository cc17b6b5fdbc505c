use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { stop: [release_lease, stop(1s), stop(5s)] },
    }
}

fn main() {}
