//! Economic events, economic resources and processes: the service that records an event and
//! applies it to its resources in one transaction, the reads (batched), and the slice
//! loader behind track, trace and processTree.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::observation::{self, NewEvent, ResourceState};
use ovn_domain::observation::{
    EconomicEvent, EconomicResource, EventDetails, Process, PropertyRegime, ResourceDetails,
};
use ovn_domain::revision::{Patch, Revision};
use ovn_domain::text::{Name, Uri};
use ovn_domain::{
    Action, AgentId, DomainError, EconomicEventId, EconomicResourceId, Measure, ProcessId, ProcessSpecificationId,
    ResourceSpecificationId, UnitId,
};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

use crate::decimal::DbDecimal;
use crate::entity::{agent, economic_event, economic_event_scope, economic_resource, process, process_scope};
use crate::error::{PersistenceError, Result};
use crate::idempotency::{Idempotency, Outcome};
use crate::knowledge::{uris_from_json, uris_to_json};
use crate::page::{Page, PageRequest, paginate};
use crate::store::Store;

/// Most ids in one `IN (…)` list: SQLite refuses more than 32,766 bound parameters (and
/// PostgreSQL 65,535), and a trace of 100,000 nodes loads more ids than that.
pub(crate) const IN_LIST_MAX: usize = 10_000;

fn corrupt(err: DomainError) -> PersistenceError {
    PersistenceError::Corrupt(err.to_string())
}

