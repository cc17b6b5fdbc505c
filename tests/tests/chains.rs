//! Chains and episodes: one role's history by incarnation and stage, one failure's
//! cascade across roles, truncation by the bounded journal, readable timelines.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use supervision::{
    App, AppHandle, Chain, ChainError, EpisodeError, EpisodeId, EventKind, EventLog, MissingStages,
    Options, Role, Stage, Step, supervision,
};
use supervision_tests::{Script, secs};

use Stage::{FailureDecision, Ready, RestartAttempt, Shutdown, Spawn};

supervision! {
    /// `transfer_supervisor` takes `cache_seeder` and `diagnostics_endpoint` along
    /// when it restarts; `inbox_mailbox` only shares its dependency.
    app Atp {
        strategy: rest_for_one,
        identity_manager: Script,
        transfer_supervisor: Script {
            depends_on: [identity_manager],
            restart: permanent(3 per 60s, backoff: fixed(100ms)),
        },
        cache_seeder: Script { depends_on: [transfer_supervisor] },
        optional diagnostics_endpoint: Script {
            depends_on: [transfer_supervisor],
            restart: temporary,
        },
        inbox_mailbox: Script { depends_on: [identity_manager] },
    }
}

/// Fails `times` times, each 1s after it started; then runs until stopped.
fn fails(times: u32) -> Script {
    let runs = Arc::new(AtomicU32::new(0));
    Script::new(move |cx| {
        let failing = runs.fetch_add(1, Ordering::SeqCst) < times;
        async move {
            if failing {
                tokio::time::sleep(secs(1)).await;
                return Err("queue store unreachable".into());
            }
            cx.stop_requested().await;
            Ok(())
        }
    })
}

fn atp(transfer_failures: u32) -> Atp {
    Atp {
        identity_manager: Script::until_stopped(),
        transfer_supervisor: fails(transfer_failures),
        cache_seeder: Script::until_stopped(),
        diagnostics_endpoint: Script::until_stopped(),
        inbox_mailbox: Script::until_stopped(),
    }
}

async fn start(app: Atp, options: Options) -> AppHandle<AtpRole> {
    app.start_with(options).await.expect("starts")
}

/// `(role name, incarnation, kind tag, stage)` of each step, from its serde form.
fn rows<'a, R: Role>(steps: impl IntoIterator<Item = &'a Step<R>>) -> Vec<Row> {
    steps
        .into_iter()
        .map(|s| {
            let v = serde_json::to_value(s).expect("steps serialize");
            let text = |key: &str| v[key].as_str().unwrap_or("-").to_owned();
            (
                text("role"),
                v["incarnation"].as_u64(),
                text("kind"),
                s.stage,
            )
        })
        .collect()
}

type Row = (String, Option<u64>, String, Stage);

fn row(role: &str, incarnation: u64, kind: &str, stage: Stage) -> Row {
    (role.to_owned(), Some(incarnation), kind.to_owned(), stage)
}

