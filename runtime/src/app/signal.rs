//! The operating system's request to stop.

/// Completes on Ctrl-C or (on Unix) SIGTERM; never, if no handler can be installed.
///
/// [`App::run`](crate::App::run) waits on it; call it yourself when you drive an
/// [`AppHandle`](crate::AppHandle) and want the same behaviour.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                r = tokio::signal::ctrl_c() => if r.is_err() { term.recv().await; },
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
