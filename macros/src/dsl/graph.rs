//! The dependency graph, through the shared rules (`supervision_rules::graph`,
//! the one implementation of the topology rules and the start order): this
//! file only hands it the names and puts each mistake at its token.

use std::collections::HashSet;
use std::fmt::Write as _;

use supervision_rules::graph::{self as rules, Edge, MistakeKind};
use syn::Ident;

use super::errors::{Errors, earlier_place};

pub use supervision_rules::graph::Graph;

/// What the graph needs to know of one role.
pub struct Node<'a> {
    pub name: &'a Ident,
    pub optional: bool,
    pub depends_on: &'a [Ident],
    pub after: &'a [Ident],
}

/// Resolves `depends_on` and `after`, reports every topology mistake at the
/// entry that makes it, computes the start order.
///
/// Role names must be unique (duplicates are removed before); `removed` are
/// the names of roles dropped for a clash, which the lists may still name.
pub fn build(nodes: &[Node], removed: &HashSet<String>, errors: &mut Errors) -> Graph {
    // Names as the lists and the messages write them (`r#type` is `type`),
    // the role's own and then its lists', written one after another into
    // one buffer: no allocation per name.
    let count: usize = nodes
        .iter()
        .map(|n| 1 + n.depends_on.len() + n.after.len())
        .sum();
    let mut text = String::with_capacity(count * 8);
    let mut ends = Vec::with_capacity(count);
    for node in nodes {
        let idents = (node.depends_on.iter()).chain(node.after);
        for ident in std::iter::once(node.name).chain(idents) {
            let start = text.len();
            let _ = write!(text, "{ident}");
            if text[start..].starts_with("r#") {
                text.replace_range(start..start + 2, "");
            }
            ends.push(text.len());
        }
    }
    let starts = std::iter::once(0).chain(ends.iter().copied());
    let names: Vec<&str> = starts.zip(&ends).map(|(a, &b)| &text[a..b]).collect();
    let mut rest = names.as_slice();
    let plain: Vec<rules::Node<&str>> = nodes
        .iter()
        .map(|node| {
            let (name, lists) = rest.split_first().unwrap_or((&"", &[]));
            let (depends_on, lists) = lists.split_at(node.depends_on.len().min(lists.len()));
            let (after, lists) = lists.split_at(node.after.len().min(lists.len()));
            rest = lists;
            rules::Node {
                name,
                optional: node.optional,
                depends_on,
                after,
            }
        })
        .collect();
    let (graph, mistakes) = rules::build(&plain, |name| removed.contains(name));
    for mistake in mistakes {
        let list = |edge| match edge {
            Edge::DependsOn => nodes[mistake.at.role].depends_on,
            Edge::After => nodes[mistake.at.role].after,
        };
        let here = &list(mistake.at.edge)[mistake.at.position];
        let first = match mistake.kind {
            MistakeKind::Repeated { first, .. } => {
                earlier_place(list(mistake.at.edge)[first].span(), here.span())
            }
            _ => String::new(),
        };
        errors.at(here.span(), mistake.message(&first));
    }
    graph
}