#[tokio::test(start_paused = true)]
async fn a_rest_for_one_cascade_shares_one_episode_and_nothing_unrelated() {
    let handle = start(atp(1), Options::default()).await;
    tokio::time::sleep(secs(2)).await;
    let failure = handle
        .events()
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Failed { .. }))
        .and_then(|e| e.episode)
        .expect("the failure opens an episode");
    assert_eq!(failure, EpisodeId::from(1));
    let episode = handle
        .episode(failure)
        .expect("the whole episode is retained");
    assert_eq!(episode.id(), failure);
    let (ts, cache, diag) = (
        "transfer_supervisor",
        "cache_seeder",
        "diagnostics_endpoint",
    );
    assert_eq!(
        rows(episode.steps()),
        vec![
            row(ts, 0, "failed", FailureDecision),
            row(ts, 0, "lease_released", RestartAttempt),
            row(ts, 0, "restart_scheduled", RestartAttempt),
            // Dependents stop in stop order, each after its own dependents.
            row(diag, 0, "lease_released", RestartAttempt),
            row(diag, 0, "stopping", RestartAttempt),
            row(cache, 0, "lease_released", RestartAttempt),
            row(cache, 0, "stopping", RestartAttempt),
            row(diag, 0, "stopped", RestartAttempt),
            row(cache, 0, "stopped", RestartAttempt),
            // After the backoff, in start order, each once its dependencies are ready.
            row(ts, 1, "starting", Spawn),
            row(ts, 1, "ready", Ready),
            row(cache, 1, "starting", Spawn),
            row(cache, 1, "ready", Ready),
            // diagnostics_endpoint is temporary: it stays stopped.
        ]
    );
    assert!(episode.events().all(|e| e.episode == Some(failure)));
    assert_eq!(
        episode.roles(),
        vec![
            AtpRole::TransferSupervisor,
            AtpRole::DiagnosticsEndpoint,
            AtpRole::CacheSeeder
        ]
    );
    assert!(!episode.is_shutdown());
    let cause = episode.cause().expect("the failure is retained");
    assert_eq!(cause.role, Some(AtpRole::TransferSupervisor));
    // Exactly the episode's events carry its id: nothing unrelated is in it, nothing is missing.
    let log = handle.events();
    let tagged = log.events.iter().filter(|e| e.episode == Some(failure));
    assert_eq!(tagged.count(), episode.steps().len());
    for unrelated in [AtpRole::IdentityManager, AtpRole::InboxMailbox] {
        let chain = handle.chain(unrelated).expect("complete");
        assert_eq!(chain.episodes(), vec![], "{unrelated}");
        assert_eq!(chain.incarnations().len(), 1);
    }
    // "Why did cache_seeder restart?": its second incarnation was spawned by the failure.
    let chain = handle.chain(AtpRole::CacheSeeder).expect("complete");
    let restarted_by: Vec<_> = chain
        .incarnations()
        .iter()
        .map(|i| i.restarted_by())
        .collect();
    assert_eq!(restarted_by, vec![None, Some(failure)]);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_chain_across_three_incarnations_has_every_stage_in_order() {
    let handle = start(atp(2), Options::default()).await;
    tokio::time::sleep(secs(5)).await;
    handle.shutdown().await;
    let chain = handle.chain(AtpRole::TransferSupervisor).expect("complete");
    assert_eq!(chain.role(), AtpRole::TransferSupervisor);
    let by_incarnation: Vec<_> = chain
        .incarnations()
        .iter()
        .map(|i| (i.number(), i.stages(), i.restarted_by().map(EpisodeId::get)))
        .collect();
    let failed_and_restarted = vec![
        Spawn,
        Ready,
        FailureDecision,
        RestartAttempt,
        RestartAttempt,
    ];
    assert_eq!(
        by_incarnation,
        vec![
            (Some(0), failed_and_restarted.clone(), None),
            (Some(1), failed_and_restarted, Some(1)),
            (
                Some(2),
                vec![Spawn, Ready, Shutdown, Shutdown, Shutdown],
                Some(2)
            ),
        ]
    );
    let ts = "transfer_supervisor";
    assert_eq!(
        rows(chain.steps()),
        vec![
            row(ts, 0, "starting", Spawn),
            row(ts, 0, "ready", Ready),
            row(ts, 0, "failed", FailureDecision),
            row(ts, 0, "lease_released", RestartAttempt),
            row(ts, 0, "restart_scheduled", RestartAttempt),
            row(ts, 1, "starting", Spawn),
            row(ts, 1, "ready", Ready),
            row(ts, 1, "failed", FailureDecision),
            row(ts, 1, "lease_released", RestartAttempt),
            row(ts, 1, "restart_scheduled", RestartAttempt),
            row(ts, 2, "starting", Spawn),
            row(ts, 2, "ready", Ready),
            row(ts, 2, "lease_released", Shutdown),
            row(ts, 2, "stopping", Shutdown),
            row(ts, 2, "stopped", Shutdown),
        ]
    );
    assert_eq!(chain.len(), 15);
    // A step serializes as its event with a snake_case `stage` beside the `kind`.
    let first = chain.steps().next().expect("a first step");
    let json = serde_json::to_value(first).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({
            "stage": "spawn", "seq": first.event.seq, "at": "0s",
            "role": "transfer_supervisor", "incarnation": 0, "episode": null, "kind": "starting",
        })
    );
    let seqs: Vec<u64> = chain.events().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in journal order");
    assert_eq!(chain.require(&Stage::ALL), Ok(()));
    let ids: Vec<u64> = chain.episodes().into_iter().map(EpisodeId::get).collect();
    assert_eq!(ids, vec![1, 2, 3]);
}

