//! Track and trace over the flow graph: where a resource came from, where it went, and the
//! process tree that shows how value amalgamates into a product.
//!
//! Why: tracing a deliverable back to every contribution is what the value engine and the
//! analysts of an OVN need, and the graph can have 100,000+ nodes. So the walks here are
//! pure functions over an in-memory slice of the graph ([`FlowGraph`]) that persistence loads
//! level by level in a few batched queries ([`SliceLoader`]); they are iterative (an explicit
//! stack, never recursion on the Rust stack) and keep a visited set, so cycles never hang.
//!
//! The rules follow VF 1.0 (`algorithms/track.md`):
//! - one step ([`FlowGraph::previous`] / [`FlowGraph::next`]): a resource's previous are the
//!   process outputs into it, the transfers/moves/copies into it (`toResourceInventoriedAs`)
//!   and raise/lower events on it; an event's previous is its output process, else its
//!   resource; a process's previous are its inputs. `next` mirrors this: a resource's next are
//!   the events that take from it (not the outputs into it, nor raises, which are its past);
//!   an event's next is its input process, else (output or raise) its resource, else its
//!   to-resource (VF's pseudocode forgets the raise, which would leave it a dead end);
//!   a process's next are its outputs.
//! - pairing: a trace follows a `pickup` only when it came through the matching `dropoff` of
//!   the same resource in the same process, an `accept` only through the matching `modify`
//!   (same resource, same process), and a `combine` only when the resource was seen
//!   `separate`d (same resource, any process: packing and unpacking are different processes).
//!   Track mirrors it. So a trace does not fan out into everything else a truck carried, a
//!   repair shop fixed or a box held.
//! - breadcrumbs: when a walk reaches a resource through an event, it only follows that
//!   resource's events recorded *before* that event (trace) or *after* it (track). This is
//!   VF's `previousEvent` breadcrumb, derived from recording order (`created`, then the
//!   time-ordered id) instead of stored, and it is what makes a resource that passes through
//!   the same kind of process again and again trace correctly.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Action, EconomicEventId, EconomicResourceId, Measure, ProcessId};

/// The fields of an economic event that track and trace need, as persistence loads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowEvent {
    /// The event.
    pub id: EconomicEventId,
    /// `action`.
    pub action: Action,
    /// `resourceInventoriedAs`.
    pub resource_inventoried_as: Option<EconomicResourceId>,
    /// `toResourceInventoriedAs`.
    pub to_resource_inventoried_as: Option<EconomicResourceId>,
    /// `inputOf`.
    pub input_of: Option<ProcessId>,
    /// `outputOf`.
    pub output_of: Option<ProcessId>,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// When it happened (`hasPointInTime`, else `hasEnd`/`hasBeginning`), for display.
    pub has_point_in_time: DateTime<Utc>,
    /// When it was recorded (system time): with the id, the recording order the breadcrumbs
    /// follow.
    pub created: DateTime<Utc>,
    /// `corrects`.
    pub corrects: Option<EconomicEventId>,
}

/// A node of the flow graph: vf-graphql's `TrackTraceItem`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FlowNode {
    /// An `EconomicEvent`.
    Event(EconomicEventId),
    /// An `EconomicResource`.
    Resource(EconomicResourceId),
    /// A `Process`.
    Process(ProcessId),
}

/// Which way a walk goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// Backwards, towards origins (trace, `previous`).
    Upstream,
    /// Forwards, towards uses (track, `next`).
    Downstream,
}

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

/// Whether `e` is one of resource `r`'s previous events: an output into it, a
/// transfer/move/copy into it, or a raise/lower on it.
fn is_previous_of_resource(e: &FlowEvent, r: EconomicResourceId) -> bool {
    let on_it = e.resource_inventoried_as == Some(r);
    (on_it && (e.output_of.is_some() || matches!(e.action, Action::Raise | Action::Lower)))
        || e.to_resource_inventoried_as == Some(r)
}

/// Whether `e` is one of resource `r`'s next events: it takes from `r` and is not part of
/// `r`'s past (an output into it, or a raise).
fn is_next_of_resource(e: &FlowEvent, r: EconomicResourceId) -> bool {
    e.resource_inventoried_as == Some(r) && e.output_of.is_none() && e.action != Action::Raise
}

/// Whether `e` is a previous (inputs) or next (outputs) event of process `p`.
fn is_step_of_process(e: &FlowEvent, p: ProcessId, direction: Direction) -> bool {
    match direction {
        Direction::Upstream => e.input_of == Some(p),
        Direction::Downstream => e.output_of == Some(p),
    }
}

/// Whether `e` is a neighbour event of `node` in `direction`.
fn is_step_of(e: &FlowEvent, node: FlowNode, direction: Direction) -> bool {
    match (node, direction) {
        (FlowNode::Resource(r), Direction::Upstream) => is_previous_of_resource(e, r),
        (FlowNode::Resource(r), Direction::Downstream) => is_next_of_resource(e, r),
        (FlowNode::Process(p), d) => is_step_of_process(e, p, d),
        (FlowNode::Event(_), _) => false,
    }
}

