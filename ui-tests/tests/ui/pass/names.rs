//! Role names as Rust writes them: raw identifiers, named in `depends_on`
//! with or without `r#`, and leading or trailing underscores.

use supervision::{App, supervision};
use supervision_ui_tests::{Api, Cache, Database, Worker};

supervision! {
    app Shop {
        r#cache: Cache,
        r#type: Database,
        _legacy: Worker { depends_on: [cache, r#type] },
        api_: Api { depends_on: [r#cache, _legacy] },
    }
}

fn main() {
    let spec = Shop::spec();
    assert_eq!(spec.dependencies(ShopRole::Legacy), [ShopRole::Cache, ShopRole::Type]);
    assert_eq!(ShopRole::Type.name(), "type");
    assert_eq!(ShopRole::Legacy.name(), "_legacy");
    assert_eq!(Shop::START_ORDER.last(), Some(&ShopRole::Api));
}
