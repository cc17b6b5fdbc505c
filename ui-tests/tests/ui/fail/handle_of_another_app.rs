use supervision::supervision;
use supervision_ui_tests::Store;

supervision! {
    app Shop {
        store: Store { ready: signaled(1s) },
    }
}

supervision! {
    app Depot {
        store: Store { ready: signaled(1s) },
    }
}

async fn read(handle: supervision::AppHandle<ShopRole>) {
    let _ = handle.get(depot::store);
}

fn main() {}
