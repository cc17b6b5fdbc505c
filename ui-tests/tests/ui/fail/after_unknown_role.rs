use supervision::supervision;
use supervision_ui_tests::{Api, Database};

supervision! {
    app Shop {
        database: Database,
        api: Api { after: [databse] },
    }
}

fn main() {}
