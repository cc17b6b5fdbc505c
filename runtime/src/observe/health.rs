//! What an outer supervisor asks of the app: is it alive, is it ready, what
//! does it run without. Served by `AppHandle::health`, read by the systemd
//! notifier's watchdog, and meant for Kubernetes' `/livez` and `/readyz`.

use serde::{Deserialize, Serialize};

use crate::observe::state::{Phase, RoleStatus};
use crate::spec::role::Role;

/// The app's health, from the state table at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health<R> {
    /// The supervisor is running (also while it starts and shuts down): a
    /// liveness probe that fails makes the outer supervisor restart the process.
    pub live: bool,
    /// The app is running and every required role is ready (or a completed
    /// job): a readiness probe that fails takes the process out of service
    /// without restarting it, as during a restart cascade.
    pub ready: bool,
    /// Required roles that are not ready right now (starting, restarting,
    /// stopping or stopped for good), in declaration order.
    pub unready: Vec<R>,
    /// Optional roles that are disabled: the app runs without them.
    pub degraded: Vec<R>,
}

impl<R: Role> Health<R> {
    /// The app's health in `phase` with its roles' statuses, `optional[i]`
    /// saying whether role `i` is optional; `live` says whether the
    /// supervisor task still runs.
    pub(crate) fn of(
        phase: Phase,
        roles: impl Iterator<Item = (R, RoleStatus)>,
        optional: &[bool],
        live: bool,
    ) -> Self {
        let mut unready = Vec::new();
        let mut degraded = Vec::new();
        for (role, status) in roles {
            let up = matches!(status, RoleStatus::Ready | RoleStatus::Completed);
            if optional.get(role.index()).copied().unwrap_or(false) {
                if status == RoleStatus::Disabled {
                    degraded.push(role);
                }
            } else if !up {
                unready.push(role);
            }
        }
        let live = live && phase != Phase::Stopped;
        Health {
            live,
            ready: live && phase == Phase::Running && unready.is_empty(),
            unready,
            degraded,
        }
    }
}
