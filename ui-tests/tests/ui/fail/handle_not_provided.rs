use supervision::{BoxError, Context, Service, supervision};
use supervision_ui_tests::Cache;

struct Api;

impl Service for Api {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let deps = cx.deps(shop::api)?;
        let _cache = deps.get(shop::cache)?;
        Ok(())
    }
}

supervision! {
    app Shop {
        cache: Cache,
        api: Api { depends_on: [cache] },
    }
}

fn main() {}