/// The history `atp(2)` records in 5s, then a shutdown: 10 start events, a
/// cascade of 13 (the temporary diagnostics_endpoint stays stopped), one of 10
/// without it, a shutdown of 14.
const HISTORY: u64 = 47;

async fn history(journal_capacity: usize) -> EventLog<AtpRole> {
    let handle = start(
        atp(2),
        Options::default().journal_capacity(journal_capacity),
    )
    .await;
    tokio::time::sleep(secs(5)).await;
    handle.shutdown().await;
    handle.events()
}

#[tokio::test(start_paused = true)]
async fn a_journal_too_small_for_the_history_reports_truncation() {
    let full = history(4096).await;
    assert_eq!((full.events.len() as u64, full.dropped), (HISTORY, 0));

    // Two events fewer: identity_manager's first two are gone, the rest is intact.
    let log = history(HISTORY as usize - 2).await;
    assert_eq!(log.dropped, 2);
    match Chain::from_log(&log, AtpRole::IdentityManager) {
        Err(ChainError::Truncated {
            role,
            dropped,
            chain,
        }) => {
            assert_eq!((role, dropped), (AtpRole::IdentityManager, 2));
            let kinds: Vec<_> = rows(chain.steps()).into_iter().map(|r| r.2).collect();
            assert_eq!(kinds, vec!["lease_released", "stopping", "stopped"]);
        }
        other => panic!("expected a truncated chain, got {other:?}"),
    }
    let complete = Chain::from_log(&log, AtpRole::TransferSupervisor).expect("its spawn is kept");
    assert_eq!(complete.len(), 15);

    // Ten events: only the end of the shutdown is left.
    let log = history(10).await;
    assert_eq!(log.dropped, HISTORY - 10);
    let error = Chain::from_log(&log, AtpRole::TransferSupervisor).expect_err("truncated");
    assert_eq!(
        error.to_string(),
        "the chain of `transfer_supervisor` is truncated: the journal dropped 37 events, \
         which may include its earliest; 3 retained (raise `Options::journal_capacity`)"
    );
    assert_eq!(error.role(), AtpRole::TransferSupervisor);
    let partial = error.into_partial().expect("what was retained");
    assert_eq!(
        rows(partial.steps()),
        vec![
            row("transfer_supervisor", 2, "lease_released", Shutdown),
            row("transfer_supervisor", 2, "stopping", Shutdown),
            row("transfer_supervisor", 2, "stopped", Shutdown),
        ]
    );
    // The first cascade left no trace but a later episode proves it began.
    match supervision::Episode::from_log(&log, EpisodeId::from(1)) {
        Err(EpisodeError::Truncated {
            id,
            dropped,
            episode,
        }) => {
            assert_eq!((id.get(), dropped), (1, 37));
            assert_eq!(episode.steps().len(), 0);
        }
        other => panic!("expected a truncated episode, got {other:?}"),
    }
    // The shutdown lost its cause: still truncated, with the ten retained events.
    match supervision::Episode::from_log(&log, EpisodeId::from(3)) {
        Err(EpisodeError::Truncated {
            dropped, episode, ..
        }) => {
            assert_eq!(dropped, 37);
            assert_eq!(episode.steps().len(), 10);
            assert!(episode.cause().is_none());
        }
        other => panic!("expected a truncated episode, got {other:?}"),
    }
    assert_eq!(
        supervision::Episode::from_log(&log, EpisodeId::from(4)),
        Err(EpisodeError::Unknown {
            id: EpisodeId::from(4)
        })
    );
}

