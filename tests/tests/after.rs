//! `after`: orders the start (and the stop) without tying restarts, as
//! systemd's `After=` without `Requires=`.

use supervision::{App, RoleStatus, StopOutcome, Strategy, supervision};
use supervision_tests::{Script, kinds, ms, role_kinds, secs};

supervision! {
    app Web {
        strategy: rest_for_one,
        db: Script {
            ready: signaled(1s),
            restart: permanent(3 per 60s, backoff: fixed(100ms)),
        },
        // Restarts with the database, as its data depends on it.
        cache: Script { depends_on: [db] },
        // Only waits for the database at boot; keeps serving while it restarts.
        api: Script { after: [db] },
    }
}

/// Ready 50ms after its start; the first incarnation fails at 500ms.
fn db() -> Script {
    Script::new(|cx| async move {
        tokio::time::sleep(ms(50)).await;
        cx.ready();
        if cx.incarnation() == 0 {
            tokio::time::sleep(ms(450)).await;
            return Err("disk full".into());
        }
        cx.stop_requested().await;
        Ok(())
    })
}

fn web() -> Web {
    Web {
        db: db(),
        cache: Script::until_stopped(),
        api: Script::until_stopped(),
    }
}

#[tokio::test(start_paused = true)]
async fn an_after_role_starts_after_its_role_is_ready_and_keeps_running_through_its_restart() {
    let begun = tokio::time::Instant::now();
    let handle = web().start().await.expect("starts");
    assert_eq!(begun.elapsed(), ms(50), "api and cache waited for db");
    assert_eq!(Web::spec().strategy(), Strategy::RestForOne);
    tokio::time::sleep(secs(2)).await;
    let report = handle.shutdown().await;
    let events = kinds(&handle.events().events);
    let of = |role| role_kinds(&handle.events().events, role);
    // The cascade takes `cache` (depends_on) along, not `api` (after).
    assert_eq!(
        of(WebRole::Cache),
        [
            "starting",
            "ready",
            "lease_released",
            "stopping",
            "stopped",
            "starting",
            "ready",
            "lease_released",
            "stopping",
            "stopped",
        ]
    );
    assert_eq!(
        of(WebRole::Api),
        ["starting", "ready", "lease_released", "stopping", "stopped"]
    );
    // The shutdown still stops `api` before `db`: stop order is start order reversed.
    let order: Vec<_> = report.roles.iter().map(|r| (r.role, r.outcome)).collect();
    assert_eq!(
        order,
        [
            (WebRole::Api, StopOutcome::Graceful),
            (WebRole::Cache, StopOutcome::Graceful),
            (WebRole::Db, StopOutcome::Graceful),
        ]
    );
    let at = |role: &str, kind: &str| {
        events
            .iter()
            .rposition(|(r, k)| r == role && k == kind)
            .expect("in the journal")
    };
    let (api_stopped, db_stopping) = (at("api", "stopped"), at("db", "stopping"));
    assert!(
        api_stopped < db_stopping,
        "api stopped before db began to stop"
    );
}

supervision! {
    app Extras {
        optional metrics: Script { ready: signaled(1s), restart: temporary },
        // A required role may start after an optional one: it is not waited
        // for once it is disabled.
        api: Script { after: [metrics] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_required_role_after_a_disabled_optional_one_still_starts() {
    let begun = tokio::time::Instant::now();
    let handle = Extras {
        metrics: Script::new(|_| async {
            tokio::time::sleep(ms(30)).await;
            Err("exporter port in use".into())
        }),
        api: Script::until_stopped(),
    }
    .start()
    .await
    .expect("starts without metrics");
    assert_eq!(begun.elapsed(), ms(30));
    let state = handle.state();
    assert_eq!(state.role(ExtrasRole::Metrics).status, RoleStatus::Disabled);
    assert_eq!(state.role(ExtrasRole::Api).status, RoleStatus::Ready);
    assert!(Extras::spec().to_mermaid().contains("r0 -.-> r1"));
    handle.shutdown().await;
}
