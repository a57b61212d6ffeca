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
    pub ids: Leaves<ID>,
    /// Each node's kind.
    pub kinds: Leaves<FlowNodeKind>,
    /// The position in `ids` of the node each node was first reached from; -1 for the start.
    pub parents: Leaves<i32>,
    /// Each node's distance from the start, in flow steps.
    pub distances: Leaves<i32>,
    /// Whether the walk stopped at `maxNodes` (or the server's bound) before its end.
    pub truncated: bool,
}

impl FlowWalk {
    /// The arrays of a walk.
    pub fn new(steps: &[FlowStep], truncated: bool) -> Self {
        let position: HashMap<FlowNode, i32> =
            steps.iter().enumerate().map(|(i, s)| (s.node, i32::try_from(i).unwrap_or(i32::MAX))).collect();
        Self {
            ids: Leaves(steps.iter().map(|s| node_id(s.node)).collect()),
            kinds: Leaves(
                steps
                    .iter()
                    .map(|s| match s.node {
                        FlowNode::Event(_) => FlowNodeKind::EconomicEvent,
                        FlowNode::Resource(_) => FlowNodeKind::EconomicResource,
                        FlowNode::Process(_) => FlowNodeKind::Process,
                    })
                    .collect(),
            ),
            parents: Leaves(
                steps.iter().map(|s| s.parent.and_then(|p| position.get(&p).copied()).unwrap_or(-1)).collect(),
            ),
            distances: Leaves(steps.iter().map(|s| i32::try_from(s.distance).unwrap_or(i32::MAX)).collect()),
            truncated,
        }
    }
}

/// A list of leaf values (scalars, enums) that resolves in one pass: each item is resolved in
/// turn, where a plain list creates and polls one future per item concurrently. The schema
/// sees exactly the list type (`[T!]!`).
///
/// Why: `flowGraph` answers four lists of up to hundreds of thousands of leaves; resolved as
/// plain lists they cost more than the walk itself. A leaf resolves at once and never fails on
/// its own, so resolving them one after the other loses nothing.
pub struct Leaves<T>(pub Vec<T>);

impl<T: async_graphql::OutputType> async_graphql::OutputType for Leaves<T> {
    fn type_name() -> std::borrow::Cow<'static, str> {
        <Vec<T> as async_graphql::OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as async_graphql::OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        <Vec<T> as async_graphql::OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &async_graphql::ContextSelectionSet<'_>,
        field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
    ) -> async_graphql::ServerResult<async_graphql::Value> {
        let mut values = Vec::with_capacity(self.0.len());
        for (i, item) in self.0.iter().enumerate() {
            values.push(item.resolve(&ctx.with_index(i), field).await?);
        }
        Ok(async_graphql::Value::List(values))
    }
}
