//! The lifecycle plans: what the runtime does at start and at shutdown, step
//! by step, as data that tests and tools can compare or print.

use serde::{Deserialize, Serialize};

use crate::spec::role::Role;
use crate::spec::{AppSpec, StopAction};

/// The phase a lifecycle step belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecyclePhase {
    /// Roles are being started.
    Starting,
    /// Roles hand their work over and release their leases.
    Draining,
    /// Roles are being stopped.
    Stopped,
}

/// What one lifecycle step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Start the role's service.
    StartChild,
    /// Call `Drain::drain` on the role's service.
    Drain,
    /// Release the role's lease.
    ReleaseLease,
    /// Cancel the role's service, then abort it after its grace period.
    StopChild,
    /// Wait for the supervisor itself to finish.
    JoinRoot,
}

/// One step of a plan; `role` is `None` for steps of the app itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LifecycleEvent<R> {
    /// When in the lifecycle the step runs.
    pub phase: LifecyclePhase,
    /// The role the step acts on.
    pub role: Option<R>,
    /// What the step does.
    pub action: Action,
}

impl<R: Role> LifecycleEvent<R> {
    fn new(phase: LifecyclePhase, role: Option<R>, action: Action) -> Self {
        LifecycleEvent {
            phase,
            role,
            action,
        }
    }
}

impl<R: Role> AppSpec<R> {
    /// One `StartChild` per role, in start order.
    pub fn start_plan(&self) -> Vec<LifecycleEvent<R>> {
        self.start_order()
            .iter()
            .map(|&role| {
                LifecycleEvent::new(LifecyclePhase::Starting, Some(role), Action::StartChild)
            })
            .collect()
    }

    /// For each role in stop order, one `Draining` step per stop action (a
    /// role's stop is part of the app draining); then `(Stopped, None, JoinRoot)`.
    pub fn shutdown_plan(&self) -> Vec<LifecycleEvent<R>> {
        let mut plan = Vec::new();
        for &role in self.stop_order() {
            plan.extend(self.stop_actions(role).iter().map(|action| {
                let action = match action {
                    StopAction::Drain { .. } => Action::Drain,
                    StopAction::ReleaseLease => Action::ReleaseLease,
                    StopAction::Stop { .. } => Action::StopChild,
                };
                LifecycleEvent::new(LifecyclePhase::Draining, Some(role), action)
            }));
        }
        plan.push(LifecycleEvent::new(
            LifecyclePhase::Stopped,
            None,
            Action::JoinRoot,
        ));
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::test_app::{TestRole, spec};

    #[test]
    fn start_plan_follows_start_order() {
        let plan = spec().start_plan();
        let roles: Vec<_> = plan.iter().map(|e| e.role).collect();
        assert_eq!(
            roles,
            [
                Some(TestRole::Store),
                Some(TestRole::Api),
                Some(TestRole::Metrics)
            ]
        );
        assert!(
            plan.iter()
                .all(|e| e.phase == LifecyclePhase::Starting && e.action == Action::StartChild)
        );
    }

    #[test]
    fn shutdown_plan_runs_each_stop_list_in_stop_order() {
        let plan = spec().shutdown_plan();
        let steps: Vec<_> = plan.iter().map(|e| (e.phase, e.role, e.action)).collect();
        use Action::*;
        use LifecyclePhase::*;
        use TestRole::*;
        assert_eq!(
            steps,
            [
                (Draining, Some(Metrics), StopChild),
                (Draining, Some(Api), Drain),
                (Draining, Some(Api), ReleaseLease),
                (Draining, Some(Api), StopChild),
                (Draining, Some(Store), ReleaseLease),
                (Draining, Some(Store), StopChild),
                (Stopped, None, JoinRoot),
            ]
        );
    }

    #[test]
    fn events_serialize_with_snake_case_names() {
        let event = LifecycleEvent::new(
            LifecyclePhase::Draining,
            Some(TestRole::Api),
            Action::ReleaseLease,
        );
        assert_eq!(
            serde_json::to_string(&event).ok().as_deref(),
            Some(r#"{"phase":"draining","role":"api","action":"release_lease"}"#)
        );
    }
}
