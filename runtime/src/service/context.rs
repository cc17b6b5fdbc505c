//! What a running incarnation knows about itself and how it talks back.

use core::any::{Any, TypeId};
use core::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::protocol::{Msg, Registry};
use crate::service::handles::{Deps, HandleError, Reader, RoleKey};
use crate::service::{BoxError, Drain, Provide};
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
    /// Set, and `drained` woken, when the role's `drain` action begins for
    /// this incarnation: a flag and a `Notify` live inline, so an incarnation
    /// that never drains costs no allocation for it.
    drain: AtomicBool,
    drained: Notify,
    /// The previous incarnation's drained state, taken by `resume_state`.
    resume: Mutex<Option<State>>,
    /// What `run` handed over with `hand_over`, until the drain takes it; and
    /// whether `run` has ended (then nothing more will be handed over).
    handover: Mutex<Handover>,
    handed: Notify,
    /// The last `heartbeat()`, in nanoseconds after `spawned`, plus one (0: none
    /// yet): an atomic the supervisor reads when the watchdog fires, so a
    /// heartbeat sends no message.
    beat: AtomicU64,
    spawned: Instant,
}

impl ReadySignal {
    fn handover(&self) -> std::sync::MutexGuard<'_, Handover> {
        self.handover.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A drain state on its way from one incarnation to the next, its type erased:
/// only `S::State` of the role's own service type is ever put in.
pub(crate) type State = Box<dyn Any + Send>;

#[derive(Debug, Default)]
struct Handover {
    state: Option<State>,
    run_ended: bool,
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
}

impl Context {
    pub(crate) fn new(
        identity: Identity,
        tx: mpsc::UnboundedSender<Msg>,
        registry: Arc<Registry>,
        resume: Option<State>,
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
                drain: AtomicBool::new(false),
                drained: Notify::new(),
                resume: Mutex::new(resume),
                handover: Mutex::new(Handover::default()),
                handed: Notify::new(),
                beat: AtomicU64::new(0),
                spawned: Instant::now(),
            }),
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
        self.check_service::<S>()?;
        let signal = &self.ready;
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

    /// The state the previous incarnation's `drain(.., resume_state)` handed
    /// over, if any and if it is a `T` (the service's `Drain::State`): kept
    /// typed, never serialized. Handed over once: the first call that asks for
    /// the right type takes it.
    pub fn resume_state<T: 'static>(&self) -> Option<T> {
        let mut resume = self
            .ready
            .resume
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !resume.as_ref().is_some_and(|state| state.is::<T>()) {
            return None;
        }
        let state = resume.take()?;
        state.downcast::<T>().ok().map(|state| *state)
    }

    /// Completes when the role's `drain` action begins for this incarnation
    /// (never, for a role whose stop list has no `drain`). From then on `run`
    /// should take no new work and hand what it holds to
    /// [`Context::hand_over`]; see [`Drain`] for who owns the work when.
    pub async fn drain_requested(&self) {
        let signal = &self.ready;
        loop {
            let notified = signal.drained.notified();
            let mut notified = std::pin::pin!(notified);
            // Registered before the flag is read, so a request in between wakes it.
            notified.as_mut().enable();
            if signal.drain.load(Ordering::Acquire) {
                return;
            }
            notified.await;
        }
    }

    /// Whether the drain of this incarnation has begun.
    pub fn is_drain_requested(&self) -> bool {
        self.ready.drain.load(Ordering::Acquire)
    }

    /// Hands `state` (the work `run` still holds) to the drain: the default
    /// [`Drain::drain`] returns it, and with `drain(.., resume_state)` the next
    /// incarnation gets it from [`Context::resume_state`]. `service` is the
    /// caller's own service (`self`), which types the call; a later call
    /// replaces the state.
    ///
    /// Fails with [`HandleError::NotThisRole`] when `service` is not of this
    /// role's type.
    pub fn hand_over<S: Drain>(&self, service: &S, state: S::State) -> Result<(), HandleError> {
        let _ = service;
        self.check_service::<S>()?;
        let signal = &self.ready;
        signal.handover().state = Some(Box::new(state));
        signal.handed.notify_waiters();
        Ok(())
    }

    /// What `run` handed over with [`Context::hand_over`], once it has; an
    /// error if `run` ends without handing anything over.
    pub async fn handed_over<S: Drain + ?Sized>(&self) -> Result<S::State, BoxError> {
        let signal = &self.ready;
        loop {
            let notified = signal.handed.notified();
            {
                let mut handover = signal.handover();
                if let Some(state) = handover.state.take() {
                    // Only `hand_over::<S>`, checked against this role's
                    // type, puts a state in: it is an `S::State`.
                    return state
                        .downcast::<S::State>()
                        .map(|state| *state)
                        .map_err(|_| {
                            format!(
                                "the state handed over is not a `{}`",
                                core::any::type_name::<S::State>()
                            )
                            .into()
                        });
                }
                if handover.run_ended {
                    return Err("`run` ended without handing its work over".into());
                }
            }
            notified.await;
        }
    }

    /// `S` is this role's service type: what types `ready_with` and `hand_over`.
    fn check_service<S: 'static>(&self) -> Result<(), HandleError> {
        if self.ready.service_type == TypeId::of::<S>() {
            return Ok(());
        }
        Err(HandleError::NotThisRole {
            named: core::any::type_name::<S>().to_owned(),
            context: self.role.to_owned(),
        })
    }

    /// The drain action begins: wakes `drain_requested`.
    pub(crate) fn request_drain(&self) {
        self.ready.drain.store(true, Ordering::Release);
        self.ready.drained.notify_waiters();
    }

    /// `run` returned (or was aborted): `handed_over` stops waiting.
    pub(crate) fn run_ended(&self) {
        self.ready.handover().run_ended = true;
        self.ready.handed.notify_waiters();
    }

    /// Asks this incarnation to stop (the supervisor's `stop` action).
    pub(crate) fn cancel(&self) {
        self.cancel.cancel();
    }
}
