//! Loads the slice of the books the value engine reads ([`Snapshot`]), level by level in
//! batched queries: from a deliverable upstream (a rollup), or a scope's contributions (fluid
//! equity, a period bucket). Persistence decides nothing here: it loads, folds corrections
//! into the events they correct, and marks contributions with the domain's own rule
//! ([`is_contribution`]).

use std::collections::{BTreeSet, HashMap, HashSet};

use ovn_domain::agent::network::Ties;
use ovn_domain::agent::{Agent, AgentKind};
use ovn_domain::observation::event::is_contribution;
use ovn_domain::observation::{EconomicResource, Process};
use ovn_domain::value::equation::ValueEquation;
use ovn_domain::value::snapshot::{SnapEvent, SnapProcess, SnapResource, Snapshot, contributor_of};
use ovn_domain::{
    Action, AgentId, AgreementId, EconomicEventId, EconomicResourceId, ProcessId, ResourceSpecificationId,
};
use sea_orm::prelude::DateTimeUtc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, IdenStatic, QueryFilter,
    QuerySelect, Statement,
};

use crate::decimal::DbDecimal;
use crate::entity::{agent, distribution_line, economic_event, economic_resource, process};
use crate::error::Result;
use crate::observation::read::{scopes_of_processes, with_scopes};
use crate::revisioned::{IN_LIST_MAX, by_ids};
use crate::rows::{id, opt, process_from, uris_from_json};
use crate::store::Store;

/// The columns of an event the engine reads, with its scopes (one statement).
#[derive(Debug, Clone, FromQueryResult)]
struct ValueRow {
    id: String,
    action: String,
    provider: String,
    receiver: String,
    resource_inventoried_as: Option<String>,
    to_resource_inventoried_as: Option<String>,
    input_of: Option<String>,
    output_of: Option<String>,
    resource_quantity: Option<DbDecimal>,
    effort_quantity: Option<DbDecimal>,
    resource_conforms_to: Option<String>,
    resource_classified_as: Option<String>,
    declared_value: Option<DbDecimal>,
    realization_of: Option<String>,
    reciprocal_realization_of: Option<String>,
    has_point_in_time: Option<DateTimeUtc>,
    has_beginning: Option<DateTimeUtc>,
    has_end: Option<DateTimeUtc>,
    corrects: Option<String>,
    created_at: DateTimeUtc,
    in_scope_of: Option<String>,
}

/// The event columns [`ValueRow`] reads (with `in_scope_of`, which each statement adds its
/// own way).
const EVENT_COLUMNS: [economic_event::Column; 20] = {
    use economic_event::Column as C;
    [
        C::Id,
        C::Action,
        C::Provider,
        C::Receiver,
        C::ResourceInventoriedAs,
        C::ToResourceInventoriedAs,
        C::InputOf,
        C::OutputOf,
        C::ResourceQuantity,
        C::EffortQuantity,
        C::ResourceConformsTo,
        C::ResourceClassifiedAs,
        C::DeclaredValue,
        C::RealizationOf,
        C::ReciprocalRealizationOf,
        C::HasPointInTime,
        C::HasBeginning,
        C::HasEnd,
        C::Corrects,
        C::CreatedAt,
    ]
};

/// An event as the engine reads it, before it is known to be a contribution.
pub(crate) struct Loaded {
    /// The event (not yet marked as a contribution).
    pub(crate) event: SnapEvent,
    corrects: Option<EconomicEventId>,
}

