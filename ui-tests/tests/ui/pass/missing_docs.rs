//! Users who deny missing docs get documented items.
#![deny(missing_docs)]

use supervision::supervision;
use supervision_ui_tests::{Api, Database};

supervision! {
    pub app Undocumented {
        database: Database,
        api: Api { depends_on: [database] },
    }
}

supervision! {
    /// An app with its own doc comment.
    #[derive(Debug)]
    pub app Documented {
        api: Api,
    }
}

fn main() {
    let _ = Undocumented::START_ORDER;
    let _ = format!("{:?}", Documented { api: Api });
}
