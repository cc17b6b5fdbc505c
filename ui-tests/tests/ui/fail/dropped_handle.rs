#![deny(unused_must_use)]

use supervision::{App, supervision};
use supervision_ui_tests::Api;

supervision! {
    app Shop {
        api: Api,
    }
}

async fn start() {
    Shop { api: Api }.launch();
}

fn main() {
    let _ = start;
}
