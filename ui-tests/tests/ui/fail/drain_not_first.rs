use supervision::supervision;
use supervision_ui_tests::Queue;

supervision! {
    app Shop {
        queue: Queue { stop: [release_lease, drain(10s), stop] },
    }
}

fn main() {}
