use supervision::supervision;
use supervision_ui_tests::{Api, Database};

supervision! {
    app Shop {
        Database: Database,
        apiServer: Api,
    }
}

fn main() {}
