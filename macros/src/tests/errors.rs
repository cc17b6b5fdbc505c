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

/// A repeat is one error, at the second place, naming the first one's line.
/// (Lines in messages count the wrapper's `::supervision;` line, so DSL line
/// 2 reads "line 3" here; the compiler counts file lines.)
#[test]
fn duplicate_role_is_one_error_naming_the_first_line() {
    let found = errors("app A {\n a: X,\n b: Y,\n a: Z,\n}");
    let places: Vec<_> = found
        .iter()
        .map(|(_, line, col, text)| (*line, *col, text.as_str()))
        .collect();
    assert_eq!(places, [(4, 1, "a")]);
    assert_eq!(
        found[0].0,
        "duplicate role `a`, first declared on line 3; rename or remove one"
    );
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
            (
                "`a` is listed twice in `depends_on`, first earlier on this line; remove one",
                57
            ),
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
    assert_eq!(texts, [(50, "lease"), (64, "strategy")]);
    assert_eq!(
        found[0].0,
        "key `lease` is given twice, first earlier on this line; remove one"
    );
}

#[test]
fn leases_and_names() {
    assert_eq!(one("app A { a: X { lease: \"\" } }").1, "\"\"");
    assert_eq!(
        one("app A {\n a: X,\n b: Y { lease: \"a\" },\n}"),
        (
            "lease `a` is the name, and so the default lease, of role `a` (on line 3); \
             give one of them another `lease`"
                .to_owned(),
            "\"a\"".to_owned()
        )
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

/// A repeat or a clash is one mistake: exactly one error, at the second place.
#[test]
fn every_repeat_is_one_error() {
    let cases = [
        "app A { a: X, a: Y }",
        "app A { a1: X, a_1: Y }",
        "app A { b: X, a: X { depends_on: [b, b] } }",
        "app A { a: X { lease: \"l\" }, b: X { lease: \"l\" } }",
        "app A { a: X, b: X { lease: \"a\" } }",
        "app A { a: X { ready: spawned, ready: spawned } }",
        "app A { strategy: one_for_one, strategy: one_for_one, a: X }",
        "app A { a: X { stop: [stop, stop] } }",
    ];
    for dsl in cases {
        let found = errors(dsl);
        assert_eq!(found.len(), 1, "{dsl}: {found:?}");
    }
}

/// Diagnoses that used to be wrong: each now names the real mistake, or none.
#[test]
fn names_and_durations_are_diagnosed_as_written() {
    assert!(pointed("app A { cache: C, b: B { depends_on: [r#cache] } }").is_empty());
    assert!(pointed("app A { r#cache: C, b: B { depends_on: [cache] } }").is_empty());
    assert!(pointed("app A { _legacy: X, type_: Y }").is_empty());
    assert_eq!(
        one("app A { a: X { stop: [stop(-5s)] } }").0,
        "a duration cannot be negative: write `5s`"
    );
    assert_eq!(
        one("app A { a: X { ready: signaled(2.5s) } }").0,
        "durations are whole numbers: write `2500ms` for `2.5s`"
    );
    assert_eq!(
        one("app A { shutdown_timeout: 0.25h, a: X }").0,
        "durations are whole numbers: write `15m` for `0.25h`"
    );
    let (message, text) = one("app A { a1: X, a_1: Y, b: Z { depends_on: [a_1] } }");
    assert!(message.starts_with("roles `a1`"), "{message}");
    assert_eq!(text, "a_1");
}

/// A punctuation slip is one error naming the fix, and costs no role: each
/// case has `b` depend on `a`, which would be "unknown" if `a` were lost.
#[test]
fn a_slip_costs_one_error_and_no_role() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "app A { a: X\n b: Y { depends_on: [a] } }",
            "expected `,` before `b`: entries are separated by commas",
            "b",
        ),
        (
            "app A { a: X { restart: temporary ready: spawned }, b: Y { depends_on: [a] } }",
            "expected `,` before `ready`",
            "ready",
        ),
        (
            "app A { a X, b: Y { depends_on: [a] } }",
            "expected `:` after `a`: write `a: X`",
            "a",
        ),
        (
            "app A { a = X, b: Y { depends_on: [a] } }",
            "expected `:` after `a`, found `=`",
            "=",
        ),
        (
            "app A { a, b: Y { depends_on: [a] } }",
            "role `a` has no type: write `a: A`",
            "a",
        ),
        (
            "app A { a: { restart: temporary }, b: Y { depends_on: [a] } }",
            "role `a` has no type",
            "a",
        ),
        (
            "app A { a optional: X, optional b: Y { depends_on: [a] } }",
            "`optional` goes before the role name: `optional a: ..`",
            "optional",
        ),
        (
            "app A { a: optional X, optional b: Y { depends_on: [a] } }",
            "`optional` goes before the role name",
            "optional",
        ),
        (
            "app A { a: X, b: Y { depends_on: [a] }, restart: permanent(3 per 5s) }",
            "`restart` is a role key, not an app setting: write it in braces after the role's \
             type, as in `b: Y { restart: .. }`",
            "restart",
        ),
        (
            "app A { a: X, b: Y { depends_on: [a] } depends_on: [a] }",
            "`depends_on` is a role key",
            "depends_on",
        ),
        (
            "app A { a: X, b: Y { depends_on: [a] } } ;",
            "unexpected `;` after the app's `}`; remove it",
            ";",
        ),
        (
            "app A { a: X, b: Y { depends_on: [a] } } app B { c: Z }",
            "a `supervision!` block declares one app: give `B` its own `supervision! { .. }`",
            "B",
        ),
        (
            "app A { a: X, b: Y { depends_on: [a] } } app A { c: Z }",
            "app `A` is already declared earlier on this line in this block",
            "A",
        ),
        (
            "app A { restart_strategy: one_for_all, a: X, b: Y { depends_on: [a] } }",
            "unknown app setting `restart_strategy`; `one_for_all` is a value of `strategy`: \
             write `strategy: one_for_all`",
            "restart_strategy",
        ),
        (
            "app A { policy: transient, a: X, b: Y { depends_on: [a] } }",
            "unknown app setting `policy`; `transient` is a value of the role key `restart`, \
             which goes in a role's braces: `api: Api { restart: transient }`",
            "policy",
        ),
        (
            "app X { a: X, b: Y { depends_on: [a] } }",
            "app `X` has the name of role `a`'s type",
            "X",
        ),
        (
            "app A { a: Box<ARole>, b: Y { depends_on: [a] } }",
            "type `ARole` has the name of the role enum generated for app `A`",
            "ARole",
        ),
    ];
    for (dsl, message, text) in cases {
        let found = pointed(dsl);
        assert_eq!(found.len(), 1, "{dsl}: {found:?}");
        let (first, at) = &found[0];
        assert!(
            first.starts_with(message),
            "{dsl}\n  expected: {message}\n  found: {first}"
        );
        assert_eq!(at, text, "{dsl}: `{first}` points at the wrong token");
    }
    // Qualified, the type cannot be the generated struct.
    assert!(pointed("app X { a: crate::X }").is_empty());
}

