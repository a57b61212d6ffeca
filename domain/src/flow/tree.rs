//! The process tree of a resource (`processTree`): the walk collapsed into resources and
//! processes joined by the events between them, for drawing.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::graph::{Direction, FlowGraph, FlowNode};
use super::walk::{Visit, WalkRules, Walker};
use crate::{Action, EconomicEventId, EconomicResourceId, Measure};

/// A node of a [`ProcessTree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeNode {
    /// A resource, a process, or an event that has no resource or process beyond it (a
    /// `work` input, the first `raise` of a resource, a transfer out to an untracked
    /// resource).
    pub node: FlowNode,
    /// Distance from the root in tree edges (events between nodes do not count).
    pub depth: u32,
}

/// An edge of a [`ProcessTree`], always in the direction value flows (input resource →
/// process → output resource), whichever way the tree was walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEdge {
    /// Upstream end.
    pub from: FlowNode,
    /// Downstream end.
    pub to: FlowNode,
    /// The event's resource quantity, else its effort quantity.
    pub quantity: Option<Measure>,
    /// The event's action.
    pub action: Option<Action>,
    /// The event the edge stands for.
    pub via: Option<EconomicEventId>,
}

/// The process tree of a resource: resources and processes (and leaf events) as nodes, the
/// events between them as edges with their quantities.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcessTree {
    /// Nodes, in walk order (the root first).
    pub nodes: Vec<TreeNode>,
    /// Edges, in walk order.
    pub edges: Vec<TreeEdge>,
}

impl FlowGraph {
    /// The process tree of `resource` (`Upstream`: what went into it; `Downstream`: what it
    /// went into), at most `max_depth` tree edges deep. Same walk as trace/track, except that
    /// components packed into a kit (`combine`/`separate`) are always followed, since they are
    /// part of the value that amalgamates into it.
    pub fn process_tree(
        &self,
        resource: EconomicResourceId,
        direction: Direction,
        max_depth: Option<u32>,
    ) -> ProcessTree {
        self.process_tree_within(resource, direction, max_depth, None)
    }

    /// [`FlowGraph::process_tree`] over a walk of at most `limit` nodes (events included), for
    /// a caller that bounds the work of one request on a large graph.
    pub fn process_tree_within(
        &self,
        resource: EconomicResourceId,
        direction: Direction,
        max_depth: Option<u32>,
        limit: Option<usize>,
    ) -> ProcessTree {
        let rules = WalkRules { direction, limit, max_depth, follow_containment: true };
        let visits = Walker::new(self, rules).run(FlowNode::Resource(resource));
        self.build_tree(&visits, direction, max_depth)
    }

    /// Collapses a walk into nodes and value-flow edges.
    pub(super) fn build_tree(&self, visits: &[Visit], direction: Direction, max_depth: Option<u32>) -> ProcessTree {
        let mut tree = ProcessTree::default();
        let depth_of: HashMap<FlowNode, u32> = visits
            .iter()
            .filter(|v| !matches!(v.step.node, FlowNode::Event(_)))
            .map(|v| (v.step.node, v.tree_depth))
            .collect();
        for v in visits {
            let FlowNode::Event(id) = v.step.node else {
                tree.nodes.push(TreeNode { node: v.step.node, depth: v.tree_depth });
                continue;
            };
            let (Some(handle), Some(near)) = (self.by_id.get(&id).copied(), v.step.parent) else { continue };
            let e = self.at(handle);
            let far = match v.beyond {
                Some(far) if depth_of.contains_key(&far) => far,
                Some(_) => continue,
                None => {
                    let depth = v.tree_depth + 1;
                    if max_depth.is_some_and(|m| depth > m) {
                        continue;
                    }
                    tree.nodes.push(TreeNode { node: v.step.node, depth });
                    v.step.node
                }
            };
            let (from, to) = match direction {
                Direction::Upstream => (far, near),
                Direction::Downstream => (near, far),
            };
            let quantity = e.resource_quantity.or(e.effort_quantity);
            tree.edges.push(TreeEdge { from, to, quantity, action: Some(e.action), via: Some(id) });
        }
        tree
    }
}
