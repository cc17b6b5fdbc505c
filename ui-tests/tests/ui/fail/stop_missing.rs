use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api { stop: [release_lease] },
    }
}

fn main() {}
