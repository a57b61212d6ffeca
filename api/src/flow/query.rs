//! Reads of the flow graph: the OVN `processTree` and `flowGraph` queries, and the track,
//! trace, previous, next and neighbour-process walks behind the fields of events, resources
//! and processes. Each is one call of the flow index's orchestration (walk the in-memory
//! index, or a slice loaded for the walk until the index is built; hydrate only the records
//! the answer shows), bounded by the request's flow limit; here the result only becomes
//! GraphQL objects.

use async_graphql::{Context, ID, Object};
use ovn_domain::EconomicResourceId;
use ovn_domain::flow::{Direction, FlowNode};
use ovn_persistence::flow::{FlowRecord, TreeRecords};

use super::inputs::{FlowDirection, parse_max_depth, parse_max_nodes};
use super::objects::{FlowWalk, ProcessTree, ProductionFlowItem, TrackTraceItem};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;
use crate::observation::objects::{EconomicEvent, Process};

/// Everything upstream (trace) or downstream (track) of `start`, depth first.
pub async fn walk(ctx: &Context<'_>, start: FlowNode, direction: Direction) -> Result<Vec<TrackTraceItem>> {
    let walked = ctx.flows()?.walk_flow(start, direction, ctx.flow_limit()?).await?;
    Ok(walked.records_in_order().into_iter().map(TrackTraceItem::from).collect())
}

/// The records exactly one flow step from `start`.
pub async fn step(ctx: &Context<'_>, start: FlowNode, direction: Direction) -> Result<Vec<FlowRecord>> {
    Ok(ctx.flows()?.step_flow(start, direction, ctx.flow_limit()?).await?.records_in_order())
}

/// The processes two process steps from process `start` (`previousProcesses`,
/// `nextProcesses`).
pub async fn neighbour_processes(
    ctx: &Context<'_>,
    start: ovn_domain::ProcessId,
    direction: Direction,
) -> Result<Vec<Process>> {
    let found = ctx.flows()?.neighbour_processes(start, direction, ctx.flow_limit()?).await?;
    Ok(found.into_iter().map(Process).collect())
}

/// The resources and processes of a step (an event's `previous`/`next`).
pub fn production_items(records: Vec<FlowRecord>) -> Vec<ProductionFlowItem> {
    records.into_iter().filter_map(ProductionFlowItem::of).collect()
}

/// The events of a step (a resource's or a process's `previous`/`next`).
pub fn event_items(records: Vec<FlowRecord>) -> Vec<EconomicEvent> {
    records
        .into_iter()
        .filter_map(|r| if let FlowRecord::Event(e) = r { Some(EconomicEvent(e)) } else { None })
        .collect()
}

/// Reads of the flow graph.
#[derive(Default)]
pub struct FlowQuery;

#[Object]
impl FlowQuery {
    /// OVN: how value amalgamates into a resource (UPSTREAM) or where it went (DOWNSTREAM):
    /// the resources, processes and events of its flow tree, with quantities, for drawing.
    async fn process_tree(
        &self,
        ctx: &Context<'_>,
        resource: ID,
        direction: Option<FlowDirection>,
        max_depth: Option<i32>,
    ) -> Result<ProcessTree> {
        let resource = parse_id(&resource, EconomicResourceId::parse)?;
        let direction = direction.unwrap_or(FlowDirection::Upstream).into();
        let max_depth = parse_max_depth(max_depth)?;
        // Edges name their ends by id and carry the event's action and quantity: records are
        // loaded only when the query selects `nodes`.
        let records = if ctx.look_ahead().field("nodes").exists() { TreeRecords::Load } else { TreeRecords::Skip };
        let tree = ctx.flows()?.process_tree(resource, direction, max_depth, ctx.flow_limit()?, records).await?;
        Ok(tree.into())
    }

    /// OVN: the compact answer of a track (DOWNSTREAM) or trace (UPSTREAM, the default) from
    /// any event, resource or process, for large graphs: the nodes in walk order as parallel
    /// arrays (id, kind, parent, distance), with no record behind them. `maxNodes` bounds the
    /// answer below the server's own bound; `truncated` says whether the walk was cut there.
    async fn flow_graph(
        &self,
        ctx: &Context<'_>,
        start: ID,
        direction: Option<FlowDirection>,
        max_nodes: Option<i32>,
    ) -> Result<Option<FlowWalk>> {
        let flows = ctx.flows()?;
        let bound = ctx.flow_limit()?;
        let limit = parse_max_nodes(max_nodes)?.map_or(bound, |m| m.min(bound));
        let Some(node) = flows.node(&start).await? else { return Ok(None) };
        let direction = direction.unwrap_or(FlowDirection::Upstream).into();
        // One node more than asked for tells whether the walk was cut.
        let mut steps = flows.walk_steps(node, direction, limit.saturating_add(1)).await?;
        let truncated = steps.len() > limit;
        steps.truncate(limit);
        Ok(Some(FlowWalk::new(&steps, truncated)))
    }
}