fn opt<T>(text: Option<&str>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Option<T>> {
    text.map(|t| parse(t).map_err(corrupt)).transpose()
}

fn measure(value: Option<DbDecimal>, unit: Option<&str>) -> Result<Option<Measure>> {
    match value {
        None => Ok(None),
        Some(value) => Ok(Some(Measure::new(value.0, opt(unit, UnitId::parse)?))),
    }
}

// ---------------------------------------------------------------- row conversions

pub(crate) fn core_from(row: &economic_event::Model) -> Result<NewEvent> {
    let mut core = NewEvent::new(
        Action::parse(&row.action).map_err(corrupt)?,
        AgentId::parse(&row.provider).map_err(corrupt)?,
        AgentId::parse(&row.receiver).map_err(corrupt)?,
    );
    core.resource_inventoried_as = opt(row.resource_inventoried_as.as_deref(), EconomicResourceId::parse)?;
    core.to_resource_inventoried_as = opt(row.to_resource_inventoried_as.as_deref(), EconomicResourceId::parse)?;
    core.resource_quantity = measure(row.resource_quantity, row.resource_quantity_unit.as_deref())?;
    core.effort_quantity = measure(row.effort_quantity, row.effort_quantity_unit.as_deref())?;
    core.input_of = opt(row.input_of.as_deref(), ProcessId::parse)?;
    core.output_of = opt(row.output_of.as_deref(), ProcessId::parse)?;
    core.at_location = row.at_location.clone();
    core.to_location = row.to_location.clone();
    core.state = row.state.clone();
    core.corrects = opt(row.corrects.as_deref(), EconomicEventId::parse)?;
    Ok(core)
}

pub(crate) fn event_from(row: economic_event::Model, in_scope_of: Vec<AgentId>) -> Result<EconomicEvent> {
    let core = core_from(&row)?;
    Ok(EconomicEvent {
        id: EconomicEventId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        core,
        details: EventDetails {
            resource_classified_as: uris_from_json("resourceClassifiedAs", row.resource_classified_as.as_deref())?,
            resource_conforms_to: opt(row.resource_conforms_to.as_deref(), ResourceSpecificationId::parse)?,
            has_beginning: row.has_beginning,
            has_end: row.has_end,
            has_point_in_time: row.has_point_in_time,
            note: row.note,
            agreed_in: opt(row.agreed_in.as_deref(), |t| Uri::parse("agreedIn", t))?,
            triggered_by: opt(row.triggered_by.as_deref(), EconomicEventId::parse)?,
            declared_value: measure(row.declared_value, row.declared_value_unit.as_deref())?,
            in_scope_of,
        },
        created: row.created_at,
    })
}

pub(crate) fn resource_from(row: economic_resource::Model) -> Result<EconomicResource> {
    let conforms_to = ResourceSpecificationId::parse(&row.conforms_to).map_err(corrupt)?;
    Ok(EconomicResource {
        id: EconomicResourceId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        state: ResourceState {
            accounting_quantity: row.accounting_quantity.0,
            onhand_quantity: row.onhand_quantity.0,
            unit: opt(row.unit.as_deref(), UnitId::parse)?,
            primary_accountable: opt(row.primary_accountable.as_deref(), AgentId::parse)?,
            custodian: opt(row.custodian.as_deref(), AgentId::parse)?,
            current_location: row.current_location,
            contained_in: opt(row.contained_in.as_deref(), EconomicResourceId::parse)?,
            stage: opt(row.stage.as_deref(), ProcessSpecificationId::parse)?,
            state: row.state,
        },
        details: ResourceDetails {
            name: row.name,
            conforms_to: Some(conforms_to),
            classified_as: uris_from_json("classifiedAs", row.classified_as.as_deref())?,
            tracking_identifier: row.tracking_identifier,
            image: opt(row.image.as_deref(), |t| Uri::parse("image", t))?,
            image_list: uris_from_json("imageList", row.image_list.as_deref())?,
            note: row.note,
            unit_of_effort: opt(row.unit_of_effort.as_deref(), UnitId::parse)?,
            property_regime: PropertyRegime::parse(&row.property_regime).map_err(corrupt)?,
            value_per_unit_of_use: measure(row.value_per_unit_of_use, row.value_per_unit_of_use_unit.as_deref())?,
        },
        conforms_to,
    })
}

fn resource_row(resource: &EconomicResource) -> economic_resource::ActiveModel {
    let s = &resource.state;
    let d = &resource.details;
    economic_resource::ActiveModel {
        id: Set(resource.id.to_string()),
        name: Set(d.name.clone()),
        conforms_to: Set(resource.conforms_to.to_string()),
        classified_as: Set(uris_to_json(&d.classified_as)),
        tracking_identifier: Set(d.tracking_identifier.clone()),
        image: Set(d.image.as_ref().map(|u| u.as_str().to_owned())),
        image_list: Set(uris_to_json(&d.image_list)),
        unit: Set(s.unit.map(|u| u.to_string())),
        accounting_quantity: Set(DbDecimal(s.accounting_quantity)),
        onhand_quantity: Set(DbDecimal(s.onhand_quantity)),
        unit_of_effort: Set(d.unit_of_effort.map(|u| u.to_string())),
        primary_accountable: Set(s.primary_accountable.map(|a| a.to_string())),
        custodian: Set(s.custodian.map(|a| a.to_string())),
        current_location: Set(s.current_location.clone()),
        contained_in: Set(s.contained_in.map(|r| r.to_string())),
        stage: Set(s.stage.map(|p| p.to_string())),
        state: Set(s.state.clone()),
        property_regime: Set(d.property_regime.as_str().to_owned()),
        value_per_unit_of_use: Set(d.value_per_unit_of_use.map(|m| DbDecimal(m.has_numerical_value))),
        value_per_unit_of_use_unit: Set(d.value_per_unit_of_use.and_then(|m| m.has_unit).map(|u| u.to_string())),
        note: Set(d.note.clone()),
        revision: Set(resource.revision),
        created_at: NotSet,
        updated_at: Set(Utc::now()),
    }
}

pub(crate) fn process_from(row: process::Model, in_scope_of: Vec<AgentId>) -> Result<Process> {
    Ok(Process {
        id: ProcessId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        name: Name::parse("name", &row.name).map_err(corrupt)?,
        has_beginning: row.has_beginning,
        has_end: row.has_end,
        finished: row.finished,
        classified_as: uris_from_json("classifiedAs", row.classified_as.as_deref())?,
        note: row.note,
        based_on: opt(row.based_on.as_deref(), ProcessSpecificationId::parse)?,
        in_scope_of,
    })
}

// ---------------------------------------------------------------- commands

/// `createEconomicEvent`, parsed.
#[derive(Debug, Clone)]
pub struct RecordEvent {
    /// The economic core. `creates_resource` is set when `newInventoriedResource` was given.
    pub core: NewEvent,
    /// Everything else about the event.
    pub details: EventDetails,
    /// `newInventoriedResource`, when given.
    pub new_resource: Option<ResourceDetails>,
    /// The id the new resource gets (imports keep ids); a fresh one when `None`.
    pub new_resource_id: Option<EconomicResourceId>,
}

/// `createProcess` / `updateProcess`, parsed (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct ProcessPatch {
    /// `name`.
    pub name: Patch<Name>,
    /// `hasBeginning`.
    pub has_beginning: Patch<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Patch<DateTime<Utc>>,
    /// `finished`.
    pub finished: Patch<bool>,
    /// `note`.
    pub note: Patch<String>,
    /// `classifiedAs`.
    pub classified_as: Patch<Vec<Uri>>,
    /// `inScopeOf`.
    pub in_scope_of: Patch<Vec<AgentId>>,
    /// `basedOn`.
    pub based_on: Patch<ProcessSpecificationId>,
}

/// `updateEconomicEvent`: only notes and links change; the books do not.
#[derive(Debug, Clone, Default)]
pub struct EventPatch {
    /// `note`.
    pub note: Patch<String>,
    /// `agreedIn`.
    pub agreed_in: Patch<Uri>,
    /// `triggeredBy`.
    pub triggered_by: Patch<EconomicEventId>,
}

