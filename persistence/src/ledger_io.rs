//! The whole ledger in one piece: read every record for an export, and write a checked
//! ledger into an empty database for an import.
//!
//! Why a module of its own: the services elsewhere in this crate record one event at a time,
//! each with its checks and queries (a few per event). An import of a few hundred thousand
//! events cannot afford that. Here the caller hands over a [`Ledger`] it has already checked
//! in memory (every reference resolved, every event applied to its resources with the domain
//! rules), and this module only writes rows: multi-row `INSERT`s in chunks under SQLite's
//! bound-parameter limit, all inside **one** transaction, so an import is all or nothing (a
//! failure leaves the database as empty as it was; both SQLite and PostgreSQL handle a long
//! transaction well). The read side loads each table in one query, in a stable order, so that
//! an export is deterministic.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::agent::{
    Agent, AgentKind, AgentProfile, AgentRelationship, AgentRelationshipRole, Name, ProcessSpecification,
    ResourceSpecification, Unit, Uri, ValuePerUnit,
};
use ovn_domain::ledger::{EconomicEvent, EconomicResource, EventDetails, Process, PropertyRegime, ResourceDetails};
use ovn_domain::observation::{NewEvent, ResourceState};
use ovn_domain::{
    Action, AgentId, AgentRelationshipId, AgentRelationshipRoleId, DomainError, EconomicEventId, EconomicResourceId,
    Measure, ProcessId, ProcessSpecificationId, ResourceSpecificationId, UnitId,
};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Statement, TransactionTrait,
};

use crate::decimal::DbDecimal;
use crate::entity::{
    agent, agent_relationship, agent_relationship_role, economic_event, economic_event_scope, economic_resource,
    idempotency_key, process, process_scope, process_specification, resource_specification, unit,
};
use crate::error::{PersistenceError, Result};
use crate::knowledge::{ids_to_json, uris_from_json, uris_to_json};
use crate::store::Store;

/// SQLite refuses a statement with more than 32,766 bound parameters; every chunk of a
/// multi-row insert stays under it (PostgreSQL's limit, 65,535, is higher).
pub const MAX_BOUND_PARAMETERS: usize = 32_766;

/// A record with the system time it was first stored (`created_at`), which an export carries
/// and an import keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped<T> {
    /// The record.
    pub record: T,
    /// When it was first stored.
    pub created: DateTime<Utc>,
}

/// Every record of the books, as domain values. Each list is in a stable order: by id, except
/// `events`, which are in recording order (`created`, then id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Units of measure.
    pub units: Vec<Stamped<Unit>>,
    /// People and organizations.
    pub agents: Vec<Stamped<Agent>>,
    /// Kinds of relationship.
    pub roles: Vec<Stamped<AgentRelationshipRole>>,
    /// Relationships between agents.
    pub relationships: Vec<Stamped<AgentRelationship>>,
    /// Kinds of resource.
    pub resource_specifications: Vec<Stamped<ResourceSpecification>>,
    /// Kinds of process.
    pub process_specifications: Vec<Stamped<ProcessSpecification>>,
    /// Processes.
    pub processes: Vec<Stamped<Process>>,
    /// Economic resources with their current state.
    pub resources: Vec<Stamped<EconomicResource>>,
    /// Economic events (each carries its own `created`), in recording order.
    pub events: Vec<EconomicEvent>,
}

impl Ledger {
    /// How many rows [`Store::write_ledger`] writes (records plus scope links), for progress
    /// bars.
    pub fn row_count(&self) -> u64 {
        let scopes: usize = self.processes.iter().map(|p| p.record.in_scope_of.len()).sum::<usize>()
            + self.events.iter().map(|e| e.details.in_scope_of.len()).sum::<usize>();
        let records = self.units.len()
            + self.agents.len()
            + self.roles.len()
            + self.relationships.len()
            + self.resource_specifications.len()
            + self.process_specifications.len()
            + self.processes.len()
            + self.resources.len()
            + self.events.len();
        u64::try_from(records + scopes).unwrap_or(u64::MAX)
    }
}

/// Told after each chunk a write has stored: how many rows it held.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

// ---------------------------------------------------------------- reading

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

fn group_scopes(pairs: impl IntoIterator<Item = (String, String)>) -> Result<HashMap<String, Vec<AgentId>>> {
    let mut scopes: HashMap<String, Vec<AgentId>> = HashMap::new();
    for (owner, scope) in pairs {
        scopes.entry(owner).or_default().push(AgentId::parse(&scope).map_err(corrupt)?);
    }
    for list in scopes.values_mut() {
        list.sort();
    }
    Ok(scopes)
}

