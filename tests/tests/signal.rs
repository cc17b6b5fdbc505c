//! `App::run`: start, wait for SIGTERM, shut down gracefully, return the report.
//! Alone in its test binary: it sends SIGTERM to its own process. The one test on
//! the real clock: the signal comes from outside tokio's time; the retry period
//! and the timeout only bound the wait, nothing asserts on timing.

#![cfg(unix)]

use supervision::{App, ShutdownReason, StopOutcome, supervision};
use supervision_tests::{Script, ms};

supervision! {
    app Daemon {
        store: Script,
        api: Script { depends_on: [store] },
    }
}

#[tokio::test]
async fn run_shuts_down_gracefully_on_sigterm() {
    // Listen first: from here on SIGTERM cannot kill the test process, whether
    // or not `run` has installed its own handler yet.
    let _guard = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("a SIGTERM handler installs");
    let app = Daemon {
        store: Script::until_stopped(),
        api: Script::until_stopped(),
    };
    let mut run = tokio::spawn(app.run());
    // `run` listens only once the app has started: signal until it answers.
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let status = std::process::Command::new("kill")
                .args(["-TERM", &std::process::id().to_string()])
                .status()
                .expect("kill runs");
            assert!(status.success());
            tokio::select! {
                ended = &mut run => break ended,
                () = tokio::time::sleep(ms(50)) => {}
            }
        }
    })
    .await
    .expect("run returns after SIGTERM");
    let report = ended
        .expect("the run task ends")
        .expect("a signal ends run with Ok");
    assert_eq!(report.outcome(DaemonRole::Api), Some(StopOutcome::Graceful));
    assert_eq!(
        report.outcome(DaemonRole::Store),
        Some(StopOutcome::Graceful)
    );
    // The signal is recorded as what it was, not as a request through the handle.
    assert_eq!(report.reason, Some(ShutdownReason::Signal));
    assert!(report.is_clean());
}