/// One line per rule form: the DSL, the start of the message, the token it points at.
#[test]
fn every_rule_form_points_at_its_token() {
    let cases: &[(&str, &str, &str)] = &[
        // 1. duplicate role
        ("app A { a: X, a: Y }", "duplicate role `a`", "a"),
        // 2. unknown dependency
        (
            "app A { a: X { depends_on: [zzz] } }",
            "unknown role `zzz`",
            "zzz",
        ),
        // 3. self and repeated dependency
        (
            "app A { a: X { depends_on: [a] } }",
            "role `a` depends on itself",
            "a",
        ),
        (
            "app A { b: X, a: X { depends_on: [b, b] } }",
            "`b` is listed twice",
            "b",
        ),
        // 4. cycle
        (
            "app A { a: X { depends_on: [a2] }, a2: X { depends_on: [a] } }",
            "dependency cycle: `a -> a2 -> a`",
            "a",
        ),
        // 5. required on optional
        (
            "app A { optional o: X, a: X { depends_on: [o] } }",
            "required role `a` cannot depend",
            "o",
        ),
        // 6. stop lists
        (
            "app A { a: X { stop: [release_lease] } }",
            "the stop list must end with `stop`",
            "[release_lease]",
        ),
        (
            "app A { a: X { stop: [stop, stop] } }",
            "`stop` is given twice",
            "stop",
        ),
        (
            "app A { a: X { stop: [stop, drain(1s)] } }",
            "`stop` must be the last",
            "drain",
        ),
        (
            "app A { a: X { stop: [drain(1s), drain(1s), stop] } }",
            "`drain` is given twice",
            "drain",
        ),
        (
            "app A { a: X { stop: [release_lease, drain(1s), stop] } }",
            "`drain` must be the first",
            "drain",
        ),
        (
            "app A { a: X { stop: [release_lease, release_lease, stop] } }",
            "`release_lease` is given twice",
            "release_lease",
        ),
        (
            "app A { a: X { stop: [stop, release_lease] } }",
            "`stop` must be the last",
            "release_lease",
        ),
        (
            "app A { a: X { stop: [halt] } }",
            "unknown stop action `halt`",
            "halt",
        ),
        (
            "app A { a: X { stop: [drain] } }",
            "`drain` needs parameters",
            "drain",
        ),
        (
            "app A { a: X { stop: [release_lease(1s), stop] } }",
            "`release_lease` takes no parameters",
            "release_lease",
        ),
        // 7. restart policies
        (
            "app A { a: X { restart: permament } }",
            "unknown restart policy `permament`, did you mean `permanent`?",
            "permament",
        ),
        (
            "app A { a: X { restart: transient(0 per 1s) } }",
            "a budget of 0 restarts",
            "0",
        ),
        (
            "app A { a: X { restart: transient(1 per 0ms) } }",
            "restart window must be longer than zero",
            "0ms",
        ),
        (
            "app A { a: X { restart: permanent(1 per 1s, backoff: exponential(2s, 1s)) } }",
            "backoff minimum `2s` is greater",
            "exponential",
        ),
        (
            "app A { a: X { restart: permanent(1 per 1s, backoff: fixed(0s)) } }",
            "backoff delay must be longer",
            "0s",
        ),
        (
            "app A { a: X { restart: temporary(1 per 1s) } }",
            "`temporary` takes no parameters",
            "(1 per 1s)",
        ),
        (
            "app A { a: X { restart: critical(1 per 1s) } }",
            "`critical` takes no parameters",
            "(1 per 1s)",
        ),
        (
            "app A { optional a: X { restart: critical } }",
            "optional role `a` cannot be `critical`",
            "critical",
        ),
        (
            "app A { a: X { restart: permanent(1 per 1s, backof: none) } }",
            "unknown restart parameter `backof`",
            "backof",
        ),
        // 8. completed with permanent or critical
        (
            "app A { a: X { restart: critical, ready: completed(1s) } }",
            "`ready: completed(..)` is for one-shot jobs",
            "completed",
        ),
        // 9. durations
        (
            "app A { shutdown_timeout: 1d, a: X }",
            "unknown duration unit `d`",
            "1d",
        ),
        (
            "app A { shutdown_timeout: 10, a: X }",
            "duration `10` has no unit",
            "10",
        ),
        (
            "app A { shutdown_timeout: 0s, a: X }",
            "`shutdown_timeout` must be longer than zero",
            "0s",
        ),
        (
            "app A { shutdown_timeout: 999999999999h, a: X }",
            "duration `999999999999h` is too long",
            "999999999999h",
        ),
        (
            "app A { a: X { ready: signaled(2.5s) } }",
            "durations are whole numbers",
            "2.5s",
        ),
        (
            "app A { a: X { ready: signaled } }",
            "`signaled` needs a timeout",
            "signaled",
        ),
        (
            "app A { a: X { ready: spawned(1s) } }",
            "`spawned` takes no timeout",
            "1s",
        ),
        // watchdog periods
        (
            "app A { a: X { watchdog: 0s } }",
            "`watchdog` period must be longer than zero",
            "0s",
        ),
        (
            "app A { a: X { watchdog: 999us } }",
            "`watchdog: 999us` is finer than the runtime's 1ms timers",
            "999us",
        ),
        (
            "app A { a: X { watchdog: 25h } }",
            "`watchdog: 25h` is longer than a day",
            "25h",
        ),
        (
            "app A { a: X { restart: temporary, ready: completed(1s), watchdog: 1s } }",
            "a one-shot job (`ready: completed(..)`) cannot have a `watchdog`",
            "watchdog",
        ),
        // 10. unknown and repeated keys
        (
            "app A { a: X { leese: \"x\" } }",
            "unknown role key `leese`, did you mean `lease`?",
            "leese",
        ),
        (
            "app A { intensty: 1 per 1s, a: X }",
            "unknown app setting `intensty`, did you mean `intensity`?",
            "intensty",
        ),
        (
            "app A { a: X { ready: spawned, ready: spawned } }",
            "key `ready` is given twice",
            "ready",
        ),
        (
            "app A { intensity: 1 per 1s, intensity: 2 per 1s, a: X }",
            "app setting `intensity` is given twice",
            "intensity",
        ),
        // 11. leases
        (
            "app A { a: X { lease: \"l\" }, b: X { lease: \"l\" } }",
            "lease `l` is already used by role `a`",
            "\"l\"",
        ),
        (
            "app A { a: X { lease: \"\" } }",
            "lease name cannot be empty",
            "\"\"",
        ),
        // 12. no roles; a role named like a setting
        (
            "app A { strategy: one_for_one }",
            "app `A` has no roles",
            "A",
        ),
        (
            "app A { shutdown_timeout: Timeout }",
            "a role cannot be named `shutdown_timeout`",
            "shutdown_timeout",
        ),
        // names
        (
            "app A { aB: X }",
            "role name `aB` should be snake_case: `a_b`",
            "aB",
        ),
        (
            "app A { a1: X, a_1: X }",
            "roles `a1` (declared earlier on this line) and `a_1` would both be the enum variant `A1`",
            "a_1",
        ),
        // syntax
        (
            "app A { #[cfg(test)] a: X }",
            "only doc comments can be written on a role",
            "cfg",
        ),
        ("pub service A { a: X }", "expected `app`", "service"),
        (
            "app A { a: X { restart: permanent(3 per) } }",
            "expected a duration",
            ")",
        ),
    ];
    for (dsl, message, text) in cases {
        let found = errors(dsl);
        let Some((first, _, _, at)) = found.first() else {
            panic!("no error for {dsl}");
        };
        assert!(
            first.starts_with(message),
            "{dsl}\n  expected: {message}\n  found: {first}"
        );
        assert_eq!(at, text, "{dsl}: `{first}` points at the wrong token");
    }
}