/// The node one step from event `e` in `direction`, ignoring breadcrumbs.
fn event_step(e: &FlowEvent, direction: Direction) -> Option<FlowNode> {
    match direction {
        Direction::Upstream => {
            e.output_of.map(FlowNode::Process).or_else(|| e.resource_inventoried_as.map(FlowNode::Resource))
        }
        Direction::Downstream => e.input_of.map(FlowNode::Process).or_else(|| {
            if e.output_of.is_some() || e.action == Action::Raise {
                e.resource_inventoried_as.map(FlowNode::Resource)
            } else {
                e.to_resource_inventoried_as.map(FlowNode::Resource)
            }
        }),
    }
}

/// An in-memory slice of the flow graph, indexed for walking. Events are kept in recording
/// order (`created`, then id); an event's position in that order is its *sequence number*.
#[derive(Debug, Clone, Default)]
pub struct FlowGraph {
    events: Vec<FlowEvent>,
    by_id: HashMap<EconomicEventId, usize>,
    /// Sequence numbers of the events touching each resource (as from or to), ascending.
    by_resource: HashMap<EconomicResourceId, Vec<usize>>,
    /// Sequence numbers of the events linked to each process (input or output), ascending.
    by_process: HashMap<ProcessId, Vec<usize>>,
}

impl FlowGraph {
    /// Indexes `events` (duplicates by id are dropped).
    pub fn new(mut events: Vec<FlowEvent>) -> Self {
        events.sort_by_key(|e| (e.created, e.id));
        events.dedup_by_key(|e| e.id);
        let mut graph = Self { events, ..Self::default() };
        for (seq, e) in graph.events.iter().enumerate() {
            graph.by_id.insert(e.id, seq);
            let resources = [e.resource_inventoried_as, e.to_resource_inventoried_as];
            for (i, r) in resources.into_iter().enumerate() {
                // A whole resource changing hands names itself twice: index it once.
                if let Some(r) = r.filter(|r| i == 0 || e.resource_inventoried_as != Some(*r)) {
                    graph.by_resource.entry(r).or_default().push(seq);
                }
            }
            for p in [e.input_of, e.output_of].into_iter().flatten().collect::<BTreeSet<_>>() {
                graph.by_process.entry(p).or_default().push(seq);
            }
        }
        graph
    }

    /// Every event, in recording order.
    pub fn events(&self) -> &[FlowEvent] {
        &self.events
    }

    /// The event with this id, if it is in the slice.
    pub fn event(&self, id: EconomicEventId) -> Option<&FlowEvent> {
        self.by_id.get(&id).map(|&seq| &self.events[seq])
    }

    /// VF's `previousEvent` breadcrumb of an event, derived: the event recorded just before it
    /// on its `resourceInventoriedAs`.
    pub fn previous_event(&self, id: EconomicEventId) -> Option<EconomicEventId> {
        let seq = *self.by_id.get(&id)?;
        let r = self.events[seq].resource_inventoried_as?;
        let on_r = self.by_resource.get(&r)?;
        let at = on_r.partition_point(|&s| s < seq);
        at.checked_sub(1).map(|i| self.events[on_r[i]].id)
    }

    /// The items exactly one flow step backwards (VF `previous`), most recent first.
    pub fn previous(&self, node: FlowNode) -> Vec<FlowNode> {
        self.step(node, Direction::Upstream)
    }

    /// The items exactly one flow step forwards (VF `next`), oldest first.
    pub fn next(&self, node: FlowNode) -> Vec<FlowNode> {
        self.step(node, Direction::Downstream)
    }

    /// One step from `node`, with no breadcrumb bound.
    fn step(&self, node: FlowNode, direction: Direction) -> Vec<FlowNode> {
        match node {
            FlowNode::Event(id) => {
                self.by_id.get(&id).and_then(|&s| self.event_step(s, direction)).into_iter().collect()
            }
            other => self
                .neighbour_events(other, direction, 0..self.events.len())
                .map(|s| FlowNode::Event(self.events[s].id))
                .collect(),
        }
    }

    /// The node one step from event `seq`: as [`event_step`], except that upstream a raise or
    /// lower with no earlier event on its resource has nothing before it (VF).
    fn event_step(&self, seq: usize, direction: Direction) -> Option<FlowNode> {
        let e = &self.events[seq];
        let first_raise = direction == Direction::Upstream
            && e.output_of.is_none()
            && matches!(e.action, Action::Raise | Action::Lower)
            && self.previous_event(e.id).is_none();
        if first_raise { None } else { event_step(e, direction) }
    }

