use supervision::supervision;
use supervision_ui_tests::Queue;

supervision! {
    app Shop {
        queue: Queue { stop: [drain(10s), drain(20s), stop] },
    }
}

fn main() {}
