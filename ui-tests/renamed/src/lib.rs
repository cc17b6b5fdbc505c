//! An app declared where the `supervision` crate is only known as `sv`: if
//! generated code named `::supervision` anywhere, this crate would not build.
#![deny(missing_docs)]

use sv::{BoxError, Context, Service};

/// A service that waits to be stopped.
pub struct Worker;

impl Service for Worker {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.stop_requested().await;
        Ok(())
    }
}

sv::supervision! {
    /// An app built through the renamed dependency.
    pub app Renamed {
        first: Worker,
        second: Worker { depends_on: [first] },
    }
}