fn unit_from(row: unit::Model) -> Result<Stamped<Unit>> {
    Ok(Stamped {
        record: Unit {
            id: UnitId::parse(&row.id).map_err(corrupt)?,
            revision: row.revision,
            label: Name::parse("label", &row.label).map_err(corrupt)?,
            symbol: Name::parse("symbol", &row.symbol).map_err(corrupt)?,
            om_unit_identifier: row.om_unit_identifier,
        },
        created: row.created_at,
    })
}

fn agent_from(row: agent::Model) -> Result<Stamped<Agent>> {
    Ok(Stamped {
        record: Agent {
            id: AgentId::parse(&row.id).map_err(corrupt)?,
            revision: row.revision,
            kind: AgentKind::parse(&row.kind).map_err(corrupt)?,
            profile: AgentProfile {
                name: Name::parse("name", &row.name).map_err(corrupt)?,
                image: opt(row.image.as_deref(), |t| Uri::parse("image", t))?,
                note: row.note,
                classified_as: uris_from_json("classifiedAs", row.classified_as.as_deref())?,
            },
        },
        created: row.created_at,
    })
}

fn role_from(row: agent_relationship_role::Model) -> Result<Stamped<AgentRelationshipRole>> {
    Ok(Stamped {
        record: AgentRelationshipRole {
            id: AgentRelationshipRoleId::parse(&row.id).map_err(corrupt)?,
            revision: row.revision,
            role_label: Name::parse("roleLabel", &row.role_label).map_err(corrupt)?,
            inverse_role_label: opt(row.inverse_role_label.as_deref(), |t| Name::parse("inverseRoleLabel", t))?,
            note: row.note,
        },
        created: row.created_at,
    })
}

fn relationship_from(row: agent_relationship::Model) -> Result<Stamped<AgentRelationship>> {
    let scopes: Vec<String> = match row.in_scope_of.as_deref() {
        Some(text) => serde_json::from_str(text).map_err(|e| PersistenceError::Corrupt(e.to_string()))?,
        None => Vec::new(),
    };
    Ok(Stamped {
        record: AgentRelationship {
            id: AgentRelationshipId::parse(&row.id).map_err(corrupt)?,
            revision: row.revision,
            subject: AgentId::parse(&row.subject).map_err(corrupt)?,
            object: AgentId::parse(&row.object).map_err(corrupt)?,
            relationship: AgentRelationshipRoleId::parse(&row.relationship).map_err(corrupt)?,
            in_scope_of: scopes.iter().map(|s| AgentId::parse(s).map_err(corrupt)).collect::<Result<_>>()?,
            note: row.note,
        },
        created: row.created_at,
    })
}

fn resource_specification_from(row: resource_specification::Model) -> Result<Stamped<ResourceSpecification>> {
    Ok(Stamped {
        record: ResourceSpecification {
            id: ResourceSpecificationId::parse(&row.id).map_err(corrupt)?,
            revision: row.revision,
            name: Name::parse("name", &row.name).map_err(corrupt)?,
            image: opt(row.image.as_deref(), |t| Uri::parse("image", t))?,
            image_list: uris_from_json("imageList", row.image_list.as_deref())?,
            resource_classified_as: uris_from_json("resourceClassifiedAs", row.resource_classified_as.as_deref())?,
            note: row.note,
            default_unit_of_resource: opt(row.default_unit_of_resource.as_deref(), UnitId::parse)?,
            default_unit_of_effort: opt(row.default_unit_of_effort.as_deref(), UnitId::parse)?,
            substitutable: row.substitutable,
            default_value_per_unit: match row.default_value_per_unit {
                Some(value) => Some(ValuePerUnit {
                    value: value.0,
                    unit: opt(row.default_value_per_unit_unit.as_deref(), UnitId::parse)?,
                }),
                None => None,
            },
        },
        created: row.created_at,
    })
}

fn process_specification_from(row: process_specification::Model) -> Result<Stamped<ProcessSpecification>> {
    Ok(Stamped {
        record: ProcessSpecification {
            id: ProcessSpecificationId::parse(&row.id).map_err(corrupt)?,
            revision: row.revision,
            name: Name::parse("name", &row.name).map_err(corrupt)?,
            note: row.note,
        },
        created: row.created_at,
    })
}

