use supervision::{BoxError, Context, Service, supervision};
use supervision_ui_tests::Store;

struct Api;

impl Service for Api {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        // `after` orders the start only: no handle flows along it.
        let _pool = cx.deps(shop::api)?.get(shop::store)?;
        Ok(())
    }
}

supervision! {
    app Shop {
        store: Store { ready: signaled(1s) },
        api: Api { after: [store] },
    }
}

fn main() {}
