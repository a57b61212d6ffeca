//! The slice loader: which events persistence must load, level by level, for a walk.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::graph::{Direction, FlowEvent, FlowGraph, FlowNode, event_step, is_step_of};
use crate::{EconomicEventId, EconomicResourceId, ProcessId};

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

    pub(super) fn index(&mut self, e: FlowEvent) {
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
    pub(super) fn step_events(&self, node: FlowNode) -> Vec<&FlowEvent> {
        let ids: &[EconomicEventId] = match node {
            FlowNode::Event(id) => return self.events.get(&id).into_iter().collect(),
            FlowNode::Resource(r) => self.by_resource.get(&r).map_or(&[], Vec::as_slice),
            FlowNode::Process(p) => self.by_process.get(&p).map_or(&[], Vec::as_slice),
        };
        ids.iter().filter_map(|id| self.events.get(id)).filter(|e| is_step_of(e, node, self.direction)).collect()
    }
}
