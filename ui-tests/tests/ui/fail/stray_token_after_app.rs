use supervision::{App, supervision};
use supervision_ui_tests::Api;

// The stray `;` is the one error: the app is still generated.
supervision! {
    app Shop {
        api: Api,
    };
}

fn main() {
    let _spec = Shop::spec();
}
