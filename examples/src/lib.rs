//! Runnable examples: `cargo run --example atpd`.
