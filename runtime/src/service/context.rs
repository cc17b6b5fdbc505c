//! What a running incarnation knows about itself and how it talks back.

use core::any::TypeId;
use core::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::protocol::{Msg, Registry};
use crate::service::Provide;
use crate::service::handles::{Deps, HandleError, Reader, RoleKey};
use crate::spec::role::Role;

/// What ties one incarnation to its supervisor: one readiness message however
/// often `ready()` is called, the handle registry, and the role's identity to
/// check keys and services against.
#[derive(Debug)]
struct ReadySignal {
    sent: AtomicBool,
    role: usize,
    incarnation: u64,
    tx: mpsc::UnboundedSender<Msg>,
    registry: Arc<Registry>,
    service_type: TypeId,
    /// The last `heartbeat()`, in nanoseconds after `spawned`, plus one (0: none
    /// yet): an atomic the supervisor reads when the watchdog fires, so a
    /// heartbeat sends no message.
    beat: AtomicU64,
    spawned: Instant,
}

/// The identity of a running incarnation, for [`Context::new`].
pub(crate) struct Identity {
    pub(crate) lease: &'static str,
    pub(crate) index: usize,
    pub(crate) incarnation: u64,
    pub(crate) service_type: TypeId,
}

/// Handed to `Service::run`: the role's identity, its readiness signal,
/// its stop request and the state drained from the previous incarnation.
///
/// ```
/// use supervision::{BoxError, Context, Service};
///
/// struct Worker;
///
/// impl Service for Worker {
///     async fn run(&self, cx: Context) -> Result<(), BoxError> {
///         // What the previous incarnation's `drain(.., resume_state)` handed over.
///         let backlog: Vec<u64> = cx.resume_state().unwrap_or_default();
///         println!("{}#{} resumes {} jobs", cx.role(), cx.incarnation(), backlog.len());
///         cx.ready(); // for `ready: signaled(..)`
///         cx.stop_requested().await; // or `select!` on it beside the work
///         Ok(())
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Context {
    role: &'static str,
    incarnation: u64,
    cancel: CancellationToken,
    ready: Arc<ReadySignal>,
    resume: Option<Arc<serde_json::Value>>,
}

impl Context {
    pub(crate) fn new(
        identity: Identity,
        tx: mpsc::UnboundedSender<Msg>,
        registry: Arc<Registry>,
        resume: Option<Arc<serde_json::Value>>,
    ) -> Self {
        Context {
            role: identity.lease,
            incarnation: identity.incarnation,
            cancel: CancellationToken::new(),
            ready: Arc::new(ReadySignal {
                sent: AtomicBool::new(false),
                role: identity.index,
                incarnation: identity.incarnation,
                tx,
                registry,
                service_type: identity.service_type,
                beat: AtomicU64::new(0),
                spawned: Instant::now(),
            }),
            resume,
        }
    }

    /// The bytes of a context and its shared signal, for `supervisor::footprint`.
    pub(crate) fn bytes() -> usize {
        core::mem::size_of::<Context>() + core::mem::size_of::<ReadySignal>()
    }

    /// The role's lease name.
    pub fn role(&self) -> &'static str {
        self.role
    }

    /// 0 for the first run, then +1 per restart.
    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }

    /// Signals readiness (for `ready: signaled(..)`); later calls do nothing.
    pub fn ready(&self) {
        let signal = &self.ready;
        if !signal.sent.swap(true, Ordering::AcqRel) {
            // The supervisor is gone only when the app has stopped: nothing to tell.
            let _ = signal.tx.send(Msg::Ready {
                role: signal.role,
                incarnation: signal.incarnation,
            });
        }
    }

    /// Publishes `handle` for this role's dependents (and for
    /// [`AppHandle::get`](crate::AppHandle::get)), then signals readiness as
    /// [`Context::ready`] does. `service` is the caller's own service
    /// (`self`): its [`Provide::Handle`] types the call. Calling it again
    /// replaces the handle. The handle is withdrawn when the role releases its
    /// lease or exits (a `ready: completed` job's stays after it completes).
    ///
    /// Fails with [`HandleError::NotThisRole`] when `service` is not of this
    /// role's type.
    pub fn ready_with<S: Provide>(
        &self,
        service: &S,
        handle: S::Handle,
    ) -> Result<(), HandleError> {
        let _ = service;
        let signal = &self.ready;
        if signal.service_type != TypeId::of::<S>() {
            return Err(HandleError::NotThisRole {
                named: core::any::type_name::<S>().to_owned(),
                context: self.role.to_owned(),
            });
        }
        // The supervisor is gone only when the app has stopped: nothing to tell.
        let _ = signal.tx.send(Msg::Publish {
            role: signal.role,
            incarnation: signal.incarnation,
            handle: Arc::new(handle),
        });
        self.ready();
        Ok(())
    }

    /// What role `role` reads from its dependencies: pass this role's own key
    /// (`atpd::api` in `app Atpd`). The returned [`Deps`] only accepts keys of
    /// the role's `depends_on`, checked at compile time.
    ///
    /// Fails with [`HandleError::NotThisRole`] when `role` is not this
    /// context's role.
    pub fn deps<K: RoleKey>(&self, role: K) -> Result<Deps<'_, K>, HandleError> {
        let _ = role;
        let signal = &self.ready;
        if signal.registry.role_type != TypeId::of::<K::Role>() || K::ROLE.index() != signal.role {
            return Err(HandleError::NotThisRole {
                named: K::ROLE.name().to_owned(),
                context: self.role.to_owned(),
            });
        }
        Ok(Deps {
            reader: Reader {
                registry: &signal.registry,
                stop: Some(&self.cancel),
            },
            role: PhantomData,
        })
    }

    /// Tells the role's `watchdog` that this incarnation is making progress.
    /// With `watchdog: PERIOD`, a ready incarnation must call it at least once
    /// per period, or it counts as hung: it is stopped with its stop actions and
    /// its restart policy handles it as a failure. Cheap (a clock read and an
    /// atomic store), so it can be called on every loop iteration; without a
    /// `watchdog` it does nothing that matters.
    pub fn heartbeat(&self) {
        let signal = &self.ready;
        let since = Instant::now().saturating_duration_since(signal.spawned);
        let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX - 1);
        signal.beat.store(nanos + 1, Ordering::Relaxed);
    }

    /// When this incarnation last called [`Context::heartbeat`].
    pub(crate) fn last_heartbeat(&self) -> Option<Instant> {
        let signal = &self.ready;
        let nanos = signal.beat.load(Ordering::Relaxed).checked_sub(1)?;
        signal
            .spawned
            .checked_add(core::time::Duration::from_nanos(nanos))
    }

    /// Completes when this incarnation must stop.
    pub async fn stop_requested(&self) {
        self.cancel.cancelled().await;
    }

    /// Whether this incarnation has been asked to stop.
    pub fn is_stop_requested(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The token cancelled when this incarnation must stop, for `select!` and child tasks.
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// The state the previous incarnation's `drain(.., resume_state)` returned, if any
    /// and if it reads as a `T`.
    pub fn resume_state<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        let value = self.resume.as_deref()?;
        T::deserialize(value).ok()
    }

    /// Asks this incarnation to stop (the supervisor's `stop` action).
    pub(crate) fn cancel(&self) {
        self.cancel.cancel();
    }
}
