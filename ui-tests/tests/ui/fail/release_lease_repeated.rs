use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { stop: [release_lease, release_lease, stop] },
    }
}

fn main() {}