#[tokio::test]
async fn an_empty_journal_has_no_chain_and_a_dropped_one_a_truncated_one() {
    let empty = EventLog::<AtpRole> {
        events: Vec::new(),
        dropped: 0,
    };
    let error = Chain::from_log(&empty, AtpRole::CacheSeeder).expect_err("nothing recorded");
    assert_eq!(
        error,
        ChainError::NoEvents {
            role: AtpRole::CacheSeeder
        }
    );
    assert_eq!(error.to_string(), "no events for `cache_seeder`");
    assert_eq!(error.into_partial(), None);
    let dropped = EventLog::<AtpRole> {
        events: Vec::new(),
        dropped: 7,
    };
    match Chain::from_log(&dropped, AtpRole::CacheSeeder) {
        Err(ChainError::Truncated { dropped, chain, .. }) => {
            assert_eq!(dropped, 7);
            assert!(chain.is_empty());
        }
        other => panic!("expected a truncated chain, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn require_names_exactly_the_missing_stages() {
    let handle = start(atp(1), Options::default()).await;
    tokio::time::sleep(secs(2)).await;
    let inbox = handle.chain(AtpRole::InboxMailbox).expect("complete");
    let asked = [
        Spawn,
        FailureDecision,
        Ready,
        RestartAttempt,
        FailureDecision,
        Shutdown,
    ];
    let missing = inbox.require(&asked).expect_err("it never failed");
    assert_eq!(
        missing,
        MissingStages {
            role: AtpRole::InboxMailbox,
            missing: vec![FailureDecision, RestartAttempt, Shutdown],
        }
    );
    assert_eq!(
        missing.to_string(),
        "the chain of `inbox_mailbox` lacks the stages `failure_decision`, `restart_attempt`, `shutdown`"
    );
    // Taken along by a restart, cache_seeder never failed itself.
    let cache = handle.chain(AtpRole::CacheSeeder).expect("complete");
    assert_eq!(
        cache.require(&Stage::ALL).map_err(|m| m.missing),
        Err(vec![FailureDecision, Shutdown])
    );
    assert_eq!(cache.require(&[Spawn, Ready, RestartAttempt]), Ok(()));
    assert_eq!(cache.require(&[]), Ok(()));
    handle.shutdown().await;
    let inbox = handle.chain(AtpRole::InboxMailbox).expect("complete");
    let missing = inbox
        .require(&[Shutdown, RestartAttempt])
        .expect_err("never restarted");
    assert_eq!(missing.missing, vec![RestartAttempt]);
    assert_eq!(
        missing.to_string(),
        "the chain of `inbox_mailbox` lacks the stage `restart_attempt`"
    );
}

#[tokio::test(start_paused = true)]
async fn episode_ids_are_unique_across_episodes() {
    // transfer_supervisor and inbox_mailbox fail at the same instant, twice and once.
    let app = Atp {
        inbox_mailbox: fails(1),
        ..atp(2)
    };
    let handle = start(app, Options::default()).await;
    tokio::time::sleep(secs(5)).await;
    handle.shutdown().await;
    let log = handle.events();
    let mut ids: Vec<EpisodeId> = Vec::new();
    for id in log.events.iter().filter_map(|e| e.episode) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    assert_eq!(
        ids.iter().map(|id| id.get()).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    let mut causes = Vec::new();
    let mut total = 0;
    for &id in &ids {
        let episode = handle.episode(id).expect("retained");
        total += episode.steps().len();
        let cause = episode.cause().expect("retained");
        causes.push((cause.seq, cause.role, episode.is_shutdown()));
        // Exactly one cause per episode.
        let opening = episode
            .events()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::Failed { .. } | EventKind::ShutdownRequested { .. }
                )
            })
            .count();
        assert_eq!(opening, 1, "episode {id}");
    }
    // Every event after the start belongs to exactly one episode.
    assert_eq!(total, log.events.len() - 10);
    let roles: Vec<_> = causes.iter().map(|c| (c.1, c.2)).collect();
    assert_eq!(
        roles,
        vec![
            (Some(AtpRole::TransferSupervisor), false),
            (Some(AtpRole::InboxMailbox), false),
            (Some(AtpRole::TransferSupervisor), false),
            (None, true),
        ]
    );
    // Concurrent failures do not mix: inbox_mailbox's episode is its own.
    let inbox = handle.episode(ids[1]).expect("retained");
    assert_eq!(inbox.roles(), vec![AtpRole::InboxMailbox]);
    let transfer = handle.episode(ids[0]).expect("retained");
    assert!(!transfer.roles().contains(&AtpRole::InboxMailbox));
}

