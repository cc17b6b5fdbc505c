//! **The protocol**: how the engine and its clients talk. Contexts and handles
//! send [`Msg`]s to the supervisor; the supervisor shares the journal and the
//! state table and the handle registry, and publishes the app's [`Outcome`]
//! once. Imports `spec` and `observe` only, so `service`, `app` and the engine
//! can all import it.

use core::any::{Any, TypeId};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::observe::error::{AppError, ErrorChain, StartError};
use crate::observe::event::ShutdownReason;
use crate::observe::journal::Journal;
use crate::observe::report::ShutdownReport;
use crate::observe::state::StateTable;
use crate::spec::AppSpec;
use crate::spec::role::{Role, packed_index, unpacked_index};

/// What reaches the supervisor: from contexts and handles, and the end of
/// each of its tasks, all on one channel. One channel keeps what one task
/// sends in the order it sent it (its readiness before its end), and the
/// supervisor waits on one receiver, not two, for whatever comes next.
#[derive(Debug)]
pub(crate) enum Msg {
    /// `Context::ready()` of one incarnation.
    Ready { role: usize, incarnation: u64 },
    /// `Context::ready_with(..)`: the handle one incarnation offers its dependents.
    Publish {
        role: usize,
        incarnation: u64,
        handle: Handle,
    },
    /// `AppHandle::shutdown()` or a signal (`App::run`).
    Shutdown(ShutdownReason),
    /// One of the supervisor's tasks ended.
    Ended(Done),
}

/// A task of the supervisor's ended: what it returned, or that it was
/// dropped unfinished (aborted). Every task sends exactly one.
#[derive(Debug)]
pub(crate) struct Done {
    pub(crate) key: TaskKey,
    pub(crate) out: TaskOut,
}

/// Which of an incarnation's futures a task runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskKind {
    Run,
    Drain,
}

/// Which incarnation, and which of its futures, a task runs: sent back with
/// the task's output, so the supervisor needs no table of its tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey {
    pub(crate) incarnation: u64,
    /// The role's index (`u32`: the key is carried by every task).
    pub(crate) role: u32,
    pub(crate) kind: TaskKind,
}

impl TaskKey {
    pub(crate) fn new(role: usize, incarnation: u64, kind: TaskKind) -> Self {
        TaskKey {
            incarnation,
            role: packed_index(role),
            kind,
        }
    }

    pub(crate) fn role(self) -> usize {
        unpacked_index(self.role)
    }
}

/// What a task returns; errors are turned into their text inside the task.
#[derive(Debug)]
pub(crate) enum TaskOut {
    Run(Result<(), ErrorChain>),
    /// The drained state, its type erased (the service's `Drain::State`).
    Drain(Result<Box<dyn Any + Send>, String>),
    /// The future panicked: the panic's message.
    Panicked(String),
    /// The task was dropped before it finished: aborted.
    Aborted,
}

/// A published handle, its type erased: the typed keys that read it know its
/// type statically (`service::handles`), so reading it back cannot fail.
pub(crate) type Handle = Arc<dyn Any + Send + Sync>;

/// What a role offers its dependents right now.
#[derive(Clone, Default)]
pub(crate) enum Published {
    /// Nothing: not ready yet, restarting, or stopped.
    #[default]
    Absent,
    /// The handle of the running incarnation (or of a completed job).
    Value(Handle),
    /// The role is disabled for good.
    Disabled,
    /// The app has ended: nothing will be published any more.
    Ended,
}