fn process_from(row: process::Model, in_scope_of: Vec<AgentId>) -> Result<Stamped<Process>> {
    Ok(Stamped {
        record: Process {
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
        },
        created: row.created_at,
    })
}

fn resource_from(row: economic_resource::Model) -> Result<Stamped<EconomicResource>> {
    let conforms_to = ResourceSpecificationId::parse(&row.conforms_to).map_err(corrupt)?;
    Ok(Stamped {
        record: EconomicResource {
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
        },
        created: row.created_at,
    })
}

fn event_from(row: economic_event::Model, in_scope_of: Vec<AgentId>) -> Result<EconomicEvent> {
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
    core.at_location = row.at_location;
    core.to_location = row.to_location;
    core.state = row.state;
    core.corrects = opt(row.corrects.as_deref(), EconomicEventId::parse)?;
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

/// Sorts stamped records by their id's text (the order an export lists them in).
fn by_id<T>(mut records: Vec<Stamped<T>>, id: impl Fn(&T) -> uuid::Uuid) -> Vec<Stamped<T>> {
    records.sort_by_key(|r| id(&r.record));
    records
}

async fn read_all<C: ConnectionTrait>(conn: &C) -> Result<Ledger> {
    let units = unit::Entity::find().all(conn).await?.into_iter().map(unit_from).collect::<Result<Vec<_>>>()?;
    let agents = agent::Entity::find().all(conn).await?.into_iter().map(agent_from).collect::<Result<Vec<_>>>()?;
    let roles = agent_relationship_role::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(role_from)
        .collect::<Result<Vec<_>>>()?;
    let relationships = agent_relationship::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(relationship_from)
        .collect::<Result<Vec<_>>>()?;
    let resource_specifications = resource_specification::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(resource_specification_from)
        .collect::<Result<Vec<_>>>()?;
    let process_specifications = process_specification::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(process_specification_from)
        .collect::<Result<Vec<_>>>()?;
    let mut process_scopes =
        group_scopes(process_scope::Entity::find().all(conn).await?.into_iter().map(|s| (s.process_id, s.scope_id)))?;
    let processes = process::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let scopes = process_scopes.remove(&row.id).unwrap_or_default();
            process_from(row, scopes)
        })
        .collect::<Result<Vec<_>>>()?;
    let resources = economic_resource::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(resource_from)
        .collect::<Result<Vec<_>>>()?;
    let mut event_scopes = group_scopes(
        economic_event_scope::Entity::find().all(conn).await?.into_iter().map(|s| (s.event_id, s.scope_id)),
    )?;
    let mut events = economic_event::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let scopes = event_scopes.remove(&row.id).unwrap_or_default();
            event_from(row, scopes)
        })
        .collect::<Result<Vec<_>>>()?;
    // Sorted here rather than by the database, so that the order never depends on how a
    // backend collates its timestamp column.
    events.sort_by_key(|e| (e.created, e.id));
    Ok(Ledger {
        units: by_id(units, |u| u.id.uuid()),
        agents: by_id(agents, |a| a.id.uuid()),
        roles: by_id(roles, |r| r.id.uuid()),
        relationships: by_id(relationships, |r| r.id.uuid()),
        resource_specifications: by_id(resource_specifications, |s| s.id.uuid()),
        process_specifications: by_id(process_specifications, |s| s.id.uuid()),
        processes: by_id(processes, |p| p.id.uuid()),
        resources: by_id(resources, |r| r.id.uuid()),
        events,
    })
}

// ---------------------------------------------------------------- writing

fn text<T: ToString>(value: Option<T>) -> Option<String> {
    value.map(|v| v.to_string())
}

fn unit_row(s: &Stamped<Unit>) -> unit::ActiveModel {
    let u = &s.record;
    unit::ActiveModel {
        id: Set(u.id.to_string()),
        label: Set(u.label.as_str().to_owned()),
        symbol: Set(u.symbol.as_str().to_owned()),
        om_unit_identifier: Set(u.om_unit_identifier.clone()),
        revision: Set(1),
        created_at: Set(s.created),
        updated_at: Set(s.created),
    }
}

