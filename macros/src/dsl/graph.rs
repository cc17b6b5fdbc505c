//! The dependency graph: the one implementation of the topology rules
//! (unknown, self and repeated dependencies, required on optional, cycles)
//! and of the start order. Two kinds of edge: `depends_on` (start after it,
//! restart with it, read its handle) and `after` (start after it, only).
//!
//! Everything here is O(roles + edges): names resolve through one hash map,
//! repeats are found with a per-role stamp, cycles with one iterative DFS and
//! the order with Kahn's algorithm over a min-heap.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use syn::Ident;
use syn::ext::IdentExt;

use super::errors::{Errors, earlier_place};
use super::suggest::did_you_mean;

/// What the graph needs to know of one role.
pub struct Node<'a> {
    pub name: &'a Ident,
    pub optional: bool,
    pub depends_on: &'a [Ident],
    pub after: &'a [Ident],
}

/// What an edge means: both order the start; only `depends_on` ties restarts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    DependsOn,
    After,
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
    /// (already reported) the roles on it follow in declaration order, so
    /// the generated items stay usable.
    pub start_order: Vec<usize>,
}

/// Resolves `depends_on`, reports every topology mistake, computes the start order.
///
/// Role names must be unique (duplicates are removed before); `removed` are
/// the names of roles dropped for a clash, which `depends_on` may still name.
pub fn build(nodes: &[Node], removed: &HashSet<String>, errors: &mut Errors) -> Graph {
    let index: HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (text(n.name), i))
        .collect();
    let edges = resolve(nodes, &index, removed, errors);
    report_cycles(nodes, &edges, errors);
    let of_kind = |kind: Kind| -> Vec<Vec<usize>> {
        edges
            .iter()
            .map(|list| list.iter().filter(|e| e.2 == kind).map(|e| e.0).collect())
            .collect()
    };
    let dependencies = of_kind(Kind::DependsOn);
    let after = of_kind(Kind::After);
    let dependents = reverse(&dependencies);
    let followers = reverse(&after);
    let every: Vec<Vec<usize>> = edges
        .iter()
        .map(|list| list.iter().map(|e| e.0).collect())
        .collect();
    let start_order = kahn(&every, &reverse(&every));
    Graph {
        dependencies,
        dependents,
        after,
        followers,
        start_order,
    }
}

/// Who points at each role, in declaration order.
fn reverse(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut reversed = vec![Vec::new(); edges.len()];
    for (from, list) in edges.iter().enumerate() {
        for &to in list {
            reversed[to].push(from);
        }
    }
    reversed
}

/// A role's name as `depends_on` and messages write it: `r#type` is `type`.
fn text(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// Each role's valid edges, `depends_on` first, with the token naming them.
fn resolve<'a>(
    nodes: &'a [Node],
    index: &HashMap<String, usize>,
    removed: &HashSet<String>,
    errors: &mut Errors,
) -> Vec<Vec<(usize, &'a Ident, Kind)>> {
    // `stamp[d] == i + 1` when role `i` already listed `d` in `depends_on`
    // (`after_stamp`: in `after`): no per-role set to clear.
    let mut stamp = vec![0usize; nodes.len()];
    let mut after_stamp = vec![0usize; nodes.len()];
    let mut first_listed: Vec<Option<&Ident>> = vec![None; nodes.len()];
    let mut first_after: Vec<Option<&Ident>> = vec![None; nodes.len()];
    let mut edges = Vec::with_capacity(nodes.len());
    let mut unknown = Unknown::default();
    for (i, node) in nodes.iter().enumerate() {
        let mut list = Vec::with_capacity(node.depends_on.len() + node.after.len());
        let entries = node
            .depends_on
            .iter()
            .map(|ident| (ident, Kind::DependsOn))
            .chain(node.after.iter().map(|ident| (ident, Kind::After)));
        for (ident, kind) in entries {
            let dep = text(ident);
            if removed.contains(&dep) {
                // A role dropped for a clash, already reported: no "unknown role" too.
                continue;
            }
            let key = match kind {
                Kind::DependsOn => "depends_on",
                Kind::After => "after",
            };
            let Some(&d) = index.get(&dep) else {
                unknown.report(ident, &dep, key, nodes, errors);
                continue;
            };
            let name = text(node.name);
            if d == i {
                // A role cannot be ready before itself: it would never start.
                let verb = match kind {
                    Kind::DependsOn => "depends on",
                    Kind::After => "starts after",
                };
                errors.at(ident.span(), format!("role `{dep}` {verb} itself"));
                continue;
            }
            let (own, first) = match kind {
                Kind::DependsOn => (&mut stamp, &mut first_listed),
                Kind::After => (&mut after_stamp, &mut first_after),
            };
            if own[d] == i + 1 {
                let earlier = first[d].map_or(ident.span(), Ident::span);
                let place = earlier_place(earlier, ident.span());
                errors.at(
                    ident.span(),
                    format!("`{dep}` is listed twice in `{key}`, first {place}; remove one"),
                );
                continue;
            }
            own[d] = i + 1;
            first[d] = Some(ident);
            if kind == Kind::After && stamp[d] == i + 1 {
                // `depends_on` already orders the start; listing it twice
                // would leave a reader unsure which coupling holds.
                errors.at(
                    ident.span(),
                    format!(
                        "`{dep}` is in both `depends_on` and `after`; `depends_on` already \
                         starts `{name}` after it, so remove it from `after`"
                    ),
                );
                continue;
            }
            if kind == Kind::DependsOn && nodes[d].optional && !node.optional {
                // A required role must never lose a dependency at run time,
                // but an optional one may be disabled for good. (`after` only
                // orders: a disabled role is simply not waited for.)
                errors.at(
                    ident.span(),
                    format!(
                        "required role `{name}` cannot depend on optional role `{dep}`; \
                         make `{name}` optional too, or `{dep}` required"
                    ),
                );
            }
            list.push((d, ident, kind));
        }
        edges.push(list);
    }
    edges
}

