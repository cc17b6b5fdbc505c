//! Chains and episodes: one role's history by incarnation and stage, one failure's
//! cascade across roles, truncation by the bounded journal, readable timelines.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use supervision::{
    App, AppHandle, Chain, ChainError, EpisodeError, EpisodeId, EventKind, EventLog,
    MissingStages, Options, Stage, supervision,
};
use supervision_tests::{Script, ms, secs};

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

/// `(role, incarnation, kind tag, stage)` of each step.
fn rows<'a>(
    steps: impl IntoIterator<Item = &'a supervision::Step<AtpRole>>,
) -> Vec<(AtpRole, Option<u64>, String, Stage)> {
    steps
        .into_iter()
        .map(|s| {
            let v = serde_json::to_value(&s.event).expect("serializes");
            let kind = v["kind"].as_str().unwrap_or("?").to_owned();
            (
                s.event.role.unwrap_or(AtpRole::IdentityManager),
                s.event.incarnation,
                kind,
                s.stage,
            )
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn scratch() {
    let handle = start(atp(2), Options::default()).await;
    tokio::time::sleep(secs(5)).await;
    handle.shutdown().await;
    for e in handle.events().events {
        println!("{e}");
    }
    println!("{}", handle.chain(AtpRole::TransferSupervisor).unwrap());
    println!("{}", handle.chain(AtpRole::CacheSeeder).unwrap());
    println!("{}", handle.episode(EpisodeId::from(1)).unwrap());
    let _ = (ms, Chain::<AtpRole>::from_log);
    let _ = rows(handle.chain(AtpRole::CacheSeeder).unwrap().steps());
    let _: Option<(ChainError<AtpRole>, EpisodeError<AtpRole>, MissingStages<AtpRole>, EventKind, EventLog<AtpRole>)> = None;
}