#[test]
fn after_rules_point_at_the_listed_name() {
    let found = errors(
        "app A { a: X, b: Y { after: [b, a, a] }, c: Z { depends_on: [a], after: [a, nope] } }",
    );
    let columns: Vec<_> = found.iter().map(|(m, _, c, _)| (m.as_str(), *c)).collect();
    assert_eq!(
        columns,
        [
            ("role `b` starts after itself", 29),
            (
                "`a` is listed twice in `after`, first earlier on this line; remove one",
                35
            ),
            (
                "`a` is in both `depends_on` and `after`; `depends_on` already starts `c` \
                 after it, so remove it from `after`",
                73
            ),
            ("unknown role `nope` in `after`", 76),
        ]
    );
}

/// Const values are rustc's to evaluate: the macro takes a path or a braced
/// expression wherever a literal may stand, and reports none of them.
#[test]
fn const_values_are_no_macro_error() {
    let dsl = "app A {
        intensity: MAX per { Duration::from_secs(60) },
        shutdown_timeout: config::SHUTDOWN,
        a: X {
            restart: transient(MAX per WINDOW, backoff: exponential(MIN, { MIN.saturating_mul(8) })),
            ready: signaled(<X as Tuned>::READY),
            stop: [drain(DRAIN), release_lease, stop(STOP)],
            watchdog: PERIOD,
        },
        b: Y { restart: permanent(3 per 5s, backoff: fixed(DELAY)) },
    }";
    assert_eq!(errors(dsl), []);
}

