//! Track, trace, one step (`previous`/`next`), the neighbour processes and the process tree,
//! each as one orchestration: load the slice of the flow graph the walk needs, run the
//! domain's pure walk over it, then hydrate the records the result names (in batches, one
//! query per kind, reusing the events the slice already read). Callers get plain domain
//! values; the API only turns them into GraphQL objects, and the value engine can reuse the
//! same walks.

use std::collections::HashMap;

use ovn_domain::flow::{Direction, FlowGraph, FlowNode, FlowStep, ProcessTree};
use ovn_domain::observation::{EconomicEvent, EconomicResource, Process};
use ovn_domain::{EconomicEventId, EconomicResourceId, ProcessId};

use super::FlowIndex;
use crate::error::{PersistenceError, Result};
use crate::store::Store;

/// The record behind a flow node (vf-graphql's `TrackTraceItem`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowRecord {
    /// An economic event.
    Event(EconomicEvent),
    /// An economic resource.
    Resource(EconomicResource),
    /// A process.
    Process(Process),
}

/// The records a walk named, by id.
#[derive(Debug, Clone, Default)]
pub struct FlowRecords {
    /// Events.
    pub events: HashMap<EconomicEventId, EconomicEvent>,
    /// Resources.
    pub resources: HashMap<EconomicResourceId, EconomicResource>,
    /// Processes.
    pub processes: HashMap<ProcessId, Process>,
}

impl FlowRecords {
    /// The record behind `node`, if it exists.
    pub fn get(&self, node: FlowNode) -> Option<FlowRecord> {
        match node {
            FlowNode::Event(id) => self.events.get(&id).cloned().map(FlowRecord::Event),
            FlowNode::Resource(id) => self.resources.get(&id).cloned().map(FlowRecord::Resource),
            FlowNode::Process(id) => self.processes.get(&id).cloned().map(FlowRecord::Process),
        }
    }

    /// The records behind `nodes`, in order; a node whose record is gone is left out.
    pub fn in_order(&self, nodes: impl IntoIterator<Item = FlowNode>) -> Vec<FlowRecord> {
        nodes.into_iter().filter_map(|node| self.get(node)).collect()
    }
}

/// A walk (track, trace, or one step) and the records it reached.
#[derive(Debug, Clone, Default)]
pub struct Walked {
    /// The nodes reached, in walk order, each with its parent and distance from the start.
    pub steps: Vec<FlowStep>,
    /// The records behind them.
    pub records: FlowRecords,
}

impl Walked {
    /// The records, in walk order.
    pub fn records_in_order(&self) -> Vec<FlowRecord> {
        self.records.in_order(self.steps.iter().map(|s| s.node))
    }
}

/// A process tree and the records its nodes name.
#[derive(Debug, Clone, Default)]
pub struct HydratedTree {
    /// Nodes and edges, as the domain built them.
    pub tree: ProcessTree,
    /// The records behind the nodes; empty unless [`TreeRecords::Load`] was asked for.
    pub records: FlowRecords,
}

/// Whether a process tree's caller needs the records behind its nodes. Edges name their ends
/// by id and carry the event's action and quantity, so a caller that reads only edges (or
/// only ids) needs no record at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeRecords {
    /// Load the records behind the nodes.
    Load,
    /// Do not.
    Skip,
}

fn one_step(node: FlowNode, parent: FlowNode) -> FlowStep {
    FlowStep { node, parent: Some(parent), distance: 1 }
}

impl Store {
    /// Everything upstream (`trace`) or downstream (`track`) of `start`, depth first, at most
    /// `max_nodes` nodes. The slice's events are read once, as full records, and reused.
    pub async fn walk_flow(&self, start: FlowNode, direction: Direction, max_nodes: usize) -> Result<Walked> {
        let (graph, events) = self.flow_slice(start, direction, max_nodes, None).await?;
        let steps = graph.walk(start, direction, Some(max_nodes));
        let records = self.hydrate(steps.iter().map(|s| s.node), events).await?;
        Ok(Walked { steps, records })
    }

    /// The items exactly one flow step from `start` (VF `previous` upstream, `next`
    /// downstream). One level of the slice is enough.
    pub async fn step_flow(&self, start: FlowNode, direction: Direction, max_nodes: usize) -> Result<Walked> {
        let graph = self.flow_graph(start, direction, max_nodes, Some(1)).await?;
        let nodes = match direction {
            Direction::Upstream => graph.previous(start),
            Direction::Downstream => graph.next(start),
        };
        self.one_step_from(start, nodes).await
    }

