//! Apps defined at run time: the declarations a [`Builder`](crate::Builder)
//! collects, checked with the rules the macro applies (the topology and
//! stop-list rules are the very same code, `supervision_rules`), then turned
//! into the `AppSpec` the engine runs.

use core::fmt;
use core::time::Duration;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use supervision_rules::graph::{self, MistakeKind};
use supervision_rules::limits::{WATCHDOG_MAX, WATCHDOG_MIN};
use supervision_rules::stop;

use crate::spec::role::{Role, packed_index};
use crate::spec::{AppSpec, Backoff, Budget, Readiness, RestartPolicy, RoleSpec, StopAction};

/// A role of an app defined at run time: what `<App>Role` is to a
/// `supervision!` app. Compares by position; shows and serializes as its
/// name, which is also its lease (a run-time name needs no `lease: ".."`: it
/// is any string already).
#[derive(Clone, Copy)]
pub struct RoleId {
    index: u32,
    lease: &'static str,
}

impl RoleId {
    /// Position of the role in declaration order.
    pub fn index(self) -> usize {
        self.index as usize
    }

    /// The role's name, as declared: also its lease.
    pub fn name(self) -> &'static str {
        self.lease
    }
}

impl Role for RoleId {
    fn index(self) -> usize {
        self.index as usize
    }

    fn name(self) -> &'static str {
        self.lease
    }
}

impl PartialEq for RoleId {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}

impl Eq for RoleId {}

impl PartialOrd for RoleId {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RoleId {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}

impl core::hash::Hash for RoleId {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}

impl fmt::Debug for RoleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoleId({}, {:?})", self.index, self.lease)
    }
}

impl fmt::Display for RoleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.lease)
    }
}

/// As its name, like a generated role. There is no `Deserialize`: a name
/// alone does not say which run-time app it belongs to; read stored events
/// of such an app back as `Event<String>`.
impl Serialize for RoleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.lease)
    }
}

/// One role as declared to the builder.
#[derive(Clone, Debug)]
pub(crate) struct RoleDecl {
    pub(crate) name: String,
    pub(crate) optional: bool,
    pub(crate) depends_on: Vec<String>,
    pub(crate) after: Vec<String>,
    pub(crate) restart: RestartPolicy,
    pub(crate) ready: Readiness,
    pub(crate) stop: Vec<StopAction>,
    pub(crate) watchdog: Option<Duration>,
    /// Its service implements `Drain`, so a `drain` stop action can run.
    pub(crate) drains: bool,
}

impl RoleDecl {
    pub(crate) fn new(name: String, drains: bool) -> Self {
        RoleDecl {
            name,
            optional: false,
            depends_on: Vec::new(),
            after: Vec::new(),
            restart: RestartPolicy::DEFAULT,
            ready: Readiness::Spawned,
            stop: StopAction::DEFAULT.to_vec(),
            watchdog: None,
            drains,
        }
    }
}

/// The whole app as declared to the builder.
#[derive(Clone, Debug)]
pub(crate) struct AppDecl {
    pub(crate) name: String,
    pub(crate) strategy: crate::spec::Strategy,
    pub(crate) intensity: Option<Budget>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) roles: Vec<RoleDecl>,
}

/// Why an app defined at run time cannot run: every broken rule, in
/// declaration order, as the macro would report them for a `supervision!` block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildError {
    /// The app's name.
    pub app: String,
    /// Each broken rule (never empty).
    pub mistakes: Vec<Mistake>,
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mistake {
    /// The role it is about, by name; `None` for an app-wide setting.
    pub role: Option<String>,
    /// Which rule.
    pub rule: Rule,
    /// What is wrong and how to fix it, in the macro's words.
    pub message: String,
}