fn agent_row(s: &Stamped<Agent>) -> agent::ActiveModel {
    let a = &s.record;
    agent::ActiveModel {
        id: Set(a.id.to_string()),
        kind: Set(a.kind.as_str().to_owned()),
        name: Set(a.profile.name.as_str().to_owned()),
        image: Set(a.profile.image.as_ref().map(|i| i.as_str().to_owned())),
        note: Set(a.profile.note.clone()),
        classified_as: Set(uris_to_json(&a.profile.classified_as)),
        revision: Set(1),
        created_at: Set(s.created),
        updated_at: Set(s.created),
    }
}

fn role_row(s: &Stamped<AgentRelationshipRole>) -> agent_relationship_role::ActiveModel {
    let r = &s.record;
    agent_relationship_role::ActiveModel {
        id: Set(r.id.to_string()),
        role_label: Set(r.role_label.as_str().to_owned()),
        inverse_role_label: Set(r.inverse_role_label.as_ref().map(|l| l.as_str().to_owned())),
        note: Set(r.note.clone()),
        revision: Set(1),
        created_at: Set(s.created),
        updated_at: Set(s.created),
    }
}

fn relationship_row(s: &Stamped<AgentRelationship>) -> agent_relationship::ActiveModel {
    let r = &s.record;
    agent_relationship::ActiveModel {
        id: Set(r.id.to_string()),
        subject: Set(r.subject.to_string()),
        object: Set(r.object.to_string()),
        relationship: Set(r.relationship.to_string()),
        in_scope_of: Set(ids_to_json(&r.in_scope_of)),
        note: Set(r.note.clone()),
        revision: Set(1),
        created_at: Set(s.created),
        updated_at: Set(s.created),
    }
}

fn resource_specification_row(s: &Stamped<ResourceSpecification>) -> resource_specification::ActiveModel {
    let r = &s.record;
    resource_specification::ActiveModel {
        id: Set(r.id.to_string()),
        name: Set(r.name.as_str().to_owned()),
        image: Set(r.image.as_ref().map(|i| i.as_str().to_owned())),
        image_list: Set(uris_to_json(&r.image_list)),
        resource_classified_as: Set(uris_to_json(&r.resource_classified_as)),
        note: Set(r.note.clone()),
        default_unit_of_resource: Set(text(r.default_unit_of_resource)),
        default_unit_of_effort: Set(text(r.default_unit_of_effort)),
        substitutable: Set(r.substitutable),
        default_value_per_unit: Set(r.default_value_per_unit.map(|v| DbDecimal(v.value))),
        default_value_per_unit_unit: Set(text(r.default_value_per_unit.and_then(|v| v.unit))),
        revision: Set(1),
        created_at: Set(s.created),
        updated_at: Set(s.created),
    }
}

fn process_specification_row(s: &Stamped<ProcessSpecification>) -> process_specification::ActiveModel {
    let p = &s.record;
    process_specification::ActiveModel {
        id: Set(p.id.to_string()),
        name: Set(p.name.as_str().to_owned()),
        note: Set(p.note.clone()),
        revision: Set(1),
        created_at: Set(s.created),
        updated_at: Set(s.created),
    }
}

fn process_row(s: &Stamped<Process>) -> process::ActiveModel {
    let p = &s.record;
    process::ActiveModel {
        id: Set(p.id.to_string()),
        name: Set(p.name.as_str().to_owned()),
        has_beginning: Set(p.has_beginning),
        has_end: Set(p.has_end),
        finished: Set(p.finished),
        classified_as: Set(uris_to_json(&p.classified_as)),
        note: Set(p.note.clone()),
        based_on: Set(text(p.based_on)),
        revision: Set(1),
        created_at: Set(s.created),
        updated_at: Set(s.created),
    }
}