/// An app's `depends_on` lists, seen without its role type.
pub(crate) trait Dependencies: Send + Sync {
    /// The index and name of the dependency named `name` of role `reader`,
    /// if it has one.
    fn dependency(&self, reader: usize, name: &str) -> Option<(usize, &'static str)>;
}

impl<R: Role> Dependencies for AppSpec<R> {
    fn dependency(&self, reader: usize, name: &str) -> Option<(usize, &'static str)> {
        let role = *self.roles().get(reader)?;
        let found = self.dependencies(role).iter().find(|d| d.name() == name)?;
        Some((found.index(), found.name()))
    }
}

/// One slot per role: written only by the supervisor (which checks that the
/// publishing incarnation is the current one), read by contexts and handles.
///
/// A slot's channel is made on first use (a publish, a read or a wait): most
/// roles publish nothing and nobody reads them, and a `watch` channel costs
/// hundreds of bytes. Until then the slot reads as `Absent`.
pub(crate) struct Registry {
    /// The app's role enum, so a key of another app is refused.
    pub(crate) role_type: TypeId,
    /// The app's dependencies, for reads by name (apps built at run time
    /// have no typed keys); `None` for one service under the test harness.
    pub(crate) dependencies: Option<&'static dyn Dependencies>,
    slots: Box<[OnceLock<watch::Sender<Published>>]>,
    /// Set once the app has ended: slots made afterwards start as ended.
    ended: AtomicBool,
}

impl core::fmt::Debug for Registry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registry")
            .field("roles", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl Registry {
    pub(crate) fn new(
        role_type: TypeId,
        roles: usize,
        dependencies: Option<&'static dyn Dependencies>,
    ) -> Self {
        Registry {
            role_type,
            dependencies,
            slots: (0..roles).map(|_| OnceLock::new()).collect(),
            ended: AtomicBool::new(false),
        }
    }

    /// Role `x`'s slot, made now if nothing has used it yet (as ended, once
    /// the app has ended, so a late reader does not wait for ever).
    pub(crate) fn slot(&self, x: usize) -> Option<&watch::Sender<Published>> {
        self.slots.get(x).map(|slot| {
            slot.get_or_init(|| {
                let ended = self.ended.load(Ordering::SeqCst);
                watch::Sender::new(if ended {
                    Published::Ended
                } else {
                    Published::Absent
                })
            })
        })
    }

    /// The app has ended: every handle is withdrawn, and readers still
    /// waiting for one stop waiting (a disabled role stays disabled).
    pub(crate) fn end(&self) {
        self.ended.store(true, Ordering::SeqCst);
        for (x, slot) in self.slots.iter().enumerate() {
            if slot
                .get()
                .is_some_and(|slot| !matches!(*slot.borrow(), Published::Disabled))
            {
                self.set(x, Published::Ended);
            }
        }
    }

    /// Sets role `x`'s slot, waking readers only when it changes. Withdrawing
    /// from a slot nobody has used changes nothing, so it makes no channel.
    pub(crate) fn set(&self, x: usize, published: Published) {
        let slot = match published {
            Published::Absent => self.slots.get(x).and_then(OnceLock::get),
            _ => self.slot(x),
        };
        if let Some(slot) = slot {
            slot.send_if_modified(|now| {
                let changed = !matches!(
                    (&*now, &published),
                    (Published::Absent, Published::Absent)
                        | (Published::Disabled, Published::Disabled)
                        | (Published::Ended, Published::Ended)
                );
                *now = published;
                changed
            });
        }
    }
}

/// What every context of an app shares: the way to its supervisor and the
/// handle registry. One `Arc` for both, so making and dropping a context
/// counts one reference (a sender's clone counts two, and would close the
/// channel when the last one drops).
pub(crate) struct Upstream {
    pub(crate) tx: mpsc::UnboundedSender<Msg>,
    pub(crate) registry: Arc<Registry>,
    /// When the app started: each incarnation's heartbeats are counted from
    /// it (one reading for them all, not one kept in each incarnation).
    pub(crate) epoch: tokio::time::Instant,
}

impl core::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Upstream")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

/// How the app ended, published once by the supervisor.
pub(crate) type Outcome<R> = Result<ShutdownReport<R>, AppError<R>>;

/// How the start phase ended, published once by the supervisor.
pub(crate) type Started<R> = Result<(), StartError<R>>;

/// What the supervisor shares with every handle.
pub(crate) struct Shared<R: 'static> {
    /// The app as declared.
    pub(crate) spec: &'static AppSpec<R>,
    pub(crate) journal: Arc<Journal<R>>,
    pub(crate) state: StateTable<R>,
    pub(crate) handles: Arc<Registry>,
}

/// The client's end of a launched supervisor: what an `AppHandle` is made of.
pub(crate) struct Link<R: 'static> {
    pub(crate) shared: Arc<Shared<R>>,
    pub(crate) tx: mpsc::UnboundedSender<Msg>,
    pub(crate) started: watch::Receiver<Option<Started<R>>>,
    pub(crate) done: watch::Receiver<Option<Outcome<R>>>,
    pub(crate) task: JoinHandle<()>,
}