#[tokio::test(start_paused = true)]
async fn timelines_print_one_line_per_event() {
    let handle = start(atp(1), Options::default()).await;
    tokio::time::sleep(secs(2)).await;
    let episode = handle.episode(EpisodeId::from(1)).expect("retained");
    let expected = "\
episode #1 (3 roles, 13 events): transfer_supervisor#0 failed: queue store unreachable
    failure_decision     1.000s  transfer_supervisor#0     failed: queue store unreachable  (episode #1)
    restart_attempt      1.000s  transfer_supervisor#0     lease `transfer_supervisor` released  (episode #1)
    restart_attempt      1.000s  transfer_supervisor#0     restart 1 scheduled in 100ms  (episode #1)
    restart_attempt      1.000s  diagnostics_endpoint#0    lease `diagnostics_endpoint` released  (episode #1)
    restart_attempt      1.000s  diagnostics_endpoint#0    stopping  (episode #1)
    restart_attempt      1.000s  cache_seeder#0            lease `cache_seeder` released  (episode #1)
    restart_attempt      1.000s  cache_seeder#0            stopping  (episode #1)
    restart_attempt      1.000s  diagnostics_endpoint#0    stopped: graceful  (episode #1)
    restart_attempt      1.000s  cache_seeder#0            stopped: graceful  (episode #1)
    spawn                1.100s  transfer_supervisor#1     starting  (episode #1)
    ready                1.100s  transfer_supervisor#1     ready  (episode #1)
    spawn                1.100s  cache_seeder#1            starting  (episode #1)
    ready                1.100s  cache_seeder#1            ready  (episode #1)";
    assert_eq!(episode.to_string(), expected);
    // Each line after the header is the step's stage and the event's own Display.
    for (line, step) in expected.lines().skip(1).zip(episode.steps()) {
        assert_eq!(line, format!("    {:<16}  {}", step.stage, step.event));
    }
    let chain = handle.chain(AtpRole::CacheSeeder).expect("complete");
    assert_eq!(
        chain.to_string(),
        "\
chain of cache_seeder (2 incarnations, 7 events)
  incarnation 0
    spawn                0.000s  cache_seeder#0            starting
    ready                0.000s  cache_seeder#0            ready
    restart_attempt      1.000s  cache_seeder#0            lease `cache_seeder` released  (episode #1)
    restart_attempt      1.000s  cache_seeder#0            stopping  (episode #1)
    restart_attempt      1.000s  cache_seeder#0            stopped: graceful  (episode #1)
  incarnation 1, restarted by episode #1
    spawn                1.100s  cache_seeder#1            starting  (episode #1)
    ready                1.100s  cache_seeder#1            ready  (episode #1)"
    );
    handle.shutdown().await;
    let shutdown = handle.episode(EpisodeId::from(2)).expect("retained");
    assert!(shutdown.is_shutdown());
    let header = shutdown.to_string();
    assert_eq!(
        header.lines().next(),
        Some(
            "episode #2 (4 roles, 14 events): shutdown requested: requested through the app handle"
        )
    );
}

