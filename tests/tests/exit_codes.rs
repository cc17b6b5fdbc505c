//! `exit_code`: one process exit code per way an app ends, for systemd's
//! `Restart=on-failure` and `RestartPreventExitStatus=`.

use std::process::ExitCode;

use supervision::{App, AppSpec, exit, exit_code, supervision};
use supervision_tests::{Lone, RoleDef, Script, ms, secs};

supervision! {
    app Ends {
        shutdown_timeout: 1s,
        store: Script { restart: critical, stop: [stop(5s)] },
    }
}

async fn code_of(store: Script, shutdown: bool) -> (u8, ExitCode) {
    let handle = Ends { store }.launch();
    if shutdown {
        tokio::time::sleep(ms(10)).await;
        handle.request_shutdown();
    }
    let ended = handle.join().await;
    let code = match &ended {
        Ok(report) => report.exit_code(),
        Err(error) => error.exit_code(),
    };
    (code, exit_code(&ended))
}

#[tokio::test(start_paused = true)]
async fn a_clean_shutdown_exits_with_0() {
    assert_eq!(
        code_of(Script::until_stopped(), true).await,
        (exit::OK, ExitCode::SUCCESS)
    );
}

#[tokio::test(start_paused = true)]
async fn an_escalation_exits_with_70() {
    let fails_later = Script::new(|_cx| async {
        tokio::time::sleep(secs(1)).await;
        Err("lost".into())
    });
    let (code, _) = code_of(fails_later, false).await;
    assert_eq!((code, exit::ESCALATED), (70, 70));
}

supervision! {
    app Slow {
        store: Script { ready: signaled(1s) },
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_start_exits_with_69() {
    let app = Slow {
        store: Script::until_stopped(),
    };
    let error = app.run().await.expect_err("never ready: the start fails");
    assert_eq!((error.exit_code(), exit::START_FAILED), (69, 69));
}

#[tokio::test(start_paused = true)]
async fn a_shutdown_past_its_deadline_exits_with_75() {
    // Ignores its cancellation: `stop(5s)` would wait, the 1s deadline aborts it.
    let stuck = Script::new(|_cx| std::future::pending());
    let (code, _) = code_of(stuck, true).await;
    assert_eq!((code, exit::DEADLINE_EXCEEDED), (75, 75));
}

/// An app value with no service for its one role.
struct Empty;

impl App for Empty {
    type Role = Lone;
    fn spec() -> &'static AppSpec<Lone> {
        static SPEC: std::sync::OnceLock<&'static AppSpec<Lone>> = std::sync::OnceLock::new();
        SPEC.get_or_init(|| supervision_tests::unchecked("Empty", RoleDef::default()))
    }
    fn into_services(self) -> Vec<supervision::__private::ErasedService> {
        Vec::new()
    }
}

#[tokio::test(start_paused = true)]
async fn a_misconfigured_app_exits_with_78() {
    let error = Empty.start().await.expect_err("misconfigured");
    let error = supervision::AppError::from(error);
    assert_eq!((error.exit_code(), exit::MISCONFIGURED), (78, 78));
}
