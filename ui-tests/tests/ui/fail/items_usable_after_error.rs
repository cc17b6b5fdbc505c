use supervision::{App, supervision};
use supervision_ui_tests::{Api, Database};

// A DSL mistake (the cycle) is the only error: the struct, the role enum and
// the constants are still generated, so code using them shows nothing more.
supervision! {
    pub app Shop {
        database: Database { depends_on: [api] },
        api: Api { depends_on: [database] },
    }
}

fn main() {
    let shop = Shop {
        database: Database,
        api: Api,
    };
    let _services = shop.into_services();
    let _first: ShopRole = Shop::START_ORDER[0];
    let _all: [ShopRole; 2] = ShopRole::ALL;
    let _name: &str = ShopRole::Api.name();
    let _spec = Shop::spec();
}
