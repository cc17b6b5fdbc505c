//! The dependency graph, through the shared rules (`supervision_rules::graph`,
//! the one implementation of the topology rules and the start order): this
//! file only hands it the names and puts each mistake at its token.

use std::collections::HashSet;

use supervision_rules::graph::{self as rules, Edge, MistakeKind};
use syn::Ident;
use syn::ext::IdentExt;

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
    // Names as the lists and the messages write them: `r#type` is `type`.
    let text = |idents: &[Ident]| -> Vec<String> {
        idents.iter().map(|i| i.unraw().to_string()).collect()
    };
    let names: Vec<String> = nodes.iter().map(|n| n.name.unraw().to_string()).collect();
    let lists: Vec<(Vec<String>, Vec<String>)> = nodes
        .iter()
        .map(|n| (text(n.depends_on), text(n.after)))
        .collect();
    let plain: Vec<rules::Node<String>> = nodes
        .iter()
        .zip(&names)
        .zip(&lists)
        .map(|((node, name), (depends_on, after))| rules::Node {
            name,
            optional: node.optional,
            depends_on,
            after,
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
