use supervision::{App, supervision};
use supervision_ui_tests::{Api, Worker};

// One block declares one app; both are still generated.
supervision! {
    app Frontend {
        api: Api,
    }
    app Backend {
        worker: Worker,
    }
}

fn main() {
    let _ = Frontend::spec();
    let _ = Backend::spec();
}
