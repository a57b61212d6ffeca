//! The in-memory index of the whole flow graph ([`FlowIndex`]): built once from the event log
//! in the background, then kept exact by tailing the log before each walk
//! ([`crate::log_tail`] says how, holes included). [`FlowGraph::append`] keeps recording order
//! whatever order the events arrive in.

use chrono::{DateTime, Utc};
use ovn_domain::flow::{FlowEvent, FlowGraph};
use ovn_domain::{Action, EconomicEventId, EconomicResourceId, ProcessId};
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};

use crate::decimal::DbDecimal;
use crate::entity::economic_event;
use crate::error::Result;
use crate::log_tail::{Ask, Log, LogIndex};
use crate::rows::{id, measure, opt};
use crate::store::Store;

/// The shared, cheaply cloned handle of a server's flow index.
#[derive(Clone)]
pub struct FlowIndex {
    store: Store,
    index: LogIndex<FlowGraph>,
}

/// The event fields a walk needs, as the catch-up query reads them: no full row.
#[derive(Debug, FromQueryResult)]
struct SlimRow {
    seq: i64,
    id: String,
    action: String,
    resource_inventoried_as: Option<String>,
    to_resource_inventoried_as: Option<String>,
    input_of: Option<String>,
    output_of: Option<String>,
    resource_quantity: Option<DbDecimal>,
    resource_quantity_unit: Option<String>,
    effort_quantity: Option<DbDecimal>,
    effort_quantity_unit: Option<String>,
    has_point_in_time: Option<DateTime<Utc>>,
    has_end: Option<DateTime<Utc>>,
    has_beginning: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    corrects: Option<String>,
}

impl SlimRow {
    fn flow_event(self) -> Result<FlowEvent> {
        Ok(FlowEvent {
            id: id(&self.id, EconomicEventId::parse)?,
            action: id(&self.action, Action::parse)?,
            resource_inventoried_as: opt(self.resource_inventoried_as.as_deref(), EconomicResourceId::parse)?,
            to_resource_inventoried_as: opt(self.to_resource_inventoried_as.as_deref(), EconomicResourceId::parse)?,
            input_of: opt(self.input_of.as_deref(), ProcessId::parse)?,
            output_of: opt(self.output_of.as_deref(), ProcessId::parse)?,
            resource_quantity: measure(self.resource_quantity, self.resource_quantity_unit.as_deref())?,
            effort_quantity: measure(self.effort_quantity, self.effort_quantity_unit.as_deref())?,
            // As `flow_event_from` reads a full row.
            has_point_in_time: self
                .has_point_in_time
                .or(self.has_end)
                .or(self.has_beginning)
                .unwrap_or(self.created_at),
            created: self.created_at,
            corrects: opt(self.corrects.as_deref(), EconomicEventId::parse)?,
        })
    }
}

impl Log for FlowGraph {
    type Row = FlowEvent;
    const NAME: &'static str = "flow index";

    fn append(&mut self, row: FlowEvent) {
        FlowGraph::append(self, row);
    }

    fn len(&self) -> usize {
        FlowGraph::len(self)
    }

    /// One query of the log, slim columns only.
    async fn fetch(store: &Store, ask: Ask<'_>) -> Result<Vec<(i64, FlowEvent)>> {
        use economic_event::Column as C;
        let seq = Ask::seq(store.backend());
        let mut select = economic_event::Entity::find()
            .select_only()
            .column_as(Expr::cust(seq), "seq")
            .columns([
                C::Id,
                C::Action,
                C::ResourceInventoriedAs,
                C::ToResourceInventoriedAs,
                C::InputOf,
                C::OutputOf,
                C::ResourceQuantity,
                C::ResourceQuantityUnit,
                C::EffortQuantity,
                C::EffortQuantityUnit,
                C::HasPointInTime,
                C::HasEnd,
                C::HasBeginning,
                C::CreatedAt,
                C::Corrects,
            ])
            .filter(ask.condition(seq))
            .order_by_asc(Expr::cust(seq));
        if let Some(limit) = ask.limit() {
            select = select.limit(limit);
        }
        let rows = select.into_model::<SlimRow>().all(store.connection()).await?;
        rows.into_iter().map(|row| Ok((row.seq, row.flow_event()?))).collect()
    }
}

impl FlowIndex {
    /// An index over `store`'s events, not built yet.
    pub fn new(store: Store) -> Self {
        Self { store, index: LogIndex::default() }
    }

    /// The store the index reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Starts building the index in the background on the current tokio runtime (without
    /// one, the index stays unbuilt and walks use the slice loader).
    pub fn spawn_build(&self) {
        self.index.spawn_build(self.store.clone());
    }

    /// Builds the index from the whole event log (the slim columns only, a page at a time),
    /// then publishes it. Returns how long it took.
    pub async fn build(&self) -> Result<std::time::Duration> {
        self.index.build(&self.store).await
    }

    /// Whether the index is built (walks use it from then on).
    pub fn is_ready(&self) -> bool {
        self.index.is_ready()
    }

    /// Events indexed (0 until built).
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether no event is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Catches the index up with the log, then runs `walk` on the whole graph; `None` while
    /// the index is not built.
    pub async fn read<T>(&self, walk: impl FnOnce(&FlowGraph) -> T) -> Result<Option<T>> {
        self.index.read(&self.store, walk).await
    }

    /// Appends the events recorded since the last catch-up, and those of the holes that
    /// have committed meanwhile.
    pub async fn catch_up(&self) -> Result<()> {
        self.index.catch_up(&self.store).await
    }
}
