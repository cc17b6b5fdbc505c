//! **The app room**: the user's entry points: the `App` trait the generated
//! struct implements, the `AppHandle` it returns, and the OS stop signal.
//! The top of the crate: it may import every other room.
//!
//! The trait the generated app struct implements, and the ways to run an app.

pub(crate) mod builder;
pub(crate) mod handle;
#[cfg(unix)]
mod notify;
pub(crate) mod signal;
pub mod testing;

use core::future::Future;

use crate::app::handle::AppHandle;
use crate::observe::error::{AppError, StartError};
use crate::observe::report::ShutdownReport;
use crate::service::erased::ErasedService;
use crate::spec::AppSpec;
use crate::spec::options::Options;
use crate::spec::role::Role;

/// An app declared with `supervision!`: its spec, and its services to run.
///
/// ```
/// # use supervision::{BoxError, Context, Service, supervision};
/// # struct Store;
/// # impl Service for Store {
/// #     async fn run(&self, cx: Context) -> Result<(), BoxError> {
/// #         cx.ready();
/// #         cx.stop_requested().await;
/// #         Ok(())
/// #     }
/// # }
/// # supervision! { app Shop { store: Store { ready: signaled(1s) } } }
/// use supervision::App;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// assert_eq!(Shop::spec().name(), "Shop");
/// let handle = Shop { store: Store }.start().await?; // every role is ready
/// let report = handle.shutdown().await; // stop order, each role's stop actions
/// assert_eq!(report.roles.len(), 1);
/// # Ok(())
/// # }
/// ```
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

    /// Spawns the supervisor, which starts every role (each once its
    /// dependencies are ready), and returns its handle at once, so the start can
    /// be watched while it happens ([`AppHandle::follow`]) and awaited
    /// ([`AppHandle::started`]).
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does.
    fn launch(self) -> AppHandle<Self::Role> {
        self.launch_with(Options::default())
    }

    /// [`App::launch`] with non-default [`Options`].
    ///
    /// Under systemd (`$NOTIFY_SOCKET` set) the handle also reports to it, as
    /// [`App::run`] describes; [`AppHandle::join`] waits for the last message.
    fn launch_with(self, options: Options) -> AppHandle<Self::Role> {
        launch(Self::spec(), self.into_services(), options)
    }

    /// Starts every role (each once its dependencies are ready) and returns once
    /// every role is ready (or disabled): [`App::launch`], then
    /// [`AppHandle::started`]. On failure, what had started is stopped, in stop
    /// order, and the error names the role and the cause.
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
        started(self.launch_with(options))
    }

    /// Starts the app, waits for Ctrl-C or SIGTERM (or for the app to end on its
    /// own), shuts it down gracefully and returns the report.
    ///
    /// Under systemd (`$NOTIFY_SOCKET` set, `Type=notify`) it also reports to
    /// systemd: `READY=1` once every role is ready, a `STATUS=` line when a role
    /// restarts, is disabled or is back, `STOPPING=1` when the shutdown begins,
    /// and, with `WatchdogSec=`, `WATCHDOG=1` every half period while every
    /// required role is ready (and during the shutdown). Without the variable
    /// nothing is sent; a socket that cannot be reached is logged and ignored.
    fn run(
        self,
    ) -> impl Future<Output = Result<ShutdownReport<Self::Role>, AppError<Self::Role>>> + Send {
        self.run_with(Options::default())
    }

    /// [`App::run`] with non-default [`Options`], e.g. overrides read from
    /// the environment or a config file.
    fn run_with(
        self,
        options: Options,
    ) -> impl Future<Output = Result<ShutdownReport<Self::Role>, AppError<Self::Role>>> + Send {
        run(self.launch_with(options))
    }
}

/// What `launch_with` does for every kind of app: spawns the supervisor, and
/// under systemd the notifier that follows it.
fn launch<R: Role>(
    spec: &'static AppSpec<R>,
    services: Vec<ErasedService>,
    options: Options,
) -> AppHandle<R> {
    let handle = AppHandle::new(crate::supervisor::launch(spec, services, options));
    #[cfg(unix)]
    if let Some(notifier) =
        notify::Target::from_env().and_then(|target| notify::spawn(spec, &handle, target))
    {
        handle.attach(notifier);
    }
    handle
}

/// What `start_with` does with the launched app.
async fn started<R: Role>(handle: AppHandle<R>) -> Result<AppHandle<R>, StartError<R>> {
    handle.started().await?;
    Ok(handle)
}

/// What `run_with` does with the launched app.
async fn run<R: Role>(handle: AppHandle<R>) -> Result<ShutdownReport<R>, AppError<R>> {
    match handle.started().await {
        // `join`, inside, also waits for systemd's last message.
        Ok(()) => handle.shutdown_on_signal().await,
        Err(e) => {
            let _ = handle.join().await;
            Err(e.into())
        }
    }
}
