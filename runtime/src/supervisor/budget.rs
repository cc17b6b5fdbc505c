//! Sliding-window restart budgets: one per role, and the app-wide `intensity`.

use std::collections::VecDeque;

use tokio::time::Instant;

use crate::spec::Budget;

/// The restarts granted within the last `window`; at most `max_restarts` entries,
/// so a role's budget costs memory proportional to its own limit only.
#[derive(Debug, Default)]
pub(crate) struct Window {
    granted: VecDeque<Instant>,
}

impl Window {
    /// Grants one more restart if the budget allows it at `now`, returning how many
    /// restarts (this one included) now lie within the window; `None` when exhausted.
    pub(crate) fn try_grant(&mut self, budget: Budget, now: Instant) -> Option<u32> {
        // Compared as instants: cheaper than the time since each.
        while let Some(&oldest) = self.granted.front()
            && oldest
                .checked_add(budget.window)
                .is_some_and(|end| end <= now)
        {
            self.granted.pop_front();
        }
        let limit = usize::try_from(budget.max_restarts).unwrap_or(usize::MAX);
        if self.granted.len() >= limit {
            return None;
        }
        self.granted.push_back(now);
        Some(u32::try_from(self.granted.len()).unwrap_or(u32::MAX))
    }
}