/// A resource row; `contained_in` is left out when the container is written later (see
/// [`write_all`]).
fn resource_row(s: &Stamped<EconomicResource>, with_container: bool) -> economic_resource::ActiveModel {
    let r = &s.record;
    let (st, d) = (&r.state, &r.details);
    economic_resource::ActiveModel {
        id: Set(r.id.to_string()),
        name: Set(d.name.clone()),
        conforms_to: Set(r.conforms_to.to_string()),
        classified_as: Set(uris_to_json(&d.classified_as)),
        tracking_identifier: Set(d.tracking_identifier.clone()),
        image: Set(d.image.as_ref().map(|u| u.as_str().to_owned())),
        image_list: Set(uris_to_json(&d.image_list)),
        unit: Set(text(st.unit)),
        accounting_quantity: Set(DbDecimal(st.accounting_quantity)),
        onhand_quantity: Set(DbDecimal(st.onhand_quantity)),
        unit_of_effort: Set(text(d.unit_of_effort)),
        primary_accountable: Set(text(st.primary_accountable)),
        custodian: Set(text(st.custodian)),
        current_location: Set(st.current_location.clone()),
        contained_in: Set(if with_container { text(st.contained_in) } else { None }),
        stage: Set(text(st.stage)),
        state: Set(st.state.clone()),
        property_regime: Set(d.property_regime.as_str().to_owned()),
        value_per_unit_of_use: Set(d.value_per_unit_of_use.map(|m| DbDecimal(m.has_numerical_value))),
        value_per_unit_of_use_unit: Set(text(d.value_per_unit_of_use.and_then(|m| m.has_unit))),
        note: Set(d.note.clone()),
        revision: Set(1),
        created_at: Set(s.created),
        updated_at: Set(s.created),
    }
}

/// An event row; `triggered_by` is left out when it points at a later event (see
/// [`write_all`]).
fn event_row(e: &EconomicEvent, with_trigger: bool) -> economic_event::ActiveModel {
    let (core, details) = (&e.core, &e.details);
    economic_event::ActiveModel {
        id: Set(e.id.to_string()),
        action: Set(core.action.id().to_owned()),
        provider: Set(core.provider.to_string()),
        receiver: Set(core.receiver.to_string()),
        resource_inventoried_as: Set(text(core.resource_inventoried_as)),
        to_resource_inventoried_as: Set(text(core.to_resource_inventoried_as)),
        resource_classified_as: Set(uris_to_json(&details.resource_classified_as)),
        resource_conforms_to: Set(text(details.resource_conforms_to)),
        resource_quantity: Set(core.resource_quantity.map(|m| DbDecimal(m.has_numerical_value))),
        resource_quantity_unit: Set(text(core.resource_quantity.and_then(|m| m.has_unit))),
        effort_quantity: Set(core.effort_quantity.map(|m| DbDecimal(m.has_numerical_value))),
        effort_quantity_unit: Set(text(core.effort_quantity.and_then(|m| m.has_unit))),
        has_beginning: Set(details.has_beginning),
        has_end: Set(details.has_end),
        has_point_in_time: Set(details.has_point_in_time),
        note: Set(details.note.clone()),
        agreed_in: Set(details.agreed_in.as_ref().map(|u| u.as_str().to_owned())),
        triggered_by: Set(if with_trigger { text(details.triggered_by) } else { None }),
        input_of: Set(text(core.input_of)),
        output_of: Set(text(core.output_of)),
        at_location: Set(core.at_location.clone()),
        to_location: Set(core.to_location.clone()),
        state: Set(core.state.clone()),
        corrects: Set(text(core.corrects)),
        declared_value: Set(details.declared_value.map(|m| DbDecimal(m.has_numerical_value))),
        declared_value_unit: Set(text(details.declared_value.and_then(|m| m.has_unit))),
        revision: Set(1),
        created_at: Set(e.created),
        updated_at: Set(e.created),
    }
}

/// The multi-row `INSERT` of one chunk.
fn chunk_statement<T, A>(chunk: &[T], row: fn(&T) -> A, backend: DbBackend) -> Statement
where
    A: ActiveModelTrait,
{
    <A::Entity as EntityTrait>::insert_many(chunk.iter().map(row)).build(backend)
}

/// Inserts one row per item with multi-row `INSERT`s, each under [`MAX_BOUND_PARAMETERS`].
/// Rows are built chunk by chunk (a large ledger is never held twice in memory), and the next
/// chunk's statement is built while the database executes the current one.
async fn insert_chunked<T, A>(
    txn: &DatabaseTransaction,
    columns: usize,
    items: &[T],
    row: fn(&T) -> A,
    progress: &Progress,
) -> Result<()>
where
    T: Sync,
    A: ActiveModelTrait + Send,
{
    let backend = txn.get_database_backend();
    let per_chunk = (MAX_BOUND_PARAMETERS / columns.max(1)).max(1);
    let mut chunks = items.chunks(per_chunk);
    let Some(first) = chunks.next() else { return Ok(()) };
    let mut current = (chunk_statement(first, row, backend), first.len());
    loop {
        let (statement, rows) = current;
        let following = chunks.next();
        let (executed, next) = futures::join!(txn.execute_raw(statement), async {
            following.map(|chunk| (chunk_statement(chunk, row, backend), chunk.len()))
        });
        executed?;
        progress(u64::try_from(rows).unwrap_or(u64::MAX));
        match next {
            Some(next) => current = next,
            None => return Ok(()),
        }
    }
}

