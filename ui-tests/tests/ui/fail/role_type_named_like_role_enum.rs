use supervision::supervision;

struct ShopRole;

supervision! {
    app Shop {
        role: ShopRole,
    }
}

fn main() {}
