//! Where each error points: the token a user must change.

use super::errors;

/// The `(message, text)` pairs, for cases where the line is obvious.
fn pointed(dsl: &str) -> Vec<(String, String)> {
    errors(dsl).into_iter().map(|(m, _, _, t)| (m, t)).collect()
}

fn one(dsl: &str) -> (String, String) {
    let mut all = pointed(dsl);
    assert_eq!(all.len(), 1, "expected one error, got {all:?}");
    all.remove(0)
}

#[test]
fn duplicate_role_points_at_the_second_then_the_first() {
    let found = errors("app A {\n a: X,\n b: Y,\n a: Z,\n}");
    let places: Vec<_> = found
        .iter()
        .map(|(_, line, col, text)| (*line, *col, text.as_str()))
        .collect();
    assert_eq!(places, [(4, 1, "a"), (2, 1, "a")]);
    assert_eq!(found[0].0, "duplicate role `a`");
}

#[test]
fn unknown_dependency_suggests_the_closest_role() {
    let (message, text) = one("app A { peer_directory: P, b: B { depends_on: [peer_dir] } }");
    assert_eq!(
        message,
        "unknown role `peer_dir` in `depends_on`, did you mean `peer_directory`?"
    );
    assert_eq!(text, "peer_dir");
}

#[test]
fn self_and_repeated_dependencies_point_at_the_listed_name() {
    let found = errors("app A { a: X { depends_on: [a] }, b: Y { depends_on: [a, a] } }");
    let columns: Vec<_> = found.iter().map(|(m, _, c, _)| (m.as_str(), *c)).collect();
    assert_eq!(
        columns,
        [
            ("role `a` depends on itself", 28),
            ("`a` is listed twice in `depends_on`", 57),
            ("`a` first listed here", 54),
        ]
    );
}

#[test]
fn a_cycle_is_reported_once_at_its_closing_edge() {
    let found = errors(
        "app A {\n a: X { depends_on: [b] },\n b: Y { depends_on: [c] },\n c: Z { depends_on: [a] },\n}",
    );
    assert_eq!(found.len(), 1);
    let (message, line, _, text) = &found[0];
    assert_eq!(message, "dependency cycle: `a -> b -> c -> a`");
    assert_eq!((*line, text.as_str()), (4, "a"));
}

#[test]
fn required_on_optional_points_at_the_dependency() {
    let (message, text) = one("app A { optional m: M, a: X { depends_on: [m] } }");
    assert!(message.starts_with("required role `a` cannot depend on optional role `m`"));
    assert_eq!(text, "m");
}

#[test]
fn stop_list_rules_point_at_the_action() {
    assert_eq!(
        one("app A { a: X { stop: [stop, release_lease] } }").1,
        "release_lease"
    );
    assert_eq!(
        one("app A { a: X { stop: [release_lease, drain(1s), stop] } }").1,
        "drain"
    );
    assert_eq!(
        one("app A { a: X { stop: [release_lease] } }").1,
        "[release_lease]"
    );
    assert_eq!(
        one("app A { a: X { stop: [relase_lease, stop] } }").0,
        "unknown stop action `relase_lease`, did you mean `release_lease`?"
    );
}

#[test]
fn restart_rules_point_at_the_value() {
    assert_eq!(
        one("app A { a: X { restart: permanent(0 per 1s) } }").1,
        "0"
    );
    assert_eq!(
        one("app A { a: X { restart: permanent(1 per 0s) } }").1,
        "0s"
    );
    assert_eq!(
        one("app A { a: X { restart: temporary(1 per 1s) } }").1,
        "(1 per 1s)"
    );
    assert_eq!(
        one("app A { a: X { restart: permanent(1 per 1s, backoff: exponential(2s, 1s)) } }").1,
        "exponential"
    );
    assert_eq!(
        one("app A { optional a: X { restart: critical } }").1,
        "critical"
    );
    assert_eq!(
        one("app A { a: X { restart: transent } }").0,
        "unknown restart policy `transent`, did you mean `transient`?"
    );
}

#[test]
fn completed_needs_a_policy_that_lets_the_job_end() {
    assert_eq!(
        one("app A { a: X { ready: completed(1s) } }").1,
        "completed"
    );
    assert!(pointed("app A { a: X { restart: transient, ready: completed(1s) } }").is_empty());
}

#[test]
fn durations_point_at_the_literal() {
    assert_eq!(one("app A { shutdown_timeout: 5x, a: X }").1, "5x");
    assert_eq!(one("app A { shutdown_timeout: 0s, a: X }").1, "0s");
    assert_eq!(
        one("app A { shutdown_timeout: 18446744073709551615s, a: X }").1,
        "18446744073709551615s"
    );
    assert!(pointed("app A { shutdown_timeout: 18446744073709551615ns, a: X }").is_empty());
}

#[test]
fn keys_and_settings_point_at_the_name() {
    let (message, text) = one("app A { a: X { depends: [] } }");
    assert_eq!(
        (message.as_str(), text.as_str()),
        (
            "unknown role key `depends`, did you mean `depends_on`?",
            "depends"
        )
    );
    let found = errors(
        "app A { strategy: one_for_one, a: X { lease: \"x\", lease: \"y\" }, strategy: one_for_all }",
    );
    let texts: Vec<_> = found.iter().map(|(_, _, c, t)| (*c, t.as_str())).collect();
    assert_eq!(
        texts,
        [
            (50, "lease"),
            (38, "lease"),
            (64, "strategy"),
            (8, "strategy")
        ]
    );
}

#[test]
fn leases_and_names() {
    assert_eq!(one("app A { a: X { lease: \"\" } }").1, "\"\"");
    let clash = pointed("app A { a: X, b: Y { lease: \"a\" } }");
    let texts: Vec<_> = clash.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        ["a", "\"a\""]
            .map(str::to_owned)
            .iter()
            .rev()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        one("app A { PeerDir: X }").0,
        "role name `PeerDir` should be snake_case: `peer_dir`"
    );
    assert_eq!(one("app A { }").1, "A");
    assert_eq!(one("app A { strategy: X }").1, "strategy");
}

#[test]
fn every_independent_mistake_is_reported() {
    let found = errors(
        "app A { strategy: one_for_al, a: X { restart: nope }, b: Y { depends_on: [c] }, d: Z { stop: [] } }",
    );
    assert_eq!(found.len(), 4, "{found:?}");
}