fn scope_pairs<'a>(owners: impl Iterator<Item = (String, &'a [AgentId])>) -> Vec<(String, String)> {
    owners
        .flat_map(|(owner, scopes)| {
            let unique: BTreeSet<AgentId> = scopes.iter().copied().collect();
            unique.into_iter().map(move |scope| (owner.clone(), scope.to_string()))
        })
        .collect()
}

fn process_scope_row(pair: &(String, String)) -> process_scope::ActiveModel {
    process_scope::ActiveModel { process_id: Set(pair.0.clone()), scope_id: Set(pair.1.clone()) }
}

fn event_scope_row(pair: &(String, String)) -> economic_event_scope::ActiveModel {
    economic_event_scope::ActiveModel { event_id: Set(pair.0.clone()), scope_id: Set(pair.1.clone()) }
}

fn resource_row_without_container(s: &Stamped<EconomicResource>) -> economic_resource::ActiveModel {
    resource_row(s, false)
}

fn event_row_of(item: &(&EconomicEvent, bool)) -> economic_event::ActiveModel {
    event_row(item.0, item.1)
}

/// The first table of the books that holds a row, if any.
async fn first_non_empty<C: ConnectionTrait>(conn: &C) -> Result<Option<&'static str>> {
    macro_rules! probe {
        ($entity:ty, $name:literal) => {
            if <$entity>::find().limit(1).all(conn).await?.into_iter().next().is_some() {
                return Ok(Some($name));
            }
        };
    }
    probe!(agent::Entity, "agents");
    probe!(unit::Entity, "units");
    probe!(agent_relationship_role::Entity, "agent relationship roles");
    probe!(agent_relationship::Entity, "agent relationships");
    probe!(resource_specification::Entity, "resource specifications");
    probe!(process_specification::Entity, "process specifications");
    probe!(process::Entity, "processes");
    probe!(economic_resource::Entity, "economic resources");
    probe!(economic_event::Entity, "economic events");
    probe!(idempotency_key::Entity, "idempotency keys");
    Ok(None)
}

/// Refused because the database already holds records.
fn not_empty(table: &str) -> PersistenceError {
    PersistenceError::Conflict(format!(
        "the database is not empty (it already holds {table}); an import only loads into an empty database"
    ))
}

/// SQLite's page cache while an import writes: large enough to hold the indexes being
/// built, so that pages are not spilled to the WAL and read back (in KiB; a bound, not an
/// allocation).
const IMPORT_CACHE_KIB: u32 = 512 * 1024;

async fn write_all(txn: &DatabaseTransaction, ledger: &Ledger, progress: &Progress) -> Result<()> {
    if txn.get_database_backend() != DbBackend::Sqlite {
        return write_rows(txn, ledger, progress).await;
    }
    // The default cache (2 MiB) spills on a large import; the connection's setting is put
    // back afterwards, whatever happened. The secondary indexes of the event tables are
    // dropped and rebuilt after the rows are in (building an index from all its keys at once
    // is about three times faster than growing it row by row); their definitions are read
    // from the database itself, so they are rebuilt exactly as the migrations made them, and
    // all of it is inside the transaction, so a failed import rolls the indexes back too.
    let before = txn
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA cache_size"))
        .await?
        .and_then(|row| row.try_get_by_index::<i64>(0).ok())
        .unwrap_or(-2_000);
    txn.execute_unprepared(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")).await?;
    let indexes = txn
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('economic_event', 'economic_event_scope') ORDER BY name",
        ))
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get_by_index::<String>(0)?, row.try_get_by_index::<String>(1)?)))
        .collect::<Result<Vec<(String, String)>, sea_orm::DbErr>>()?;
    for (name, _) in &indexes {
        txn.execute_unprepared(&format!("DROP INDEX \"{name}\"")).await?;
    }
    let mut written = write_rows(txn, ledger, progress).await;
    if written.is_ok() {
        for (_, sql) in &indexes {
            if let Err(err) = txn.execute_unprepared(sql).await {
                written = Err(err.into());
                break;
            }
        }
    }
    let restored = txn.execute_unprepared(&format!("PRAGMA cache_size = {before}")).await;
    written?;
    restored?;
    Ok(())
}

