//! The spec a running app follows: the declared [`AppSpec`] with the
//! overrides of [`Options`] applied, built once at launch. The engine reads
//! every value it may override through it; the rest passes through.

use std::borrow::Cow;

use core::time::Duration;

use crate::spec::options::{Options, OverrideError, RoleOverrides};
use crate::spec::role::Role;
use crate::spec::{AppSpec, Budget, Readiness, RestartPolicy, StopAction, Strategy};

/// The declared spec, with each role's overridable values resolved.
#[derive(Debug)]
pub(crate) struct Effective<R: 'static> {
    declared: &'static AppSpec<R>,
    shutdown_timeout: Duration,
    /// Every role's values, made only when an override applies: without
    /// one, the declared spec is read as it is and costs nothing per role.
    roles: Option<Box<[Resolved]>>,
}

/// One role's values that an override may replace; the stop list is copied
/// only when a timeout in it changes.
#[derive(Debug)]
struct Resolved {
    restart: RestartPolicy,
    ready: Readiness,
    stop: Cow<'static, [StopAction]>,
}

impl<R: Role> Effective<R> {
    /// The declared spec as it is.
    pub(crate) fn declared(declared: &'static AppSpec<R>) -> Self {
        Effective {
            declared,
            shutdown_timeout: declared.shutdown_timeout(),
            roles: None,
        }
    }

    /// Every role's values, copied from the declared spec on first use.
    fn resolved(&mut self) -> &mut [Resolved] {
        let declared = self.declared;
        self.roles.get_or_insert_with(|| {
            (declared.roles().iter())
                .map(|&r| Resolved {
                    restart: declared.restart(r),
                    ready: declared.readiness(r),
                    stop: Cow::Borrowed(declared.stop_actions(r)),
                })
                .collect()
        })
    }

    fn resolved_of(&self, role: R) -> Option<&Resolved> {
        self.roles.as_deref()?.get(role.index())
    }

    /// The declared spec with `options`' overrides; the first one that
    /// cannot apply is the error, with the role it names (the first role
    /// for an app-wide one).
    pub(crate) fn new(
        declared: &'static AppSpec<R>,
        options: &Options,
    ) -> Result<Self, (Option<R>, OverrideError)> {
        let mut spec = Effective::declared(declared);
        if let Some(timeout) = options.shutdown_timeout {
            if timeout.is_zero() {
                return Err((None, OverrideError::ZeroShutdownTimeout));
            }
            spec.shutdown_timeout = timeout;
        }
        for (role, overrides) in options
            .role_overrides(declared.roles())
            .map_err(|e| (None, e))?
        {
            if let Some(resolved) = spec.resolved().get_mut(role.index()) {
                resolved.apply(&overrides).map_err(|e| (Some(role), e))?;
            }
        }
        Ok(spec)
    }

    pub(crate) fn roles(&self) -> &'static [R] {
        self.declared.roles()
    }

    pub(crate) fn stop_order(&self) -> &'static [R] {
        self.declared.stop_order()
    }

    pub(crate) fn dependencies(&self, role: R) -> &'static [R] {
        self.declared.dependencies(role)
    }

    pub(crate) fn dependents(&self, role: R) -> &'static [R] {
        self.declared.dependents(role)
    }

    pub(crate) fn after(&self, role: R) -> &'static [R] {
        self.declared.after(role)
    }

    pub(crate) fn followers(&self, role: R) -> &'static [R] {
        self.declared.followers(role)
    }

    pub(crate) fn is_optional(&self, role: R) -> bool {
        self.declared.is_optional(role)
    }

    pub(crate) fn lease(&self, role: R) -> &'static str {
        self.declared.lease(role)
    }

    pub(crate) fn watchdog(&self, role: R) -> Option<Duration> {
        self.declared.watchdog(role)
    }

    pub(crate) fn strategy(&self) -> Strategy {
        self.declared.strategy()
    }

    pub(crate) fn intensity(&self) -> Option<Budget> {
        self.declared.intensity()
    }

    pub(crate) fn shutdown_timeout(&self) -> Duration {
        self.shutdown_timeout
    }

    pub(crate) fn restart(&self, role: R) -> RestartPolicy {
        self.resolved_of(role)
            .map_or_else(|| self.declared.restart(role), |r| r.restart)
    }

    pub(crate) fn readiness(&self, role: R) -> Readiness {
        self.resolved_of(role)
            .map_or_else(|| self.declared.readiness(role), |r| r.ready)
    }

    pub(crate) fn stop_actions(&self, role: R) -> &[StopAction] {
        match self.resolved_of(role) {
            Some(r) => &r.stop,
            None => self.declared.stop_actions(role),
        }
    }
}

impl Resolved {
    /// Replaces what `overrides` gives, held to the macro's rules on the
    /// declared values.
    fn apply(&mut self, overrides: &RoleOverrides) -> Result<(), OverrideError> {
        if let Some(timeout) = overrides.ready_timeout {
            if timeout.is_zero() {
                return Err(OverrideError::ZeroReadyTimeout);
            }
            match &mut self.ready {
                Readiness::Signaled { timeout: t } | Readiness::Completed { timeout: t } => {
                    *t = timeout;
                }
                Readiness::Spawned => return Err(OverrideError::NoReadyTimeout),
            }
        }
        if let Some(timeout) = overrides.drain_timeout {
            if timeout.is_zero() {
                return Err(OverrideError::ZeroDrainTimeout);
            }
            let drain = self.stop.to_mut().iter_mut().find_map(|a| match a {
                StopAction::Drain { timeout: t, .. } => Some(t),
                _ => None,
            });
            *drain.ok_or(OverrideError::NoDrain)? = timeout;
        }
        if let Some(timeout) = overrides.stop_timeout {
            for action in self.stop.to_mut().iter_mut() {
                if let StopAction::Stop { timeout: t } = action {
                    *t = timeout;
                }
            }
        }
        if let Some(budget) = overrides.budget {
            if budget.max_restarts == 0 || budget.window.is_zero() {
                return Err(OverrideError::ZeroBudget);
            }
            match &mut self.restart {
                RestartPolicy::Permanent { budget: b, .. }
                | RestartPolicy::Transient { budget: b, .. } => *b = budget,
                RestartPolicy::Temporary | RestartPolicy::Critical => {
                    return Err(OverrideError::NoBudget);
                }
            }
        }
        Ok(())
    }
}
