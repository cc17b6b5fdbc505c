use supervision::supervision;
use supervision_ui_tests::Worker;

supervision! {
    app Shop {
        strategy: Worker,
    }
}

fn main() {}
