//! Typed handles: a role publishes a value when it becomes ready, its dependents
//! read it along the declared edges, and a restart always shows the current
//! incarnation's value (or none), never a stopped one's.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use supervision::{
    App, BoxError, Context, HandleError, Provide, Service, StopOutcome, supervision,
};
use supervision_tests::{Log, ms, secs};

/// What `Db` offers: which incarnation opened it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pool {
    opened_by: u64,
}

/// Opens a pool per incarnation and publishes it; the first incarnation fails
/// after `fail_first_after`, when set.
struct Db {
    runs: AtomicU32,
    fail_first_after: Option<Duration>,
}

impl Db {
    fn healthy() -> Self {
        Db {
            runs: AtomicU32::new(0),
            fail_first_after: None,
        }
    }

    fn failing_once_after(delay: Duration) -> Self {
        Db {
            runs: AtomicU32::new(0),
            fail_first_after: Some(delay),
        }
    }
}

impl Service for Db {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let first = self.runs.fetch_add(1, Ordering::SeqCst) == 0;
        tokio::time::sleep(ms(10)).await; // opening the pool
        cx.ready_with(
            self,
            Pool {
                opened_by: cx.incarnation(),
            },
        )?;
        match self.fail_first_after {
            Some(delay) if first => {
                tokio::time::sleep(delay).await;
                Err("database connection lost".into())
            }
            _ => {
                cx.stop_requested().await;
                Ok(())
            }
        }
    }
}

impl Provide for Db {
    type Handle = Pool;
}

/// Reads the pool at start and logs what it saw, then again every second.
struct Api {
    log: Log,
}

impl Service for Api {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let deps = cx.deps(shop::api)?;
        let mut tick = tokio::time::interval(secs(1));
        loop {
            tokio::select! {
                () = cx.stop_requested() => return Ok(()),
                _ = tick.tick() => {}
            }
            let seen = match deps.get(shop::db) {
                Ok(pool) => format!("pool of db#{}", pool.opened_by),
                Err(e) => e.to_string(),
            };
            self.log
                .push(format!("api#{} {}: {seen}", cx.incarnation(), elapsed()));
        }
    }
}

fn elapsed() -> String {
    format!("{}ms", START.with(|s| s.elapsed().as_millis()))
}

thread_local! {
    static START: tokio::time::Instant = tokio::time::Instant::now();
}

