//! The walks: `trace` (upstream), `track` (downstream) and the general [`FlowGraph::walk`],
//! iterative depth-first with a visited set, pairing sets and breadcrumb windows.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::graph::{Direction, FlowEvent, FlowGraph, FlowNode, Handle};
use crate::{Action, EconomicEventId, EconomicResourceId, ProcessId};

/// One node reached by a walk, with the node it was reached from (VF's `parent`, for drawing
/// the result as a tree) and its distance from the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowStep {
    /// The node.
    pub node: FlowNode,
    /// The node it was first reached from; `None` for the start.
    pub parent: Option<FlowNode>,
    /// Steps from the start.
    pub distance: u32,
}

impl FlowGraph {
    /// Everything upstream of `start` (VF `trace`), depth first, in the order visited; at most
    /// `limit` items.
    pub fn trace(&self, start: FlowNode, limit: Option<usize>) -> Vec<FlowNode> {
        self.walk(start, Direction::Upstream, limit).into_iter().map(|s| s.node).collect()
    }

    /// Everything downstream of `start` (VF `track`), depth first, in the order visited; at
    /// most `limit` items.
    pub fn track(&self, start: FlowNode, limit: Option<usize>) -> Vec<FlowNode> {
        self.walk(start, Direction::Downstream, limit).into_iter().map(|s| s.node).collect()
    }

    /// The walk behind [`FlowGraph::trace`] and [`FlowGraph::track`], with each node's parent
    /// and distance.
    pub fn walk(&self, start: FlowNode, direction: Direction, limit: Option<usize>) -> Vec<FlowStep> {
        let rules = WalkRules { direction, limit, max_depth: None, follow_containment: false };
        Walker::new(self, rules).run(start).into_iter().map(|v| v.step).collect()
    }
}

/// How a walk behaves.
#[derive(Debug, Clone, Copy)]
pub(super) struct WalkRules {
    pub(super) direction: Direction,
    pub(super) limit: Option<usize>,
    /// Deepest tree depth expanded (process tree only).
    pub(super) max_depth: Option<u32>,
    /// Follow every combine (upstream) / separate (downstream), unpaired.
    pub(super) follow_containment: bool,
}

/// A node on the walk's stack.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    pub(super) node: FlowNode,
    pub(super) parent: Option<FlowNode>,
    pub(super) distance: u32,
    /// Depth counting only resources and processes.
    pub(super) tree_depth: u32,
    /// For a resource reached through an event: that event (breadcrumb).
    pub(super) via: Option<Handle>,
}

/// A visited node, with what the process tree needs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Visit {
    pub(super) step: FlowStep,
    pub(super) tree_depth: u32,
    /// For an event: the node one step beyond it, if any.
    pub(super) beyond: Option<FlowNode>,
}

/// Key of the pairing sets: a resource in a process (pickup/dropoff, accept/modify) or a
/// resource alone (combine/separate).
pub(super) type PairKey = (Option<ProcessId>, EconomicResourceId);

/// Iterative depth-first walk with a visited set, pairing sets and breadcrumb windows.
pub(super) struct Walker<'g> {
    pub(super) graph: &'g FlowGraph,
    pub(super) rules: WalkRules,
    pub(super) stack: Vec<Frame>,
    pub(super) seen: HashSet<FlowNode>,
    /// The range already expanded for each resource, in positions of its event list (which
    /// cannot change during a walk: the walk borrows the graph).
    pub(super) covered: HashMap<EconomicResourceId, Range<usize>>,
    /// Open pairs: dropoff→pickup, modify→accept, separate→combine (mirrored downstream).
    pub(super) open: HashMap<(Action, PairKey), u32>,
    pub(super) out: Vec<Visit>,
}

impl<'g> Walker<'g> {
    pub(super) fn new(graph: &'g FlowGraph, rules: WalkRules) -> Self {
        Self {
            graph,
            rules,
            stack: Vec::new(),
            seen: HashSet::new(),
            covered: HashMap::new(),
            open: HashMap::new(),
            out: Vec::new(),
        }
    }

    pub(super) fn run(mut self, start: FlowNode) -> Vec<Visit> {
        self.stack.push(Frame { node: start, parent: None, distance: 0, tree_depth: 0, via: None });
        while let Some(frame) = self.stack.pop() {
            if self.rules.limit.is_some_and(|l| self.out.len() >= l) {
                break;
            }
            match frame.node {
                FlowNode::Event(id) => self.visit_event(frame, id),
                FlowNode::Resource(r) => self.visit_resource(frame, r),
                FlowNode::Process(_) => self.visit_process(frame),
            }
        }
        self.out
    }

    pub(super) fn emit(&mut self, frame: Frame, beyond: Option<FlowNode>) {
        let step = FlowStep { node: frame.node, parent: frame.parent, distance: frame.distance };
        self.out.push(Visit { step, tree_depth: frame.tree_depth, beyond });
    }

    /// Whether children of a node at `frame`'s tree depth may be expanded.
    pub(super) fn may_expand(&self, frame: Frame) -> bool {
        frame.node_is_event() || self.rules.max_depth.is_none_or(|m| frame.tree_depth < m)
    }