impl ValueRow {
    fn into_loaded(self) -> Result<Loaded> {
        let when = self.has_point_in_time.or(self.has_end).or(self.has_beginning).unwrap_or(self.created_at);
        let agreement = opt(self.realization_of.as_deref(), AgreementId::parse)?
            .or(opt(self.reciprocal_realization_of.as_deref(), AgreementId::parse)?);
        let mut in_scope_of = self
            .in_scope_of
            .iter()
            .flat_map(|s| s.split(' '))
            .map(|s| id(s, AgentId::parse))
            .collect::<Result<Vec<_>>>()?;
        in_scope_of.sort_unstable();
        Ok(Loaded {
            event: SnapEvent {
                id: id(&self.id, EconomicEventId::parse)?,
                action: Action::parse(&self.action)?,
                provider: id(&self.provider, AgentId::parse)?,
                receiver: id(&self.receiver, AgentId::parse)?,
                resource_inventoried_as: opt(self.resource_inventoried_as.as_deref(), EconomicResourceId::parse)?,
                to_resource_inventoried_as: opt(self.to_resource_inventoried_as.as_deref(), EconomicResourceId::parse)?,
                input_of: opt(self.input_of.as_deref(), ProcessId::parse)?,
                output_of: opt(self.output_of.as_deref(), ProcessId::parse)?,
                resource_quantity: self.resource_quantity.map(|d| d.0),
                effort_quantity: self.effort_quantity.map(|d| d.0),
                resource_conforms_to: opt(self.resource_conforms_to.as_deref(), ResourceSpecificationId::parse)?,
                resource_classified_as: uris_from_json("resourceClassifiedAs", self.resource_classified_as.as_deref())?,
                declared_value: self.declared_value.map(|d| d.0),
                realization_of: agreement,
                point_in_time: when,
                recorded: self.created_at,
                in_scope_of,
                is_contribution: false,
            },
            corrects: opt(self.corrects.as_deref(), EconomicEventId::parse)?,
        })
    }
}

/// Events as loaded, each once.
#[derive(Default)]
struct Gathered {
    events: HashMap<EconomicEventId, Loaded>,
}

impl Gathered {
    fn take(&mut self, events: Vec<Loaded>) -> Vec<EconomicEventId> {
        let mut new = Vec::new();
        for e in events {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.events.entry(e.event.id) {
                new.push(e.event.id);
                slot.insert(e);
            }
        }
        new
    }
}

fn ids_of<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

async fn events_matching<C: ConnectionTrait>(conn: &C, condition: Condition) -> Result<Vec<Loaded>> {
    let select = economic_event::Entity::find().select_only().columns(EVENT_COLUMNS).filter(condition);
    let rows = with_scopes(select, conn.get_database_backend()).into_model::<ValueRow>().all(conn).await?;
    let payouts = payouts_among(conn, rows.iter().map(|row| row.id.clone())).await?;
    rows.into_iter().filter(|row| !payouts.contains(&row.id)).map(ValueRow::into_loaded).collect()
}

