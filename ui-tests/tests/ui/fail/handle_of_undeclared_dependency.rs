use supervision::{BoxError, Context, Service, supervision};
use supervision_ui_tests::{Cache, Store};

struct Api;

impl Service for Api {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let deps = cx.deps(shop::api)?;
        let _pool = deps.get(shop::store)?;
        Ok(())
    }
}

supervision! {
    app Shop {
        store: Store { ready: signaled(1s) },
        cache: Cache,
        api: Api { depends_on: [cache] },
    }
}

fn main() {}
