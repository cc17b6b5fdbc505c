//! The snapshot `AppHandle::state()` returns, and the table the supervisor keeps it in.

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::observe::health::Health;
use crate::observe::number::OptionalNumber;
use crate::spec::AppSpec;
use crate::spec::role::Role;

/// Where the app is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Roles are starting; `App::start` has not returned yet.
    Starting,
    /// Every role is ready or disabled.
    Running,
    /// The shutdown is in progress.
    ShuttingDown,
    /// Every role has stopped.
    Stopped,
}

/// Where one role is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleStatus {
    /// Waiting for its dependencies to be ready.
    Pending,
    /// Running, not ready yet.
    Starting,
    /// Running and ready.
    Ready,
    /// A one-shot job (`ready: completed`) that finished successfully.
    Completed,
    /// Its stop actions are running (or waiting for its dependents to stop).
    Stopping,
    /// Waiting for its restart (backoff, or a restart it is part of).
    Restarting,
    /// Not running and not to be restarted.
    Stopped,
    /// Given up (optional role) or depending on a role that did.
    Disabled,
}

/// One role in a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RoleState<R> {
    /// The role.
    pub role: R,
    /// Its status.
    pub status: RoleStatus,
    /// Its current (or last) incarnation; `None` before its first start.
    pub incarnation: Option<u64>,
    /// Its lease name.
    pub lease: &'static str,
    /// Whether it holds its lease.
    pub lease_held: bool,
}

/// A `RoleState` as read back: the lease is owned text until it is checked
/// against the role, whose lease name is `'static`.
#[derive(Deserialize)]
struct StoredRoleState<R> {
    role: R,
    status: RoleStatus,
    incarnation: Option<u64>,
    lease: String,
    lease_held: bool,
}

impl<'de, R: Role + serde::de::DeserializeOwned> Deserialize<'de> for RoleState<R> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let stored = StoredRoleState::<R>::deserialize(d)?;
        let lease = stored.role.name();
        if stored.lease != lease {
            return Err(serde::de::Error::custom(format_args!(
                "lease `{}` is not the lease of role `{}` (`{lease}`)",
                stored.lease, stored.role
            )));
        }
        Ok(RoleState {
            role: stored.role,
            status: stored.status,
            incarnation: stored.incarnation,
            lease,
            lease_held: stored.lease_held,
        })
    }
}

/// A consistent picture of the app at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "R: Role + serde::de::DeserializeOwned"))]
pub struct AppState<R> {
    /// The app's phase.
    pub phase: Phase,
    /// Every role, in declaration order.
    pub roles: Vec<RoleState<R>>,
}

impl<R: Role> AppState<R> {
    /// The state of one role.
    pub fn role(&self, role: R) -> &RoleState<R> {
        // `roles` always has one entry per role, in declaration order.
        &self.roles[role.index()]
    }

    /// The lease names currently held, in declaration order.
    pub fn leases(&self) -> Vec<&'static str> {
        self.roles
            .iter()
            .filter(|r| r.lease_held)
            .map(|r| r.lease)
            .collect()
    }
}

/// The table behind `state()`: written by the supervisor, one role at a time.
/// Each row keeps only what changes (24 bytes); the role and its lease come
/// from the spec when a snapshot is made.
pub(crate) struct StateTable<R: 'static> {
    inner: Mutex<Table>,
    spec: &'static AppSpec<R>,
    optional: Box<[bool]>,
}

struct Table {
    phase: Phase,
    rows: Vec<Row>,
}

/// What changes of one role's [`RoleState`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row {
    pub(crate) status: RoleStatus,
    pub(crate) incarnation: OptionalNumber,
    pub(crate) lease_held: bool,
}

impl<R: Role> StateTable<R> {
    pub(crate) fn new(spec: &'static AppSpec<R>) -> Self {
        let row = Row {
            status: RoleStatus::Pending,
            incarnation: OptionalNumber::NONE,
            lease_held: false,
        };
        StateTable {
            inner: Mutex::new(Table {
                phase: Phase::Starting,
                rows: vec![row; spec.roles().len()],
            }),
            spec,
            optional: spec.roles().iter().map(|&r| spec.is_optional(r)).collect(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The roles beside their rows, in declaration order.
    fn states<'a>(&self, table: &'a Table) -> impl Iterator<Item = RoleState<R>> + 'a {
        let spec = self.spec;
        (spec.roles().iter())
            .zip(&table.rows)
            .map(move |(&role, row)| RoleState {
                role,
                status: row.status,
                incarnation: row.incarnation.get(),
                lease: spec.lease(role),
                lease_held: row.lease_held,
            })
    }

    pub(crate) fn snapshot(&self) -> AppState<R> {
        let table = self.lock();
        AppState {
            phase: table.phase,
            roles: self.states(&table).collect(),
        }
    }

    pub(crate) fn health(&self, live: bool) -> Health<R> {
        let table = self.lock();
        let roles = (self.spec.roles().iter()).zip(&table.rows);
        Health::of(
            table.phase,
            roles.map(|(&role, row)| (role, row.status)),
            &self.optional,
            live,
        )
    }

    pub(crate) fn set_phase(&self, phase: Phase) {
        self.lock().phase = phase;
    }

    pub(crate) fn update(&self, index: usize, f: impl FnOnce(&mut Row)) {
        if let Some(r) = self.lock().rows.get_mut(index) {
            f(r);
        }
    }

    pub(crate) fn leases(&self) -> Vec<&'static str> {
        let table = self.lock();
        (self.spec.roles().iter())
            .zip(&table.rows)
            .filter(|(_, row)| row.lease_held)
            .map(|(&role, _)| self.spec.lease(role))
            .collect()
    }
}
