//! Everything the runtime returns serializes, and reads back as what was written;
//! the lifecycle plans match the design's atpd plan step for step; the public
//! data types ask nothing of their role type beyond what each impl needs.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;
use supervision::{
    Action, App, AppError, AppState, Chain, Episode, EventLog, LifecycleEvent, LifecyclePhase,
    ShutdownReason, ShutdownReport, StartError, supervision,
};
use supervision_tests::{DrainScript, Script, ms, secs};

supervision! {
    /// The design's example topology.
    app Atpd {
        identity_manager: Script { restart: critical, stop: [release_lease, stop] },
        peer_directory: Script {
            depends_on: [identity_manager],
            restart: permanent(5 per 60s, backoff: fixed(100ms)),
        },
        transfer_supervisor: DrainScript {
            depends_on: [identity_manager, peer_directory],
            restart: permanent(3 per 60s, backoff: exponential(100ms, 10s)),
            ready: signaled(10s),
            stop: [drain(30s, resume_state), release_lease, stop(5s)],
        },
        optional diagnostics_endpoint: Script {
            depends_on: [identity_manager, transfer_supervisor],
            restart: temporary,
        },
        cache_seeder: Script,
    }
}

/// Serializes `value` to JSON, reads it back, and checks both the value and
/// the JSON text survive the trip unchanged.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).expect("serializes");
    let back: T = serde_json::from_str(&json).expect("reads back");
    assert_eq!(&back, value, "{json}");
    assert_eq!(serde_json::to_string(&back).expect("serializes"), json);
}

/// Fails once, 1s after its first start; then serves until stopped.
fn fails_once() -> Script {
    let runs = Arc::new(AtomicU32::new(0));
    Script::new(move |cx| {
        let first = runs.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            if first {
                tokio::time::sleep(secs(1)).await;
                return Err("peer table corrupt".into());
            }
            cx.stop_requested().await;
            Ok(())
        }
    })
}

fn transfer() -> DrainScript {
    DrainScript::new(
        |cx| async move {
            cx.ready();
            cx.stop_requested().await;
            Ok(())
        },
        |_| async { Ok(serde_json::json!({ "queued": 3 })) },
    )
}

fn atpd(peer_directory: Script) -> Atpd {
    Atpd {
        identity_manager: Script::until_stopped(),
        peer_directory,
        transfer_supervisor: transfer(),
        diagnostics_endpoint: Script::until_stopped(),
        cache_seeder: Script::until_stopped(),
    }
}

#[tokio::test(start_paused = true)]
async fn journal_report_state_chain_and_episode_read_back_as_written() {
    let handle = atpd(fails_once()).start().await.expect("starts");
    tokio::time::sleep(secs(5)).await;
    let running: AppState<AtpdRole> = handle.state();
    let report: ShutdownReport<AtpdRole> = handle.shutdown().await;
    assert_eq!(report.reason, Some(ShutdownReason::Requested));
    assert!(report.is_clean());
    let log: EventLog<AtpdRole> = handle.events();

    // The run went through a failure, a restart, a drain and a shutdown, so
    // every event kind with fields is in the journal being read back.
    let tags: Vec<String> = log
        .events
        .iter()
        .map(|e| serde_json::to_value(e).expect("serializes")["kind"].to_string())
        .collect();
    for kind in [
        "failed",
        "restart_scheduled",
        "drained",
        "lease_released",
        "stopped",
        "shutdown_requested",
    ] {
        assert!(
            tags.contains(&format!("\"{kind}\"")),
            "no {kind} in {tags:?}"
        );
    }
    round_trip(&log);
    round_trip(&report);
    round_trip(&running);
    round_trip(&handle.state());
    let chain: Chain<AtpdRole> = handle
        .chain(AtpdRole::PeerDirectory)
        .expect("a whole chain");
    assert_eq!(chain.incarnations().len(), 2);
    round_trip(&chain);
    let failure = log
        .events
        .iter()
        .find_map(|e| e.episode.filter(|_| tags[e.seq as usize] == "\"failed\""))
        .expect("the failure has an episode");
    let episode: Episode<AtpdRole> = handle.episode(failure).expect("a whole episode");
    round_trip(&episode);
    round_trip(&handle.chain(AtpdRole::CacheSeeder).expect("a whole chain"));
}