supervision! {
    app Shop {
        strategy: rest_for_one,
        db: Db {
            ready: signaled(5s),
            restart: permanent(3 per 60s, backoff: fixed(100ms)),
        },
        api: Api { depends_on: [db] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_dependent_reads_the_handle_its_dependency_published_when_ready() {
    START.with(|_| ());
    let log = Log::default();
    let handle = Shop {
        db: Db::healthy(),
        api: Api { log: log.clone() },
    }
    .start()
    .await
    .expect("starts");
    assert_eq!(handle.get(shop::db), Ok(Pool { opened_by: 0 }));
    tokio::time::sleep(ms(1500)).await;
    let report = handle.shutdown().await;
    assert_eq!(report.outcome(ShopRole::Db), Some(StopOutcome::Graceful));
    assert_eq!(
        log.lines(),
        ["api#0 10ms: pool of db#0", "api#0 1010ms: pool of db#0"]
    );
    // Nothing runs after the shutdown: nothing is published.
    assert_eq!(
        handle.get(shop::db),
        Err(HandleError::NotPublished {
            role: "db".to_owned()
        })
    );
}

#[tokio::test(start_paused = true)]
async fn under_rest_for_one_the_restarted_dependent_reads_the_new_incarnations_handle() {
    START.with(|_| ());
    let log = Log::default();
    let handle = Shop {
        db: Db::failing_once_after(ms(1200)),
        api: Api { log: log.clone() },
    }
    .start()
    .await
    .expect("starts");
    // db#0 fails at 1210ms; api#0 is stopped with it; db#1 is ready 100ms of
    // backoff plus 10ms of opening later, at 1320ms, and api#1 starts then.
    tokio::time::sleep(ms(1250)).await;
    assert_eq!(
        handle.get(shop::db),
        Err(HandleError::NotPublished {
            role: "db".to_owned()
        })
    );
    assert_eq!(handle.wait(shop::db).await, Ok(Pool { opened_by: 1 }));
    tokio::time::sleep(ms(1000)).await;
    handle.shutdown().await;
    assert_eq!(
        log.lines(),
        [
            "api#0 10ms: pool of db#0",
            "api#0 1010ms: pool of db#0",
            "api#1 1320ms: pool of db#1",
            "api#1 2320ms: pool of db#1",
        ]
    );
}

supervision! {
    app Kept {
        strategy: one_for_one,
        db: Db {
            ready: signaled(5s),
            restart: permanent(3 per 60s, backoff: fixed(100ms)),
        },
        api: Watcher { depends_on: [db] },
    }
}

/// Keeps running through its dependency's restarts: reads the pool, and when
/// there is none, waits for the next one.
struct Watcher {
    log: Log,
}

impl Service for Watcher {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let deps = cx.deps(kept::api)?;
        loop {
            let pool = match deps.get(kept::db) {
                Ok(pool) => pool,
                Err(e @ HandleError::NotPublished { .. }) => {
                    self.log.push(format!("{}: {e}", elapsed()));
                    match deps.wait(kept::db).await {
                        Ok(pool) => pool,
                        Err(HandleError::StopRequested) => return Ok(()),
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(e) => return Err(e.into()),
            };
            self.log.push(format!(
                "{}: using the pool of db#{}",
                elapsed(),
                pool.opened_by
            ));
            tokio::select! {
                () = cx.stop_requested() => return Ok(()),
                () = tokio::time::sleep(ms(500)) => {}
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn under_one_for_one_a_running_dependent_sees_no_handle_then_waits_for_the_next() {
    START.with(|_| ());
    let log = Log::default();
    let handle = Kept {
        db: Db::failing_once_after(ms(700)),
        api: Watcher { log: log.clone() },
    }
    .start()
    .await
    .expect("starts");
    tokio::time::sleep(secs(2)).await;
    handle.shutdown().await;
    // db#0 fails at 710ms and db#1 publishes at 710 + 100 + 10 = 820ms, between
    // two of the watcher's looks: it never restarted, and the look after the
    // restart reads the new incarnation's pool, not the old one.
    assert_eq!(
        log.lines(),
        [
            "10ms: using the pool of db#0",
            "510ms: using the pool of db#0",
            "1010ms: using the pool of db#1",
            "1510ms: using the pool of db#1",
            "2010ms: using the pool of db#1",
        ]
    );
    let api = handle.chain(KeptRole::Api).expect("a whole chain");
    assert_eq!(api.incarnations().len(), 1, "the dependent kept running");
}

#[tokio::test(start_paused = true)]
async fn a_running_dependent_that_reads_during_the_restart_waits_exactly_until_the_next_handle() {
    START.with(|_| ());
    let log = Log::default();
    // db#0 fails at 10 + 990 = 1000ms, right before the watcher's look at 1010ms;
    // db#1 publishes at 1000 + 100 + 10 = 1110ms.
    let handle = Kept {
        db: Db::failing_once_after(ms(990)),
        api: Watcher { log: log.clone() },
    }
    .start()
    .await
    .expect("starts");
    tokio::time::sleep(secs(2)).await;
    handle.shutdown().await;
    assert_eq!(
        log.lines(),
        [
            "10ms: using the pool of db#0",
            "510ms: using the pool of db#0",
            "1010ms: `db` has no handle published now (not ready, restarting or stopped)",
            "1110ms: using the pool of db#1",
            "1610ms: using the pool of db#1",
        ]
    );
}

/// A one-shot job that loads a config and publishes it.
struct LoadConfig;

impl Service for LoadConfig {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        tokio::time::sleep(ms(30)).await;
        cx.ready_with(self, Arc::from("listen=127.0.0.1:8080"))?;
        Ok(())
    }
}

impl Provide for LoadConfig {
    type Handle = Arc<str>;
}

struct UsesConfig {
    log: Log,
}

impl Service for UsesConfig {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let config = cx.deps(jobs::server)?.get(jobs::config)?;
        self.log
            .push(format!("{} serving with {config}", elapsed()));
        cx.stop_requested().await;
        Ok(())
    }
}

/// Tries what a careless service might: publish as another role's service,
/// read through another role's key.
struct Impostor;

impl Service for Impostor {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let published = cx.ready_with(&LoadConfig, Arc::from("forged"));
        let deps = cx.deps(jobs::server).map(|_| ());
        if published.is_ok() || deps.is_ok() {
            return Err("a foreign service or key was accepted".into());
        }
        cx.stop_requested().await;
        Ok(())
    }
}

supervision! {
    app Jobs {
        config: LoadConfig { ready: completed(1s), restart: transient },
        server: UsesConfig { depends_on: [config] },
        optional metrics: Db { ready: signaled(1s), restart: temporary },
        impostor: Impostor,
    }
}

#[tokio::test(start_paused = true)]
async fn a_completed_job_keeps_its_handle_and_a_disabled_role_reads_as_disabled() {
    START.with(|_| ());
    let log = Log::default();
    let metrics = Db::failing_once_after(ms(100));
    let handle = Jobs {
        config: LoadConfig,
        server: UsesConfig { log: log.clone() },
        metrics,
        impostor: Impostor,
    }
    .start()
    .await
    .expect("starts");
    assert_eq!(
        handle.get(jobs::config).as_deref(),
        Ok("listen=127.0.0.1:8080")
    );
    assert_eq!(handle.get(jobs::metrics), Ok(Pool { opened_by: 0 }));
    // The optional temporary role fails at 110ms and is disabled.
    tokio::time::sleep(secs(1)).await;
    assert_eq!(
        handle.get(jobs::metrics),
        Err(HandleError::Disabled {
            role: "metrics".to_owned()
        })
    );
    assert_eq!(
        handle.get(jobs::config).as_deref(),
        Ok("listen=127.0.0.1:8080")
    );
    let report = handle.shutdown().await;
    assert_eq!(
        report.outcome(JobsRole::Impostor),
        Some(StopOutcome::Graceful),
        "the impostor's checks held"
    );
    assert_eq!(log.lines(), ["30ms serving with listen=127.0.0.1:8080"]);
}

/// Publishes again when asked to stop, then lingers: the late handle must not
/// show, since the lease (and with it the handle) was already released.
struct Republish;

impl Service for Republish {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.ready_with(self, 1)?;
        cx.stop_requested().await;
        cx.ready_with(self, 2)?;
        tokio::time::sleep(secs(1)).await;
        Ok(())
    }
}

impl Provide for Republish {
    type Handle = u32;
}

supervision! {
    app Late {
        db: Republish { ready: signaled(1s), stop: [release_lease, stop(5s)] },
    }
}

#[tokio::test(start_paused = true)]
async fn a_stopping_incarnation_cannot_publish_again() {
    let handle = Late { db: Republish }.start().await.expect("starts");
    assert_eq!(handle.get(late::db), Ok(1));
    let stopping = handle.clone();
    let shutdown = tokio::spawn(async move { stopping.shutdown().await });
    tokio::time::sleep(ms(500)).await;
    assert_eq!(
        handle.get(late::db),
        Err(HandleError::NotPublished {
            role: "db".to_owned()
        })
    );
    let report = shutdown.await.expect("shutdown completes");
    assert_eq!(report.outcome(LateRole::Db), Some(StopOutcome::Graceful));
}

#[tokio::test(start_paused = true)]
async fn waiting_from_outside_ends_when_the_app_ends_before_the_role_publishes() {
    struct Never;
    impl Service for Never {
        async fn run(&self, cx: Context) -> Result<(), BoxError> {
            cx.stop_requested().await;
            Ok(())
        }
    }
    impl Provide for Never {
        type Handle = u32;
    }
    supervision! {
        app Silent {
            db: Never { ready: signaled(1s) },
        }
    }
    let handle = Silent { db: Never }.launch();
    // db never becomes ready: the start fails at 1s, and the wait with it.
    assert_eq!(
        handle.wait(silent::db).await,
        Err(HandleError::NotPublished {
            role: "db".to_owned()
        })
    );
    assert!(handle.started().await.is_err());
}