    /// `nodes`, one step from `start`, with their records.
    async fn one_step_from(&self, start: FlowNode, nodes: Vec<FlowNode>) -> Result<Walked> {
        let steps: Vec<FlowStep> = nodes.into_iter().map(|node| one_step(node, start)).collect();
        let records = self.hydrate(steps.iter().map(|s| s.node), HashMap::new()).await?;
        Ok(Walked { steps, records })
    }

    /// The processes two process steps away from process `id` (vf-graphql
    /// `previousProcesses` / `nextProcesses`): process, its events, their resources, the
    /// resources' events, those processes.
    pub async fn neighbour_processes(
        &self,
        id: ProcessId,
        direction: Direction,
        max_nodes: usize,
    ) -> Result<Vec<Process>> {
        let start = FlowNode::Process(id);
        let graph = self.flow_graph(start, direction, max_nodes, Some(3)).await?;
        let ids = neighbours(&graph, id, direction);
        self.processes_in_order(&ids).await
    }

    async fn processes_in_order(&self, ids: &[ProcessId]) -> Result<Vec<Process>> {
        let mut found = self.processes_by_id(ids).await?;
        Ok(ids.iter().filter_map(|p| found.remove(p)).collect())
    }

    /// The process tree of `resource` (`processTree`), at most `max_depth` tree edges deep
    /// and `max_nodes` nodes loaded, with the records behind its nodes if `records` says so.
    /// A resource that does not exist is `NotFound`.
    pub async fn process_tree(
        &self,
        resource: EconomicResourceId,
        direction: Direction,
        max_depth: Option<u32>,
        max_nodes: usize,
        records: TreeRecords,
    ) -> Result<HydratedTree> {
        self.resource_exists(resource).await?;
        let graph = self.flow_graph(FlowNode::Resource(resource), direction, max_nodes, None).await?;
        let tree = graph.process_tree(resource, direction, max_depth);
        self.hydrate_tree(tree, records).await
    }

    async fn resource_exists(&self, resource: EconomicResourceId) -> Result<()> {
        if self.resources_by_id(&[resource]).await?.is_empty() {
            return Err(PersistenceError::not_found("economic resource", resource));
        }
        Ok(())
    }

    async fn hydrate_tree(&self, tree: ProcessTree, records: TreeRecords) -> Result<HydratedTree> {
        let records = match records {
            TreeRecords::Load => self.hydrate(tree.nodes.iter().map(|n| n.node), HashMap::new()).await?,
            TreeRecords::Skip => FlowRecords::default(),
        };
        Ok(HydratedTree { tree, records })
    }

    /// Loads the records behind `nodes`: one batched query per kind (by primary key, the three
    /// kinds concurrently), skipping the events already in hand.
    async fn hydrate(
        &self,
        nodes: impl Iterator<Item = FlowNode>,
        mut events: HashMap<EconomicEventId, EconomicEvent>,
    ) -> Result<FlowRecords> {
        let (mut event_ids, mut resource_ids, mut process_ids) = (Vec::new(), Vec::new(), Vec::new());
        for node in nodes {
            match node {
                FlowNode::Event(id) if !events.contains_key(&id) => event_ids.push(id),
                FlowNode::Event(_) => {}
                FlowNode::Resource(id) => resource_ids.push(id),
                FlowNode::Process(id) => process_ids.push(id),
            }
        }
        let (more, resources, processes) = tokio::join!(
            async { if event_ids.is_empty() { Ok(HashMap::new()) } else { self.events_by_id(&event_ids).await } },
            async {
                if resource_ids.is_empty() { Ok(HashMap::new()) } else { self.resources_by_id(&resource_ids).await }
            },
            async {
                if process_ids.is_empty() { Ok(HashMap::new()) } else { self.processes_by_id(&process_ids).await }
            },
        );
        events.extend(more?);
        Ok(FlowRecords { events, resources: resources?, processes: processes? })
    }
}