    /// The sequence numbers of `node`'s neighbour events within `window`, in walk order:
    /// most recent first upstream, oldest first downstream.
    fn neighbour_events(
        &self,
        node: FlowNode,
        direction: Direction,
        window: Range<usize>,
    ) -> impl Iterator<Item = usize> + '_ {
        let list: &[usize] = match node {
            FlowNode::Resource(r) => self.by_resource.get(&r).map_or(&[], Vec::as_slice),
            FlowNode::Process(p) => self.by_process.get(&p).map_or(&[], Vec::as_slice),
            FlowNode::Event(_) => &[],
        };
        let start = list.partition_point(|&s| s < window.start);
        let end = list.partition_point(|&s| s < window.end);
        let slice = &list[start..end];
        let ordered: Box<dyn Iterator<Item = &usize> + '_> = match direction {
            Direction::Upstream => Box::new(slice.iter().rev()),
            Direction::Downstream => Box::new(slice.iter()),
        };
        ordered.copied().filter(move |&s| is_step_of(&self.events[s], node, direction))
    }

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
        let rules = WalkRules { direction, limit: None, max_depth, follow_containment: true };
        let visits = Walker::new(self, rules).run(FlowNode::Resource(resource));
        self.build_tree(&visits, direction, max_depth)
    }

    /// Collapses a walk into nodes and value-flow edges.
    fn build_tree(&self, visits: &[Visit], direction: Direction, max_depth: Option<u32>) -> ProcessTree {
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
            let (Some(seq), Some(near)) = (self.by_id.get(&id).copied(), v.step.parent) else { continue };
            let e = &self.events[seq];
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

/// How a walk behaves.
#[derive(Debug, Clone, Copy)]
struct WalkRules {
    direction: Direction,
    limit: Option<usize>,
    /// Deepest tree depth expanded (process tree only).
    max_depth: Option<u32>,
    /// Follow every combine (upstream) / separate (downstream), unpaired.
    follow_containment: bool,
}

/// A node on the walk's stack.
#[derive(Debug, Clone, Copy)]
struct Frame {
    node: FlowNode,
    parent: Option<FlowNode>,
    distance: u32,
    /// Depth counting only resources and processes.
    tree_depth: u32,
    /// For a resource reached through an event: that event's sequence number (breadcrumb).
    via_seq: Option<usize>,
}

/// A visited node, with what the process tree needs.
#[derive(Debug, Clone, Copy)]
struct Visit {
    step: FlowStep,
    tree_depth: u32,
    /// For an event: the node one step beyond it, if any.
    beyond: Option<FlowNode>,
}

/// Key of the pairing sets: a resource in a process (pickup/dropoff, accept/modify) or a
/// resource alone (combine/separate).
type PairKey = (Option<ProcessId>, EconomicResourceId);

/// Iterative depth-first walk with a visited set, pairing sets and breadcrumb windows.
struct Walker<'g> {
    graph: &'g FlowGraph,
    rules: WalkRules,
    stack: Vec<Frame>,
    seen: HashSet<FlowNode>,
    /// The range of sequence numbers already expanded for each resource.
    covered: HashMap<EconomicResourceId, Range<usize>>,
    /// Open pairs: dropoff→pickup, modify→accept, separate→combine (mirrored downstream).
    open: HashMap<(Action, PairKey), u32>,
    out: Vec<Visit>,
}