    /// Pushes `children` of `frame` so that the first is popped first.
    pub(super) fn push_children(&mut self, frame: Frame, children: Vec<(FlowNode, Option<Handle>)>) {
        for (node, via) in children.into_iter().rev() {
            let tree_depth = frame.tree_depth + u32::from(!matches!(node, FlowNode::Event(_)));
            let distance = frame.distance + 1;
            self.stack.push(Frame { node, parent: Some(frame.node), distance, tree_depth, via });
        }
    }

    pub(super) fn visit_event(&mut self, frame: Frame, id: EconomicEventId) {
        if self.seen.contains(&frame.node) {
            return;
        }
        let Some(&handle) = self.graph.by_id.get(&id) else {
            self.seen.insert(frame.node);
            self.emit(frame, None);
            return;
        };
        if !self.pairing_allows(self.graph.at(handle), frame.distance == 0) {
            return;
        }
        self.seen.insert(frame.node);
        let beyond = self.graph.event_step(handle, self.rules.direction);
        self.emit(frame, beyond);
        if let Some(next) = beyond.filter(|_| self.may_expand(frame)) {
            self.push_children(frame, vec![(next, Some(handle))]);
        }
    }

    pub(super) fn visit_process(&mut self, frame: Frame) {
        if !self.seen.insert(frame.node) {
            return;
        }
        self.emit(frame, None);
        if !self.may_expand(frame) {
            return;
        }
        let all = 0..self.graph.list(frame.node).len();
        let children = self.children_in(frame.node, all).into_iter().map(|(node, via, _)| (node, via)).collect();
        self.push_children(frame, children);
    }

    /// A resource is emitted once, but expanded again when reached through a later (trace) or
    /// earlier (track) event than before: only the newly uncovered events are followed.
    pub(super) fn visit_resource(&mut self, frame: Frame, r: EconomicResourceId) {
        // The breadcrumb window, in positions of the resource's list: the events recorded
        // before (trace) or after (track) the event the walk came through.
        let list = self.graph.list(frame.node);
        let n = list.len();
        let wanted = match (self.rules.direction, frame.via) {
            (_, None) => 0..n,
            (Direction::Upstream, Some(via)) => 0..self.graph.position(list, self.graph.key(via)),
            (Direction::Downstream, Some(via)) => {
                let key = self.graph.key(via);
                list.partition_point(|&h| self.graph.key(h) <= key)..n
            }
        };
        let fresh = self.seen.insert(frame.node);
        if fresh {
            self.emit(frame, None);
        }
        if !self.may_expand(frame) {
            return;
        }
        let pieces = match self.covered.get(&r) {
            None => vec![wanted.clone()],
            Some(done) => vec![wanted.start..wanted.end.min(done.start), wanted.start.max(done.end)..wanted.end],
        };
        let union = match self.covered.get(&r) {
            Some(done) if !done.is_empty() => done.start.min(wanted.start)..done.end.max(wanted.end),
            _ => wanted,
        };
        self.covered.insert(r, union);
        let mut children = Vec::new();
        for piece in pieces.into_iter().filter(|p| !p.is_empty()) {
            children.extend(self.children_in(frame.node, piece));
        }
        if self.rules.direction == Direction::Upstream {
            children.sort_by_key(|c| std::cmp::Reverse(c.2));
        } else {
            children.sort_by_key(|c| c.2);
        }
        self.push_children(frame, children.into_iter().map(|(node, via, _)| (node, via)).collect());
    }

    /// `node`'s neighbour events within `window` (positions in its list), in walk order, each
    /// with its handle and position.
    pub(super) fn children_in(&self, node: FlowNode, window: Range<usize>) -> Vec<(FlowNode, Option<Handle>, usize)> {
        self.graph
            .neighbour_events(node, self.rules.direction, window)
            .map(|(at, h)| (FlowNode::Event(self.graph.at(h).id), Some(h), at))
            .collect()
    }

    /// VF pairing: an event that closes a pair (pickup, accept, combine upstream; dropoff,
    /// modify, separate downstream) is followed only if its opener was seen, and consumes it;
    /// an opener records itself. Events without a resource are not paired. The start of the
    /// walk is always followed (VF adds it before the search).
    pub(super) fn pairing_allows(&mut self, e: &FlowEvent, is_start: bool) -> bool {
        let Some(r) = e.resource_inventoried_as else { return true };
        let (opener, closer) = match self.rules.direction {
            Direction::Upstream => {
                ([Action::Dropoff, Action::Modify, Action::Separate], [Action::Pickup, Action::Accept, Action::Combine])
            }
            Direction::Downstream => {
                ([Action::Pickup, Action::Accept, Action::Combine], [Action::Dropoff, Action::Modify, Action::Separate])
            }
        };
        let process =
            if matches!(e.action, Action::Combine | Action::Separate) { None } else { e.input_of.or(e.output_of) };
        if let Some(i) = opener.iter().position(|&a| a == e.action) {
            *self.open.entry((closer[i], (process, r))).or_default() += 1;
            return true;
        }
        if !closer.contains(&e.action) {
            return true;
        }
        if is_start || (self.rules.follow_containment && matches!(e.action, Action::Combine | Action::Separate)) {
            return true;
        }
        match self.open.get_mut(&(e.action, (process, r))) {
            Some(count) if *count > 0 => {
                *count -= 1;
                true
            }
            _ => false,
        }
    }
}

impl Frame {
    pub(super) fn node_is_event(self) -> bool {
        matches!(self.node, FlowNode::Event(_))
    }
}
