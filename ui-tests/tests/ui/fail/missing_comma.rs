use supervision::supervision;
use supervision_ui_tests::{Api, Database};

// One missing comma is one error; both roles are kept, so `api` still
// depends on `database` and the struct literal below has both fields.
supervision! {
    app Shop {
        database: Database
        api: Api { depends_on: [database] },
    }
}

fn main() {
    let _shop = Shop {
        database: Database,
        api: Api,
    };
}
