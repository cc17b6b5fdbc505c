//! Strategies: which roles a restart takes along, in which order, without overlap.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use supervision::{App, EventKind, supervision};
use supervision_tests::{Probe, Script, kinds, ms, secs};

/// db <- cache <- api, and an independent audit role; every restart waits 100ms.
macro_rules! topology {
    ($app:ident, $strategy:ident) => {
        supervision! {
            app $app {
                strategy: $strategy,
                db: Script { restart: permanent(5 per 60s, backoff: fixed(100ms)) },
                cache: Script { depends_on: [db], restart: permanent(5 per 60s, backoff: fixed(100ms)) },
                api: Script { depends_on: [cache], restart: permanent(5 per 60s, backoff: fixed(100ms)) },
                audit: Script { restart: permanent(5 per 60s, backoff: fixed(100ms)) },
            }
        }
    };
}

topology!(RestForOne, rest_for_one);
topology!(OneForOne, one_for_one);
topology!(OneForAll, one_for_all);

/// Fails once, 1s after its first start; counted by the probe while it lives.
fn fails_once(probe: &Probe) -> Script {
    let probe = probe.clone();
    let runs = Arc::new(AtomicU32::new(0));
    Script::new(move |cx| {
        let guard = probe.enter(cx.role());
        let first = runs.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            let _guard = guard;
            if first {
                tokio::time::sleep(secs(1)).await;
                return Err("lost connection".into());
            }
            cx.stop_requested().await;
            Ok(())
        }
    })
}

fn restarts<R: supervision::Role>(events: &[supervision::Event<R>]) -> Vec<(String, String)> {
    let after_failure = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Failed { .. }))
        .unwrap_or(events.len());
    kinds(&events[after_failure..])
        .into_iter()
        .filter(|(_, k)| {
            [
                "failed",
                "restart_scheduled",
                "stopped",
                "starting",
                "ready",
            ]
            .contains(&k.as_str())
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_stops_dependents_in_stop_order_and_restarts_them_in_start_order() {
    let probe = Probe::default();
    let app = RestForOne {
        db: fails_once(&probe),
        cache: probe.lingering(ms(300)),
        api: probe.lingering(ms(200)),
        audit: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(5)).await;
    let events = handle.events().events;
    assert_eq!(
        restarts(&events),
        pairs(&[
            ("db", "failed"),
            ("db", "restart_scheduled"),
            ("api", "stopped"),
            ("cache", "stopped"),
            ("db", "starting"),
            ("db", "ready"),
            ("cache", "starting"),
            ("cache", "ready"),
            ("api", "starting"),
            ("api", "ready"),
        ])
    );
    // api stops first (200ms), then cache (300ms); db restarts only then, although
    // its 100ms backoff ran out long before: no overlap with its dependents.
    let at = |role: &str, kind: &str| {
        events
            .iter()
            .rev()
            .find(|e| {
                e.role.map(|r| r.to_string()).as_deref() == Some(role)
                    && kinds(std::slice::from_ref(e))[0].1 == kind
            })
            .map(|e| e.at)
    };
    assert_eq!(at("api", "stopped"), Some(ms(1200)));
    assert_eq!(at("cache", "stopped"), Some(ms(1500)));
    assert_eq!(at("db", "starting"), Some(ms(1500)));
    let state = handle.state();
    let incarnations: Vec<_> = state.roles.iter().map(|r| r.incarnation).collect();
    assert_eq!(incarnations, [Some(1), Some(1), Some(1), Some(0)]);
    for role in ["db", "cache", "api"] {
        assert_eq!(probe.max_live(role), 1, "{role} never ran twice at once");
    }
    handle.shutdown().await;
    assert_eq!(probe.live(), 0);
}

#[tokio::test(start_paused = true)]
async fn one_for_one_restarts_only_the_failed_role() {
    let probe = Probe::default();
    let app = OneForOne {
        db: fails_once(&probe),
        cache: Script::until_stopped(),
        api: Script::until_stopped(),
        audit: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(5)).await;
    let events = handle.events().events;
    assert_eq!(
        restarts(&events),
        pairs(&[
            ("db", "failed"),
            ("db", "restart_scheduled"),
            ("db", "starting"),
            ("db", "ready"),
        ])
    );
    let incarnations: Vec<_> = handle.state().roles.iter().map(|r| r.incarnation).collect();
    assert_eq!(incarnations, [Some(1), Some(0), Some(0), Some(0)]);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn one_for_all_restarts_every_role_in_start_order() {
    let probe = Probe::default();
    let app = OneForAll {
        db: Script::until_stopped(),
        cache: fails_once(&probe),
        api: Script::until_stopped(),
        audit: Script::until_stopped(),
    };
    let handle = app.start().await.expect("starts");
    tokio::time::sleep(secs(5)).await;
    let events = handle.events().events;
    assert_eq!(
        restarts(&events),
        pairs(&[
            ("cache", "failed"),
            ("cache", "restart_scheduled"),
            ("audit", "stopped"),
            ("api", "stopped"),
            ("db", "stopped"),
            ("db", "starting"),
            ("db", "ready"),
            ("cache", "starting"),
            ("cache", "ready"),
            ("api", "starting"),
            ("api", "ready"),
            ("audit", "starting"),
            ("audit", "ready"),
        ])
    );
    let incarnations: Vec<_> = handle.state().roles.iter().map(|r| r.incarnation).collect();
    assert_eq!(incarnations, [Some(1), Some(1), Some(1), Some(1)]);
    handle.shutdown().await;
}
