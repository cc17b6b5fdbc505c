//! `AppSpec::to_mermaid`: the topology as a Mermaid flowchart for docs and reviews.

use core::fmt::{self, Write};

use crate::spec::duration::DisplayDuration;
use crate::spec::role::Role;
use crate::spec::{AppSpec, Backoff, RestartPolicy};

impl<R: Role> AppSpec<R> {
    /// A `graph TD` flowchart: one node per role labelled with its restart
    /// policy, edges from each dependency to its dependents, optional roles
    /// drawn with rounded, dashed borders.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::new();
        // Writing to a `String` cannot fail.
        let _ = self.write_mermaid(&mut out);
        out
    }

    fn write_mermaid(&self, out: &mut String) -> fmt::Result {
        writeln!(out, "graph TD")?;
        // Nodes are named by index: a role may be called `end` or `graph`,
        // which Mermaid reserves.
        for &role in self.roles() {
            let policy = Policy(self.restart(role));
            if self.is_optional(role) {
                writeln!(
                    out,
                    "    r{}([\"{role}<br/>{policy}<br/>optional\"])",
                    role.index()
                )?;
            } else {
                writeln!(out, "    r{}[\"{role}<br/>{policy}\"]", role.index())?;
            }
        }
        for &role in self.roles() {
            for dependent in self.dependents(role) {
                writeln!(out, "    r{} --> r{}", role.index(), dependent.index())?;
            }
            // `after` only orders the start: a dotted edge.
            for follower in self.followers(role) {
                writeln!(out, "    r{} -.-> r{}", role.index(), follower.index())?;
            }
        }
        let optional: Vec<String> = self
            .roles()
            .iter()
            .filter(|r| self.is_optional(**r))
            .map(|r| format!("r{}", r.index()))
            .collect();
        if !optional.is_empty() {
            writeln!(out, "    classDef optional stroke-dasharray: 5 5")?;
            writeln!(out, "    class {} optional", optional.join(","))?;
        }
        Ok(())
    }
}

/// A restart policy as the DSL writes it: `permanent(3 per 5s)`.
struct Policy(RestartPolicy);

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, budget, backoff) = match self.0 {
            RestartPolicy::Permanent { budget, backoff } => ("permanent", budget, backoff),
            RestartPolicy::Transient { budget, backoff } => ("transient", budget, backoff),
            RestartPolicy::Temporary => return f.write_str("temporary"),
            RestartPolicy::Critical => return f.write_str("critical"),
        };
        let window = DisplayDuration(budget.window);
        write!(f, "{name}({} per {window}", budget.max_restarts)?;
        match backoff {
            Backoff::None => f.write_str(", backoff: none)"),
            Backoff::Fixed { delay } => write!(f, ", backoff: fixed({}))", DisplayDuration(delay)),
            Backoff::Exponential { min, max } => write!(
                f,
                ", backoff: exponential({}, {}))",
                DisplayDuration(min),
                DisplayDuration(max)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::test_app::spec;

    #[test]
    fn draws_roles_edges_and_optional_roles() {
        let expected = "\
graph TD
    r0[\"store<br/>critical\"]
    r1[\"api<br/>permanent(3 per 5s, backoff: exponential(10ms, 1s))\"]
    r2([\"metrics<br/>temporary<br/>optional\"])
    r0 --> r1
    r1 --> r2
    classDef optional stroke-dasharray: 5 5
    class r2 optional
";
        assert_eq!(spec().to_mermaid(), expected);
    }
}
