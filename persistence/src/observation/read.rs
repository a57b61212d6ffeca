//! Reads of the observation layer, batched: by ids (for DataLoaders, with `IN` lists chunked
//! under the databases' bound-parameter limits), pages with filters, and whole-table reads for
//! replay checks.

use std::collections::HashMap;

use ovn_domain::Uri;
use ovn_domain::observation::{EconomicEvent, EconomicResource, Process};
use ovn_domain::{AgentId, AgreementId, EconomicEventId, EconomicResourceId, PlanId, ProcessId};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QueryResult, QuerySelect, Select,
};

use super::{EventFilter, ProcessFilter, ResourceFilter};
use crate::entity::{economic_event, economic_event_scope, economic_resource, process, process_scope};
use crate::error::Result;
use crate::page::{Page, PageRequest, paginate, paginate_as};
use crate::revisioned::{IN_LIST_MAX, by_ids};
use crate::rows::{Record, event_from, id, process_from};
use crate::store::Store;

/// `%`, `_` and the escape character itself, escaped for a `LIKE … ESCAPE '\'` pattern.
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `searchString`: any of `columns` holds `text`, in any case (ASCII case on SQLite, whose
/// `lower` folds only ASCII). An empty search matches everything.
fn search<C: ColumnTrait>(columns: &[C], text: &str) -> Condition {
    let pattern = format!("%{}%", like_escaped(&text.to_lowercase()));
    columns.iter().fold(Condition::any(), |any, column| {
        any.add(Expr::expr(Func::lower(Expr::col(*column))).like(LikeExpr::new(pattern.clone()).escape('\\')))
    })
}

/// A classification filter: the JSON list in `column` (see `rows::uris_to_json`) holds any of
/// `uris`. URIs hold no `"`, so the quoted form matches one whole element.
fn classified_any<C: ColumnTrait>(column: C, uris: &[Uri]) -> Condition {
    uris.iter().fold(Condition::any(), |any, uri| {
        let element = serde_json::Value::String(uri.as_str().to_owned()).to_string();
        any.add(Expr::col(column).like(LikeExpr::new(format!("%{}%", like_escaped(&element))).escape('\\')))
    })
}

/// The scopes (`inScopeOf`) of many owners, read from a scope table in batches, by owner id.
async fn scopes_in<E, C>(
    conn: &C,
    ids: &[String],
    owner: E::Column,
    scope: E::Column,
    pair: fn(E::Model) -> (String, String),
) -> Result<HashMap<String, Vec<AgentId>>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut scopes: HashMap<String, Vec<AgentId>> = HashMap::new();
    for chunk in ids.chunks(IN_LIST_MAX) {
        let rows = E::find().filter(owner.is_in(chunk.iter().cloned())).order_by_asc(scope).all(conn).await?;
        for row in rows {
            let (owner, scope) = pair(row);
            scopes.entry(owner).or_default().push(id(&scope, AgentId::parse)?);
        }
    }
    Ok(scopes)
}

/// The scopes of many events.
pub(crate) async fn scopes_of_events<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashMap<String, Vec<AgentId>>> {
    use economic_event_scope::Column as C;
    scopes_in::<economic_event_scope::Entity, _>(conn, ids, C::EventId, C::ScopeId, |r| (r.event_id, r.scope_id)).await
}

/// The scopes of many processes.
pub(crate) async fn scopes_of_processes<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashMap<String, Vec<AgentId>>> {
    use process_scope::Column as C;
    scopes_in::<process_scope::Entity, _>(conn, ids, C::ProcessId, C::ScopeId, |r| (r.process_id, r.scope_id)).await
}

pub(crate) async fn events_with_scopes<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<economic_event::Model>,
) -> Result<Vec<EconomicEvent>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut scopes = scopes_of_events(conn, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let in_scope = scopes.remove(&row.id).unwrap_or_default();
            event_from(row, in_scope)
        })
        .collect()
}

/// An event row with its scopes, which the select aggregates in the same statement
/// ([`with_scopes`]).
pub(crate) struct EventWithScopes {
    row: economic_event::Model,
    in_scope_of: Option<String>,
}

impl FromQueryResult for EventWithScopes {
    fn from_query_result(res: &QueryResult, pre: &str) -> std::result::Result<Self, DbErr> {
        Ok(Self {
            row: economic_event::Model::from_query_result(res, pre)?,
            in_scope_of: res.try_get(pre, "in_scope_of")?,
        })
    }
}

impl EventWithScopes {
    fn into_event(self) -> Result<EconomicEvent> {
        let mut scopes = self
            .in_scope_of
            .iter()
            .flat_map(|s| s.split(' '))
            .map(|s| id(s, AgentId::parse))
            .collect::<Result<Vec<_>>>()?;
        scopes.sort_unstable();
        event_from(self.row, scopes)
    }
}