impl<'g> Walker<'g> {
    fn new(graph: &'g FlowGraph, rules: WalkRules) -> Self {
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

    fn run(mut self, start: FlowNode) -> Vec<Visit> {
        self.stack.push(Frame { node: start, parent: None, distance: 0, tree_depth: 0, via_seq: None });
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

    fn emit(&mut self, frame: Frame, beyond: Option<FlowNode>) {
        let step = FlowStep { node: frame.node, parent: frame.parent, distance: frame.distance };
        self.out.push(Visit { step, tree_depth: frame.tree_depth, beyond });
    }

    /// Whether children of a node at `frame`'s tree depth may be expanded.
    fn may_expand(&self, frame: Frame) -> bool {
        frame.node_is_event() || self.rules.max_depth.is_none_or(|m| frame.tree_depth < m)
    }

    /// Pushes `children` of `frame` so that the first is popped first.
    fn push_children(&mut self, frame: Frame, children: Vec<(FlowNode, Option<usize>)>) {
        for (node, via_seq) in children.into_iter().rev() {
            let tree_depth = frame.tree_depth + u32::from(!matches!(node, FlowNode::Event(_)));
            let distance = frame.distance + 1;
            self.stack.push(Frame { node, parent: Some(frame.node), distance, tree_depth, via_seq });
        }
    }

    fn visit_event(&mut self, frame: Frame, id: EconomicEventId) {
        if self.seen.contains(&frame.node) {
            return;
        }
        let Some(&seq) = self.graph.by_id.get(&id) else {
            self.seen.insert(frame.node);
            self.emit(frame, None);
            return;
        };
        if !self.pairing_allows(&self.graph.events[seq], frame.distance == 0) {
            return;
        }
        self.seen.insert(frame.node);
        let beyond = self.graph.event_step(seq, self.rules.direction);
        self.emit(frame, beyond);
        if let Some(next) = beyond.filter(|_| self.may_expand(frame)) {
            self.push_children(frame, vec![(next, Some(seq))]);
        }
    }

    fn visit_process(&mut self, frame: Frame) {
        if !self.seen.insert(frame.node) {
            return;
        }
        self.emit(frame, None);
        if !self.may_expand(frame) {
            return;
        }
        let all = 0..self.graph.events.len();
        let children = self.children_in(frame.node, all);
        self.push_children(frame, children);
    }

    /// A resource is emitted once, but expanded again when reached through a later (trace) or
    /// earlier (track) event than before: only the newly uncovered events are followed.
    fn visit_resource(&mut self, frame: Frame, r: EconomicResourceId) {
        let n = self.graph.events.len();
        let wanted = match (self.rules.direction, frame.via_seq) {
            (_, None) => 0..n,
            (Direction::Upstream, Some(seq)) => 0..seq,
            (Direction::Downstream, Some(seq)) => (seq + 1).min(n)..n,
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
            children.sort_by_key(|c| std::cmp::Reverse(c.1));
        } else {
            children.sort_by_key(|c| c.1);
        }
        self.push_children(frame, children);
    }

    fn children_in(&self, node: FlowNode, window: Range<usize>) -> Vec<(FlowNode, Option<usize>)> {
        self.graph
            .neighbour_events(node, self.rules.direction, window)
            .map(|s| (FlowNode::Event(self.graph.events[s].id), Some(s)))
            .collect()
    }

    /// VF pairing: an event that closes a pair (pickup, accept, combine upstream; dropoff,
    /// modify, separate downstream) is followed only if its opener was seen, and consumes it;
    /// an opener records itself. Events without a resource are not paired. The start of the
    /// walk is always followed (VF adds it before the search).
    fn pairing_allows(&mut self, e: &FlowEvent, is_start: bool) -> bool {
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
    fn node_is_event(self) -> bool {
        matches!(self.node, FlowNode::Event(_))
    }
}

/// What persistence must load next to extend a [`SliceLoader`]'s slice: every event whose id
/// is in `events`, or whose `resourceInventoriedAs` or `toResourceInventoriedAs` is in
/// `resources`, or whose `inputOf` or `outputOf` is in `processes`. Ids are sorted and
/// distinct, ready for `IN (...)` lists.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LoadRequest {
    /// Events to load by id (only the start of a walk that starts at an event).
    pub events: Vec<EconomicEventId>,
    /// Load the events touching these resources (as from or to).
    pub resources: Vec<EconomicResourceId>,
    /// Load the events linked to these processes (as input or output).
    pub processes: Vec<ProcessId>,
}

impl LoadRequest {
    /// Whether there is nothing to load.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.resources.is_empty() && self.processes.is_empty()
    }
}

/// Loads the slice of the graph a walk from `start` needs, one level per round trip:
///
/// ```text
/// let mut loader = SliceLoader::new(start, Direction::Upstream);
/// while let Some(request) = loader.request() {
///     loader.receive(load_events(&request)?);   // three batched queries, see LoadRequest
/// }
/// let graph = loader.finish();
/// ```
///
/// Each level asks only for the resources and processes one step beyond the previous level in
/// the walk's direction (so a trace does not pull in everything downstream of a stock), and
/// never asks for the same id twice, so the loop ends on any graph, cyclic or not.
#[derive(Debug, Clone)]
pub struct SliceLoader {
    direction: Direction,
    events: HashMap<EconomicEventId, FlowEvent>,
    by_resource: HashMap<EconomicResourceId, Vec<EconomicEventId>>,
    by_process: HashMap<ProcessId, Vec<EconomicEventId>>,
    requested: HashSet<FlowNode>,
    pending: BTreeSet<FlowNode>,
    in_flight: Vec<FlowNode>,
    max_nodes: Option<usize>,
}

impl SliceLoader {
    /// A loader for a walk from `start` in `direction`.
    pub fn new(start: FlowNode, direction: Direction) -> Self {
        Self {
            direction,
            events: HashMap::new(),
            by_resource: HashMap::new(),
            by_process: HashMap::new(),
            requested: HashSet::from([start]),
            pending: BTreeSet::from([start]),
            in_flight: Vec::new(),
            max_nodes: None,
        }
    }

    /// Stops asking for more once `max_nodes` resources, processes and events were requested
    /// (a guard for the API's limits; the walk then covers what was loaded).
    pub fn with_max_nodes(mut self, max_nodes: usize) -> Self {
        self.max_nodes = Some(max_nodes);
        self
    }

    /// What to load next, or `None` when the slice is closed.
    pub fn request(&mut self) -> Option<LoadRequest> {
        if self.pending.is_empty() {
            return None;
        }
        self.in_flight = std::mem::take(&mut self.pending).into_iter().collect();
        let mut request = LoadRequest::default();
        for node in &self.in_flight {
            match *node {
                FlowNode::Event(id) => request.events.push(id),
                FlowNode::Resource(id) => request.resources.push(id),
                FlowNode::Process(id) => request.processes.push(id),
            }
        }
        Some(request)
    }

