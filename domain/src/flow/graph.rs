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

/// An event's place in recording order: when it was recorded (system time), then its
/// time-ordered id. Unique, since ids are.
pub type OrderKey = (DateTime<Utc>, EconomicEventId);

/// An in-memory slice of the flow graph (or the whole graph, kept as an index), indexed for
/// walking.
///
/// Events are stored in the order they arrive; an event's position in that store is its
/// *handle*, which never changes once given. Recording order (`created`, then id: the
/// [`OrderKey`]) is kept by the per-resource and per-process lists instead, each sorted by
/// order key, and every walk window (breadcrumbs, the ranges a walk has expanded) is a range
/// of positions in one such list. So an event whose order key sorts before events already
/// indexed (PostgreSQL commits concurrent transactions out of order) is inserted into its
/// lists exactly where it belongs, and a graph grown by [`FlowGraph::append`] in any arrival
/// order walks exactly like [`FlowGraph::new`] over the same events.
#[derive(Debug, Clone, Default)]
pub struct FlowGraph {
    pub(super) events: Vec<FlowEvent>,
    pub(super) by_id: HashMap<EconomicEventId, Handle>,
    /// Handles of the events touching each resource (as from or to), by order key.
    pub(super) by_resource: HashMap<EconomicResourceId, Vec<Handle>>,
    /// Handles of the events linked to each process (input or output), by order key.
    pub(super) by_process: HashMap<ProcessId, Vec<Handle>>,
}

/// An event's position in the arrival store of a [`FlowGraph`]. `u32` halves the lists'
/// memory against `usize`; a graph holds at most `u32::MAX` events ([`FlowGraph::append`]
/// refuses more).
pub(super) type Handle = u32;

impl FlowGraph {
    /// Indexes `events` (duplicates by id are dropped).
    pub fn new(mut events: Vec<FlowEvent>) -> Self {
        // Sorted first, so that every list is built by pushing at its end.
        events.sort_by_key(|e| (e.created, e.id));
        let mut graph = Self::default();
        graph.extend(events);
        graph
    }

    /// Adds events that arrived since, in any order; see [`FlowGraph::append`].
    pub fn extend(&mut self, events: impl IntoIterator<Item = FlowEvent>) {
        for e in events {
            self.append(e);
        }
    }

    /// Adds one event, wherever its order key puts it in recording order. Returns whether it
    /// was added: an event already indexed (by id) is not added twice, and neither is one
    /// past the graph's capacity of `u32::MAX` events.
    pub fn append(&mut self, e: FlowEvent) -> bool {
        if self.by_id.contains_key(&e.id) {
            return false;
        }
        let Ok(handle) = Handle::try_from(self.events.len()) else { return false };
        let key = (e.created, e.id);
        let resources = [e.resource_inventoried_as, e.to_resource_inventoried_as];
        let processes: BTreeSet<_> = [e.input_of, e.output_of].into_iter().flatten().collect();
        self.by_id.insert(e.id, handle);
        self.events.push(e);
        for (i, r) in resources.into_iter().enumerate() {
            // A whole resource changing hands names itself twice: index it once.
            if let Some(r) = r.filter(|r| i == 0 || resources[0] != Some(*r)) {
                let list = self.by_resource.entry(r).or_default();
                insert_sorted(&self.events, list, handle, key);
            }
        }
        for p in processes {
            let list = self.by_process.entry(p).or_default();
            insert_sorted(&self.events, list, handle, key);
        }
        true
    }

    /// How many events are indexed.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is indexed.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Every event, in the order it arrived (recording order for a graph built by
    /// [`FlowGraph::new`]).
    pub fn events(&self) -> &[FlowEvent] {
        &self.events
    }

    /// The event with this id, if it is in the slice.
    pub fn event(&self, id: EconomicEventId) -> Option<&FlowEvent> {
        self.by_id.get(&id).map(|&h| &self.events[h as usize])
    }