supervision! {
    /// `relay` may restart once a minute; `rendezvous` goes wherever it goes.
    app Extras {
        strategy: rest_for_one,
        core: Script { restart: permanent(1 per 60s, backoff: none) },
        optional relay: Script { depends_on: [core], restart: permanent(1 per 60s, backoff: none) },
        optional rendezvous: Script { depends_on: [relay] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_disable_and_its_cascade_are_one_episode_of_failure_decisions() {
    let handle = Extras {
        core: Script::until_stopped(),
        relay: fails(2),
        rendezvous: Script::until_stopped(),
    }
    .start()
    .await
    .expect("starts");
    tokio::time::sleep(secs(5)).await;
    let episode = handle.episode(EpisodeId::from(2)).expect("retained");
    assert_eq!(
        rows(episode.steps()),
        vec![
            row("relay", 1, "failed", FailureDecision),
            row("relay", 1, "lease_released", FailureDecision),
            row("relay", 1, "budget_exhausted", FailureDecision),
            row("relay", 1, "disabled", FailureDecision),
            row("rendezvous", 1, "lease_released", FailureDecision),
            row("rendezvous", 1, "stopping", FailureDecision),
            row("rendezvous", 1, "stopped", FailureDecision),
            row("rendezvous", 1, "disabled", FailureDecision),
        ]
    );
    let stages: Vec<_> = handle
        .chain(ExtrasRole::Rendezvous)
        .expect("complete")
        .incarnations()
        .iter()
        .map(|i| i.stages())
        .collect();
    assert_eq!(
        stages,
        vec![
            vec![Spawn, Ready, RestartAttempt, RestartAttempt, RestartAttempt],
            vec![
                Spawn,
                Ready,
                FailureDecision,
                FailureDecision,
                FailureDecision,
                FailureDecision
            ],
        ]
    );
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_escalation_ends_its_episode_and_the_shutdown_opens_its_own() {
    let handle = Extras {
        core: fails(2),
        relay: Script::until_stopped(),
        rendezvous: Script::until_stopped(),
    }
    .start()
    .await
    .expect("starts");
    assert!(handle.join().await.is_err(), "core escalated");
    let failure = handle.episode(EpisodeId::from(2)).expect("retained");
    assert_eq!(
        rows(failure.steps()),
        vec![
            row("core", 1, "failed", FailureDecision),
            row("core", 1, "lease_released", FailureDecision),
            row("core", 1, "budget_exhausted", FailureDecision),
            row("core", 1, "escalated", FailureDecision),
        ]
    );
    let shutdown = handle.episode(EpisodeId::from(3)).expect("retained");
    assert!(shutdown.is_shutdown());
    assert_eq!(
        shutdown.cause().map(|e| (e.role, e.kind.clone())),
        Some((
            Some(ExtrasRole::Core),
            EventKind::ShutdownRequested {
                reason: supervision::ShutdownReason::Escalated
            }
        ))
    );
    assert_eq!(
        shutdown.roles(),
        vec![ExtrasRole::Core, ExtrasRole::Rendezvous, ExtrasRole::Relay]
    );
    assert!(shutdown.steps().iter().all(|s| s.stage == Shutdown));
}

supervision! {
    app All {
        strategy: one_for_all,
        left: Script { restart: permanent(3 per 60s, backoff: fixed(100ms)) },
        right: Script,
    }
}

#[tokio::test(start_paused = true)]
async fn one_for_all_takes_every_role_into_the_failure_episode() {
    let handle = All {
        left: fails(1),
        right: Script::until_stopped(),
    }
    .start()
    .await
    .expect("starts");
    tokio::time::sleep(secs(2)).await;
    let episode = handle.episode(EpisodeId::from(1)).expect("retained");
    assert_eq!(
        rows(episode.steps()),
        vec![
            row("left", 0, "failed", FailureDecision),
            row("left", 0, "lease_released", RestartAttempt),
            row("left", 0, "restart_scheduled", RestartAttempt),
            row("right", 0, "lease_released", RestartAttempt),
            row("right", 0, "stopping", RestartAttempt),
            row("right", 0, "stopped", RestartAttempt),
            row("left", 1, "starting", Spawn),
            row("left", 1, "ready", Ready),
            row("right", 1, "starting", Spawn),
            row("right", 1, "ready", Ready),
        ]
    );
    handle.shutdown().await;
}
