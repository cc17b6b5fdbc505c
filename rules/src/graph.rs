//! The dependency graph: the one implementation of the topology rules
//! (unknown, self and repeated dependencies, required on optional, cycles)
//! and of the start order. Two kinds of edge: `depends_on` (start after it,
//! restart with it, read its handle) and `after` (start after it, only).
//!
//! Everything here is O(roles + edges): names resolve through one hash map,
//! repeats are found with a per-role stamp, cycles with one iterative DFS and
//! the order with Kahn's algorithm over a min-heap.

use core::fmt;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::suggest::did_you_mean;

/// What the graph needs to know of one role: its name and the names it lists.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a, S> {
    /// The role's name, as lists write it.
    pub name: &'a str,
    /// Whether the role may be disabled for good.
    pub optional: bool,
    /// Its `depends_on` list, as written.
    pub depends_on: &'a [S],
    /// Its `after` list, as written.
    pub after: &'a [S],
}

/// What an edge means: both order the start; only `depends_on` ties restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Edge {
    /// Start after it, restart with it, read its handle.
    DependsOn,
    /// Start after it, only.
    After,
}

impl Edge {
    /// The key that lists this kind of edge.
    pub fn key(self) -> &'static str {
        match self {
            Edge::DependsOn => "depends_on",
            Edge::After => "after",
        }
    }
}

/// One entry of a role's lists: the `position`-th name of its `edge` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The listing role, by declaration index.
    pub role: usize,
    /// Which of its lists.
    pub edge: Edge,
    /// The position in that list.
    pub position: usize,
}

/// One broken topology rule, at the entry that breaks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    /// The entry to change.
    pub at: Entry,
    /// The rule it breaks.
    pub kind: MistakeKind,
}

/// Which rule an entry breaks. Names are as written, for the messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MistakeKind {
    /// No role has this name; `hint` is ", did you mean `x`?" or empty.
    Unknown {
        /// The name listed.
        name: String,
        /// The suggestion, to append to the message.
        hint: String,
    },
    /// The role lists itself: it would never start.
    ItSelf {
        /// Its name.
        name: String,
    },
    /// The name was listed already, at `first` (a position in the same list).
    Repeated {
        /// The name listed twice.
        name: String,
        /// The position of its first listing.
        first: usize,
    },
    /// An `after` entry that is also in `depends_on`.
    InBoth {
        /// The listing role.
        role: String,
        /// The name in both lists.
        name: String,
    },
    /// A required role depends on an optional one.
    RequiredOnOptional {
        /// The required role.
        role: String,
        /// The optional dependency.
        name: String,
    },
    /// The entry closes a cycle; `path` starts and ends at the same role.
    Cycle {
        /// The roles on the cycle, the first repeated at the end.
        path: Vec<String>,
    },
}

impl Mistake {
    /// The message, as shown at the entry: `first` says where the first
    /// listing of a repeat is ("on line 6" for the macro).
    pub fn message(&self, first: &str) -> String {
        let key = self.at.edge.key();
        match &self.kind {
            MistakeKind::Unknown { name, hint } => {
                format!("unknown role `{name}` in `{key}`{hint}")
            }
            MistakeKind::ItSelf { name } => {
                let verb = match self.at.edge {
                    Edge::DependsOn => "depends on",
                    Edge::After => "starts after",
                };
                format!("role `{name}` {verb} itself")
            }
            MistakeKind::Repeated { name, .. } => {
                format!("`{name}` is listed twice in `{key}`, first {first}; remove one")
            }
            MistakeKind::InBoth { role, name } => format!(
                "`{name}` is in both `depends_on` and `after`; `depends_on` already \
                 starts `{role}` after it, so remove it from `after`"
            ),
            MistakeKind::RequiredOnOptional { role, name } => format!(
                "required role `{role}` cannot depend on optional role `{name}`; \
                 make `{role}` optional too, or `{name}` required"
            ),
            MistakeKind::Cycle { path } => format!("dependency cycle: `{}`", path.join(" -> ")),
        }
    }
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = match self.kind {
            MistakeKind::Repeated { first, .. } => format!("at position {}", first + 1),
            _ => String::new(),
        };
        f.write_str(&self.message(&first))
    }
}

