use supervision::supervision;

supervision! {
    app Shop {
        strategy: one_for_all,
    }
}

fn main() {}