/// Reports unknown dependencies; suggestions scan every role name, so only
/// the first few get one, keeping a broken 10,000-role app linear.
#[derive(Default)]
struct Unknown {
    names: Vec<String>,
    reported: usize,
}

impl Unknown {
    const SUGGESTIONS: usize = 32;

    fn report(&mut self, ident: &Ident, dep: &str, key: &str, nodes: &[Node], errors: &mut Errors) {
        if self.names.is_empty() {
            self.names = nodes.iter().map(|n| text(n.name)).collect();
        }
        let hint = if self.reported < Self::SUGGESTIONS {
            did_you_mean(dep, self.names.iter().map(String::as_str))
        } else {
            String::new()
        };
        self.reported += 1;
        errors.at(
            ident.span(),
            format!("unknown role `{dep}` in `{key}`{hint}"),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Color {
    Unvisited,
    OnPath,
    Done,
}

/// One error per back edge of a DFS (in declaration order), at the
/// dependency that closes the cycle, naming the whole path.
///
/// Every cycle contains a back edge and each back edge is reported once, so
/// a cycle is never reported twice, nor missed.
fn report_cycles(nodes: &[Node], edges: &[Vec<(usize, &Ident, Kind)>], errors: &mut Errors) {
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
            let Some(&(to, ident, _)) = edges[node].get(next) else {
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
                    let cycle: Vec<String> = path[position[to]..]
                        .iter()
                        .map(|(n, _)| text(nodes[*n].name))
                        .chain([text(nodes[to].name)])
                        .collect();
                    errors.at(
                        ident.span(),
                        format!("dependency cycle: `{}`", cycle.join(" -> ")),
                    );
                }
                Color::Done => {}
            }
        }
    }
}

/// Kahn's algorithm; among roles whose dependencies have all started, the
/// earliest declared goes first.
fn kahn(dependencies: &[Vec<usize>], dependents: &[Vec<usize>]) -> Vec<usize> {
    let mut waiting: Vec<usize> = dependencies.iter().map(Vec::len).collect();
    let mut ready: BinaryHeap<Reverse<usize>> = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    let mut order = Vec::with_capacity(dependencies.len());
    let mut placed = vec![false; dependencies.len()];
    while let Some(Reverse(role)) = ready.pop() {
        order.push(role);
        placed[role] = true;
        for &dependent in &dependents[role] {
            waiting[dependent] -= 1;
            if waiting[dependent] == 0 {
                ready.push(Reverse(dependent));
            }
        }
    }
    order.extend((0..dependencies.len()).filter(|&i| !placed[i]));
    order
}
