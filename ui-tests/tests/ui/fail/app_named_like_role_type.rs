use supervision::supervision;
use supervision_ui_tests::Api;

supervision! {
    app Api {
        api: Api,
    }
}

fn main() {
    let _api = Api;
}
