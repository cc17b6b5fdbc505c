use supervision::supervision;
use supervision_ui_tests::Api;

// Two blocks cannot see each other, so these errors are rustc's: each item
// and impl defined twice, and nothing more (generated code names no inherent
// item, which would add "multiple applicable items" errors).
supervision! {
    app Shop {
        api: Api,
    }
}

supervision! {
    app Shop {
        api: Api,
    }
}

fn main() {}
