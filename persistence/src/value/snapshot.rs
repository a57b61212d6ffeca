//! Loads the slice of the books the value engine reads ([`Snapshot`]): from a deliverable
//! upstream (a rollup), or a scope's contributions (fluid equity, a period bucket). The events
//! come from the value index ([`super::index`]), the records around them (resources,
//! processes, equations, rates, affiliations) from the database, in batched queries on the
//! caller's connection. Persistence decides nothing here: it loads, and marks contributions
//! with the domain's own rule ([`ContributionTest`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use ovn_domain::agent::network::Ties;
use ovn_domain::agent::{Agent, AgentKind};
use ovn_domain::observation::event::ContributionTest;
use ovn_domain::observation::{EconomicResource, PropertyRegime, ResourceDetails, ResourceState};
use ovn_domain::value::equation::ValueEquation;
use ovn_domain::value::snapshot::{
    Entry, SnapEvent, SnapProcess, SnapResource, Snapshot, contributor_of, reads_resource_of,
};
use ovn_domain::{
    Action, AgentId, EconomicEventId, EconomicResourceId, ProcessId, ProcessSpecificationId, ResourceSpecificationId,
};
use sea_orm::prelude::DateTimeUtc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};

use crate::decimal::DbDecimal;
use crate::entity::{agent, economic_event, economic_resource, process};
use crate::error::Result;
use crate::observation::read::scopes_of_processes;
use crate::revisioned::{IN_LIST_MAX, by_ids};
use crate::rows::{id, measure, opt, uris_from_json};
use crate::store::Store;

/// The columns of an event the engine reads, as the value index reads them: with its number
/// in the log, whether it pays a distribution's line, and its scopes (a second statement).
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct ValueRow {
    pub(crate) seq: Option<i64>,
    pub(crate) payout: Option<bool>,
    pub(crate) id: String,
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
    has_point_in_time: Option<DateTimeUtc>,
    has_beginning: Option<DateTimeUtc>,
    has_end: Option<DateTimeUtc>,
    corrects: Option<String>,
    created_at: DateTimeUtc,
    #[sea_orm(skip)]
    pub(crate) in_scope_of: Option<String>,
}

/// The event columns [`ValueRow`] reads.
pub(crate) const EVENT_COLUMNS: [economic_event::Column; 18] = {
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
        C::HasPointInTime,
        C::HasBeginning,
        C::HasEnd,
        C::Corrects,
        C::CreatedAt,
    ]
};

/// An event as the engine reads it, before it is known to be a contribution.
pub(crate) struct Loaded {
    /// The event, shared by every snapshot that holds it.
    pub(crate) event: Arc<SnapEvent>,
    /// The event it corrects, for a correction.
    pub(crate) corrects: Option<EconomicEventId>,
}

impl ValueRow {
    pub(crate) fn into_loaded(self) -> Result<Loaded> {
        let when = self.has_point_in_time.or(self.has_end).or(self.has_beginning).unwrap_or(self.created_at);
        let mut in_scope_of = self
            .in_scope_of
            .iter()
            .flat_map(|s| s.split(' '))
            .map(|s| id(s, AgentId::parse))
            .collect::<Result<Vec<_>>>()?;
        in_scope_of.sort_unstable();
        Ok(Loaded {
            event: Arc::new(SnapEvent {
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
                // May change after recording: the value index reads it at each request.
                realization_of: None,
                point_in_time: when,
                recorded: self.created_at,
                in_scope_of,
            }),
            corrects: opt(self.corrects.as_deref(), EconomicEventId::parse)?,
        })
    }
}

/// The snapshot a rollup of `resource` reads: everything upstream of it, from the value
/// index; the records around the events on `conn`.
pub(crate) async fn rollup_snapshot_in<C: ConnectionTrait>(
    store: &Store,
    conn: &C,
    resource: EconomicResourceId,
    equation: &ValueEquation,
) -> Result<Snapshot> {
    let realized = super::index::realized_in(conn).await?;
    let events = store.read_values(|log| log.upstream(resource, &realized))?;
    // A rollup walks every link between the events: they are worked out here, with the rest
    // of the loading, rather than at its first question.
    Ok(snapshot_of(conn, events, equation).await?.link())
}

