//! Testing a service, or a whole topology, without a real one behind it.
//!
//! [`Harness`] runs one service with a [`Context`] the test controls: the role
//! it plays, its incarnation, the resume state it finds, the handles its
//! dependencies offer. The [`Running`] service can be awaited until ready,
//! asked for what it published, stopped and joined.
//!
//! [`Script`] is a service type whose behaviour is a closure, with ready-made
//! failures, so a test can declare an app of `Script` roles and drive a
//! topology through restarts under paused tokio time.
//!
//! ```
//! use std::sync::Arc;
//! use supervision::testing::Harness;
//! use supervision::{BoxError, Context, Provide, Service, supervision};
//!
//! struct Database;
//! impl Provide for Database {
//!     type Handle = Arc<str>;
//! }
//! impl Service for Database {
//!     async fn run(&self, cx: Context) -> Result<(), BoxError> {
//!         cx.ready_with(self, Arc::from("pool"))?;
//!         cx.stop_requested().await;
//!         Ok(())
//!     }
//! }
//!
//! struct Api;
//! impl Service for Api {
//!     async fn run(&self, cx: Context) -> Result<(), BoxError> {
//!         let pool = cx.deps(shop::api)?.get(shop::database)?;
//!         if &*pool != "test pool" {
//!             return Err("wrong pool".into());
//!         }
//!         cx.ready();
//!         cx.stop_requested().await;
//!         Ok(())
//!     }
//! }
//!
//! supervision! {
//!     app Shop {
//!         database: Database { ready: signaled(1s) },
//!         api: Api { depends_on: [database], ready: signaled(1s) },
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), BoxError> {
//! // The database alone: does it publish a pool when it is ready?
//! let mut db = Harness::new(shop::database).start(Database);
//! db.ready().await?;
//! assert_eq!(db.published::<Database>().as_deref(), Some("pool"));
//! db.stop();
//! db.join().await?;
//!
//! // The API alone, with a pool of the test's choosing.
//! let mut api = Harness::new(shop::api)
//!     .dependency(shop::database, Arc::from("test pool"))
//!     .start(Api);
//! api.ready().await?;
//! api.stop();
//! api.join().await?;
//! # Ok(())
//! # }
//! ```

use core::any::TypeId;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::protocol::{Msg, Published, Registry, Upstream};
use crate::service::context::{Context, Identity, State};
use crate::service::handles::{DependencyOf, Reader, RoleKey, ServedBy};
use crate::service::{BoxError, Provide, Service};
use crate::spec::role::Role;

/// Sets up the [`Context`] one service runs with, then [`start`](Harness::start)s it.
pub struct Harness<K> {
    role: PhantomData<K>,
    incarnation: u64,
    resume: Option<State>,
    registry: Arc<Registry>,
}

impl<K: RoleKey> Harness<K> {
    /// The service will run as role `role` (a key of the app, `shop::api`),
    /// incarnation 0, with nothing to resume and no dependency published.
    pub fn new(role: K) -> Self {
        let _ = role;
        Harness {
            role: PhantomData,
            incarnation: 0,
            resume: None,
            registry: Arc::new(Registry::new(TypeId::of::<K::Role>(), K::APP_ROLES, None)),
        }
    }

    /// Runs as this incarnation instead (`cx.incarnation()`).
    pub fn incarnation(mut self, incarnation: u64) -> Self {
        self.incarnation = incarnation;
        self
    }

    /// What the service finds in `cx.resume_state()`, as a previous
    /// incarnation's `drain(.., resume_state)` would have left it.
    pub fn resume_state<T: Send + 'static>(mut self, state: T) -> Self {
        self.resume = Some(Box::new(state));
        self
    }

    /// `dependency` (one of the role's `depends_on`) offers `handle`.
    pub fn dependency<D, S>(self, dependency: D, handle: S::Handle) -> Self
    where
        D: DependencyOf<K> + ServedBy<S>,
        S: Provide,
    {
        let _ = dependency;
        self.registry
            .set(D::ROLE.index(), Published::Value(Arc::new(handle)));
        self
    }

    /// `dependency` is disabled: reading it gives `HandleError::Disabled`.
    pub fn disabled<D: DependencyOf<K>>(self, dependency: D) -> Self {
        let _ = dependency;
        self.registry.set(D::ROLE.index(), Published::Disabled);
        self
    }

    /// Spawns `service.run(cx)` on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does.
    pub fn start<S: Service>(self, service: S) -> Running<K> {
        let (tx, rx) = mpsc::unbounded_channel();
        let role = K::ROLE;
        let cx = Context::new(
            Identity {
                lease: role.name(),
                index: role.index(),
                incarnation: self.incarnation,
                service_type: TypeId::of::<S>(),
            },
            &Arc::new(Upstream {
                tx,
                registry: Arc::clone(&self.registry),
                epoch: tokio::time::Instant::now(),
            }),
            self.resume,
        );
        let task = tokio::spawn({
            let cx = cx.clone();
            async move { service.run(cx).await }
        });
        Running {
            role: PhantomData,
            cx,
            rx,
            registry: self.registry,
            ready: false,
            task: Some(task),
        }
    }
}

impl<K> fmt::Debug for Harness<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness")
            .field("incarnation", &self.incarnation)
            .finish_non_exhaustive()
    }
}

/// A service started by a [`Harness`]: the test plays its supervisor.
pub struct Running<K> {
    role: PhantomData<K>,
    cx: Context,
    rx: mpsc::UnboundedReceiver<Msg>,
    registry: Arc<Registry>,
    ready: bool,
    task: Option<JoinHandle<Result<(), BoxError>>>,
}

