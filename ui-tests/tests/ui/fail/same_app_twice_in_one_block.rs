use supervision::{App, supervision};
use supervision_ui_tests::Api;

// The second `Shop` is not generated: no error about generated items.
supervision! {
    app Shop {
        api: Api,
    }
    app Shop {
        api: Api,
    }
}

fn main() {
    let _ = Shop::spec();
}