    /// VF's `previousEvent` breadcrumb of an event, derived: the event recorded just before it
    /// on its `resourceInventoriedAs`.
    pub fn previous_event(&self, id: EconomicEventId) -> Option<EconomicEventId> {
        let handle = *self.by_id.get(&id)?;
        self.previous_on_resource(handle).map(|h| self.events[h as usize].id)
    }

    /// The event recorded just before `handle` on its `resourceInventoriedAs`.
    fn previous_on_resource(&self, handle: Handle) -> Option<Handle> {
        let e = &self.events[handle as usize];
        let on_r = self.by_resource.get(&e.resource_inventoried_as?)?;
        let at = self.position(on_r, self.key(handle));
        at.checked_sub(1).map(|i| on_r[i])
    }

    /// The order key of the event at `handle`.
    pub(super) fn key(&self, handle: Handle) -> OrderKey {
        let e = &self.events[handle as usize];
        (e.created, e.id)
    }

    /// The event at `handle`.
    pub(super) fn at(&self, handle: Handle) -> &FlowEvent {
        &self.events[handle as usize]
    }

    /// How many events of `list` are recorded before `key`.
    pub(super) fn position(&self, list: &[Handle], key: OrderKey) -> usize {
        list.partition_point(|&h| self.key(h) < key)
    }

    /// The list of events of a resource or a process, by order key.
    pub(super) fn list(&self, node: FlowNode) -> &[Handle] {
        match node {
            FlowNode::Resource(r) => self.by_resource.get(&r).map_or(&[], Vec::as_slice),
            FlowNode::Process(p) => self.by_process.get(&p).map_or(&[], Vec::as_slice),
            FlowNode::Event(_) => &[],
        }
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
                self.by_id.get(&id).and_then(|&h| self.event_step(h, direction)).into_iter().collect()
            }
            other => self
                .neighbour_events(other, direction, 0..self.list(other).len())
                .map(|(_, h)| FlowNode::Event(self.at(h).id))
                .collect(),
        }
    }

    /// The node one step from event `handle`: as [`event_step`], except that upstream a raise
    /// or lower with no earlier event on its resource has nothing before it (VF).
    pub(super) fn event_step(&self, handle: Handle, direction: Direction) -> Option<FlowNode> {
        let e = self.at(handle);
        let first_raise = direction == Direction::Upstream
            && e.output_of.is_none()
            && matches!(e.action, Action::Raise | Action::Lower)
            && self.previous_on_resource(handle).is_none();
        if first_raise { None } else { event_step(e, direction) }
    }

    /// `node`'s neighbour events whose positions in its list are within `window`, in walk
    /// order (most recent first upstream, oldest first downstream), each with its position
    /// and handle.
    pub(super) fn neighbour_events(
        &self,
        node: FlowNode,
        direction: Direction,
        window: Range<usize>,
    ) -> impl Iterator<Item = (usize, Handle)> + '_ {
        let list = self.list(node);
        let window = window.start.min(list.len())..window.end.min(list.len());
        let start = window.start;
        let slice = &list[window];
        let ordered: Box<dyn Iterator<Item = (usize, &Handle)> + '_> = match direction {
            Direction::Upstream => Box::new(slice.iter().enumerate().rev()),
            Direction::Downstream => Box::new(slice.iter().enumerate()),
        };
        ordered.map(move |(i, &h)| (start + i, h)).filter(move |&(_, h)| is_step_of(self.at(h), node, direction))
    }
}

/// Inserts `handle` (with order key `key`) into `list`, keeping it sorted by order key. Events
/// mostly arrive in order, so the end is tried first.
fn insert_sorted(events: &[FlowEvent], list: &mut Vec<Handle>, handle: Handle, key: OrderKey) {
    let key_of = |h: Handle| {
        let e = &events[h as usize];
        (e.created, e.id)
    };
    if list.last().is_none_or(|&last| key_of(last) < key) {
        list.push(handle);
    } else {
        let at = list.partition_point(|&h| key_of(h) < key);
        list.insert(at, handle);
    }
}
