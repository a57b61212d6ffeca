//! The flow graph: its nodes ([`FlowNode`]), the event fields a walk needs ([`FlowEvent`]),
//! and one step from a node ([`FlowGraph::previous`] / [`FlowGraph::next`]).

use std::collections::{BTreeSet, HashMap};
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

/// Whether `e` is one of resource `r`'s previous events: an output into it, a
/// transfer/move/copy into it, or a raise/lower on it.
pub(super) fn is_previous_of_resource(e: &FlowEvent, r: EconomicResourceId) -> bool {
    let on_it = e.resource_inventoried_as == Some(r);
    (on_it && (e.output_of.is_some() || matches!(e.action, Action::Raise | Action::Lower)))
        || e.to_resource_inventoried_as == Some(r)
}

/// Whether `e` is one of resource `r`'s next events: it takes from `r` and is not part of
/// `r`'s past (an output into it, or a raise).
pub(super) fn is_next_of_resource(e: &FlowEvent, r: EconomicResourceId) -> bool {
    e.resource_inventoried_as == Some(r) && e.output_of.is_none() && e.action != Action::Raise
}

/// Whether `e` is a previous (inputs) or next (outputs) event of process `p`.
pub(super) fn is_step_of_process(e: &FlowEvent, p: ProcessId, direction: Direction) -> bool {
    match direction {
        Direction::Upstream => e.input_of == Some(p),
        Direction::Downstream => e.output_of == Some(p),
    }
}

/// Whether `e` is a neighbour event of `node` in `direction`.
pub(super) fn is_step_of(e: &FlowEvent, node: FlowNode, direction: Direction) -> bool {
    match (node, direction) {
        (FlowNode::Resource(r), Direction::Upstream) => is_previous_of_resource(e, r),
        (FlowNode::Resource(r), Direction::Downstream) => is_next_of_resource(e, r),
        (FlowNode::Process(p), d) => is_step_of_process(e, p, d),
        (FlowNode::Event(_), _) => false,
    }
}

/// The node one step from event `e` in `direction`, ignoring breadcrumbs.
pub(super) fn event_step(e: &FlowEvent, direction: Direction) -> Option<FlowNode> {
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
    pub(super) events: Vec<FlowEvent>,
    pub(super) by_id: HashMap<EconomicEventId, usize>,
    /// Sequence numbers of the events touching each resource (as from or to), ascending.
    pub(super) by_resource: HashMap<EconomicResourceId, Vec<usize>>,
    /// Sequence numbers of the events linked to each process (input or output), ascending.
    pub(super) by_process: HashMap<ProcessId, Vec<usize>>,
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
    pub(super) fn step(&self, node: FlowNode, direction: Direction) -> Vec<FlowNode> {
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
    pub(super) fn event_step(&self, seq: usize, direction: Direction) -> Option<FlowNode> {
        let e = &self.events[seq];
        let first_raise = direction == Direction::Upstream
            && e.output_of.is_none()
            && matches!(e.action, Action::Raise | Action::Lower)
            && self.previous_event(e.id).is_none();
        if first_raise { None } else { event_step(e, direction) }
    }

    /// The sequence numbers of `node`'s neighbour events within `window`, in walk order:
    /// most recent first upstream, oldest first downstream.
    pub(super) fn neighbour_events(
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
}