/// Why [`Running::ready`] gave up: the service ended first.
#[derive(Debug)]
pub struct EndedBeforeReady(pub Result<(), BoxError>);

impl fmt::Display for EndedBeforeReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Ok(()) => f.write_str("the service returned before it was ready"),
            Err(e) => write!(f, "the service failed before it was ready: {e}"),
        }
    }
}

impl std::error::Error for EndedBeforeReady {}

impl<K: RoleKey> Running<K> {
    /// Completes when the service calls `cx.ready()` (or `ready_with`); fails
    /// with how it ended if it ends first.
    pub async fn ready(&mut self) -> Result<(), EndedBeforeReady> {
        while !self.ready {
            let Some(task) = self.task.as_mut() else {
                return Err(EndedBeforeReady(Err(
                    "the service was already joined".into()
                )));
            };
            tokio::select! {
                biased;
                Some(msg) = self.rx.recv() => self.take(msg),
                ended = task => {
                    self.task = None;
                    // A message sent right before the end still counts.
                    while let Ok(msg) = self.rx.try_recv() {
                        self.take(msg);
                    }
                    if !self.ready {
                        return Err(EndedBeforeReady(joined(ended)));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether the service has signaled readiness (as far as it was seen).
    pub fn is_ready(&mut self) -> bool {
        while let Ok(msg) = self.rx.try_recv() {
            self.take(msg);
        }
        self.ready
    }

    /// The handle the service published last with `cx.ready_with`, if any.
    pub fn published<S: Provide>(&mut self) -> Option<S::Handle>
    where
        K: ServedBy<S>,
    {
        self.is_ready();
        let reader = Reader {
            registry: &self.registry,
            stop: None,
        };
        reader.get::<K, S>().ok()
    }

    /// Asks the service to stop: `cx.stop_requested()` completes.
    pub fn stop(&self) {
        self.cx.cancel();
    }

    /// Waits for the service to end and returns what `run` returned (a panic
    /// comes back as an error carrying its message).
    pub async fn join(mut self) -> Result<(), BoxError> {
        match self.task.take() {
            Some(task) => joined(task.await),
            None => Err("the service was already joined".into()),
        }
    }

    fn take(&mut self, msg: Msg) {
        match msg {
            Msg::Ready { .. } => self.ready = true,
            Msg::Publish { role, handle, .. } => {
                self.registry.set(role, Published::Value(handle));
            }
            Msg::Shutdown(_) | Msg::Ended(_) => {}
        }
    }
}

impl<K> fmt::Debug for Running<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Running")
            .field("role", &self.cx.role())
            .field("ready", &self.ready)
            .finish_non_exhaustive()
    }
}

fn joined(ended: Result<Result<(), BoxError>, tokio::task::JoinError>) -> Result<(), BoxError> {
    match ended {
        Ok(result) => result,
        Err(e) => match crate::supervisor::panic_message(e) {
            Some(message) => Err(format!("panicked: {message}").into()),
            None => Err("the service task was cancelled".into()),
        },
    }
}

type RunFuture = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;

/// A service whose behaviour is a closure: one nameable type for every role
/// of a test app, each with its own script.
#[derive(Clone)]
pub struct Script(Arc<dyn Fn(Context) -> RunFuture + Send + Sync>);

impl Script {
    /// Runs `f` once per incarnation.
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        Script(Arc::new(move |cx| Box::pin(f(cx))))
    }

    /// Runs until asked to stop, then returns `Ok`. Signals nothing: a
    /// `ready: spawned` role (the default) is ready at once, a `signaled` one
    /// never is (see [`Script::ready_until_stopped`]).
    pub fn until_stopped() -> Self {
        Script::new(|cx| async move {
            cx.stop_requested().await;
            Ok(())
        })
    }

    /// Signals readiness at once, then runs until asked to stop.
    pub fn ready_until_stopped() -> Self {
        Script::new(|cx| async move {
            cx.ready();
            cx.stop_requested().await;
            Ok(())
        })
    }

    /// The first `times` incarnations signal readiness and fail with `error`
    /// `after` their start; later ones run until stopped.
    pub fn fails(times: u64, after: Duration, error: &'static str) -> Self {
        Script::new(move |cx| async move {
            cx.ready();
            if cx.incarnation() < times {
                tokio::select! {
                    () = cx.stop_requested() => return Ok(()),
                    () = tokio::time::sleep(after) => return Err(error.into()),
                }
            }
            cx.stop_requested().await;
            Ok(())
        })
    }

    /// Signals readiness, then panics with `message` `after` its start, every
    /// incarnation.
    pub fn panics(after: Duration, message: &'static str) -> Self {
        Script::new(move |cx| async move {
            cx.ready();
            tokio::select! {
                () = cx.stop_requested() => Ok(()),
                () = tokio::time::sleep(after) => panic!("{message}"),
            }
        })
    }

    /// Signals readiness, then ignores every stop request: only the role's
    /// `stop(T)` grace period, or the shutdown deadline, ends it.
    pub fn hangs() -> Self {
        Script::new(|cx| async move {
            cx.ready();
            std::future::pending::<()>().await;
            Ok(())
        })
    }
}

impl Service for Script {
    fn run(&self, cx: Context) -> impl Future<Output = Result<(), BoxError>> + Send {
        (self.0)(cx)
    }
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Script")
    }
}