/// The processes two process steps from process `id` (process, its events, their resources,
/// the resources' events, those processes), in the order first reached.
fn neighbours(graph: &FlowGraph, id: ProcessId, direction: Direction) -> Vec<ProcessId> {
    let mut frontier = vec![FlowNode::Process(id)];
    for _ in 0..4 {
        let mut next: Vec<FlowNode> = Vec::new();
        for node in &frontier {
            let steps = match direction {
                Direction::Upstream => graph.previous(*node),
                Direction::Downstream => graph.next(*node),
            };
            for step in steps {
                if !next.contains(&step) {
                    next.push(step);
                }
            }
        }
        frontier = next;
    }
    frontier
        .into_iter()
        .filter_map(|n| if let FlowNode::Process(p) = n { Some(p) } else { None })
        .filter(|p| *p != id)
        .collect()
}

/// The same walks answered from the in-memory index once it is built (caught up with the log
/// first), else from slices loaded level by level: same results either way.
impl FlowIndex {
    /// As [`Store::walk_flow`]. The records are loaded by primary key, in batches.
    pub async fn walk_flow(&self, start: FlowNode, direction: Direction, max_nodes: usize) -> Result<Walked> {
        let Some(steps) = self.read(|g| g.walk(start, direction, Some(max_nodes))).await? else {
            return self.store().walk_flow(start, direction, max_nodes).await;
        };
        let records = self.store().hydrate(steps.iter().map(|s| s.node), HashMap::new()).await?;
        Ok(Walked { steps, records })
    }

    /// As [`Store::walk_flow`], without the records: the nodes reached, each with its parent
    /// and distance (the compact answer for large graphs).
    pub async fn walk_steps(&self, start: FlowNode, direction: Direction, max_nodes: usize) -> Result<Vec<FlowStep>> {
        match self.read(|g| g.walk(start, direction, Some(max_nodes))).await? {
            Some(steps) => Ok(steps),
            None => {
                let graph = self.store().flow_graph(start, direction, max_nodes, None).await?;
                Ok(graph.walk(start, direction, Some(max_nodes)))
            }
        }
    }

    /// The node an id names (an event, a resource or a process), if any. Ids are UUIDs for
    /// every kind, so the records are looked up by primary key: the event first, in the
    /// index when it is built.
    pub async fn node(&self, id: &str) -> Result<Option<FlowNode>> {
        let event = EconomicEventId::parse(id)?;
        if self.read(|g| g.event(event).is_some()).await? == Some(true)
            || !self.store().events_by_id(&[event]).await?.is_empty()
        {
            return Ok(Some(FlowNode::Event(event)));
        }
        let resource = EconomicResourceId::parse(id)?;
        if !self.store().resources_by_id(&[resource]).await?.is_empty() {
            return Ok(Some(FlowNode::Resource(resource)));
        }
        let process = ProcessId::parse(id)?;
        Ok(self.store().processes_by_id(&[process]).await?.contains_key(&process).then_some(FlowNode::Process(process)))
    }

    /// As [`Store::step_flow`].
    pub async fn step_flow(&self, start: FlowNode, direction: Direction, max_nodes: usize) -> Result<Walked> {
        let found = self
            .read(|g| match direction {
                Direction::Upstream => g.previous(start),
                Direction::Downstream => g.next(start),
            })
            .await?;
        let Some(nodes) = found else { return self.store().step_flow(start, direction, max_nodes).await };
        self.store().one_step_from(start, nodes).await
    }

    /// As [`Store::neighbour_processes`].
    pub async fn neighbour_processes(
        &self,
        id: ProcessId,
        direction: Direction,
        max_nodes: usize,
    ) -> Result<Vec<Process>> {
        match self.read(|g| neighbours(g, id, direction)).await? {
            Some(ids) => self.store().processes_in_order(&ids).await,
            None => self.store().neighbour_processes(id, direction, max_nodes).await,
        }
    }

    /// As [`Store::process_tree`]; over the index, the walk visits at most `max_nodes` nodes.
    pub async fn process_tree(
        &self,
        resource: EconomicResourceId,
        direction: Direction,
        max_depth: Option<u32>,
        max_nodes: usize,
        records: TreeRecords,
    ) -> Result<HydratedTree> {
        if !self.is_ready() {
            return self.store().process_tree(resource, direction, max_depth, max_nodes, records).await;
        }
        self.store().resource_exists(resource).await?;
        let tree = self.read(|g| g.process_tree_within(resource, direction, max_depth, Some(max_nodes))).await?;
        match tree {
            Some(tree) => self.store().hydrate_tree(tree, records).await,
            None => self.store().process_tree(resource, direction, max_depth, max_nodes, records).await,
        }
    }
}
