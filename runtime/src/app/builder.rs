//! Apps defined at run time, for roles generated from data: a [`Builder`]
//! checked with the macro's rules into a [`BuiltApp`] that runs like any app.

use core::fmt;
use core::time::Duration;
use std::collections::HashMap;

use crate::app::handle::AppHandle;
use crate::observe::error::{AppError, StartError};
use crate::observe::report::ShutdownReport;
use crate::service::erased::{ErasedService, drain_service, service};
use crate::service::handles::HandleError;
use crate::service::{Drain, Provide, Service};
use crate::spec::dynamic::{self, AppDecl, BuildError, RoleDecl, RoleId};
use crate::spec::options::Options;
use crate::spec::{AppSpec, Budget, Readiness, RestartPolicy, StopAction, Strategy};

/// An app whose roles are known only at run time (read from a config file,
/// one per shard or peer), checked with the rules `supervision!` applies at
/// compile time. When the roles are known when the code is written, prefer
/// the macro: it reports each mistake at its token, and types the handles
/// roles read from their dependencies.
///
/// ```
/// use std::time::Duration;
/// use supervision::{BoxError, Builder, Context, Readiness, Service};
///
/// struct Shard(u32);
/// impl Service for Shard {
///     async fn run(&self, cx: Context) -> Result<(), BoxError> {
///         cx.ready();
///         cx.stop_requested().await;
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = Builder::new("shards");
/// app.role("router", Shard(0))
///     .ready(Readiness::Signaled { timeout: Duration::from_secs(5) });
/// for i in 1..=3 {
///     app.role(format!("shard_{i}"), Shard(i)).depends_on(["router"]);
/// }
/// let app = app.build()?; // every rule of the macro, as typed errors
/// assert_eq!(app.spec().start_order().len(), 4);
///
/// let handle = app.start().await?;
/// let report = handle.shutdown().await; // the shards first, then the router
/// assert_eq!(report.roles.last().map(|r| r.role.name()), Some("router"));
/// # Ok(())
/// # }
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder {
    decl: AppDecl,
    services: Vec<ErasedService>,
}

impl Builder {
    /// An app named `name`, with no roles yet and every app-wide default.
    pub fn new(name: impl Into<String>) -> Self {
        Builder {
            decl: AppDecl {
                name: name.into(),
                strategy: Strategy::default(),
                intensity: None,
                shutdown_timeout: AppSpec::<RoleId>::DEFAULT_SHUTDOWN_TIMEOUT,
                roles: Vec::new(),
            },
            services: Vec::new(),
        }
    }

    /// `strategy: ..` (`rest_for_one` unless given).
    pub fn strategy(&mut self, strategy: Strategy) -> &mut Self {
        self.decl.strategy = strategy;
        self
    }

    /// `intensity: ..`: the app-wide restart budget.
    pub fn intensity(&mut self, budget: Budget) -> &mut Self {
        self.decl.intensity = Some(budget);
        self
    }

    /// `shutdown_timeout: ..` (30s unless given).
    pub fn shutdown_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.decl.shutdown_timeout = timeout;
        self
    }

    /// Adds role `name`, run by `service`, with every default; the returned
    /// declaration sets the rest.
    pub fn role<S: Service>(&mut self, name: impl Into<String>, service: S) -> RoleBuilder<'_> {
        self.add(name.into(), self::service(service), false)
    }

    /// [`Builder::role`] for a service that implements [`Drain`], so its stop
    /// list may begin with [`StopAction::Drain`].
    pub fn draining_role<S: Drain>(
        &mut self,
        name: impl Into<String>,
        service: S,
    ) -> RoleBuilder<'_> {
        self.add(name.into(), drain_service(service), true)
    }

    fn add(&mut self, name: String, service: ErasedService, drains: bool) -> RoleBuilder<'_> {
        self.services.push(service);
        self.decl.roles.push(RoleDecl::new(name, drains));
        let at = self.decl.roles.len() - 1;
        RoleBuilder {
            decl: &mut self.decl.roles[at],
        }
    }

    /// Checks every rule and returns the app, or every broken rule at once.
    pub fn build(self) -> Result<BuiltApp, BuildError> {
        let spec = dynamic::build(self.decl)?;
        // Unique once the build succeeds; kept as the spec keeps them, so
        // the map owns no copy (nor frees one per role when the app launches).
        let names = (spec.roles().iter().enumerate())
            .map(|(i, role)| (role.name(), i))
            .collect();
        Ok(BuiltApp {
            spec,
            names,
            services: self.services,
        })
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("name", &self.decl.name)
            .field("roles", &self.decl.roles.len())
            .finish_non_exhaustive()
    }
}

/// One role being declared: what a role's entry says in a `supervision!`
/// block. The declaration lives in the builder; this value only sets it.
pub struct RoleBuilder<'a> {
    decl: &'a mut RoleDecl,
}