/// The snapshot of `scope`'s own events (fluid equity, a period bucket), with the sources
/// of the resources they consume (to know which have a recorded origin).
pub(crate) async fn scope_snapshot_in<C: ConnectionTrait>(
    store: &Store,
    conn: &C,
    scope: AgentId,
    equation: &ValueEquation,
) -> Result<Snapshot> {
    let started = std::time::Instant::now();
    let realized = super::index::realized_in(conn).await?;
    let events = store.read_values(|log| log.scope(scope, &realized))?;
    tracing::debug!(elapsed = ?started.elapsed(), events = events.len(), "scope snapshot: events read");
    let snapshot = snapshot_of(conn, events, equation).await;
    tracing::debug!(elapsed = ?started.elapsed(), "scope snapshot: loaded");
    snapshot
}

/// Turns events (corrections folded in) into a snapshot: their processes, the equations of
/// the scopes involved, the resources valuing reads ([`reads_resource_of`]), the rates, and
/// which events are contributions.
async fn snapshot_of<C: ConnectionTrait>(
    conn: &C,
    mut events: Vec<Entry>,
    equation: &ValueEquation,
) -> Result<Snapshot> {
    let started = std::time::Instant::now();
    let process_ids: Vec<ProcessId> =
        events.iter().flat_map(|e| [e.input_of, e.output_of]).flatten().collect::<Distinct<_>>().0;
    let processes = processes_in(conn, &process_ids).await?;
    let scopes: Vec<AgentId> = events
        .iter()
        .flat_map(|e| e.in_scope_of.iter().copied())
        .chain(processes.iter().flat_map(|p| p.in_scope_of.iter().copied()))
        .chain([equation.scope])
        .collect::<Distinct<_>>()
        .0;
    let history = crate::value::equation_history_in(conn, &scopes).await?;
    tracing::debug!(elapsed = ?started.elapsed(), processes = processes.len(), "snapshot: processes and equations read");
    let rules_read_resources = std::iter::once(equation).chain(&history).any(ValueEquation::reads_resources);
    let resource_ids: Vec<EconomicResourceId> = events
        .iter()
        .filter(|e| reads_resource_of(e, rules_read_resources))
        .filter_map(|e| e.resource_inventoried_as)
        .collect::<Distinct<_>>()
        .0;
    let resources = resources_in(conn, &resource_ids).await?;
    // The access rules of the resources used, in one batch: what a unit of use is worth, and
    // the maintenance share of each use (D173, D190).
    let used: Vec<(EconomicResourceId, Option<ResourceSpecificationId>)> = events
        .iter()
        .filter(|e| e.action == Action::Use)
        .filter_map(|e| e.resource_inventoried_as)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|id| resources.get(&id).map(|r| (id, Some(r.conforms_to))))
        .collect();
    let mut rules = crate::sharing::access::effective_rules_in(conn, &used).await?;
    let snap_resources: HashMap<EconomicResourceId, SnapResource> =
        resources.values().map(|r| (r.id, SnapResource::of(r, rules.remove(&r.id)))).collect();
    tracing::debug!(elapsed = ?started.elapsed(), resources = snap_resources.len(), "snapshot: resources read");
    // Who an event is credited to: the owner of a pooled asset for a use of it (D191), whose
    // affiliation then decides whether it is a contribution.
    let credited_to = |e: &Entry| contributor_of(e, e.resource_inventoried_as.and_then(|r| snap_resources.get(&r)));
    let agents = by_ids::<Agent, _>(conn, agent::Column::Id, &scopes).await?;
    let organizations: HashSet<AgentId> =
        agents.values().filter(|a| a.kind == AgentKind::Organization).map(|a| a.id).collect();
    let providers: Vec<AgentId> = events.iter().map(|e| e.provider).collect::<Distinct<_>>().0;
    let credited: Vec<AgentId> = events.iter().map(credited_to).collect::<Distinct<_>>().0;
    let ties: Ties = crate::agent::network::ties_around(conn, &credited, &scopes).await?;
    let skills: Vec<ResourceSpecificationId> = events
        .iter()
        .filter_map(|e| e.resource_conforms_to)
        .chain(resources.values().map(|r| r.conforms_to))
        .collect::<Distinct<_>>()
        .0;
    let rates = crate::rates::rates_for_in(conn, &providers, &skills).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "snapshot: affiliations and rates read");
    let mut test = ContributionTest::new(&ties);
    for e in &mut events {
        e.is_contribution =
            test.is_contribution(credited_to(e), e.in_scope_of.iter().filter(|s| organizations.contains(s)));
    }
    let snapshot = Snapshot::new(events, snap_resources.into_values(), processes, history, rates);
    tracing::debug!(elapsed = ?started.elapsed(), "snapshot: contributions marked, indexed");
    Ok(snapshot)
}

/// Distinct values, sorted (hashed first: a million events name a few hundred agents).
struct Distinct<T>(Vec<T>);