/// The resolved graph, by role index (declaration order).
#[derive(Debug, PartialEq, Eq)]
pub struct Graph {
    /// Direct dependencies, as declared, minus the rejected ones.
    pub dependencies: Vec<Vec<usize>>,
    /// Direct dependents, in declaration order.
    pub dependents: Vec<Vec<usize>>,
    /// The `after` lists, as declared, minus the rejected entries.
    pub after: Vec<Vec<usize>>,
    /// The roles listing each role in their `after`, in declaration order.
    pub followers: Vec<Vec<usize>>,
    /// Kahn's order, earliest declared first among ready roles. With a cycle
    /// (a mistake) the roles on it follow in declaration order, so a caller
    /// reporting it still has a usable order.
    pub start_order: Vec<usize>,
}

/// Resolves the lists, finds every topology mistake (in declaration order,
/// cycles last), computes the start order.
///
/// Role names should be unique: a name declared twice resolves to its first
/// role. A listed name for which `ignored` holds (a
/// role the caller already rejected) is skipped without a mistake.
pub fn build<S: AsRef<str>>(
    nodes: &[Node<'_, S>],
    ignored: impl Fn(&str) -> bool,
) -> (Graph, Vec<Mistake>) {
    // A repeated name (a mistake the caller reports) means its first role.
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        index.entry(node.name).or_insert(i);
    }
    let mut mistakes = Vec::new();
    let edges = resolve(nodes, &index, &ignored, &mut mistakes);
    find_cycles(nodes, &edges, &mut mistakes);
    let of_kind = |kind: Edge| -> Vec<Vec<usize>> {
        edges
            .iter()
            .map(|list| {
                list.iter()
                    .filter(|e| e.1.edge == kind)
                    .map(|e| e.0)
                    .collect()
            })
            .collect()
    };
    let dependencies = of_kind(Edge::DependsOn);
    let after = of_kind(Edge::After);
    let dependents = reverse(&dependencies);
    let followers = reverse(&after);
    let start_order = kahn(&edges);
    let graph = Graph {
        dependencies,
        dependents,
        after,
        followers,
        start_order,
    };
    (graph, mistakes)
}

/// Who points at each role, in declaration order; each list allocated once,
/// at its size.
fn reverse(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut counts = vec![0usize; edges.len()];
    for &to in edges.iter().flatten() {
        counts[to] += 1;
    }
    let mut reversed: Vec<Vec<usize>> = counts.into_iter().map(Vec::with_capacity).collect();
    for (from, list) in edges.iter().enumerate() {
        for &to in list {
            reversed[to].push(from);
        }
    }
    reversed
}