/// `updateEconomicResource`: the non-economic fields.
#[derive(Debug, Clone, Default)]
pub struct ResourcePatch {
    /// `name`.
    pub name: Patch<String>,
    /// `classifiedAs`.
    pub classified_as: Patch<Vec<Uri>>,
    /// `image`.
    pub image: Patch<Uri>,
    /// `imageList`.
    pub image_list: Patch<Vec<Uri>>,
    /// `containedIn`.
    pub contained_in: Patch<EconomicResourceId>,
    /// `unitOfEffort`.
    pub unit_of_effort: Patch<UnitId>,
    /// `note`.
    pub note: Patch<String>,
    /// OVN `propertyRegime`.
    pub property_regime: Patch<PropertyRegime>,
    /// OVN `valuePerUnitOfUse`.
    pub value_per_unit_of_use: Patch<Measure>,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Provided by any of these.
    pub provider: Vec<AgentId>,
    /// Received by any of these.
    pub receiver: Vec<AgentId>,
    /// Provided or received by this agent.
    pub agent: Option<AgentId>,
    /// Of any of these actions.
    pub action: Vec<Action>,
    /// In scope of this agent.
    pub in_scope_of: Option<AgentId>,
    /// Touching this resource (either side).
    pub resource: Option<EconomicResourceId>,
    /// Into this resource as the to side only.
    pub to_resource: Option<EconomicResourceId>,
    /// Triggered by this event.
    pub triggered_by: Option<EconomicEventId>,
    /// About resources of this specification.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// Observed at or after.
    pub start_date: Option<DateTime<Utc>>,
    /// Observed at or before.
    pub end_date: Option<DateTime<Utc>>,
}

/// Which resources to list.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    /// Accountable agent or custodian.
    pub agent: Option<AgentId>,
    /// Conforming to.
    pub conforms_to: Option<ResourceSpecificationId>,
    /// At this stage.
    pub stage: Option<ProcessSpecificationId>,
    /// Packed in.
    pub contained_in: Option<EconomicResourceId>,
}

/// Which processes to list.
#[derive(Debug, Clone, Default)]
pub struct ProcessFilter {
    /// Finished or not.
    pub finished: Option<bool>,
    /// In scope of.
    pub in_scope_of: Option<AgentId>,
    /// Based on.
    pub based_on: Option<ProcessSpecificationId>,
    /// With an event of this agent.
    pub agent: Option<AgentId>,
}

fn forbidden(message: impl Into<String>) -> PersistenceError {
    PersistenceError::Forbidden(message.into())
}

fn bad(field: &str, message: impl Into<String>) -> PersistenceError {
    PersistenceError::Domain(DomainError::invalid(field, message))
}

async fn load_resource<C: ConnectionTrait>(
    conn: &C,
    id: EconomicResourceId,
    lock: bool,
    field: &str,
) -> Result<EconomicResource> {
    let mut select = economic_resource::Entity::find_by_id(id.to_string());
    if lock {
        select = select.lock_exclusive();
    }
    let row = select.one(conn).await?.ok_or_else(|| bad(field, format!("economic resource `{id}` does not exist")))?;
    resource_from(row)
}

/// Refuses, naming the input field, any agent id that names no agent (one query, ids only).
async fn check_agents_exist<C: ConnectionTrait>(conn: &C, ids: &[(AgentId, &str)]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: BTreeSet<String> = agent::Entity::find()
        .select_only()
        .column(agent::Column::Id)
        .filter(agent::Column::Id.is_in(ids.iter().map(|(id, _)| id.to_string())))
        .into_tuple::<String>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    match ids.iter().find(|(id, _)| !found.contains(&id.to_string())) {
        Some((id, field)) => Err(bad(field, format!("agent `{id}` does not exist"))),
        None => Ok(()),
    }
}

async fn scopes_of_events<C: ConnectionTrait>(conn: &C, ids: &[String]) -> Result<HashMap<String, Vec<AgentId>>> {
    let mut scopes: HashMap<String, Vec<AgentId>> = HashMap::new();
    if ids.is_empty() {
        return Ok(scopes);
    }
    for chunk in ids.chunks(IN_LIST_MAX) {
        let rows = economic_event_scope::Entity::find()
            .filter(economic_event_scope::Column::EventId.is_in(chunk.iter().cloned()))
            .order_by_asc(economic_event_scope::Column::ScopeId)
            .all(conn)
            .await?;
        for row in rows {
            scopes.entry(row.event_id).or_default().push(AgentId::parse(&row.scope_id).map_err(corrupt)?);
        }
    }
    Ok(scopes)
}

