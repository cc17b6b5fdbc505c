//! The trait the generated app struct implements, and the ways to run an app.

use core::future::Future;

use crate::erased::ErasedService;
use crate::error::{AppError, StartError};
use crate::event::ShutdownReason;
use crate::handle::AppHandle;
use crate::options::Options;
use crate::report::ShutdownReport;
use crate::role::Role;
use crate::spec::AppSpec;

/// An app declared with `supervision!`: its spec, and its services to run.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supervision app",
    note = "apps are declared with `supervision::supervision! {{ app {Self} {{ .. }} }}`"
)]
pub trait App: Sized + Send + 'static {
    /// The generated `<App>Role` enum.
    type Role: Role;

    /// The validated topology, computed at compile time.
    fn spec() -> &'static AppSpec<Self::Role>;

    /// The services, one per role in declaration order.
    #[doc(hidden)]
    fn into_services(self) -> Vec<ErasedService>;

    /// Starts every role (each once its dependencies are ready) and returns once
    /// every role is ready (or disabled). On failure, what had started is stopped,
    /// in stop order, and the error names the role and the cause.
    ///
    /// Must be called inside a tokio runtime.
    fn start(
        self,
    ) -> impl Future<Output = Result<AppHandle<Self::Role>, StartError<Self::Role>>> + Send {
        self.start_with(Options::default())
    }

    /// [`App::start`] with non-default [`Options`].
    fn start_with(
        self,
        options: Options,
    ) -> impl Future<Output = Result<AppHandle<Self::Role>, StartError<Self::Role>>> + Send {
        async move { crate::supervisor::launch(Self::spec(), self.into_services(), options).await }
    }

    /// Starts the app, waits for Ctrl-C or SIGTERM (or for the app to end on its
    /// own), shuts it down gracefully and returns the report.
    fn run(
        self,
    ) -> impl Future<Output = Result<ShutdownReport<Self::Role>, AppError<Self::Role>>> + Send {
        async move {
            let handle = self.start().await?;
            tokio::select! {
                ended = handle.join() => return ended,
                () = termination() => {}
            }
            handle.send_shutdown(ShutdownReason::Signal);
            handle.join().await
        }
    }
}

/// Completes on Ctrl-C or (on Unix) SIGTERM; never, if no handler can be installed.
async fn termination() {
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
