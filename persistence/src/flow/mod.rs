//! Track and trace: the slice of the flow graph a walk needs, loaded level by level (three
//! batched queries per level, never one per node), for the domain's walks to run on; and
//! ([`service`]) the walks themselves, each loading its slice, walking it and hydrating the
//! records it reached; and ([`FlowIndex`]) the in-memory index of the whole graph that answers
//! the same walks without loading slices once it is built.

mod index;
mod service;

pub use crate::log_tail::HOLE_HORIZON;
pub use index::FlowIndex;
pub use service::{FlowRecord, FlowRecords, HydratedTree, TreeRecords, Walked};

use std::collections::HashMap;

use ovn_domain::EconomicEventId;
use ovn_domain::flow::{Direction, FlowGraph, FlowNode, SliceLoader};
use ovn_domain::observation::EconomicEvent;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::entity::economic_event;
use crate::error::Result;
use crate::observation::events_with_scopes;
use crate::revisioned::IN_LIST_MAX;
use crate::rows::flow_event_from;
use crate::store::Store;

impl Store {
    /// Loads the slice of the flow graph reachable from `start` in `direction`, level by
    /// level (three batched queries per level), at most `max_nodes` nodes.
    /// `max_levels` bounds the round trips (1 is enough for `previous`/`next`).
    pub async fn flow_graph(
        &self,
        start: FlowNode,
        direction: Direction,
        max_nodes: usize,
        max_levels: Option<usize>,
    ) -> Result<FlowGraph> {
        let (graph, _) = self.load_slice(start, direction, max_nodes, max_levels, false).await?;
        Ok(graph)
    }

    /// Same as [`Store::flow_graph`], and also hands back every event of the slice as a full
    /// record (scopes included), so that a walk can be answered without loading its events
    /// a second time.
    pub async fn flow_slice(
        &self,
        start: FlowNode,
        direction: Direction,
        max_nodes: usize,
        max_levels: Option<usize>,
    ) -> Result<(FlowGraph, HashMap<EconomicEventId, EconomicEvent>)> {
        let (graph, rows) = self.load_slice(start, direction, max_nodes, max_levels, true).await?;
        let events = events_with_scopes(self.connection(), rows.into_values().collect()).await?;
        Ok((graph, events.into_iter().map(|e| (e.id, e)).collect()))
    }

    /// The slice loop; keeps the rows it read when `keep_rows` is set.
    async fn load_slice(
        &self,
        start: FlowNode,
        direction: Direction,
        max_nodes: usize,
        max_levels: Option<usize>,
        keep_rows: bool,
    ) -> Result<(FlowGraph, HashMap<String, economic_event::Model>)> {
        use economic_event::Column as C;
        let mut loader = SliceLoader::new(start, direction).with_max_nodes(max_nodes);
        let mut levels = 0;
        let mut kept: HashMap<String, economic_event::Model> = HashMap::new();
        while let Some(request) = loader.request() {
            if max_levels.is_some_and(|max| levels >= max) {
                break;
            }
            levels += 1;
            let mut rows = Vec::new();
            for chunk in request.events.chunks(IN_LIST_MAX) {
                rows.extend(
                    economic_event::Entity::find()
                        .filter(C::Id.is_in(chunk.iter().map(ToString::to_string)))
                        .all(self.connection())
                        .await?,
                );
            }
            // Each id appears in two IN lists here, so half the chunk.
            for chunk in request.resources.chunks(IN_LIST_MAX / 2) {
                let ids: Vec<String> = chunk.iter().map(ToString::to_string).collect();
                rows.extend(
                    economic_event::Entity::find()
                        .filter(
                            Condition::any()
                                .add(C::ResourceInventoriedAs.is_in(ids.clone()))
                                .add(C::ToResourceInventoriedAs.is_in(ids)),
                        )
                        .all(self.connection())
                        .await?,
                );
            }
            for chunk in request.processes.chunks(IN_LIST_MAX / 2) {
                let ids: Vec<String> = chunk.iter().map(ToString::to_string).collect();
                rows.extend(
                    economic_event::Entity::find()
                        .filter(Condition::any().add(C::InputOf.is_in(ids.clone())).add(C::OutputOf.is_in(ids)))
                        .all(self.connection())
                        .await?,
                );
            }
            let events = rows.iter().map(flow_event_from).collect::<Result<Vec<_>>>()?;
            if keep_rows {
                for row in rows {
                    kept.entry(row.id.clone()).or_insert(row);
                }
            }
            loader.receive(events);
        }
        Ok((loader.finish(), kept))
    }
}
