use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { stop: [release_leases, stop] },
    }
}

fn main() {}