async fn write_rows(txn: &DatabaseTransaction, ledger: &Ledger, progress: &Progress) -> Result<()> {
    if let Some(table) = first_non_empty(txn).await? {
        return Err(not_empty(table));
    }
    insert_chunked(txn, 7, &ledger.units, unit_row, progress).await?;
    insert_chunked(txn, 9, &ledger.agents, agent_row, progress).await?;
    insert_chunked(txn, 7, &ledger.roles, role_row, progress).await?;
    insert_chunked(txn, 9, &ledger.relationships, relationship_row, progress).await?;
    insert_chunked(txn, 6, &ledger.process_specifications, process_specification_row, progress).await?;
    insert_chunked(txn, 14, &ledger.resource_specifications, resource_specification_row, progress).await?;
    insert_chunked(txn, 11, &ledger.processes, process_row, progress).await?;
    let process_scopes =
        scope_pairs(ledger.processes.iter().map(|p| (p.record.id.to_string(), p.record.in_scope_of.as_slice())));
    insert_chunked(txn, 2, &process_scopes, process_scope_row, progress).await?;
    // A container may sort after what it contains: resources go in without their container,
    // which is set once they all exist (containment is rare; one update each).
    insert_chunked(txn, 24, &ledger.resources, resource_row_without_container, progress).await?;
    for resource in ledger.resources.iter().filter(|r| r.record.state.contained_in.is_some()) {
        economic_resource::Entity::update_many()
            .col_expr(
                economic_resource::Column::ContainedIn,
                sea_orm::sea_query::Expr::value(text(resource.record.state.contained_in)),
            )
            .filter(economic_resource::Column::Id.eq(resource.record.id.to_string()))
            .exec(txn)
            .await?;
    }
    // `triggeredBy` may point at a later event (it can be set after recording); such links are
    // written once the later event exists. `corrects` always points back (checked by the
    // caller), so it goes in with the row.
    let position: HashMap<EconomicEventId, usize> = ledger.events.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let events: Vec<(&EconomicEvent, bool)> = ledger
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let back = e.details.triggered_by.is_none_or(|t| position.get(&t).is_some_and(|&target| target < i));
            (e, back)
        })
        .collect();
    drop(position);
    insert_chunked(txn, 29, &events, event_row_of, progress).await?;
    let forward: Vec<&EconomicEvent> = events.iter().filter(|(_, back)| !back).map(|(e, _)| *e).collect();
    drop(events);
    for event in forward {
        economic_event::Entity::update_many()
            .col_expr(
                economic_event::Column::TriggeredBy,
                sea_orm::sea_query::Expr::value(text(event.details.triggered_by)),
            )
            .filter(economic_event::Column::Id.eq(event.id.to_string()))
            .exec(txn)
            .await?;
    }
    let event_scopes = scope_pairs(ledger.events.iter().map(|e| (e.id.to_string(), e.details.in_scope_of.as_slice())));
    insert_chunked(txn, 2, &event_scopes, event_scope_row, progress).await?;
    Ok(())
}

impl Store {
    /// Every record of the books, read in one transaction (a consistent snapshot), in the
    /// stable order [`Ledger`] documents.
    pub async fn read_ledger(&self) -> Result<Ledger> {
        let txn = self.connection().begin().await?;
        let ledger = read_all(&txn).await?;
        txn.commit().await?;
        Ok(ledger)
    }

    /// The first kind of record the database holds (`"agents"`, `"economic events"`, …), or
    /// `None` when it is empty.
    pub async fn first_non_empty_table(&self) -> Result<Option<&'static str>> {
        first_non_empty(self.connection()).await
    }

    /// Writes a whole ledger into an **empty** database, in one transaction: either every row
    /// is stored or none is. Ids and `created` times are kept; revisions start at 1.
    ///
    /// The caller must have checked the ledger (references resolve, events are in recording
    /// order, resource states are what the events give); this only writes rows, with
    /// multi-row inserts. `progress` is told after each chunk. A database that already holds
    /// records is refused with [`PersistenceError::Conflict`], checked inside the same
    /// transaction.
    pub async fn write_ledger(&self, ledger: Arc<Ledger>, progress: Progress) -> Result<u64> {
        let rows = ledger.row_count();
        self.write(move |txn| async move { write_all(txn, &ledger, &progress).await.map(|()| rows) }.boxed()).await
    }
}
