//! `App::run`: start, wait for SIGTERM, shut down gracefully, return the report.
//! Alone in its test binary: it sends SIGTERM to its own process. The one test on
//! the real clock: the signal comes from outside tokio's time, and the timeout is
//! only a bound against a hang, not an assertion on timing.

#![cfg(unix)]

use supervision::{App, StopOutcome, supervision};
use supervision_tests::{Script, ms};

supervision! {
    app Daemon {
        store: Script,
        api: Script { depends_on: [store] },
    }
}

#[tokio::test]
async fn run_shuts_down_gracefully_on_sigterm() {
    let app = Daemon {
        store: Script::until_stopped(),
        api: Script::until_stopped(),
    };
    let run = tokio::spawn(app.run());
    // Let `run` start the app and install its signal handlers.
    tokio::time::sleep(ms(200)).await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let report = tokio::time::timeout(std::time::Duration::from_secs(10), run)
        .await
        .expect("run returns after SIGTERM")
        .expect("the run task ends")
        .expect("a signal ends run with Ok");
    assert_eq!(report.outcome(DaemonRole::Api), Some(StopOutcome::Graceful));
    assert_eq!(
        report.outcome(DaemonRole::Store),
        Some(StopOutcome::Graceful)
    );
}
