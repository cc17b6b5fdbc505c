//! Side-by-side benchmarks; run with `cargo bench -p supervision-benches`.
//! Shared by the benches: the generated DAG the macro expands.

use std::fmt::Write;

/// The `supervision!` input of an app of `roles` roles, where role `i`
/// depends on up to 5 distinct earlier roles, and the number of edges.
pub fn dag(roles: usize) -> (String, usize) {
    let mut text = String::from("::supervision; pub app Big {\n");
    let mut edges = 0;
    for i in 0..roles {
        let mut deps: Vec<usize> = [
            i / 2,
            i.saturating_sub(1),
            i.saturating_sub(3),
            i / 3,
            (i * 7919) % i.max(1),
        ]
        .into_iter()
        .filter(|&d| d < i)
        .collect();
        deps.sort_unstable();
        deps.dedup();
        edges += deps.len();
        let list: Vec<String> = deps.iter().map(|d| format!("r{d}")).collect();
        let _ = writeln!(
            text,
            "    r{i}: Service{} {{ depends_on: [{}], restart: permanent(3 per 5s) }},",
            i % 7,
            list.join(", ")
        );
    }
    text.push_str("}\n");
    (text, edges)
}