impl<T: Ord + std::hash::Hash> FromIterator<T> for Distinct<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let set: ovn_domain::value::FastSet<T> = iter.into_iter().collect();
        let mut all: Vec<T> = set.into_iter().collect();
        all.sort_unstable();
        Distinct(all)
    }
}

/// What the engine reads of a resource (a rollup reaches tens of thousands: the full rows cost
/// more than the walk).
#[derive(Debug, FromQueryResult)]
struct ResourceRow {
    id: String,
    conforms_to: String,
    classified_as: Option<String>,
    property_regime: String,
    value_per_unit_of_use: Option<DbDecimal>,
    value_per_unit_of_use_unit: Option<String>,
    primary_accountable: Option<String>,
    custodian: Option<String>,
}

impl ResourceRow {
    /// The resource with the fields the engine reads; the others are left empty.
    fn into_resource(self) -> Result<EconomicResource> {
        Ok(EconomicResource {
            id: id(&self.id, EconomicResourceId::parse)?,
            revision: 1,
            conforms_to: id(&self.conforms_to, ResourceSpecificationId::parse)?,
            state: ResourceState {
                primary_accountable: opt(self.primary_accountable.as_deref(), AgentId::parse)?,
                custodian: opt(self.custodian.as_deref(), AgentId::parse)?,
                ..ResourceState::default()
            },
            details: ResourceDetails {
                classified_as: uris_from_json("classifiedAs", self.classified_as.as_deref())?,
                property_regime: id(&self.property_regime, PropertyRegime::parse)?,
                value_per_unit_of_use: measure(self.value_per_unit_of_use, self.value_per_unit_of_use_unit.as_deref())?,
                ..ResourceDetails::default()
            },
        })
    }
}

/// Resources by id, the engine's columns only, on any connection.
async fn resources_in<C: ConnectionTrait>(
    conn: &C,
    ids: &[EconomicResourceId],
) -> Result<HashMap<EconomicResourceId, EconomicResource>> {
    use economic_resource::Column as C;
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_LIST_MAX) {
        let rows = economic_resource::Entity::find()
            .select_only()
            .columns([
                C::Id,
                C::ConformsTo,
                C::ClassifiedAs,
                C::PropertyRegime,
                C::ValuePerUnitOfUse,
                C::ValuePerUnitOfUseUnit,
                C::PrimaryAccountable,
                C::Custodian,
            ])
            .filter(C::Id.is_in(chunk.iter().map(ToString::to_string)))
            .into_model::<ResourceRow>()
            .all(conn)
            .await?;
        for row in rows {
            let resource = row.into_resource()?;
            found.insert(resource.id, resource);
        }
    }
    Ok(found)
}

/// What the engine reads of a process.
#[derive(Debug, FromQueryResult)]
struct ProcessRow {
    id: String,
    based_on: Option<String>,
    classified_as: Option<String>,
}

/// Processes by id with their scopes, the engine's columns only, on any connection.
async fn processes_in<C: ConnectionTrait>(conn: &C, ids: &[ProcessId]) -> Result<Vec<SnapProcess>> {
    use process::Column as C;
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_LIST_MAX) {
        rows.extend(
            process::Entity::find()
                .select_only()
                .columns([C::Id, C::BasedOn, C::ClassifiedAs])
                .filter(C::Id.is_in(chunk.iter().map(ToString::to_string)))
                .into_model::<ProcessRow>()
                .all(conn)
                .await?,
        );
    }
    let keys: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut scopes = scopes_of_processes(conn, &keys).await?;
    rows.into_iter()
        .map(|row| {
            let in_scope_of = scopes.remove(&row.id).unwrap_or_default();
            Ok(SnapProcess {
                id: id(&row.id, ProcessId::parse)?,
                based_on: opt(row.based_on.as_deref(), ProcessSpecificationId::parse)?,
                classified_as: uris_from_json("classifiedAs", row.classified_as.as_deref())?,
                in_scope_of,
            })
        })
        .collect()
}

impl Store {
    /// [`rollup_snapshot_in`] on the store's connection.
    pub async fn rollup_snapshot(&self, resource: EconomicResourceId, equation: &ValueEquation) -> Result<Snapshot> {
        self.catch_up_values().await?;
        rollup_snapshot_in(self, self.connection(), resource, equation).await
    }

    /// [`scope_snapshot_in`] on the store's connection.
    pub async fn scope_snapshot(&self, scope: AgentId, equation: &ValueEquation) -> Result<Snapshot> {
        self.catch_up_values().await?;
        scope_snapshot_in(self, self.connection(), scope, equation).await
    }
}
