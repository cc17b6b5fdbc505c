//! `AppHandle::health`: what a Kubernetes probe (or systemd's watchdog) reads,
//! through a start, a restart cascade, a disable and the shutdown.

use supervision::{App, Health, supervision};
use supervision_tests::{Script, ms, secs};

supervision! {
    app Probed {
        store: Script,
        peer: Script { depends_on: [store], restart: permanent(5 per 1m, backoff: fixed(1s)) },
        api: Script { depends_on: [peer] },
        optional extra: Script { restart: temporary },
    }
}

/// Fails at `at` in its first incarnation; runs until stopped otherwise.
fn fails_at(at: u64) -> Script {
    Script::new(move |cx| async move {
        if cx.incarnation() == 0 {
            tokio::select! {
                () = tokio::time::sleep(secs(at)) => return Err("lost".into()),
                () = cx.stop_requested() => {}
            }
        }
        cx.stop_requested().await;
        Ok(())
    })
}

fn health(ready: bool, unready: &[ProbedRole], degraded: &[ProbedRole]) -> Health<ProbedRole> {
    Health {
        live: true,
        ready,
        unready: unready.to_vec(),
        degraded: degraded.to_vec(),
    }
}

#[tokio::test(start_paused = true)]
async fn health_follows_a_restart_cascade_a_disable_and_the_shutdown() {
    use ProbedRole::*;
    let app = Probed {
        store: Script::until_stopped(),
        peer: fails_at(5),
        api: Script::until_stopped(),
        extra: fails_at(10),
    };
    let handle = app.launch();
    // Before the start is over, nothing is ready yet.
    assert_eq!(handle.health(), health(false, &[Store, Peer, Api], &[]));
    handle.started().await.expect("starts");
    assert_eq!(handle.health(), health(true, &[], &[]));
    // `peer` fails at 5s: it waits 1s for its restart, `api` is stopped with it.
    tokio::time::sleep(ms(5500)).await;
    assert_eq!(handle.health(), health(false, &[Peer, Api], &[]));
    tokio::time::sleep(secs(1)).await;
    assert_eq!(handle.health(), health(true, &[], &[]));
    // `extra`, optional, fails for good at 10s: ready, but degraded.
    tokio::time::sleep(secs(4)).await;
    assert_eq!(handle.health(), health(true, &[], &[Extra]));
    handle.shutdown().await;
    let after = handle.health();
    assert!(!after.live && !after.ready, "{after:?}");
}
