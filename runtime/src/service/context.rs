//! What a running incarnation knows about itself and how it talks back.

use core::any::{Any, TypeId};
use core::future::Future;
use core::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering, fence};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::protocol::{Msg, Upstream};
use crate::service::handles::{Deps, HandleError, Reader, RoleKey};
use crate::service::waiters::{Until, Waiters, Watched};
use crate::service::{BoxError, Drain, Provide};
use crate::spec::role::{Role, packed_index, unpacked_index};

/// One incarnation, shared by every clone of its [`Context`]: its identity,
/// how it talks to its supervisor, and what the supervisor tells it. One
/// allocation per incarnation: the stop request is a flag and a list of
/// waiters shared with the drain request and the hand-over, and the
/// `CancellationToken` of [`Context::cancellation_token`] is made only for a
/// service that asks for it.
#[derive(Debug)]
struct Incarnation {
    role: &'static str,
    /// The role's index (`u32`, beside the flags: a context is kept for
    /// every running role).
    index: u32,
    incarnation: u64,
    service_type: TypeId,
    upstream: Arc<Upstream>,
    /// `ready()` has sent its message: one per incarnation however often it is called.
    sent: AtomicBool,
    /// Set when this incarnation must stop (the `stop` action).
    stop: AtomicBool,
    /// Set when the role's `drain` action begins for this incarnation.
    drain: AtomicBool,
    /// `run` has ended: nothing more will be handed over. Set before the
    /// waiters are woken, so a `handed_over` whose wait began before sees it.
    run_ended: AtomicBool,
    /// A `handed_over` has waited: only then does the end of `run` wake the
    /// waiters (most incarnations are never drained, and a wake-up locks the
    /// waiter list).
    handover_awaited: AtomicBool,
    /// Made on first use, cancelled with the stop request.
    token: OnceLock<CancellationToken>,
    /// Who waits, and what is held, under one lock.
    shared: Mutex<Shared>,
    /// The last `heartbeat()`, in nanoseconds after the app's start
    /// (`Upstream::epoch`), plus one (0: none yet): an atomic the supervisor
    /// reads when the watchdog fires, so a heartbeat sends no message.
    beat: AtomicU64,
}

impl Incarnation {
    fn index(&self) -> usize {
        unpacked_index(self.index)
    }

    fn shared(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Completes once `done` holds, checked after each change.
    fn until<F: Fn(&Self) -> bool + Unpin>(&self, done: F) -> Until<'_, Self, F> {
        Until::new(self, done)
    }

    /// `stop`, `drain` or the hand-over changed (set before this is
    /// called): every waiter looks again at what it waits for.
    fn changed(&self) {
        let woken = self.shared().waiters.take();
        woken.wake();
    }
}

impl Watched for Incarnation {
    fn with_waiters<T>(&self, f: impl FnOnce(&mut Waiters) -> T) -> T {
        f(&mut self.shared().waiters)
    }
}

/// What an incarnation keeps under its lock.
#[derive(Debug, Default)]
struct Shared {
    waiters: Waiters,
    /// The previous incarnation's drained state and what `run` handed over.
    held: Held,
}

/// A drain state on its way from one incarnation to the next, its type erased:
/// only `S::State` of the role's own service type is ever put in.
pub(crate) type State = Box<dyn Any + Send>;

#[derive(Debug, Default)]
struct Held {
    /// The drain states, boxed and made on first use: most roles never drain,
    /// and a context is kept for every running role.
    states: Option<Box<States>>,
}

#[derive(Debug, Default)]
struct States {
    /// The previous incarnation's drained state, taken by `resume_state`.
    resume: Option<State>,
    /// What `run` handed over with `hand_over`, until the drain takes it.
    handed: Option<State>,
}

impl Held {
    fn states(&mut self) -> &mut States {
        self.states.get_or_insert_with(Box::default)
    }

    fn take_resume(&mut self) -> Option<State> {
        self.states.as_deref_mut()?.resume.take()
    }

    fn has_handed(&self) -> bool {
        self.states.as_ref().is_some_and(|s| s.handed.is_some())
    }

    fn take_handed(&mut self) -> Option<State> {
        self.states.as_deref_mut()?.handed.take()
    }
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
    inner: Arc<Incarnation>,
}

impl Context {
    pub(crate) fn new(identity: Identity, upstream: &Arc<Upstream>, resume: Option<State>) -> Self {
        Context {
            inner: Arc::new(Incarnation {
                role: identity.lease,
                index: packed_index(identity.index),
                incarnation: identity.incarnation,
                service_type: identity.service_type,
                upstream: Arc::clone(upstream),
                sent: AtomicBool::new(false),
                stop: AtomicBool::new(false),
                drain: AtomicBool::new(false),
                run_ended: AtomicBool::new(false),
                handover_awaited: AtomicBool::new(false),
                token: OnceLock::new(),
                shared: Mutex::new(Shared {
                    waiters: Waiters::default(),
                    held: Held {
                        states: resume.map(|resume| {
                            Box::new(States {
                                resume: Some(resume),
                                handed: None,
                            })
                        }),
                    },
                }),
                beat: AtomicU64::new(0),
            }),
        }
    }