#[tokio::test(start_paused = true)]
async fn start_and_app_errors_read_back_as_written() {
    let never_ready = DrainScript::new(
        |cx| async move {
            cx.stop_requested().await;
            Ok(())
        },
        |_| async { Ok(serde_json::Value::Null) },
    );
    let app = Atpd {
        transfer_supervisor: never_ready,
        ..atpd(Script::until_stopped())
    };
    let error: StartError<AtpdRole> = app.start().await.expect_err("not ready in 10s");
    round_trip(&error);
    round_trip(&AppError::Start(error));

    let crashes = Script::new(|_| async {
        tokio::time::sleep(ms(10)).await;
        Err("identity store lost".into())
    });
    let app = Atpd {
        identity_manager: crashes,
        ..atpd(Script::until_stopped())
    };
    let handle = app.start().await.expect("starts");
    let error = handle
        .join()
        .await
        .expect_err("a critical failure escalates");
    assert!(matches!(error, AppError::Escalated { .. }));
    // Once it has ended, `shutdown` returns the same report, which tells an
    // escalation from a request.
    let report = handle.shutdown().await;
    assert_eq!(report.reason, Some(ShutdownReason::Escalated));
    assert!(!report.is_clean());
    round_trip(&error);
}

#[test]
fn a_stored_state_whose_lease_is_not_its_role_is_rejected() {
    let stored = r#"{"phase":"running","roles":[{"role":"cache_seeder","status":"ready",
        "incarnation":0,"lease":"peer_directory","lease_held":true}]}"#;
    let error = serde_json::from_str::<AppState<AtpdRole>>(stored).expect_err("rejected");
    assert!(
        error
            .to_string()
            .contains("lease `peer_directory` is not the lease of role `cache_seeder`"),
        "{error}"
    );
}

#[test]
fn the_spec_and_its_plans_serialize_and_the_plans_read_back() {
    let spec = Atpd::spec();
    let json = serde_json::to_value(spec).expect("serializes");
    assert_eq!(json["roles"][2]["stop"][0]["timeout"], "30s");
    round_trip(&spec.start_plan());
    round_trip(&spec.shutdown_plan());
}

#[test]
fn the_atpd_shutdown_plan_drains_every_role_in_stop_order_then_joins_the_root() {
    use Action::{Drain, JoinRoot, ReleaseLease, StopChild};
    use AtpdRole::*;
    use LifecyclePhase::{Draining, Stopped};
    let step = |phase, role, action| LifecycleEvent {
        phase,
        role,
        action,
    };
    let expected = vec![
        step(Draining, Some(CacheSeeder), ReleaseLease),
        step(Draining, Some(CacheSeeder), StopChild),
        step(Draining, Some(DiagnosticsEndpoint), ReleaseLease),
        step(Draining, Some(DiagnosticsEndpoint), StopChild),
        step(Draining, Some(TransferSupervisor), Drain),
        step(Draining, Some(TransferSupervisor), ReleaseLease),
        step(Draining, Some(TransferSupervisor), StopChild),
        step(Draining, Some(PeerDirectory), ReleaseLease),
        step(Draining, Some(PeerDirectory), StopChild),
        step(Draining, Some(IdentityManager), ReleaseLease),
        step(Draining, Some(IdentityManager), StopChild),
        step(Stopped, None, JoinRoot),
    ];
    assert_eq!(Atpd::spec().shutdown_plan(), expected);
    let start: Vec<_> = Atpd::spec()
        .start_plan()
        .into_iter()
        .map(|e| (e.phase, e.role, e.action))
        .collect();
    assert_eq!(
        start,
        [
            IdentityManager,
            PeerDirectory,
            TransferSupervisor,
            DiagnosticsEndpoint,
            CacheSeeder
        ]
        .map(|r| (LifecyclePhase::Starting, Some(r), Action::StartChild))
    );
}

/// Compiles only while the public data types put no `Role` bound on their
/// definitions (C-STRUCT-BOUNDS): a helper generic over any `Debug` role works.
fn show<R: Debug>(
    step: &LifecycleEvent<R>,
    log: &EventLog<R>,
    report: &ShutdownReport<R>,
) -> String {
    format!("{step:?} {} {}", log.events.len(), report.roles.len())
}

#[test]
fn helpers_generic_over_any_role_type_need_no_role_bound() {
    let step = LifecycleEvent {
        phase: LifecyclePhase::Stopped,
        role: Some("anything debug"),
        action: Action::JoinRoot,
    };
    let log = EventLog {
        events: Vec::new(),
        dropped: 0,
    };
    let report = ShutdownReport {
        roles: Vec::new(),
        duration: ms(0),
        reason: None,
        deadline_exceeded: false,
    };
    assert_eq!(
        show(&step, &log, &report),
        r#"LifecycleEvent { phase: Stopped, role: Some("anything debug"), action: JoinRoot } 0 0"#
    );
}

/// Compiles only while every error the runtime returns can cross threads and
/// be boxed as `Box<dyn Error + Send + Sync>` (what `?` in a service needs).
#[test]
fn every_error_type_is_a_send_sync_static_error() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_error::<StartError<AtpdRole>>();
    is_error::<AppError<AtpdRole>>();
    is_error::<supervision::ChainError<AtpdRole>>();
    is_error::<supervision::EpisodeError<AtpdRole>>();
    is_error::<supervision::MissingStages<AtpdRole>>();
    is_error::<supervision::HandleError>();
}
