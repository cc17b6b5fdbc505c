//! Side-by-side benchmarks; run with `cargo bench -p supervision-benches`.