    /// Takes the events persistence loaded for the last [`SliceLoader::request`] and works out
    /// the next level.
    pub fn receive(&mut self, events: impl IntoIterator<Item = FlowEvent>) {
        for e in events {
            self.index(e);
        }
        let mut beyond = BTreeSet::new();
        for node in std::mem::take(&mut self.in_flight) {
            for e in self.step_events(node) {
                beyond.extend(event_step(e, self.direction));
            }
        }
        for node in beyond {
            if self.max_nodes.is_some_and(|m| self.requested.len() >= m) {
                break;
            }
            if self.requested.insert(node) {
                self.pending.insert(node);
            }
        }
    }

    /// The slice loaded so far, indexed.
    pub fn finish(self) -> FlowGraph {
        FlowGraph::new(self.events.into_values().collect())
    }

    fn index(&mut self, e: FlowEvent) {
        if self.events.contains_key(&e.id) {
            return;
        }
        let resources: BTreeSet<_> =
            [e.resource_inventoried_as, e.to_resource_inventoried_as].into_iter().flatten().collect();
        for r in resources {
            self.by_resource.entry(r).or_default().push(e.id);
        }
        let processes: BTreeSet<_> = [e.input_of, e.output_of].into_iter().flatten().collect();
        for p in processes {
            self.by_process.entry(p).or_default().push(e.id);
        }
        self.events.insert(e.id, e);
    }