#[test]
fn a_const_expression_other_than_a_path_needs_braces() {
    assert_eq!(
        one("app A { a: X { ready: signaled(timeout()) } }"),
        (
            "a const expression other than a path goes in braces, as in \
             `{ Duration::from_secs(5) }`"
                .to_owned(),
            "timeout".to_owned()
        )
    );
    assert_eq!(
        one("app A { a: X { restart: permanent(per 5s) } }").0,
        "expected a restart budget such as `3 per 5s`"
    );
}

/// A literal beside a const is still checked by the macro; the const's rule
/// goes to rustc.
#[test]
fn literals_beside_consts_are_still_checked() {
    assert_eq!(
        one("app A { a: X { restart: permanent(MAX per 0s) } }"),
        (
            "restart window must be longer than zero".to_owned(),
            "0s".to_owned()
        )
    );
}

/// A value missing at the end of an entry is reported at the entry's last
/// token, not at the macro's call site (found by the fuzz).
#[test]
fn a_missing_value_at_the_end_of_an_entry_points_at_its_last_token() {
    assert_eq!(
        one("app A { a: X { lease: } }"),
        (
            "expected the lease name as a string, e.g. `lease: \"name\"`".to_owned(),
            ":".to_owned()
        )
    );
    // rustc underlines all of `stop`; proc-macro2 outside the compiler
    // gives a group's closing span as its last byte.
    assert_eq!(
        one("app A { a: X { stop }, b: Y }"),
        ("expected `:`".to_owned(), "p".to_owned())
    );
}
