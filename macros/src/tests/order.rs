//! The start order and the resolved graph.

use super::{ATPD, input};
use crate::dsl::errors::Errors;
use crate::dsl::{model, parse};

fn model_of(dsl: &str) -> model::Model {
    let mut errors = Errors::default();
    let mut apps = parse::parse(input(dsl), &mut errors);
    assert_eq!(apps.len(), 1);
    let model = model::build(apps.remove(0), &mut errors);
    assert!(errors.into_vec().is_empty());
    model
}

fn start_names(dsl: &str) -> Vec<String> {
    let model = model_of(dsl);
    model
        .graph
        .start_order
        .iter()
        .map(|&i| model.roles[i].field.to_string())
        .collect()
}

#[test]
fn design_example_starts_in_declaration_order() {
    assert_eq!(
        start_names(ATPD),
        [
            "identity_manager",
            "peer_directory",
            "transfer_supervisor",
            "diagnostics_endpoint",
            "cache_seeder"
        ]
    );
}

#[test]
fn earliest_declared_ready_role_goes_first() {
    // `c` is declared first but waits for `b`; `a` is ready from the start.
    let order =
        start_names("app A { c: X { depends_on: [b] }, a: X, b: X { depends_on: [a] }, d: X }");
    assert_eq!(order, ["a", "b", "c", "d"]);
}

#[test]
fn dependents_are_in_declaration_order() {
    let model = model_of("app A { a: X, c: X { depends_on: [a] }, b: X { depends_on: [a] } }");
    assert_eq!(model.graph.dependents[0], [1, 2]);
    assert_eq!(model.graph.dependencies[2], [0]);
}

#[test]
fn defaults_fill_every_key() {
    let model = model_of("app A { a: X }");
    let role = &model.roles[0];
    assert_eq!(role.restart, model::Restart::Default);
    assert_eq!(role.ready, model::Ready::Spawned);
    assert_eq!(
        role.stop,
        [
            model::StopAction::ReleaseLease,
            model::StopAction::Stop(model::Value::Literal(5_000_000_000))
        ]
    );
    assert_eq!(role.lease, "a");
    assert_eq!(
        model.shutdown_timeout,
        model::Value::Literal(30_000_000_000)
    );
}

#[test]
fn cyclic_graphs_still_order_every_role() {
    let (_, errors) = crate::dsl::run(input(
        "app A { a: X { depends_on: [b] }, b: X { depends_on: [a] }, c: X }",
    ));
    assert_eq!(errors.into_vec().len(), 1);
}