    /// The loaded events one step from `node` in the loader's direction.
    fn step_events(&self, node: FlowNode) -> Vec<&FlowEvent> {
        let ids: &[EconomicEventId] = match node {
            FlowNode::Event(id) => return self.events.get(&id).into_iter().collect(),
            FlowNode::Resource(r) => self.by_resource.get(&r).map_or(&[], Vec::as_slice),
            FlowNode::Process(p) => self.by_process.get(&p).map_or(&[], Vec::as_slice),
        };
        ids.iter().filter_map(|id| self.events.get(id)).filter(|e| is_step_of(e, node, self.direction)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    type R = EconomicResourceId;
    type P = ProcessId;

    fn res() -> R {
        R::new()
    }

    fn proc_() -> P {
        P::new()
    }

    /// Builds events in recording order, one second apart.
    #[derive(Default)]
    struct G {
        events: Vec<FlowEvent>,
        clock: i64,
    }

    impl G {
        fn add(
            &mut self,
            action: Action,
            from: Option<R>,
            to: Option<R>,
            input: Option<P>,
            output: Option<P>,
        ) -> EconomicEventId {
            self.clock += 1;
            let at = DateTime::<Utc>::UNIX_EPOCH + chrono::TimeDelta::seconds(self.clock);
            let id = EconomicEventId::new();
            let quantity = Some(Measure::new(Decimal::from(self.clock), None));
            self.events.push(FlowEvent {
                id,
                action,
                resource_inventoried_as: from,
                to_resource_inventoried_as: to,
                input_of: input,
                output_of: output,
                resource_quantity: if action == Action::Work { None } else { quantity },
                effort_quantity: if action == Action::Work { quantity } else { None },
                has_point_in_time: at,
                created: at,
                corrects: None,
            });
            id
        }

        fn input(&mut self, action: Action, r: Option<R>, p: P) -> EconomicEventId {
            self.add(action, r, None, Some(p), None)
        }

        fn output(&mut self, action: Action, r: R, p: P) -> EconomicEventId {
            self.add(action, Some(r), None, None, Some(p))
        }

        fn graph(&self) -> FlowGraph {
            FlowGraph::new(self.events.clone())
        }
    }

    use FlowNode::{Event as E, Process as Pr, Resource as Rs};

    /// The VF example chain: raise raw material S0; process P1 consumes it with work and
    /// produces R1; R1 is transferred into R2; P2 consumes R2 and produces R3.
    struct Chain {
        g: G,
        s0: R,
        r1: R,
        r2: R,
        r3: R,
        p1: P,
        p2: P,
        e: [EconomicEventId; 7],
    }

    fn chain() -> Chain {
        let mut g = G::default();
        let (s0, r1, r2, r3, p1, p2) = (res(), res(), res(), res(), proc_(), proc_());
        let e0 = g.add(Action::Raise, Some(s0), None, None, None);
        let e1 = g.input(Action::Consume, Some(s0), p1);
        let e2 = g.input(Action::Work, None, p1);
        let e3 = g.output(Action::Produce, r1, p1);
        let e4 = g.add(Action::Transfer, Some(r1), Some(r2), None, None);
        let e5 = g.input(Action::Consume, Some(r2), p2);
        let e6 = g.output(Action::Produce, r3, p2);
        Chain { g, s0, r1, r2, r3, p1, p2, e: [e0, e1, e2, e3, e4, e5, e6] }
    }

    #[test]
    fn one_step_previous_and_next() {
        let c = chain();
        let g = c.g.graph();
        let [e0, e1, e2, e3, e4, e5, e6] = c.e;
        assert_eq!(g.previous(Rs(c.r3)), vec![E(e6)]);
        assert_eq!(g.previous(E(e6)), vec![Pr(c.p2)]);
        assert_eq!(g.previous(Pr(c.p1)), vec![E(e2), E(e1)], "most recent first");
        assert_eq!(g.previous(E(e5)), vec![Rs(c.r2)]);
        assert_eq!(g.previous(Rs(c.r2)), vec![E(e4)]);
        assert_eq!(g.previous(E(e4)), vec![Rs(c.r1)]);
        assert_eq!(g.previous(E(e0)), vec![], "a first raise has nothing before it");
        assert_eq!(g.next(Rs(c.s0)), vec![E(e1)]);
        assert_eq!(g.next(E(e0)), vec![Rs(c.s0)], "a raise leads to its resource");
        assert_eq!(g.next(E(e1)), vec![Pr(c.p1)]);
        assert_eq!(g.next(Pr(c.p1)), vec![E(e3)]);
        assert_eq!(g.next(E(e3)), vec![Rs(c.r1)]);
        assert_eq!(g.next(Rs(c.r1)), vec![E(e4)], "the produce into r1 is its past, not its next");
        assert_eq!(g.next(E(e4)), vec![Rs(c.r2)]);
        assert_eq!(g.previous_event(e4), Some(e3));
        assert_eq!(g.previous_event(e0), None);
        assert_eq!(g.next(Rs(res())), vec![], "unknown nodes have no neighbours");
    }

    #[test]
    fn trace_and_track_the_vf_chain() {
        let c = chain();
        let g = c.g.graph();
        let [e0, e1, e2, e3, e4, e5, e6] = c.e;
        assert_eq!(
            g.trace(Rs(c.r3), None),
            vec![
                Rs(c.r3),
                E(e6),
                Pr(c.p2),
                E(e5),
                Rs(c.r2),
                E(e4),
                Rs(c.r1),
                E(e3),
                Pr(c.p1),
                E(e2),
                E(e1),
                Rs(c.s0),
                E(e0)
            ]
        );
        assert_eq!(
            g.track(Rs(c.s0), None),
            vec![Rs(c.s0), E(e1), Pr(c.p1), E(e3), Rs(c.r1), E(e4), Rs(c.r2), E(e5), Pr(c.p2), E(e6), Rs(c.r3)]
        );
        assert_eq!(g.trace(Rs(c.r3), Some(3)), vec![Rs(c.r3), E(e6), Pr(c.p2)]);
        let walk = g.walk(Rs(c.r3), Direction::Upstream, None);
        assert_eq!(walk[4], FlowStep { node: Rs(c.r2), parent: Some(E(e5)), distance: 4 });
    }

    #[test]
    fn process_tree_of_the_vf_chain() {
        let c = chain();
        let g = c.g.graph();
        let [e0, e1, e2, e3, e4, e5, e6] = c.e;
        let tree = g.process_tree(c.r3, Direction::Upstream, None);
        let nodes: Vec<_> = tree.nodes.iter().map(|n| (n.node, n.depth)).collect();
        assert_eq!(
            nodes,
            vec![
                (Rs(c.r3), 0),
                (Pr(c.p2), 1),
                (Rs(c.r2), 2),
                (Rs(c.r1), 3),
                (Pr(c.p1), 4),
                (E(e2), 5),
                (Rs(c.s0), 5),
                (E(e0), 6)
            ]
        );
        let edges: Vec<_> = tree.edges.iter().map(|e| (e.from, e.to, e.action, e.via)).collect();
        assert_eq!(
            edges,
            vec![
                (Pr(c.p2), Rs(c.r3), Some(Action::Produce), Some(e6)),
                (Rs(c.r2), Pr(c.p2), Some(Action::Consume), Some(e5)),
                (Rs(c.r1), Rs(c.r2), Some(Action::Transfer), Some(e4)),
                (Pr(c.p1), Rs(c.r1), Some(Action::Produce), Some(e3)),
                (E(e2), Pr(c.p1), Some(Action::Work), Some(e2)),
                (Rs(c.s0), Pr(c.p1), Some(Action::Consume), Some(e1)),
                (E(e0), Rs(c.s0), Some(Action::Raise), Some(e0)),
            ]
        );
        assert_eq!(tree.edges[4].quantity.map(|q| q.has_numerical_value), Some(Decimal::from(3)), "work's effort");
        let shallow = g.process_tree(c.r3, Direction::Upstream, Some(2));
        assert_eq!(shallow.nodes.len(), 3);
        assert_eq!(shallow.edges.len(), 2);
        let down = g.process_tree(c.s0, Direction::Downstream, None);
        assert_eq!(down.nodes.last().map(|n| (n.node, n.depth)), Some((Rs(c.r3), 5)));
        assert_eq!(down.edges.first().map(|e| (e.from, e.to)), Some((Rs(c.s0), Pr(c.p1))));
    }

    #[test]
    fn breadcrumbs_follow_a_resource_through_repeated_processes() {
        // A bike is made, then repaired twice in two runs of the same kind of process.
        let mut g = G::default();
        let (bike, p0, p1, p2) = (res(), proc_(), proc_(), proc_());
        let made = g.output(Action::Produce, bike, p0);
        let a1 = g.input(Action::Accept, Some(bike), p1);
        let m1 = g.output(Action::Modify, bike, p1);
        let a2 = g.input(Action::Accept, Some(bike), p2);
        let m2 = g.output(Action::Modify, bike, p2);
        let graph = g.graph();
        // How the first repair's output came about: not the second repair.
        assert_eq!(graph.trace(E(m1), None), vec![E(m1), Pr(p1), E(a1), Rs(bike), E(made), Pr(p0)]);
        // Where it went after the first repair: only the second.
        assert_eq!(graph.track(E(m1), None), vec![E(m1), Rs(bike), E(a2), Pr(p2), E(m2)]);
        // The whole history of the bike, each node once.
        assert_eq!(
            graph.trace(Rs(bike), None),
            vec![Rs(bike), E(m2), Pr(p2), E(a2), E(m1), Pr(p1), E(a1), E(made), Pr(p0)]
        );
        assert_eq!(graph.track(E(made), None), vec![E(made), Rs(bike), E(a1), Pr(p1), E(m1), E(a2), Pr(p2), E(m2)]);
    }

    #[test]
    fn pickup_is_followed_only_to_its_dropoff() {
        // A truck (process t) carries g1 and g2; we trace and track g1 only.
        let mut g = G::default();
        let (g1, g2, p0, t) = (res(), res(), proc_(), proc_());
        let made = g.output(Action::Produce, g1, p0);
        let pu1 = g.input(Action::Pickup, Some(g1), t);
        let pu2 = g.input(Action::Pickup, Some(g2), t);
        let drive = g.input(Action::Work, None, t);
        let d1 = g.output(Action::Dropoff, g1, t);
        let d2 = g.output(Action::Dropoff, g2, t);
        let graph = g.graph();
        let traced = graph.trace(Rs(g1), None);
        assert_eq!(traced, vec![Rs(g1), E(d1), Pr(t), E(drive), E(pu1), E(made), Pr(p0)]);
        assert!(!traced.contains(&E(pu2)) && !traced.contains(&Rs(g2)));
        let tracked = graph.track(E(made), None);
        assert_eq!(tracked, vec![E(made), Rs(g1), E(pu1), Pr(t), E(d1)]);
        assert!(!tracked.contains(&E(d2)));
        // Starting at an unpaired pickup still follows it.
        assert_eq!(graph.trace(E(pu2), None), vec![E(pu2), Rs(g2)]);
    }

    #[test]
    fn combine_is_followed_only_from_its_separate_but_kits_show_their_parts() {
        let mut g = G::default();
        let (x, y, kit, pack, unpack) = (res(), res(), res(), proc_(), proc_());
        let rx = g.add(Action::Raise, Some(x), None, None, None);
        let ry = g.add(Action::Raise, Some(y), None, None, None);
        let cx = g.input(Action::Combine, Some(x), pack);
        let cy = g.input(Action::Combine, Some(y), pack);
        let made = g.output(Action::Produce, kit, pack);
        let open = g.input(Action::Consume, Some(kit), unpack);
        let sx = g.output(Action::Separate, x, unpack);
        let graph = g.graph();
        let traced = graph.trace(E(sx), None);
        assert_eq!(traced, vec![E(sx), Pr(unpack), E(open), Rs(kit), E(made), Pr(pack), E(cx), Rs(x), E(rx)]);
        assert!(!traced.contains(&E(cy)));
        let tree = graph.process_tree(kit, Direction::Upstream, None);
        let has = |n| tree.nodes.iter().any(|t| t.node == n);
        assert!(has(Rs(x)) && has(Rs(y)) && has(E(ry)), "{tree:?}");
    }

    #[test]
    fn cycles_end() {
        // p2 makes r1, p1 turns r1 into r2, p2 turns r2 into r1 again: a loop.
        let mut g = G::default();
        let (r1, r2, p1, p2) = (res(), res(), proc_(), proc_());
        let e0 = g.output(Action::Produce, r1, p2);
        let e1 = g.input(Action::Consume, Some(r1), p1);
        let e2 = g.output(Action::Produce, r2, p1);
        let e3 = g.input(Action::Consume, Some(r2), p2);
        let e4 = g.output(Action::Produce, r1, p2);
        // and a resource transferred to itself (a whole tool lent out).
        let lend = g.add(Action::TransferCustody, Some(r1), Some(r1), None, None);
        let graph = g.graph();
        let traced = graph.trace(Rs(r1), None);
        assert_eq!(traced, vec![Rs(r1), E(lend), E(e4), Pr(p2), E(e3), Rs(r2), E(e2), Pr(p1), E(e1), E(e0)]);
        let tracked = graph.track(E(e0), None);
        assert_eq!(tracked, vec![E(e0), Rs(r1), E(e1), Pr(p1), E(e2), Rs(r2), E(e3), Pr(p2), E(e4), E(lend)]);
        for direction in [Direction::Upstream, Direction::Downstream] {
            let tree = graph.process_tree(r1, direction, None);
            let distinct: HashSet<_> = tree.nodes.iter().map(|n| n.node).collect();
            assert_eq!(distinct.len(), tree.nodes.len());
        }
    }

    /// A production chain of `levels` processes: 4 nodes per level plus the first resource.
    fn long_chain(levels: usize) -> (G, R, R) {
        let mut g = G::default();
        let first = res();
        let mut current = first;
        for _ in 0..levels {
            let (p, next) = (proc_(), res());
            g.input(Action::Consume, Some(current), p);
            g.output(Action::Produce, next, p);
            current = next;
        }
        (g, first, current)
    }

    #[test]
    fn a_100_000_node_chain_is_walked_without_recursion() {
        let (g, first, last) = long_chain(25_000);
        let graph = g.graph();
        let traced = graph.trace(Rs(last), None);
        assert_eq!(traced.len(), 100_001);
        assert_eq!(traced.last(), Some(&Rs(first)));
        let tracked = graph.track(Rs(first), None);
        assert_eq!(tracked.len(), 100_001);
        let tree = graph.process_tree(last, Direction::Upstream, None);
        assert_eq!(tree.nodes.len(), 50_001);
        assert_eq!(tree.edges.len(), 50_000);
        assert_eq!(graph.trace(Rs(last), Some(10)).len(), 10);
    }

    /// Answers a [`LoadRequest`] the way the database would.
    fn load(all: &[FlowEvent], request: &LoadRequest) -> Vec<FlowEvent> {
        all.iter()
            .filter(|e| {
                request.events.contains(&e.id)
                    || [e.resource_inventoried_as, e.to_resource_inventoried_as]
                        .iter()
                        .flatten()
                        .any(|r| request.resources.contains(r))
                    || [e.input_of, e.output_of].iter().flatten().any(|p| request.processes.contains(p))
            })
            .cloned()
            .collect()
    }

    fn load_all(all: &[FlowEvent], start: FlowNode, direction: Direction) -> (FlowGraph, usize, Vec<LoadRequest>) {
        let mut loader = SliceLoader::new(start, direction);
        let mut requests = Vec::new();
        while let Some(request) = loader.request() {
            loader.receive(load(all, &request));
            requests.push(request);
        }
        let graph = loader.finish();
        (graph, requests.len(), requests)
    }

    #[test]
    fn the_slice_loader_loads_level_by_level_and_only_what_the_walk_needs() {
        let mut c = chain();
        // Elsewhere, r1 is also consumed by an unrelated process px making rx.
        let (px, rx) = (proc_(), res());
        let side = c.g.input(Action::Consume, Some(c.r1), px);
        c.g.output(Action::Produce, rx, px);
        let full = c.g.graph();
        let all = c.g.events.clone();
        let (slice, rounds, requests) = load_all(&all, Rs(c.r3), Direction::Upstream);
        assert_eq!(slice.trace(Rs(c.r3), None), full.trace(Rs(c.r3), None));
        assert!(requests.iter().all(|r| !r.processes.contains(&px)), "px is downstream of r1: never loaded");
        assert!(slice.event(side).is_some(), "loaded with r1, but not followed");
        assert_eq!(rounds, 6, "one round each for r3, p2, r2, r1, p1, s0: {requests:?}");
        let (down, _, _) = load_all(&all, E(c.e[0]), Direction::Downstream);
        assert_eq!(down.track(E(c.e[0]), None), full.track(E(c.e[0]), None));
        assert!(down.track(E(c.e[0]), None).contains(&Rs(rx)));
    }

    #[test]
    fn the_slice_loader_closes_on_cycles() {
        let mut g = G::default();
        let (r1, r2, p1, p2) = (res(), res(), proc_(), proc_());
        g.output(Action::Produce, r1, p2);
        g.input(Action::Consume, Some(r1), p1);
        g.output(Action::Produce, r2, p1);
        g.input(Action::Consume, Some(r2), p2);
        for direction in [Direction::Upstream, Direction::Downstream] {
            let (slice, rounds, _) = load_all(&g.events, Rs(r1), direction);
            assert_eq!(slice.events().len(), 4);
            assert!(rounds <= 6);
        }
        let mut capped = SliceLoader::new(Rs(r1), Direction::Upstream).with_max_nodes(2);
        let mut rounds = 0;
        while let Some(request) = capped.request() {
            capped.receive(load(&g.events, &request));
            rounds += 1;
        }
        assert!(rounds <= 2);
    }
}