impl RoleBuilder<'_> {
    /// `depends_on: [..]`, by role name: starts after them, stops before
    /// them, restarts with them. Adds to the names given before.
    pub fn depends_on<I: IntoIterator<Item = N>, N: Into<String>>(self, roles: I) -> Self {
        self.decl
            .depends_on
            .extend(roles.into_iter().map(Into::into));
        self
    }

    /// `after: [..]`, by role name: starts after them and stops before them,
    /// nothing more. Adds to the names given before.
    pub fn after<I: IntoIterator<Item = N>, N: Into<String>>(self, roles: I) -> Self {
        self.decl.after.extend(roles.into_iter().map(Into::into));
        self
    }

    /// The `optional` prefix: disabled, with its optional dependents, when it gives up.
    pub fn optional(self) -> Self {
        self.decl.optional = true;
        self
    }

    /// `restart: ..` (`permanent(3 per 5s)` with the default backoff unless given).
    pub fn restart(self, policy: RestartPolicy) -> Self {
        self.decl.restart = policy;
        self
    }

    /// `ready: ..` (`spawned` unless given).
    pub fn ready(self, readiness: Readiness) -> Self {
        self.decl.ready = readiness;
        self
    }

    /// `stop: [..]` (`[release_lease, stop(5s)]` unless given).
    pub fn stop(self, actions: impl IntoIterator<Item = StopAction>) -> Self {
        self.decl.stop = actions.into_iter().collect();
        self
    }

    /// `watchdog: ..`: the role counts as hung when it calls no
    /// `Context::heartbeat` within `period`.
    pub fn watchdog(self, period: Duration) -> Self {
        self.decl.watchdog = Some(period);
        self
    }
}

impl fmt::Debug for RoleBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleBuilder")
            .field("name", &self.decl.name)
            .finish_non_exhaustive()
    }
}

/// A checked app from a [`Builder`]: it runs as an [`App`](crate::App)
/// does, with [`RoleId`]s for roles.
///
/// Its spec lives until the process ends, as a `supervision!` app's
/// `static` does (it costs about 200 bytes per role): build an app once per
/// process, or per test, not per request.
#[must_use = "a built app does nothing until it is launched, started or run"]
pub struct BuiltApp {
    spec: &'static AppSpec<RoleId>,
    /// Each role's position, by declared name.
    names: HashMap<&'static str, usize>,
    services: Vec<ErasedService>,
}

impl BuiltApp {
    /// The checked topology, with its orders and plans.
    pub fn spec(&self) -> &'static AppSpec<RoleId> {
        self.spec
    }

    /// The role declared as `name`.
    pub fn role(&self, name: &str) -> Option<RoleId> {
        let at = *self.names.get(name)?;
        self.spec.roles().get(at).copied()
    }

    /// [`App::launch`](crate::App::launch).
    pub fn launch(self) -> AppHandle<RoleId> {
        self.launch_with(Options::default())
    }

    /// [`App::launch_with`](crate::App::launch_with).
    pub fn launch_with(self, options: Options) -> AppHandle<RoleId> {
        super::launch(self.spec, self.services, options)
    }

    /// [`App::start`](crate::App::start).
    pub async fn start(self) -> Result<AppHandle<RoleId>, StartError<RoleId>> {
        self.start_with(Options::default()).await
    }

    /// [`App::start_with`](crate::App::start_with).
    pub async fn start_with(
        self,
        options: Options,
    ) -> Result<AppHandle<RoleId>, StartError<RoleId>> {
        super::started(self.launch_with(options)).await
    }

    /// [`App::run`](crate::App::run).
    pub async fn run(self) -> Result<ShutdownReport<RoleId>, AppError<RoleId>> {
        self.run_with(Options::default()).await
    }

    /// [`App::run_with`](crate::App::run_with).
    pub async fn run_with(
        self,
        options: Options,
    ) -> Result<ShutdownReport<RoleId>, AppError<RoleId>> {
        super::run(self.launch_with(options)).await
    }
}

impl fmt::Debug for BuiltApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BuiltApp")
            .field("name", &self.spec.name())
            .field("roles", &self.names.len())
            .finish_non_exhaustive()
    }
}

impl AppHandle<RoleId> {
    /// The handle `role` publishes right now, if it is served by `S`: a
    /// run-time app has no typed keys, so the type is checked now
    /// ([`HandleError::OtherService`]).
    pub fn get_as<S: Provide>(&self, role: RoleId) -> Result<S::Handle, HandleError> {
        self.reader().get_role::<_, S>(role)
    }

    /// [`AppHandle::wait`] for a run-time app: `role`'s handle, served by
    /// `S`, as soon as it publishes one.
    pub async fn wait_as<S: Provide>(&self, role: RoleId) -> Result<S::Handle, HandleError> {
        self.reader().wait_role::<_, S>(role).await
    }
}
