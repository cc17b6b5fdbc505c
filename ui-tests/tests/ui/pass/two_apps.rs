//! Two apps in one module, even with the same role names, do not clash.

use supervision::{App, supervision};
use supervision_ui_tests::{Api, Database, Worker};

supervision! {
    pub app Frontend {
        database: Database,
        api: Api { depends_on: [database] },
    }
}

supervision! {
    pub app Backend {
        database: Database,
        worker: Worker { depends_on: [database] },
    }
}

fn main() {
    assert_eq!(Frontend::spec().name(), "Frontend");
    assert_eq!(Backend::spec().name(), "Backend");
    assert_eq!(FrontendRole::Api.name(), "api");
    assert_eq!(BackendRole::Worker.name(), "worker");
    assert_eq!(Frontend::START_ORDER.len(), Backend::START_ORDER.len());
}