async fn scopes_of_processes<C: ConnectionTrait>(conn: &C, ids: &[String]) -> Result<HashMap<String, Vec<AgentId>>> {
    let mut scopes: HashMap<String, Vec<AgentId>> = HashMap::new();
    if ids.is_empty() {
        return Ok(scopes);
    }
    for chunk in ids.chunks(IN_LIST_MAX) {
        let rows = process_scope::Entity::find()
            .filter(process_scope::Column::ProcessId.is_in(chunk.iter().cloned()))
            .order_by_asc(process_scope::Column::ScopeId)
            .all(conn)
            .await?;
        for row in rows {
            scopes.entry(row.process_id).or_default().push(AgentId::parse(&row.scope_id).map_err(corrupt)?);
        }
    }
    Ok(scopes)
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

fn event_row(
    id: EconomicEventId,
    core: &NewEvent,
    details: &EventDetails,
    now: DateTime<Utc>,
) -> economic_event::ActiveModel {
    economic_event::ActiveModel {
        id: Set(id.to_string()),
        action: Set(core.action.id().to_owned()),
        provider: Set(core.provider.to_string()),
        receiver: Set(core.receiver.to_string()),
        resource_inventoried_as: Set(core.resource_inventoried_as.map(|r| r.to_string())),
        to_resource_inventoried_as: Set(core.to_resource_inventoried_as.map(|r| r.to_string())),
        resource_classified_as: Set(uris_to_json(&details.resource_classified_as)),
        resource_conforms_to: Set(details.resource_conforms_to.map(|s| s.to_string())),
        resource_quantity: Set(core.resource_quantity.map(|m| DbDecimal(m.has_numerical_value))),
        resource_quantity_unit: Set(core.resource_quantity.and_then(|m| m.has_unit).map(|u| u.to_string())),
        effort_quantity: Set(core.effort_quantity.map(|m| DbDecimal(m.has_numerical_value))),
        effort_quantity_unit: Set(core.effort_quantity.and_then(|m| m.has_unit).map(|u| u.to_string())),
        has_beginning: Set(details.has_beginning),
        has_end: Set(details.has_end),
        has_point_in_time: Set(details.has_point_in_time),
        note: Set(details.note.clone()),
        agreed_in: Set(details.agreed_in.as_ref().map(|u| u.as_str().to_owned())),
        triggered_by: Set(details.triggered_by.map(|e| e.to_string())),
        input_of: Set(core.input_of.map(|p| p.to_string())),
        output_of: Set(core.output_of.map(|p| p.to_string())),
        at_location: Set(core.at_location.clone()),
        to_location: Set(core.to_location.clone()),
        state: Set(core.state.clone()),
        corrects: Set(core.corrects.map(|e| e.to_string())),
        declared_value: Set(details.declared_value.map(|m| DbDecimal(m.has_numerical_value))),
        declared_value_unit: Set(details.declared_value.and_then(|m| m.has_unit).map(|u| u.to_string())),
        revision: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Records one event: checks, applies it to its resources, writes everything. Runs inside
/// the caller's transaction. `actor` must be the provider or the receiver.
async fn record_in(
    txn: &DatabaseTransaction,
    locks_rows: bool,
    actor: AgentId,
    event_id: EconomicEventId,
    command: RecordEvent,
    now: DateTime<Utc>,
) -> Result<()> {
    let RecordEvent { mut core, details, new_resource, new_resource_id } = command;
    details.validate()?;
    if let Some(original_id) = core.corrects {
        let original = economic_event::Entity::find_by_id(original_id.to_string())
            .one(txn)
            .await?
            .ok_or_else(|| bad("corrects", format!("economic event `{original_id}` does not exist")))?;
        let original = core_from(&original)?;
        if original.corrects.is_some() {
            return Err(bad("corrects", "correct the original event, not a correction of it"));
        }
        if original.action != core.action {
            return Err(bad("action", format!("a correction keeps the original's action `{}`", original.action.id())));
        }
        if new_resource.is_some() {
            return Err(bad("newInventoriedResource", "a correction never creates a resource"));
        }
        // A correction sits in the same flows as the original (VF "Correcting errors").
        core.provider = original.provider;
        core.receiver = original.receiver;
        core.resource_inventoried_as = original.resource_inventoried_as;
        core.to_resource_inventoried_as = original.to_resource_inventoried_as;
        core.input_of = original.input_of;
        core.output_of = original.output_of;
        core.creates_resource = false;
        if core.resource_quantity.is_some() != original.resource_quantity.is_some()
            || core.effort_quantity.is_some() != original.effort_quantity.is_some()
        {
            return Err(bad(
                "resourceQuantity",
                "a correction carries the same quantities as the original, as signed deltas",
            ));
        }
    }
    if actor != core.provider && actor != core.receiver {
        return Err(forbidden("an agent records an event only as its provider or its receiver"));
    }
    let mut named: Vec<(AgentId, &str)> = vec![(core.provider, "provider"), (core.receiver, "receiver")];
    named.extend(details.in_scope_of.iter().map(|scope| (*scope, "inScopeOf")));
    check_agents_exist(txn, &named).await?;
    let mut context = observation::EventContext::default();
    for (process_id, field) in [(core.input_of, "inputOf"), (core.output_of, "outputOf")] {
        if let Some(process_id) = process_id {
            let row = process::Entity::find_by_id(process_id.to_string())
                .one(txn)
                .await?
                .ok_or_else(|| bad(field, format!("process `{process_id}` does not exist")))?;
            if field == "outputOf" {
                context.output_process_based_on = opt(row.based_on.as_deref(), ProcessSpecificationId::parse)?;
            }
        }
    }
    if core.creates_resource {
        let creates = core.action.def().create_resource;
        if creates == ovn_domain::action::CreateResource::Optional && core.resource_inventoried_as.is_some() {
            return Err(bad("resourceInventoriedAs", "leave it out when newInventoriedResource creates the resource"));
        }
        if creates == ovn_domain::action::CreateResource::OptionalTo && core.to_resource_inventoried_as.is_some() {
            return Err(bad(
                "toResourceInventoriedAs",
                "leave it out when newInventoriedResource creates the resource",
            ));
        }
    }
    let mut from = match core.resource_inventoried_as {
        Some(id) => Some(load_resource(txn, id, locks_rows, "resourceInventoriedAs").await?),
        None => None,
    };
    let mut to = match core.to_resource_inventoried_as {
        Some(id) if Some(id) != core.resource_inventoried_as => {
            Some(load_resource(txn, id, locks_rows, "toResourceInventoriedAs").await?)
        }
        _ => None,
    };
    // The resource the event brings into being, if any.
    let created = if core.creates_from() || core.creates_to() {
        let details_new = new_resource.unwrap_or_default();
        let conforms_to = details_new
            .conforms_to
            .or(details.resource_conforms_to)
            .or(from.as_ref().map(|r| r.conforms_to))
            .ok_or_else(|| {
                bad(
                    "newInventoriedResource.conformsTo",
                    "a new resource needs conformsTo (or the event's resourceConformsTo)",
                )
            })?;
        let unit = match core.resource_quantity.and_then(|m| m.has_unit) {
            Some(unit) => Some(unit),
            None => from.as_ref().and_then(|r| r.state.unit),
        };
        let id = new_resource_id.unwrap_or_default();
        if core.creates_from() {
            core.resource_inventoried_as = Some(id);
        } else {
            core.to_resource_inventoried_as = Some(id);
        }
        Some(EconomicResource {
            id,
            revision: 1,
            state: ResourceState::empty(unit),
            details: ResourceDetails { conforms_to: Some(conforms_to), ..details_new },
            conforms_to,
        })
    } else {
        None
    };
    let mut created = created;
    {
        let (from_state, to_state): (Option<&mut ResourceState>, Option<&mut ResourceState>) =
            match (&mut created, core.creates_from()) {
                (Some(new), true) => (Some(&mut new.state), to.as_mut().map(|r| &mut r.state)),
                (Some(new), false) => (from.as_mut().map(|r| &mut r.state), Some(&mut new.state)),
                (None, _) => (from.as_mut().map(|r| &mut r.state), to.as_mut().map(|r| &mut r.state)),
            };
        observation::apply(&core, &context, from_state, to_state)?;
    }
    if let Some(new) = &created {
        let mut row = resource_row(new);
        row.created_at = Set(now);
        economic_resource::Entity::insert(row).exec_without_returning(txn).await?;
    }
    for resource in [from, to].into_iter().flatten() {
        economic_resource::Entity::update(resource_row(&resource)).exec(txn).await?;
    }
    economic_event::Entity::insert(event_row(event_id, &core, &details, now)).exec_without_returning(txn).await?;
    let scopes: BTreeSet<AgentId> = details.in_scope_of.iter().copied().collect();
    if !scopes.is_empty() {
        economic_event_scope::Entity::insert_many(scopes.iter().map(|scope| economic_event_scope::ActiveModel {
            event_id: Set(event_id.to_string()),
            scope_id: Set(scope.to_string()),
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// `createEconomicEvent`: records the event and applies it to its resources, creating
    /// `newInventoriedResource` when given, in one transaction. Returns the event's id.
    pub async fn record_event(
        &self,
        actor: AgentId,
        command: RecordEvent,
        idem: Option<&Idempotency>,
    ) -> Result<Outcome> {
        let event_id = EconomicEventId::new();
        let locks_rows = self.locks_rows();
        self.create(idem, event_id.to_string(), move |txn| {
            async move { record_in(txn, locks_rows, actor, event_id, command, Utc::now()).await }.boxed()
        })
        .await
    }

    /// `updateEconomicEvent`: notes and links only.
    pub async fn update_event(
        &self,
        actor: AgentId,
        revision: Revision<EconomicEventId>,
        patch: EventPatch,
    ) -> Result<EconomicEvent> {
        self.write(move |txn| {
            async move {
                // Locked: see `checked_revision!` in knowledge.rs.
                let row = economic_event::Entity::find_by_id(revision.id.to_string())
                    .lock_exclusive()
                    .one(txn)
                    .await?
                    .ok_or_else(|| PersistenceError::not_found("economic event", revision.id))?;
                if row.revision != revision.number {
                    return Err(PersistenceError::Conflict(format!(
                        "economic event has changed since revision {} (now {})",
                        revision.number, row.revision
                    )));
                }
                if row.provider != actor.to_string() && row.receiver != actor.to_string() {
                    return Err(forbidden("only the provider or the receiver may annotate an event"));
                }
                let mut events = events_with_scopes(txn, vec![row]).await?;
                let mut event =
                    events.pop().ok_or_else(|| PersistenceError::not_found("economic event", revision.id))?;
                event.details.note = patch.note.apply(event.details.note);
                event.details.agreed_in = patch.agreed_in.apply(event.details.agreed_in);
                event.details.triggered_by = patch.triggered_by.apply(event.details.triggered_by);
                event.revision = revision.number + 1;
                economic_event::Entity::update(economic_event::ActiveModel {
                    id: Set(event.id.to_string()),
                    note: Set(event.details.note.clone()),
                    agreed_in: Set(event.details.agreed_in.as_ref().map(|u| u.as_str().to_owned())),
                    triggered_by: Set(event.details.triggered_by.map(|e| e.to_string())),
                    revision: Set(event.revision),
                    updated_at: Set(Utc::now()),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                Ok(event)
            }
            .boxed()
        })
        .await
    }

    /// `updateEconomicResource`: the non-economic fields, by its accountable agent or custodian.
    pub async fn update_resource(
        &self,
        actor: AgentId,
        revision: Revision<EconomicResourceId>,
        patch: ResourcePatch,
    ) -> Result<EconomicResource> {
        self.write(move |txn| {
            async move {
                // Locked (SQLite gets no lock clause): the row is written back whole, quantities
                // included, so an unlocked read would undo a concurrent event's effect.
                let mut resource = load_resource(txn, revision.id, true, "revisionId")
                    .await
                    .map_err(|_| PersistenceError::not_found("economic resource", revision.id))?;
                if resource.revision != revision.number {
                    return Err(PersistenceError::Conflict(format!(
                        "economic resource has changed since revision {} (now {})",
                        revision.number, resource.revision
                    )));
                }
                if resource.state.primary_accountable != Some(actor) && resource.state.custodian != Some(actor) {
                    return Err(forbidden("only the resource's accountable agent or custodian may change it"));
                }
                if let Patch::Set(container) = &patch.contained_in
                    && *container == resource.id
                {
                    return Err(bad("containedIn", "a resource cannot contain itself"));
                }
                let d = &mut resource.details;
                d.name = patch.name.apply(d.name.take());
                d.classified_as =
                    patch.classified_as.apply(Some(std::mem::take(&mut d.classified_as))).unwrap_or_default();
                d.image = patch.image.apply(d.image.take());
                d.image_list = patch.image_list.apply(Some(std::mem::take(&mut d.image_list))).unwrap_or_default();
                d.unit_of_effort = patch.unit_of_effort.apply(d.unit_of_effort);
                d.note = patch.note.apply(d.note.take());
                d.property_regime = patch.property_regime.apply(Some(d.property_regime)).unwrap_or_default();
                d.value_per_unit_of_use = patch.value_per_unit_of_use.apply(d.value_per_unit_of_use);
                resource.state.contained_in = patch.contained_in.apply(resource.state.contained_in);
                resource.revision = revision.number + 1;
                economic_resource::Entity::update(resource_row(&resource)).exec(txn).await?;
                Ok(resource)
            }
            .boxed()
        })
        .await
    }

    /// Many events in one query (plus one for their scopes).
    pub async fn events_by_id(&self, ids: &[EconomicEventId]) -> Result<HashMap<EconomicEventId, EconomicEvent>> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IN_LIST_MAX) {
            rows.extend(
                economic_event::Entity::find()
                    .filter(economic_event::Column::Id.is_in(chunk.iter().map(ToString::to_string)))
                    .all(self.connection())
                    .await?,
            );
        }
        Ok(events_with_scopes(self.connection(), rows).await?.into_iter().map(|e| (e.id, e)).collect())
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
        select
    }

    /// A page of events.
    pub async fn events(&self, filter: &EventFilter, page: &PageRequest) -> Result<Page<EconomicEvent>> {
        let page = paginate(self.connection(), Self::event_select(filter), economic_event::Column::Id, page).await?;
        let ids: Vec<String> = page.items.iter().map(|(c, _)| c.clone()).collect();
        let mut scopes = scopes_of_events(self.connection(), &ids).await?;
        page.try_map(|row| {
            let in_scope = scopes.remove(&row.id).unwrap_or_default();
            event_from(row, in_scope)
        })
    }

    /// Every event matching `filter`, oldest first (bounded by `limit`).
    pub async fn events_list(&self, filter: &EventFilter, limit: u64) -> Result<Vec<EconomicEvent>> {
        let rows = Self::event_select(filter)
            .order_by_asc(economic_event::Column::CreatedAt)
            .order_by_asc(economic_event::Column::Id)
            .limit(limit)
            .all(self.connection())
            .await?;
        events_with_scopes(self.connection(), rows).await
    }

    /// The inputs (or outputs) of many processes in one query.
    pub async fn events_of_processes(
        &self,
        ids: &[ProcessId],
        outputs: bool,
    ) -> Result<HashMap<ProcessId, Vec<EconomicEvent>>> {
        let column = if outputs { economic_event::Column::OutputOf } else { economic_event::Column::InputOf };
        let rows = economic_event::Entity::find()
            .filter(column.is_in(ids.iter().map(ToString::to_string)))
            .order_by_asc(economic_event::Column::Id)
            .all(self.connection())
            .await?;
        let mut grouped: HashMap<ProcessId, Vec<EconomicEvent>> = HashMap::new();
        for event in events_with_scopes(self.connection(), rows).await? {
            let key = if outputs { event.core.output_of } else { event.core.input_of };
            if let Some(process) = key {
                grouped.entry(process).or_default().push(event);
            }
        }
        Ok(grouped)
    }

    /// The corrections of many events in one query.
    pub async fn corrections_of(
        &self,
        ids: &[EconomicEventId],
    ) -> Result<HashMap<EconomicEventId, Vec<EconomicEvent>>> {
        let rows = economic_event::Entity::find()
            .filter(economic_event::Column::Corrects.is_in(ids.iter().map(ToString::to_string)))
            .order_by_asc(economic_event::Column::Id)
            .all(self.connection())
            .await?;
        let mut grouped: HashMap<EconomicEventId, Vec<EconomicEvent>> = HashMap::new();
        for event in events_with_scopes(self.connection(), rows).await? {
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
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IN_LIST_MAX) {
            rows.extend(
                economic_resource::Entity::find()
                    .filter(economic_resource::Column::Id.is_in(chunk.iter().map(ToString::to_string)))
                    .all(self.connection())
                    .await?,
            );
        }
        rows.into_iter().map(|r| resource_from(r).map(|r| (r.id, r))).collect()
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
        paginate(self.connection(), select, C::Id, page).await?.try_map(resource_from)
    }

    /// Every resource, in id order (for replay checks and exports).
    pub async fn all_resources(&self) -> Result<Vec<EconomicResource>> {
        let rows = economic_resource::Entity::find()
            .order_by_asc(economic_resource::Column::Id)
            .all(self.connection())
            .await?;
        rows.into_iter().map(resource_from).collect()
    }

    // ------------------------------------------------------------ processes

    /// `createProcess` (`name` must be set).
    pub async fn create_process(&self, patch: ProcessPatch, idem: Option<&Idempotency>) -> Result<Outcome> {
        let Patch::Set(name) = patch.name.clone() else {
            return Err(bad("name", "is required"));
        };
        let id = ProcessId::new();
        let process = Process {
            id,
            revision: 1,
            name,
            has_beginning: patch.has_beginning.apply(None),
            has_end: patch.has_end.apply(None),
            finished: patch.finished.apply(None).unwrap_or(false),
            classified_as: patch.classified_as.apply(None).unwrap_or_default(),
            note: patch.note.apply(None),
            based_on: patch.based_on.apply(None),
            in_scope_of: patch.in_scope_of.apply(None).unwrap_or_default(),
        };
        check_process(&process)?;
        self.create(idem, id.to_string(), move |txn| {
            async move {
                let scopes: Vec<(AgentId, &str)> = process.in_scope_of.iter().map(|s| (*s, "inScopeOf")).collect();
                check_agents_exist(txn, &scopes).await?;
                write_process(txn, &process, true).await
            }
            .boxed()
        })
        .await
        .map_err(foreign_key_is_bad_input)
    }

    /// `updateProcess`.
    pub async fn update_process(&self, revision: Revision<ProcessId>, patch: ProcessPatch) -> Result<Process> {
        self.write(move |txn| {
            async move {
                let row = process::Entity::find_by_id(revision.id.to_string())
                    .lock_exclusive()
                    .one(txn)
                    .await?
                    .ok_or_else(|| PersistenceError::not_found("process", revision.id))?;
                if row.revision != revision.number {
                    return Err(PersistenceError::Conflict(format!(
                        "process has changed since revision {} (now {})",
                        revision.number, row.revision
                    )));
                }
                let scopes = scopes_of_processes(txn, std::slice::from_ref(&row.id)).await?;
                let current = process_from(row, scopes.into_values().next().unwrap_or_default())?;
                let next = Process {
                    id: current.id,
                    revision: revision.number + 1,
                    name: patch.name.apply_required("name", current.name)?,
                    has_beginning: patch.has_beginning.apply(current.has_beginning),
                    has_end: patch.has_end.apply(current.has_end),
                    finished: patch.finished.apply(Some(current.finished)).unwrap_or(false),
                    classified_as: patch.classified_as.apply(Some(current.classified_as)).unwrap_or_default(),
                    note: patch.note.apply(current.note),
                    based_on: patch.based_on.apply(current.based_on),
                    in_scope_of: patch.in_scope_of.apply(Some(current.in_scope_of)).unwrap_or_default(),
                };
                check_process(&next)?;
                let scopes: Vec<(AgentId, &str)> = next.in_scope_of.iter().map(|s| (*s, "inScopeOf")).collect();
                check_agents_exist(txn, &scopes).await?;
                write_process(txn, &next, false).await?;
                Ok(next)
            }
            .boxed()
        })
        .await
        .map_err(foreign_key_is_bad_input)
    }

    /// `deleteProcess`: refused once events refer to it (the books keep their flows).
    pub async fn delete_process(&self, id: ProcessId) -> Result<()> {
        self.write(move |txn| {
            async move {
                let used = economic_event::Entity::find()
                    .filter(
                        Condition::any()
                            .add(economic_event::Column::InputOf.eq(id.to_string()))
                            .add(economic_event::Column::OutputOf.eq(id.to_string())),
                    )
                    .one(txn)
                    .await?;
                if used.is_some() {
                    return Err(PersistenceError::Conflict(
                        "the process has recorded events and cannot be deleted".into(),
                    ));
                }
                let found = process::Entity::find_by_id(id.to_string()).one(txn).await?;
                if found.is_none() {
                    return Err(PersistenceError::not_found("process", id));
                }
                process_scope::Entity::delete_many()
                    .filter(process_scope::Column::ProcessId.eq(id.to_string()))
                    .exec(txn)
                    .await?;
                process::Entity::delete_by_id(id.to_string()).exec(txn).await?;
                Ok(())
            }
            .boxed()
        })
        .await
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
        let rows = economic_event::Entity::find()
            .order_by_asc(economic_event::Column::CreatedAt)
            .order_by_asc(economic_event::Column::Id)
            .all(self.connection())
            .await?;
        events_with_scopes(self.connection(), rows).await
    }
}

fn foreign_key_is_bad_input(err: PersistenceError) -> PersistenceError {
    if err.is_foreign_key_violation() { bad("input", "refers to a record that does not exist") } else { err }
}

fn check_process(process: &Process) -> Result<()> {
    if let (Some(begin), Some(end)) = (process.has_beginning, process.has_end)
        && end < begin
    {
        return Err(bad("hasEnd", "is before hasBeginning"));
    }
    Ok(())
}

async fn write_process(txn: &DatabaseTransaction, process: &Process, insert: bool) -> Result<()> {
    let now = Utc::now();
    let row = process::ActiveModel {
        id: Set(process.id.to_string()),
        name: Set(process.name.as_str().to_owned()),
        has_beginning: Set(process.has_beginning),
        has_end: Set(process.has_end),
        finished: Set(process.finished),
        classified_as: Set(uris_to_json(&process.classified_as)),
        note: Set(process.note.clone()),
        based_on: Set(process.based_on.map(|s| s.to_string())),
        revision: Set(process.revision),
        created_at: if insert { Set(now) } else { NotSet },
        updated_at: Set(now),
    };
    if insert {
        process::Entity::insert(row).exec_without_returning(txn).await?;
    } else {
        process::Entity::update(row).exec(txn).await?;
        process_scope::Entity::delete_many()
            .filter(process_scope::Column::ProcessId.eq(process.id.to_string()))
            .exec(txn)
            .await?;
    }
    let scopes: BTreeSet<AgentId> = process.in_scope_of.iter().copied().collect();
    if !scopes.is_empty() {
        process_scope::Entity::insert_many(scopes.iter().map(|scope| process_scope::ActiveModel {
            process_id: Set(process.id.to_string()),
            scope_id: Set(scope.to_string()),
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}