/// Which of `events` are payouts of a distribution: money going back to contributors, neither
/// a contribution nor a source of anything the engine values. Asked for as one set per
/// 10,000 events (the unique index on `payout` answers), not probed row by row.
async fn payouts_among<C: ConnectionTrait>(conn: &C, events: impl Iterator<Item = String>) -> Result<HashSet<String>> {
    let events: Vec<String> = events.collect();
    let mut payouts = HashSet::new();
    for chunk in events.chunks(IN_LIST_MAX) {
        let rows: Vec<Option<String>> = distribution_line::Entity::find()
            .select_only()
            .column(distribution_line::Column::Payout)
            .filter(distribution_line::Column::Payout.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        payouts.extend(rows.into_iter().flatten());
    }
    Ok(payouts)
}

/// The events that bring quantity into `resources` (see `snapshot::source_of`) and
/// their corrections.
pub(crate) async fn sources_of<C: ConnectionTrait>(conn: &C, resources: &[EconomicResourceId]) -> Result<Vec<Loaded>> {
    use economic_event::Column as C;
    let mut out = Vec::new();
    for chunk in resources.chunks(IN_LIST_MAX / 2) {
        let keys = ids_of(chunk);
        let on_it = Condition::all()
            .add(C::ResourceInventoriedAs.is_in(keys.clone()))
            .add(Condition::any().add(C::OutputOf.is_not_null()).add(C::Action.eq(Action::Raise.id())));
        out.extend(
            events_matching(conn, Condition::any().add(on_it).add(C::ToResourceInventoriedAs.is_in(keys))).await?,
        );
    }
    Ok(out)
}

async fn events_of<C: ConnectionTrait>(
    conn: &C,
    processes: &[ProcessId],
    agreements: &[AgreementId],
) -> Result<Vec<Loaded>> {
    use economic_event::Column as C;
    let mut out = Vec::new();
    for chunk in processes.chunks(IN_LIST_MAX / 2) {
        let keys = ids_of(chunk);
        out.extend(
            events_matching(conn, Condition::any().add(C::InputOf.is_in(keys.clone())).add(C::OutputOf.is_in(keys)))
                .await?,
        );
    }
    for chunk in agreements.chunks(IN_LIST_MAX / 2) {
        let keys = ids_of(chunk);
        let cond =
            Condition::any().add(C::RealizationOf.is_in(keys.clone())).add(C::ReciprocalRealizationOf.is_in(keys));
        out.extend(events_matching(conn, cond).await?);
    }
    Ok(out)
}

/// The snapshot a rollup of `resource` reads: everything upstream of it, one level per
/// round of queries, each id asked for once (so the loop ends on any graph).
pub(crate) async fn rollup_snapshot_in<C: ConnectionTrait>(
    conn: &C,
    resource: EconomicResourceId,
    equation: &ValueEquation,
) -> Result<Snapshot> {
    let mut loaded = Gathered::default();
    let mut seen_resources: HashSet<EconomicResourceId> = HashSet::from([resource]);
    let mut seen_processes: HashSet<ProcessId> = HashSet::new();
    let mut seen_agreements: HashSet<AgreementId> = HashSet::new();
    let mut resources = vec![resource];
    let mut processes: Vec<ProcessId> = Vec::new();
    let mut agreements: Vec<AgreementId> = Vec::new();
    while !(resources.is_empty() && processes.is_empty() && agreements.is_empty()) {
        let mut events = sources_of(conn, &resources).await?;
        events.extend(events_of(conn, &processes, &agreements).await?);
        let new = loaded.take(events);
        let (mut next_r, mut next_p, mut next_a) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for id in new {
            let Some(e) = loaded.events.get(&id).map(|l| &l.event) else { continue };
            // The producing process, the agreement of a purchase, the resource a transfer
            // or a payment came out of, what a process's inputs consume, use or cite.
            next_p.extend(e.output_of);
            next_a.extend(e.realization_of);
            next_r.extend(e.resource_inventoried_as);
        }
        resources = next_r.into_iter().filter(|r| seen_resources.insert(*r)).collect();
        processes = next_p.into_iter().filter(|p| seen_processes.insert(*p)).collect();
        agreements = next_a.into_iter().filter(|a| seen_agreements.insert(*a)).collect();
    }
    snapshot_of(conn, loaded.events.into_values().collect(), equation).await
}

/// The snapshot of `scope`'s own events (fluid equity, a period bucket), with the sources
/// of the resources they consume (to know which have a recorded origin).
pub(crate) async fn scope_snapshot_in<C: ConnectionTrait>(
    conn: &C,
    scope: AgentId,
    equation: &ValueEquation,
) -> Result<Snapshot> {
    let mut events = scope_events(conn, scope).await?;
    let consumed: Vec<EconomicResourceId> = events
        .iter()
        .filter(|e| e.event.action == Action::Consume)
        .filter_map(|e| e.event.resource_inventoried_as)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let origins = sources_of(conn, &consumed).await?;
    let known: HashSet<EconomicEventId> = events.iter().map(|e| e.event.id).collect();
    events.extend(origins.into_iter().filter(|e| !known.contains(&e.event.id)));
    snapshot_of(conn, events, equation).await
}

/// The events in `scope` with all their scopes, in two statements that walk the scope
/// table's index once each: the events joined to their row for `scope`, then the other scopes
/// of the few events that have several. (One correlated subquery per event, as the generic
/// event readers use, cost more than the rest of a million-event load.)
async fn scope_events<C: ConnectionTrait>(conn: &C, scope: AgentId) -> Result<Vec<Loaded>> {
    let backend = conn.get_database_backend();
    let scope_key = scope.to_string();
    let columns = EVENT_COLUMNS.iter().map(|c| format!("e.{}", c.as_str())).collect::<Vec<_>>().join(", ");
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let sql = format!(
        "SELECT {columns}, s.scope_id AS in_scope_of FROM economic_event_scope s \
         JOIN economic_event e ON e.id = s.event_id WHERE s.scope_id = {placeholder}"
    );
    let statement = Statement::from_sql_and_values(backend, sql, [scope_key.clone().into()]);
    let rows = ValueRow::find_by_statement(statement).all(conn).await?;
    let others = format!(
        "SELECT o.event_id AS event_id, o.scope_id AS scope_id FROM economic_event_scope s \
         JOIN economic_event_scope o ON o.event_id = s.event_id AND o.scope_id <> s.scope_id \
         WHERE s.scope_id = {placeholder}"
    );
    let statement = Statement::from_sql_and_values(backend, others, [scope_key.clone().into()]);
    let mut more: HashMap<String, Vec<String>> = HashMap::new();
    for row in ScopeRow::find_by_statement(statement).all(conn).await? {
        more.entry(row.event_id).or_default().push(row.scope_id);
    }
    // Payouts of distributions are left out, as `events_matching` does (docs/revenue.md),
    // found by the scope rather than by the ids, which may be a million.
    let payouts = format!(
        "SELECT l.payout AS event_id, s.scope_id AS scope_id FROM distribution_line l \
         JOIN economic_event_scope s ON s.event_id = l.payout WHERE s.scope_id = {placeholder}"
    );
    let statement = Statement::from_sql_and_values(backend, payouts, [scope_key.into()]);
    let payouts: HashSet<String> =
        ScopeRow::find_by_statement(statement).all(conn).await?.into_iter().map(|r| r.event_id).collect();
    rows.into_iter()
        .filter(|row| !payouts.contains(&row.id))
        .map(|mut row| {
            if let Some(extra) = more.remove(&row.id) {
                let mine = row.in_scope_of.take().unwrap_or_default();
                row.in_scope_of = Some(std::iter::once(mine).chain(extra).collect::<Vec<_>>().join(" "));
            }
            row.into_loaded()
        })
        .collect()
}

/// One row of the scope table.
#[derive(Debug, FromQueryResult)]
struct ScopeRow {
    event_id: String,
    scope_id: String,
}

/// Turns loaded events into a snapshot: their resources, processes, the equations of the
/// scopes involved, the rates, and which events are contributions.
async fn snapshot_of<C: ConnectionTrait>(conn: &C, events: Vec<Loaded>, equation: &ValueEquation) -> Result<Snapshot> {
    let (originals, corrections): (Vec<Loaded>, Vec<Loaded>) = events.into_iter().partition(|e| e.corrects.is_none());
    let mut by_id: HashMap<EconomicEventId, Loaded> = originals.into_iter().map(|e| (e.event.id, e)).collect();
    for c in corrections {
        if let Some(original) = c.corrects.and_then(|o| by_id.get_mut(&o)) {
            fold(&mut original.event, &c.event);
        }
    }
    let events: Vec<Loaded> = by_id.into_values().collect();
    let resource_ids: Vec<EconomicResourceId> = events
        .iter()
        .flat_map(|e| [e.event.resource_inventoried_as, e.event.to_resource_inventoried_as])
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let process_ids: Vec<ProcessId> = events
        .iter()
        .flat_map(|e| [e.event.input_of, e.event.output_of])
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let resources = by_ids::<EconomicResource, _>(conn, economic_resource::Column::Id, &resource_ids).await?;
    // The access rules of the resources used, in one batch: what a unit of use is worth, and
    // the maintenance share of each use (D173, D190).
    let used: Vec<(EconomicResourceId, Option<ResourceSpecificationId>)> = events
        .iter()
        .filter(|e| e.event.action == Action::Use)
        .filter_map(|e| e.event.resource_inventoried_as)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|id| resources.get(&id).map(|r| (id, Some(r.conforms_to))))
        .collect();
    let mut rules = crate::sharing::access::effective_rules_in(conn, &used).await?;
    let snap_resources: HashMap<EconomicResourceId, SnapResource> =
        resources.values().map(|r| (r.id, SnapResource::of(r, rules.remove(&r.id)))).collect();
    // Who an event is credited to: the owner of a pooled asset for a use of it (D191), whose
    // affiliation then decides whether it is a contribution.
    let credited_to = |e: &SnapEvent| contributor_of(e, e.resource_inventoried_as.and_then(|r| snap_resources.get(&r)));
    let processes = processes_in(conn, &process_ids).await?;
    let mut scopes: BTreeSet<AgentId> = events.iter().flat_map(|e| e.event.in_scope_of.iter().copied()).collect();
    scopes.extend(processes.values().flat_map(|p| p.in_scope_of.iter().copied()));
    scopes.insert(equation.scope);
    let scopes: Vec<AgentId> = scopes.into_iter().collect();
    let agents = by_ids::<Agent, _>(conn, agent::Column::Id, &scopes).await?;
    let organizations: HashSet<AgentId> =
        agents.values().filter(|a| a.kind == AgentKind::Organization).map(|a| a.id).collect();
    let providers: Vec<AgentId> =
        events.iter().map(|e| e.event.provider).collect::<BTreeSet<_>>().into_iter().collect();
    let credited: Vec<AgentId> =
        events.iter().map(|e| credited_to(&e.event)).collect::<BTreeSet<_>>().into_iter().collect();
    let ties: Ties = crate::agent::network::ties_around(conn, &credited, &scopes).await?;
    let history = crate::value::equation_history_in(conn, &scopes).await?;
    let skills: Vec<ResourceSpecificationId> = events
        .iter()
        .filter_map(|e| e.event.resource_conforms_to)
        .chain(resources.values().map(|r| r.conforms_to))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rates = crate::rates::rates_for_in(conn, &providers, &skills).await?;
    let snap_events: Vec<SnapEvent> = events
        .into_iter()
        .map(|mut e| {
            let orgs = e.event.in_scope_of.iter().filter(|s| organizations.contains(s));
            e.event.is_contribution = is_contribution(credited_to(&e.event), orgs, &ties);
            e.event
        })
        .collect();
    Ok(Snapshot::new(snap_events, snap_resources.into_values(), processes.values().map(snap_process), history, rates))
}

