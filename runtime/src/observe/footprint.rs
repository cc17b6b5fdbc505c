//! What the supervisor itself keeps per role, for sizing big apps.

use core::fmt;

use serde::{Deserialize, Serialize};

/// The supervisor's own bytes per role, by part: what an app of many roles
/// costs beyond its tasks. Tokio's own allocations behind a channel or a
/// token are not counted; [`Footprint::total`] is the sum of the parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Footprint {
    /// The engine's slot for the role.
    pub slot: usize,
    /// The role's spec and its entry in the role list.
    pub spec: usize,
    /// Its row of the state table.
    pub state: usize,
    /// Its handle slot.
    pub handle: usize,
    /// The running incarnation's context.
    pub incarnation: usize,
    /// Its share of the bounded journal's records (which subscribers read
    /// in place).
    pub journal: usize,
}

impl Footprint {
    /// Every part together.
    pub fn total(&self) -> usize {
        self.slot + self.spec + self.state + self.handle + self.incarnation + self.journal
    }
}

impl fmt::Display for Footprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} B = slot {} + spec {} + state row {} + handle slot {} \
             + context {} + journal share {}",
            self.total(),
            self.slot,
            self.spec,
            self.state,
            self.handle,
            self.incarnation,
            self.journal
        )
    }
}