/// Adds each event's scopes to `select` as one more column, `in_scope_of` (the scope ids
/// separated by spaces, from a correlated subquery on the scope table's primary key), so that
/// reading events with their scopes is one round trip instead of two.
pub(crate) fn with_scopes(
    select: Select<economic_event::Entity>,
    backend: DbBackend,
) -> Select<economic_event::Entity> {
    let aggregate = match backend {
        DbBackend::Postgres => "string_agg(s.scope_id, ' ')",
        _ => "group_concat(s.scope_id, ' ')",
    };
    select.expr_as(
        Expr::cust(format!("(SELECT {aggregate} FROM economic_event_scope s WHERE s.event_id = economic_event.id)")),
        "in_scope_of",
    )
}

/// Runs `select` with the events' scopes, in one statement.
pub(crate) async fn select_events<C: ConnectionTrait>(
    conn: &C,
    select: Select<economic_event::Entity>,
) -> Result<Vec<EconomicEvent>> {
    let rows = with_scopes(select, conn.get_database_backend()).into_model::<EventWithScopes>().all(conn).await?;
    rows.into_iter().map(EventWithScopes::into_event).collect()
}

impl Store {
    /// Many events in one query, with their scopes.
    pub async fn events_by_id(&self, ids: &[EconomicEventId]) -> Result<HashMap<EconomicEventId, EconomicEvent>> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IN_LIST_MAX) {
            let select = economic_event::Entity::find()
                .filter(economic_event::Column::Id.is_in(chunk.iter().map(ToString::to_string)));
            found.extend(select_events(self.connection(), select).await?.into_iter().map(|e| (e.id, e)));
        }
        Ok(found)
    }

    fn event_select(filter: &EventFilter) -> Select<economic_event::Entity> {
        use economic_event::Column as C;
        let mut select = economic_event::Entity::find();
        if !filter.provider.is_empty() {
            select = select.filter(C::Provider.is_in(filter.provider.iter().map(ToString::to_string)));
        }
        if !filter.receiver.is_empty() {
            select = select.filter(C::Receiver.is_in(filter.receiver.iter().map(ToString::to_string)));
        }
        if let Some(agent) = filter.agent {
            select = select
                .filter(Condition::any().add(C::Provider.eq(agent.to_string())).add(C::Receiver.eq(agent.to_string())));
        }
        if !filter.action.is_empty() {
            select = select.filter(C::Action.is_in(filter.action.iter().map(|a| a.id())));
        }
        if let Some(resource) = filter.resource {
            select = select.filter(
                Condition::any()
                    .add(C::ResourceInventoriedAs.eq(resource.to_string()))
                    .add(C::ToResourceInventoriedAs.eq(resource.to_string())),
            );
        }
        if let Some(spec) = filter.resource_conforms_to {
            select = select.filter(C::ResourceConformsTo.eq(spec.to_string()));
        }
        if let Some(trigger) = filter.triggered_by {
            select = select.filter(C::TriggeredBy.eq(trigger.to_string()));
        }
        if let Some(resource) = filter.to_resource {
            select = select.filter(C::ToResourceInventoriedAs.eq(resource.to_string()));
        }
        if let Some(scope) = filter.in_scope_of {
            let scoped = sea_orm::sea_query::Query::select()
                .column(economic_event_scope::Column::EventId)
                .from(economic_event_scope::Entity)
                .and_where(economic_event_scope::Column::ScopeId.eq(scope.to_string()))
                .to_owned();
            select = select.filter(C::Id.in_subquery(scoped));
        }
        if let Some(start) = filter.start_date {
            select = select.filter(Condition::any().add(C::HasPointInTime.gte(start)).add(C::HasBeginning.gte(start)));
        }
        if let Some(end) = filter.end_date {
            select = select.filter(Condition::any().add(C::HasPointInTime.lte(end)).add(C::HasEnd.lte(end)));
        }
        if let Some(text) = &filter.search {
            select = select.filter(search(&[C::Note], text));
        }
        if !filter.resource_classified_as.is_empty() {
            select = select.filter(classified_any(C::ResourceClassifiedAs, &filter.resource_classified_as));
        }
        select
    }

    /// A page of events.
    pub async fn events(&self, filter: &EventFilter, page: &PageRequest) -> Result<Page<EconomicEvent>> {
        let select = with_scopes(Self::event_select(filter), self.backend());
        let page = paginate_as(self.connection(), select, economic_event::Column::Id, page, |e: &EventWithScopes| {
            Some(e.row.id.clone())
        })
        .await?;
        page.try_map(EventWithScopes::into_event)
    }

    /// Every event matching `filter`, oldest first (bounded by `limit`).
    pub async fn events_list(&self, filter: &EventFilter, limit: u64) -> Result<Vec<EconomicEvent>> {
        let select = Self::event_select(filter)
            .order_by_asc(economic_event::Column::CreatedAt)
            .order_by_asc(economic_event::Column::Id)
            .limit(limit);
        select_events(self.connection(), select).await
    }

    /// The inputs (or outputs) of many processes in one query.
    pub async fn events_of_processes(
        &self,
        ids: &[ProcessId],
        outputs: bool,
    ) -> Result<HashMap<ProcessId, Vec<EconomicEvent>>> {
        let column = if outputs { economic_event::Column::OutputOf } else { economic_event::Column::InputOf };
        let select = economic_event::Entity::find()
            .filter(column.is_in(ids.iter().map(ToString::to_string)))
            .order_by_asc(economic_event::Column::Id);
        let mut grouped: HashMap<ProcessId, Vec<EconomicEvent>> = HashMap::new();
        for event in select_events(self.connection(), select).await? {
            let key = if outputs { event.core.output_of } else { event.core.input_of };
            if let Some(process) = key {
                grouped.entry(process).or_default().push(event);
            }
        }
        Ok(grouped)
    }

    /// The events that realise many agreements (`realizationOf`, or with `reciprocal` VF 1.0
    /// `reciprocalRealizationOf`) in one query.
    pub async fn events_realizing(
        &self,
        ids: &[AgreementId],
        reciprocal: bool,
    ) -> Result<HashMap<AgreementId, Vec<EconomicEvent>>> {
        let column = if reciprocal {
            economic_event::Column::ReciprocalRealizationOf
        } else {
            economic_event::Column::RealizationOf
        };
        let select = economic_event::Entity::find()
            .filter(column.is_in(ids.iter().map(ToString::to_string)))
            .order_by_asc(economic_event::Column::Id);
        let mut grouped: HashMap<AgreementId, Vec<EconomicEvent>> = HashMap::new();
        for event in select_events(self.connection(), select).await? {
            let key = if reciprocal { event.details.reciprocal_realization_of } else { event.details.realization_of };
            if let Some(agreement) = key {
                grouped.entry(agreement).or_default().push(event);
            }
        }
        Ok(grouped)
    }

    /// The processes planned within many plans in one query (plus one for their scopes).
    pub async fn processes_planned_within(&self, ids: &[PlanId]) -> Result<HashMap<PlanId, Vec<Process>>> {
        let rows = process::Entity::find()
            .filter(process::Column::PlannedWithin.is_in(ids.iter().map(ToString::to_string)))
            .order_by_asc(process::Column::Id)
            .all(self.connection())
            .await?;
        let keys: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut scopes = scopes_of_processes(self.connection(), &keys).await?;
        let mut grouped: HashMap<PlanId, Vec<Process>> = HashMap::new();
        for row in rows {
            let in_scope = scopes.remove(&row.id).unwrap_or_default();
            let process = process_from(row, in_scope)?;
            if let Some(plan) = process.planned_within {
                grouped.entry(plan).or_default().push(process);
            }
        }
        Ok(grouped)
    }

    /// The corrections of many events in one query.
    pub async fn corrections_of(
        &self,
        ids: &[EconomicEventId],
    ) -> Result<HashMap<EconomicEventId, Vec<EconomicEvent>>> {
        let select = economic_event::Entity::find()
            .filter(economic_event::Column::Corrects.is_in(ids.iter().map(ToString::to_string)))
            .order_by_asc(economic_event::Column::Id);
        let mut grouped: HashMap<EconomicEventId, Vec<EconomicEvent>> = HashMap::new();
        for event in select_events(self.connection(), select).await? {
            if let Some(original) = event.core.corrects {
                grouped.entry(original).or_default().push(event);
            }
        }
        Ok(grouped)
    }

    /// Many resources in one query.
    pub async fn resources_by_id(
        &self,
        ids: &[EconomicResourceId],
    ) -> Result<HashMap<EconomicResourceId, EconomicResource>> {
        by_ids(self.connection(), economic_resource::Column::Id, ids).await
    }

    /// A page of resources.
    pub async fn resources(&self, filter: &ResourceFilter, page: &PageRequest) -> Result<Page<EconomicResource>> {
        use economic_resource::Column as C;
        let mut select = economic_resource::Entity::find();
        if let Some(agent) = filter.agent {
            select = select.filter(
                Condition::any()
                    .add(C::PrimaryAccountable.eq(agent.to_string()))
                    .add(C::Custodian.eq(agent.to_string())),
            );
        }
        if let Some(spec) = filter.conforms_to {
            select = select.filter(C::ConformsTo.eq(spec.to_string()));
        }
        if let Some(stage) = filter.stage {
            select = select.filter(C::Stage.eq(stage.to_string()));
        }
        if let Some(container) = filter.contained_in {
            select = select.filter(C::ContainedIn.eq(container.to_string()));
        }
        if let Some(text) = &filter.search {
            select = select.filter(search(&[C::Name, C::Note, C::TrackingIdentifier], text));
        }
        if !filter.classified_as.is_empty() {
            select = select.filter(classified_any(C::ClassifiedAs, &filter.classified_as));
        }
        paginate(self.connection(), select, C::Id, page).await?.try_map(EconomicResource::from_row)
    }

    /// Every resource, in id order (for replay checks and exports).
    pub async fn all_resources(&self) -> Result<Vec<EconomicResource>> {
        let rows = economic_resource::Entity::find()
            .order_by_asc(economic_resource::Column::Id)
            .all(self.connection())
            .await?;
        rows.into_iter().map(EconomicResource::from_row).collect()
    }

    /// Many processes in one query (plus one for their scopes).
    pub async fn processes_by_id(&self, ids: &[ProcessId]) -> Result<HashMap<ProcessId, Process>> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IN_LIST_MAX) {
            rows.extend(
                process::Entity::find()
                    .filter(process::Column::Id.is_in(chunk.iter().map(ToString::to_string)))
                    .all(self.connection())
                    .await?,
            );
        }
        let keys: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut scopes = scopes_of_processes(self.connection(), &keys).await?;
        rows.into_iter()
            .map(|row| {
                let in_scope = scopes.remove(&row.id).unwrap_or_default();
                process_from(row, in_scope).map(|p| (p.id, p))
            })
            .collect()
    }

    /// A page of processes.
    pub async fn processes(&self, filter: &ProcessFilter, page: &PageRequest) -> Result<Page<Process>> {
        use process::Column as C;
        let mut select = process::Entity::find();
        if let Some(finished) = filter.finished {
            select = select.filter(C::Finished.eq(finished));
        }
        if let Some(spec) = filter.based_on {
            select = select.filter(C::BasedOn.eq(spec.to_string()));
        }
        if let Some(text) = &filter.search {
            select = select.filter(search(&[C::Name, C::Note], text));
        }
        if !filter.classified_as.is_empty() {
            select = select.filter(classified_any(C::ClassifiedAs, &filter.classified_as));
        }
        if let Some(start) = filter.start_date {
            select = select.filter(C::HasBeginning.gte(start));
        }
        if let Some(end) = filter.end_date {
            select = select.filter(C::HasEnd.lte(end));
        }
        if let Some(scope) = filter.in_scope_of {
            let scoped = sea_orm::sea_query::Query::select()
                .column(process_scope::Column::ProcessId)
                .from(process_scope::Entity)
                .and_where(process_scope::Column::ScopeId.eq(scope.to_string()))
                .to_owned();
            select = select.filter(C::Id.in_subquery(scoped));
        }
        if let Some(agent) = filter.agent {
            let mut involved = sea_orm::sea_query::Query::select();
            involved
                .column(economic_event::Column::InputOf)
                .from(economic_event::Entity)
                .and_where(economic_event::Column::InputOf.is_not_null())
                .cond_where(
                    Condition::any()
                        .add(economic_event::Column::Provider.eq(agent.to_string()))
                        .add(economic_event::Column::Receiver.eq(agent.to_string())),
                );
            let mut produced = sea_orm::sea_query::Query::select();
            produced
                .column(economic_event::Column::OutputOf)
                .from(economic_event::Entity)
                .and_where(economic_event::Column::OutputOf.is_not_null())
                .cond_where(
                    Condition::any()
                        .add(economic_event::Column::Provider.eq(agent.to_string()))
                        .add(economic_event::Column::Receiver.eq(agent.to_string())),
                );
            select = select.filter(
                Condition::any()
                    .add(C::Id.in_subquery(involved.to_owned()))
                    .add(C::Id.in_subquery(produced.to_owned())),
            );
        }
        let page = paginate(self.connection(), select, C::Id, page).await?;
        let keys: Vec<String> = page.items.iter().map(|(c, _)| c.clone()).collect();
        let mut scopes = scopes_of_processes(self.connection(), &keys).await?;
        page.try_map(|row| {
            let in_scope = scopes.remove(&row.id).unwrap_or_default();
            process_from(row, in_scope)
        })
    }

    /// Every event in recording order, as the replay needs it.
    pub async fn all_events(&self) -> Result<Vec<EconomicEvent>> {
        let select = economic_event::Entity::find()
            .order_by_asc(economic_event::Column::CreatedAt)
            .order_by_asc(economic_event::Column::Id);
        select_events(self.connection(), select).await
    }
}