/// The rules an app is held to, one per kind of mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// An app without roles.
    NoRoles,
    /// An empty app or role name.
    EmptyName,
    /// Two roles with one name (which is also their lease).
    DuplicateRole,
    /// A dependency or `after` entry naming no role.
    UnknownRole,
    /// A role listing itself.
    SelfDependency,
    /// A name listed twice in one list.
    RepeatedEntry,
    /// A name in both `depends_on` and `after`.
    InBothLists,
    /// A required role depending on an optional one.
    RequiredOnOptional,
    /// A dependency cycle.
    Cycle,
    /// A stop list out of shape (`[drain?, release_lease?, stop]`).
    StopList,
    /// A `drain` action on a service that does not implement `Drain`.
    DrainWithoutDrain,
    /// A zero duration or a budget of zero restarts.
    Zero,
    /// An exponential backoff whose minimum exceeds its maximum.
    BackoffOrder,
    /// A `watchdog` period outside 1ms..=24h, or on a one-shot job.
    Watchdog,
    /// `ready: completed` with a policy that restarts or ends the app on success.
    CompletedPolicy,
    /// An optional role that is `critical`.
    OptionalCritical,
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.role {
            Some(role) => write!(f, "role `{role}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.mistakes.len();
        let s = if n == 1 { "" } else { "s" };
        write!(f, "app `{}` has {n} mistake{s}", self.app)?;
        for mistake in &self.mistakes {
            write!(f, "\n  {mistake}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

/// The mistakes found so far, each with its role.
struct Findings {
    mistakes: Vec<Mistake>,
}

impl Findings {
    fn add(&mut self, role: Option<&str>, rule: Rule, message: impl Into<String>) {
        self.mistakes.push(Mistake {
            role: role.map(str::to_owned),
            rule,
            message: message.into(),
        });
    }

    /// Windows and timeouts of zero make no sense: a zero window never
    /// counts a restart, a zero timeout always expires.
    fn positive(&mut self, role: Option<&str>, value: Duration, what: &str) {
        if value.is_zero() {
            self.add(role, Rule::Zero, format!("{what} must be longer than zero"));
        }
    }

    /// A budget of zero restarts is `temporary` spelled wrong.
    fn budget(&mut self, role: Option<&str>, budget: Budget, window: &str) {
        if budget.max_restarts == 0 {
            self.add(
                role,
                Rule::Zero,
                "a budget of 0 restarts allows none; use `RestartPolicy::Temporary` for a role \
                 never restarted",
            );
        }
        self.positive(role, budget.window, window);
    }
}

/// Checks `decl` with every rule and makes its spec. The spec is leaked:
/// the engine reads it for as long as the process may run the app, as it
/// reads a `supervision!` app's `static`.
pub(crate) fn build(decl: AppDecl) -> Result<&'static AppSpec<RoleId>, BuildError> {
    let mut found = Findings {
        mistakes: Vec::new(),
    };
    check_app(&decl, &mut found);
    check_names(&decl.roles, &mut found);
    for role in &decl.roles {
        check_role(role, &mut found);
    }
    let nodes: Vec<graph::Node<String>> = decl
        .roles
        .iter()
        .map(|r| graph::Node {
            name: &r.name,
            optional: r.optional,
            depends_on: &r.depends_on,
            after: &r.after,
        })
        .collect();
    let (graph, mistakes) = graph::build(&nodes, |_| false);
    for mistake in mistakes {
        let rule = match mistake.kind {
            MistakeKind::Unknown { .. } => Rule::UnknownRole,
            MistakeKind::ItSelf { .. } => Rule::SelfDependency,
            MistakeKind::Repeated { .. } => Rule::RepeatedEntry,
            MistakeKind::InBoth { .. } => Rule::InBothLists,
            MistakeKind::RequiredOnOptional { .. } => Rule::RequiredOnOptional,
            MistakeKind::Cycle { .. } => Rule::Cycle,
        };
        let role = &decl.roles[mistake.at.role].name;
        found.add(Some(role), rule, mistake.to_string());
    }
    if !found.mistakes.is_empty() {
        return Err(BuildError {
            app: decl.name,
            mistakes: found.mistakes,
        });
    }
    Ok(leak(decl, graph))
}

/// An app without roles supervises nothing; a nameless one cannot be told apart.
fn check_app(decl: &AppDecl, found: &mut Findings) {
    if decl.name.is_empty() {
        found.add(None, Rule::EmptyName, "the app's name is empty");
    }
    if decl.roles.is_empty() {
        found.add(
            None,
            Rule::NoRoles,
            format!("app `{}` has no roles; add one with `role`", decl.name),
        );
    }
    if let Some(budget) = decl.intensity {
        found.budget(None, budget, "intensity window");
    }
    found.positive(None, decl.shutdown_timeout, "`shutdown_timeout`");
}

/// Lists name roles, and a role's name is its lease: two roles with one
/// would fight over it at run time.
fn check_names(roles: &[RoleDecl], found: &mut Findings) {
    let mut names: HashSet<&str> = HashSet::with_capacity(roles.len());
    for (i, role) in roles.iter().enumerate() {
        let name = role.name.as_str();
        if name.is_empty() {
            found.add(
                None,
                Rule::EmptyName,
                format!("role {} has an empty name", i + 1),
            );
        } else if !names.insert(name) {
            found.add(
                Some(name),
                Rule::DuplicateRole,
                format!("duplicate role `{name}`; rename or remove one"),
            );
        }
    }
}

fn check_role(role: &RoleDecl, found: &mut Findings) {
    let name = Some(role.name.as_str());
    if let Some((budget, backoff)) = role.restart.budget() {
        found.budget(name, budget, "restart window");
        check_backoff(name, backoff, found);
    }
    if role.optional && role.restart == RestartPolicy::Critical {
        // Disabled when it fails, or the end of the app: not both.
        found.add(
            name,
            Rule::OptionalCritical,
            format!(
                "optional role `{}` cannot be `critical`: an optional role is disabled when it \
                 fails, a critical one ends the app",
                role.name
            ),
        );
    }
    match role.ready {
        Readiness::Spawned => {}
        Readiness::Signaled { timeout } | Readiness::Completed { timeout } => {
            found.positive(name, timeout, "readiness timeout");
        }
    }
    if let Readiness::Completed { .. } = role.ready {
        check_completed_policy(role, found);
    }
    check_stop(role, found);
    if let Some(period) = role.watchdog {
        check_watchdog(role, period, found);
    }
}

/// Delays must be positive (`None` says "no delay"), and an exponential
/// backoff must grow from its minimum to its maximum.
fn check_backoff(role: Option<&str>, backoff: Backoff, found: &mut Findings) {
    match backoff {
        Backoff::None => {}
        Backoff::Fixed { delay } => found.positive(role, delay, "backoff delay"),
        Backoff::Exponential { min, max } => {
            found.positive(role, min, "backoff minimum");
            found.positive(role, max, "backoff maximum");
            if min > max {
                found.add(
                    role,
                    Rule::BackoffOrder,
                    format!(
                        "backoff minimum `{min:?}` is greater than its maximum `{max:?}`; swap them"
                    ),
                );
            }
        }
    }
}

/// `completed` means a clean exit is success: a policy that restarts on a
/// clean exit (`permanent`) or ends the app on it (`critical`) contradicts it.
fn check_completed_policy(role: &RoleDecl, found: &mut Findings) {
    let policy = match role.restart {
        RestartPolicy::Permanent { .. } => "permanent",
        RestartPolicy::Critical => "critical",
        RestartPolicy::Transient { .. } | RestartPolicy::Temporary => return,
    };
    found.add(
        Some(&role.name),
        Rule::CompletedPolicy,
        format!(
            "`Readiness::Completed` is for one-shot jobs and needs a transient or temporary \
             restart policy; this role is `{policy}`"
        ),
    );
}

/// The stop list's shape is the macro's rule (`supervision_rules::stop`);
/// a drain needs a service that can drain.
fn check_stop(role: &RoleDecl, found: &mut Findings) {
    let name = Some(role.name.as_str());
    let kinds: Vec<stop::Action> = role
        .stop
        .iter()
        .map(|action| match action {
            StopAction::Drain { .. } => stop::Action::Drain,
            StopAction::ReleaseLease => stop::Action::ReleaseLease,
            StopAction::Stop { .. } => stop::Action::Stop,
        })
        .collect();
    for mistake in stop::check(&kinds) {
        found.add(name, Rule::StopList, mistake.to_string());
    }
    for action in &role.stop {
        if let StopAction::Drain { timeout, .. } = *action {
            found.positive(name, timeout, "drain timeout");
            if !role.drains {
                found.add(
                    name,
                    Rule::DrainWithoutDrain,
                    "the stop list drains, but the service was added with `role`; add a \
                     service that implements `Drain` with `draining_role`",
                );
            }
        }
    }
}

/// Within the shared bounds (`supervision_rules::limits`), on a role that
/// keeps running.
fn check_watchdog(role: &RoleDecl, period: Duration, found: &mut Findings) {
    let name = Some(role.name.as_str());
    found.positive(name, period, "`watchdog` period");
    if !period.is_zero() && period < WATCHDOG_MIN {
        found.add(
            name,
            Rule::Watchdog,
            format!(
                "a `watchdog` of {period:?} is finer than the runtime's 1ms timers; use at least 1ms"
            ),
        );
    }
    if period > WATCHDOG_MAX {
        found.add(
            name,
            Rule::Watchdog,
            format!(
                "a `watchdog` of {period:?} is longer than a day, so a hang would go unnoticed \
                 that long; use at most 24h"
            ),
        );
    }
    if let Readiness::Completed { .. } = role.ready {
        found.add(
            name,
            Rule::Watchdog,
            "a one-shot job (`Readiness::Completed`) cannot have a `watchdog`: its timeout \
             already bounds it",
        );
    }
}

/// The checked declarations as the engine's spec, leaked once.
fn leak(decl: AppDecl, graph: graph::Graph) -> &'static AppSpec<RoleId> {
    let ids: &'static [RoleId] = Vec::leak(
        decl.roles
            .iter()
            .enumerate()
            .map(|(i, r)| RoleId {
                index: packed_index(i),
                lease: String::leak(r.name.clone()),
            })
            .collect(),
    );
    let list = |indices: &[usize]| -> &'static [RoleId] {
        if indices.is_empty() {
            return &[];
        }
        Vec::leak(indices.iter().map(|&i| ids[i]).collect())
    };
    let roles: Vec<RoleSpec<RoleId>> = decl
        .roles
        .into_iter()
        .enumerate()
        .map(|(i, r)| RoleSpec {
            role: ids[i],
            lease: ids[i].lease,
            optional: r.optional,
            dependencies: list(&graph.dependencies[i]),
            dependents: list(&graph.dependents[i]),
            after: list(&graph.after[i]),
            followers: list(&graph.followers[i]),
            restart: r.restart,
            ready: r.ready,
            stop: leak_stop(r.stop),
            watchdog: r.watchdog,
        })
        .collect();
    let start_order = list(&graph.start_order);
    let stop_order = Vec::leak(start_order.iter().rev().copied().collect());
    Box::leak(Box::new(AppSpec {
        name: String::leak(decl.name),
        strategy: decl.strategy,
        intensity: decl.intensity,
        shutdown_timeout: decl.shutdown_timeout,
        roles: Vec::leak(roles),
        all: ids,
        start_order,
        stop_order,
    }))
}

/// The default stop list is shared, not copied per role.
fn leak_stop(stop: Vec<StopAction>) -> &'static [StopAction] {
    if stop == StopAction::DEFAULT {
        StopAction::DEFAULT
    } else {
        Vec::leak(stop)
    }
}
