//! Typed handles through the macro: publish, read a declared dependency,
//! read any role from outside, and keys that say which app they belong to.

use supervision::{App, BoxError, Context, HandleError, RoleKey, Service, supervision};
use supervision_ui_tests::{Pool, Store};

struct Api;

impl Service for Api {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let deps = cx.deps(shop::api)?;
        let _now: Result<Pool, HandleError> = deps.get(shop::store);
        let _next: Pool = deps.wait(shop::store).await?;
        cx.stop_requested().await;
        Ok(())
    }
}

supervision! {
    /// A store and the API that reads its pool.
    pub app Shop {
        store: Store { ready: signaled(1s) },
        api: Api { depends_on: [store] },
    }
}

/// Generic over any app's role: keys are ordinary types.
fn role_of<K: RoleKey>(_: K) -> K::Role {
    K::ROLE
}

async fn outside(handle: &supervision::AppHandle<ShopRole>) -> Result<Pool, HandleError> {
    handle.wait(shop::store).await?;
    handle.get(shop::store)
}

fn main() {
    assert_eq!(role_of(shop::api), ShopRole::Api);
    assert_eq!(role_of(shop::store), ShopRole::Store);
    assert_eq!(format!("{:?}", shop::store), "store");
    let _ = (outside, Shop::spec());
}