    /// The bytes of a context and its shared incarnation, for `supervisor::footprint`.
    pub(crate) fn bytes() -> usize {
        core::mem::size_of::<Context>() + core::mem::size_of::<Incarnation>()
    }

    /// The role's lease name.
    pub fn role(&self) -> &'static str {
        self.inner.role
    }

    /// 0 for the first run, then +1 per restart.
    pub fn incarnation(&self) -> u64 {
        self.inner.incarnation
    }

    /// Signals readiness (for `ready: signaled(..)`); later calls do nothing.
    pub fn ready(&self) {
        let signal = &self.inner;
        if !signal.sent.swap(true, Ordering::AcqRel) {
            self.tell(Msg::Ready {
                role: signal.index(),
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
        let signal = &self.inner;
        self.tell(Msg::Publish {
            role: signal.index(),
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
        let signal = &self.inner;
        if signal.upstream.registry.role_type != TypeId::of::<K::Role>()
            || K::ROLE.index() != signal.index()
        {
            return Err(HandleError::NotThisRole {
                named: K::ROLE.name().to_owned(),
                context: signal.role.to_owned(),
            });
        }
        Ok(Deps {
            reader: self.reader(),
            role: PhantomData,
        })
    }

    /// The handle of dependency `name` (as the role's `depends_on` names it
    /// in a [`Builder`](crate::Builder)), if it is served by `S`: for apps
    /// built at run time, which have no typed keys ([`Context::deps`] is the
    /// way for a `supervision!` app). Checked now: a name
    /// not in the role's `depends_on` is [`HandleError::NotADependency`], a
    /// role served by another type [`HandleError::OtherService`].
    pub fn get_as<S: Provide>(&self, name: &str) -> Result<S::Handle, HandleError> {
        let (index, role) = self.dependency(name)?;
        self.reader().get_at::<S>(index, role)
    }

    /// [`Context::get_as`], waiting for the dependency's next handle as
    /// [`Deps::wait`] does (until this incarnation is asked to stop).
    pub async fn wait_as<S: Provide>(&self, name: &str) -> Result<S::Handle, HandleError> {
        let (index, role) = self.dependency(name)?;
        self.reader().wait_at::<S>(index, role).await
    }

    fn dependency(&self, name: &str) -> Result<(usize, &'static str), HandleError> {
        let signal = &self.inner;
        let found = (signal.upstream.registry.dependencies)
            .and_then(|d| d.dependency(signal.index(), name));
        found.ok_or_else(|| HandleError::NotADependency {
            named: name.to_owned(),
            reader: signal.role.to_owned(),
        })
    }

    fn reader(&self) -> Reader<'_> {
        Reader {
            registry: &self.inner.upstream.registry,
            stop: Some(self),
        }
    }

    /// Tells the role's `watchdog` that this incarnation is making progress.
    /// With `watchdog: PERIOD`, a ready incarnation must call it at least once
    /// per period, or it counts as hung: it is stopped with its stop actions and
    /// its restart policy handles it as a failure. Cheap (a clock read and an
    /// atomic store), so it can be called on every loop iteration; without a
    /// `watchdog` it does nothing that matters.
    pub fn heartbeat(&self) {
        let signal = &self.inner;
        let since = Instant::now().saturating_duration_since(signal.upstream.epoch);
        let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX - 1);
        signal.beat.store(nanos + 1, Ordering::Relaxed);
    }

    /// When this incarnation last called [`Context::heartbeat`].
    pub(crate) fn last_heartbeat(&self) -> Option<Instant> {
        let signal = &self.inner;
        let nanos = signal.beat.load(Ordering::Relaxed).checked_sub(1)?;
        signal
            .upstream
            .epoch
            .checked_add(core::time::Duration::from_nanos(nanos))
    }

    /// Completes when this incarnation must stop. The future is 24 bytes
    /// and `Unpin`: a service that only waits for its stop stays in tokio's
    /// 256-byte task.
    pub fn stop_requested(&self) -> impl Future<Output = ()> + Send + Unpin + '_ {
        self.inner
            .until(|signal: &Incarnation| signal.stop.load(Ordering::Acquire))
    }

    /// Whether this incarnation has been asked to stop.
    pub fn is_stop_requested(&self) -> bool {
        self.inner.stop.load(Ordering::Acquire)
    }

    /// The token cancelled when this incarnation must stop, for `select!` and child tasks.
    pub fn cancellation_token(&self) -> &CancellationToken {
        let signal = &self.inner;
        let token = signal.token.get_or_init(CancellationToken::new);
        // Made after the stop request, or at the same time: cancelled here
        // (the fence pairs with `cancel`'s, so one side or both see the other).
        fence(Ordering::SeqCst);
        if signal.stop.load(Ordering::Relaxed) {
            token.cancel();
        }
        token
    }

    /// The state the previous incarnation's `drain(.., resume_state)` handed
    /// over, if any and if it is a `T` (the service's `Drain::State`): kept
    /// typed, never serialized. Handed over once: the first call that asks for
    /// the right type takes it.
    pub fn resume_state<T: 'static>(&self) -> Option<T> {
        let mut shared = self.inner.shared();
        let held = &mut shared.held;
        let wanted = (held.states.as_ref())
            .and_then(|states| states.resume.as_ref())
            .is_some_and(|state| state.is::<T>());
        if !wanted {
            return None;
        }
        let state = held.take_resume()?;
        state.downcast::<T>().ok().map(|state| *state)
    }

    /// Completes when the role's `drain` action begins for this incarnation
    /// (never, for a role whose stop list has no `drain`). From then on `run`
    /// should take no new work and hand what it holds to
    /// [`Context::hand_over`]; see [`Drain`] for who owns the work when.
    pub fn drain_requested(&self) -> impl Future<Output = ()> + Send + Unpin + '_ {
        self.inner
            .until(|signal: &Incarnation| signal.drain.load(Ordering::Acquire))
    }

    /// Whether the drain of this incarnation has begun.
    pub fn is_drain_requested(&self) -> bool {
        self.inner.drain.load(Ordering::Acquire)
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
        let signal = &self.inner;
        signal.shared().held.states().handed = Some(Box::new(state));
        signal.changed();
        Ok(())
    }

    /// What `run` handed over with [`Context::hand_over`], once it has; an
    /// error if `run` ends without handing anything over.
    pub async fn handed_over<S: Drain + ?Sized>(&self) -> Result<S::State, BoxError> {
        let signal = &self.inner;
        // Before `run_ended` is read, so one side or both see the other.
        signal.handover_awaited.store(true, Ordering::SeqCst);
        // `run` hands over before it ends: once it has ended, what it handed
        // is there, and only this takes it.
        signal
            .until(|signal: &Incarnation| {
                signal.run_ended.load(Ordering::SeqCst) || signal.shared().held.has_handed()
            })
            .await;
        let Some(state) = signal.shared().held.take_handed() else {
            return Err("`run` ended without handing its work over".into());
        };
        // Only `hand_over::<S>`, checked against this role's type, puts a
        // state in: it is an `S::State`.
        state
            .downcast::<S::State>()
            .map(|state| *state)
            .map_err(|_| {
                format!(
                    "the state handed over is not a `{}`",
                    core::any::type_name::<S::State>()
                )
                .into()
            })
    }

    /// `S` is this role's service type: what types `ready_with` and `hand_over`.
    fn check_service<S: 'static>(&self) -> Result<(), HandleError> {
        if self.inner.service_type == TypeId::of::<S>() {
            return Ok(());
        }
        Err(HandleError::NotThisRole {
            named: core::any::type_name::<S>().to_owned(),
            context: self.inner.role.to_owned(),
        })
    }

    /// The drain action begins: wakes `drain_requested`.
    pub(crate) fn request_drain(&self) {
        self.inner.drain.store(true, Ordering::Release);
        self.inner.changed();
    }

    /// `run` returned (or was aborted): `handed_over` stops waiting.
    pub(crate) fn run_ended(&self) {
        let signal = &self.inner;
        signal.run_ended.store(true, Ordering::SeqCst);
        // Pairs with `handed_over`: either it sees the end, or this sees it
        // waiting and wakes it (in the list, or looking again once it is).
        if signal.handover_awaited.load(Ordering::SeqCst) {
            signal.changed();
        }
    }

    /// Sends `msg` to the supervisor (gone only when the app has stopped:
    /// then there is nothing to tell).
    pub(crate) fn tell(&self, msg: Msg) {
        let _ = self.inner.upstream.tx.send(msg);
    }

    /// Asks this incarnation to stop (the supervisor's `stop` action).
    pub(crate) fn cancel(&self) {
        let signal = &self.inner;
        signal.stop.store(true, Ordering::Release);
        signal.changed();
        // Pairs with the fence in `cancellation_token`.
        fence(Ordering::SeqCst);
        if let Some(token) = signal.token.get() {
            token.cancel();
        }
    }
}
