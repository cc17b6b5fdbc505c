use supervision::supervision;
use supervision_ui_tests::{Api, Database, Worker};

// A syntax error in one role does not hide mistakes in the next ones.
supervision! {
    app Shop {
        database: Database { depends_on: [,] },
        api: Api { restart: permanent(3 per) },
        worker: Worker { depends_on: [nothing] },
    }
}

fn main() {}
