use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        stratgy: one_for_all,
        shutdown_timout: 10s,
        api: Api,
    }
}

fn main() {}