/// Processes by id with their scopes, on any connection.
async fn processes_in<C: ConnectionTrait>(conn: &C, ids: &[ProcessId]) -> Result<HashMap<ProcessId, Process>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_LIST_MAX) {
        rows.extend(process::Entity::find().filter(process::Column::Id.is_in(ids_of(chunk))).all(conn).await?);
    }
    let keys: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut scopes = scopes_of_processes(conn, &keys).await?;
    rows.into_iter()
        .map(|row| {
            let in_scope = scopes.remove(&row.id).unwrap_or_default();
            process_from(row, in_scope).map(|p| (p.id, p))
        })
        .collect()
}

impl Store {
    /// [`rollup_snapshot_in`] on the store's connection.
    pub async fn rollup_snapshot(&self, resource: EconomicResourceId, equation: &ValueEquation) -> Result<Snapshot> {
        rollup_snapshot_in(self.connection(), resource, equation).await
    }

    /// [`scope_snapshot_in`] on the store's connection.
    pub async fn scope_snapshot(&self, scope: AgentId, equation: &ValueEquation) -> Result<Snapshot> {
        scope_snapshot_in(self.connection(), scope, equation).await
    }
}

/// Adds a correction's signed deltas to the event it corrects.
fn fold(original: &mut SnapEvent, correction: &SnapEvent) {
    let add = |a: &mut Option<rust_decimal::Decimal>, b: Option<rust_decimal::Decimal>| {
        if let (Some(a), Some(b)) = (a.as_mut(), b) {
            *a += b;
        }
    };
    add(&mut original.resource_quantity, correction.resource_quantity);
    add(&mut original.effort_quantity, correction.effort_quantity);
}

fn snap_process(p: &Process) -> SnapProcess {
    SnapProcess {
        id: p.id,
        based_on: p.based_on,
        classified_as: p.classified_as.clone(),
        in_scope_of: p.in_scope_of.clone(),
    }
}
