use supervision::supervision;

supervision! {
    pub service Shop {
        api: supervision_ui_tests::Api,
    }
}

fn main() {}
