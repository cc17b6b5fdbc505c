use supervision::supervision;
use supervision_ui_tests::{Api, Database};

supervision! {
    app Shop {
        database: Database,
        api: Api { depends_on: [database], after: [database] },
    }
}

fn main() {}
