//! The flow module's output types: vf-graphql's `TrackTraceItem` and `ProductionFlowItem`
//! unions, and the OVN `ProcessTree` and `FlowWalk`.

use std::collections::HashMap;

use async_graphql::{Enum, ID, SimpleObject, Union};
use ovn_domain::flow::{FlowNode, FlowStep};
use ovn_persistence::flow::{FlowRecord, HydratedTree};

use crate::action::Action;
use crate::knowledge::objects::Measure;
use crate::observation::objects::{EconomicEvent, EconomicResource, Process};

/// An item of a track or trace.
#[derive(Union)]
pub enum TrackTraceItem {
    /// A resource.
    EconomicResource(EconomicResource),
    /// An event.
    EconomicEvent(EconomicEvent),
    /// A process.
    Process(Process),
}

impl From<FlowRecord> for TrackTraceItem {
    fn from(record: FlowRecord) -> Self {
        match record {
            FlowRecord::Event(e) => Self::EconomicEvent(EconomicEvent(e)),
            FlowRecord::Resource(r) => Self::EconomicResource(EconomicResource(r)),
            FlowRecord::Process(p) => Self::Process(Process(p)),
        }
    }
}

/// A resource or a process in a production flow.
#[expect(clippy::large_enum_variant, reason = "short-lived response values; boxing buys nothing here")]
#[derive(Union)]
pub enum ProductionFlowItem {
    /// A resource.
    EconomicResource(EconomicResource),
    /// A process.
    Process(Process),
}

impl ProductionFlowItem {
    /// The item behind a record; events are not production flow items.
    pub fn of(record: FlowRecord) -> Option<Self> {
        match record {
            FlowRecord::Resource(r) => Some(Self::EconomicResource(EconomicResource(r))),
            FlowRecord::Process(p) => Some(Self::Process(Process(p))),
            FlowRecord::Event(_) => None,
        }
    }
}

/// A node of a process tree.
#[derive(SimpleObject)]
pub struct ProcessTreeNode {
    /// Distance from the root resource (0 for the root).
    pub depth: i32,
    /// The record.
    pub item: TrackTraceItem,
}

/// An edge of a process tree: a flow of a quantity from one node to the next.
#[derive(SimpleObject)]
pub struct ProcessTreeEdge {
    /// Upstream end (id).
    pub from: ID,
    /// Downstream end (id).
    pub to: ID,
    /// The event's action, when the edge is an event.
    pub action: Option<Action>,
    /// The quantity that flowed.
    pub quantity: Option<Measure>,
    /// The event that carried the flow.
    pub via: Option<ID>,
}

/// How value amalgamates into a product: nodes and edges, for drawing.
#[derive(SimpleObject)]
pub struct ProcessTree {
    /// Resources, events and processes, with their depth.
    pub nodes: Vec<ProcessTreeNode>,
    /// Flows between them.
    pub edges: Vec<ProcessTreeEdge>,
}

fn node_id(node: FlowNode) -> ID {
    ID(match node {
        FlowNode::Event(id) => id.to_string(),
        FlowNode::Resource(id) => id.to_string(),
        FlowNode::Process(id) => id.to_string(),
    })
}

impl From<HydratedTree> for ProcessTree {
    fn from(HydratedTree { tree, records }: HydratedTree) -> Self {
        Self {
            nodes: tree
                .nodes
                .iter()
                .filter_map(|n| {
                    let item = records.get(n.node)?.into();
                    Some(ProcessTreeNode { depth: i32::try_from(n.depth).unwrap_or(i32::MAX), item })
                })
                .collect(),
            edges: tree
                .edges
                .into_iter()
                .map(|e| ProcessTreeEdge {
                    from: node_id(e.from),
                    to: node_id(e.to),
                    action: e.action.map(Action),
                    quantity: e.quantity.map(Measure),
                    via: e.via.map(|v| ID(v.to_string())),
                })
                .collect(),
        }
    }
}

/// The kind of a flow node: the `TrackTraceItem` member it is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum FlowNodeKind {
    /// An `EconomicEvent`.
    EconomicEvent,
    /// An `EconomicResource`.
    EconomicResource,
    /// A `Process`.
    Process,
}

/// OVN: a walk of the flow graph as parallel arrays, one entry per node in walk order (depth
/// first, the start first): compact enough for graphs of 100,000 nodes, where a list of full
/// records would be megabytes of JSON.
#[derive(SimpleObject)]
pub struct FlowWalk {
    /// The nodes' ids.
    pub ids: Vec<ID>,
    /// Each node's kind.
    pub kinds: Vec<FlowNodeKind>,
    /// The position in `ids` of the node each node was first reached from; -1 for the start.
    pub parents: Vec<i32>,
    /// Each node's distance from the start, in flow steps.
    pub distances: Vec<i32>,
    /// Whether the walk stopped at `maxNodes` (or the server's bound) before its end.
    pub truncated: bool,
}

impl FlowWalk {
    /// The arrays of a walk.
    pub fn new(steps: &[FlowStep], truncated: bool) -> Self {
        let position: HashMap<FlowNode, i32> =
            steps.iter().enumerate().map(|(i, s)| (s.node, i32::try_from(i).unwrap_or(i32::MAX))).collect();
        Self {
            ids: steps.iter().map(|s| node_id(s.node)).collect(),
            kinds: steps
                .iter()
                .map(|s| match s.node {
                    FlowNode::Event(_) => FlowNodeKind::EconomicEvent,
                    FlowNode::Resource(_) => FlowNodeKind::EconomicResource,
                    FlowNode::Process(_) => FlowNodeKind::Process,
                })
                .collect(),
            parents: steps.iter().map(|s| s.parent.and_then(|p| position.get(&p).copied()).unwrap_or(-1)).collect(),
            distances: steps.iter().map(|s| i32::try_from(s.distance).unwrap_or(i32::MAX)).collect(),
            truncated,
        }
    }
}