/// Each role's valid edges, `depends_on` first, with the entry naming them.
fn resolve<S: AsRef<str>>(
    nodes: &[Node<'_, S>],
    index: &HashMap<&str, usize>,
    ignored: &impl Fn(&str) -> bool,
    mistakes: &mut Vec<Mistake>,
) -> Vec<Vec<(usize, Entry)>> {
    // `stamp[d] == i + 1` when role `i` already listed `d` in `depends_on`
    // (`after_stamp`: in `after`): no per-role set to clear.
    let mut stamp = vec![0usize; nodes.len()];
    let mut after_stamp = vec![0usize; nodes.len()];
    let mut first_listed = vec![0usize; nodes.len()];
    let mut first_after = vec![0usize; nodes.len()];
    let mut edges = Vec::with_capacity(nodes.len());
    let mut unknown = Unknown::default();
    for (i, node) in nodes.iter().enumerate() {
        let mut list = Vec::with_capacity(node.depends_on.len() + node.after.len());
        let entries = (node.depends_on.iter().enumerate())
            .map(|(p, name)| (p, name, Edge::DependsOn))
            .chain((node.after.iter().enumerate()).map(|(p, name)| (p, name, Edge::After)));
        for (position, dep, edge) in entries {
            let dep = dep.as_ref();
            let at = Entry {
                role: i,
                edge,
                position,
            };
            let mut report = |kind| mistakes.push(Mistake { at, kind });
            if ignored(dep) {
                continue;
            }
            let Some(&d) = index.get(dep) else {
                report(unknown.kind(dep, nodes));
                continue;
            };
            // Names are copied only into a mistake: a valid edge allocates nothing.
            let name = || dep.to_owned();
            let role = || node.name.to_owned();
            if d == i {
                // A role cannot be ready before itself: it would never start.
                report(MistakeKind::ItSelf { name: name() });
                continue;
            }
            let (own, first) = match edge {
                Edge::DependsOn => (&mut stamp, &mut first_listed),
                Edge::After => (&mut after_stamp, &mut first_after),
            };
            if own[d] == i + 1 {
                report(MistakeKind::Repeated {
                    name: name(),
                    first: first[d],
                });
                continue;
            }
            own[d] = i + 1;
            first[d] = position;
            if edge == Edge::After && stamp[d] == i + 1 {
                // `depends_on` already orders the start; listing it twice
                // would leave a reader unsure which coupling holds.
                report(MistakeKind::InBoth {
                    role: role(),
                    name: name(),
                });
                continue;
            }
            if edge == Edge::DependsOn && nodes[d].optional && !node.optional {
                // A required role must never lose a dependency at run time,
                // but an optional one may be disabled for good. (`after` only
                // orders: a disabled role is simply not waited for.)
                report(MistakeKind::RequiredOnOptional {
                    role: role(),
                    name: name(),
                });
            }
            list.push((d, at));
        }
        edges.push(list);
    }
    edges
}

/// Unknown names; suggestions scan every role name, so only the first few
/// get one, keeping a broken 10,000-role app linear.
#[derive(Default)]
struct Unknown {
    reported: usize,
}

impl Unknown {
    const SUGGESTIONS: usize = 32;

    fn kind<S>(&mut self, dep: &str, nodes: &[Node<'_, S>]) -> MistakeKind {
        let hint = if self.reported < Self::SUGGESTIONS {
            did_you_mean(dep, nodes.iter().map(|n| n.name))
        } else {
            String::new()
        };
        self.reported += 1;
        MistakeKind::Unknown {
            name: dep.to_owned(),
            hint,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Color {
    Unvisited,
    OnPath,
    Done,
}

/// One mistake per back edge of a DFS (in declaration order), at the
/// entry that closes the cycle, naming the whole path.
///
/// Every cycle contains a back edge and each back edge is reported once, so
/// a cycle is never reported twice, nor missed.
fn find_cycles<S>(
    nodes: &[Node<'_, S>],
    edges: &[Vec<(usize, Entry)>],
    mistakes: &mut Vec<Mistake>,
) {
    let mut color = vec![Color::Unvisited; nodes.len()];
    // The current DFS path: (role, next edge to follow).
    let mut path: Vec<(usize, usize)> = Vec::new();
    let mut position = vec![0usize; nodes.len()];
    for root in 0..nodes.len() {
        if color[root] != Color::Unvisited {
            continue;
        }
        color[root] = Color::OnPath;
        path.push((root, 0));
        while let Some(top) = path.last_mut() {
            let (node, next) = *top;
            let Some(&(to, at)) = edges[node].get(next) else {
                color[node] = Color::Done;
                path.pop();
                continue;
            };
            top.1 += 1;
            match color[to] {
                Color::Unvisited => {
                    color[to] = Color::OnPath;
                    position[to] = path.len();
                    path.push((to, 0));
                }
                Color::OnPath => {
                    let path = path[position[to]..]
                        .iter()
                        .map(|(n, _)| nodes[*n].name.to_owned())
                        .chain([nodes[to].name.to_owned()])
                        .collect();
                    mistakes.push(Mistake {
                        at,
                        kind: MistakeKind::Cycle { path },
                    });
                }
                Color::Done => {}
            }
        }
    }
}

/// Kahn's algorithm over every valid edge; among roles whose dependencies
/// have all started, the earliest declared goes first.
fn kahn(edges: &[Vec<(usize, Entry)>]) -> Vec<usize> {
    let n = edges.len();
    let mut waiting: Vec<usize> = edges.iter().map(Vec::len).collect();
    // The roles waiting on each role, in declaration order, in one list:
    // those of role `r` are `waiters[first[r]..first[r + 1]]`.
    let mut first = vec![0usize; n + 1];
    for &(to, _) in edges.iter().flatten() {
        first[to + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut next = first.clone();
    let mut waiters = vec![0usize; first[n]];
    for (from, list) in edges.iter().enumerate() {
        for &(to, _) in list {
            waiters[next[to]] = from;
            next[to] += 1;
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while let Some(Reverse(role)) = ready.pop() {
        order.push(role);
        placed[role] = true;
        for &dependent in &waiters[first[role]..first[role + 1]] {
            waiting[dependent] -= 1;
            if waiting[dependent] == 0 {
                ready.push(Reverse(dependent));
            }
        }
    }
    order.extend((0..n).filter(|&i| !placed[i]));
    order
}
