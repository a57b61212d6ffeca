//! Agents, relationships, units and specifications: reads, batched loads and the services
//! that write them.

use std::collections::HashMap;

use chrono::Utc;
use futures::FutureExt;
use ovn_domain::agent::{
    Agent, AgentKind, AgentProfile, AgentRelationship, AgentRelationshipRole, Name, Patch, ProcessSpecification,
    ResourceSpecification, Revision, Unit, Uri, ValuePerUnit,
};
use ovn_domain::{
    AgentId, AgentRelationshipId, AgentRelationshipRoleId, DomainError, ProcessSpecificationId,
    ResourceSpecificationId, UnitId,
};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::decimal::DbDecimal;
use crate::entity::{
    agent, agent_relationship, agent_relationship_role, process_specification, resource_specification, unit,
};
use crate::error::{PersistenceError, Result};
use crate::idempotency::{Idempotency, Outcome};
use crate::page::{Page, PageRequest, paginate};
use crate::store::Store;

// ---------------------------------------------------------------- conversions

fn corrupt(err: DomainError) -> PersistenceError {
    PersistenceError::Corrupt(err.to_string())
}

pub(crate) fn uris_to_json(uris: &[Uri]) -> Option<String> {
    if uris.is_empty() { None } else { serde_json::to_string(&uris.iter().map(Uri::as_str).collect::<Vec<_>>()).ok() }
}

pub(crate) fn uris_from_json(field: &str, text: Option<&str>) -> Result<Vec<Uri>> {
    let Some(text) = text else { return Ok(Vec::new()) };
    let items: Vec<String> = serde_json::from_str(text).map_err(|e| PersistenceError::Corrupt(e.to_string()))?;
    items.iter().map(|item| Uri::parse(field, item).map_err(corrupt)).collect()
}

pub(crate) fn ids_to_json<T: ToString>(ids: &[T]) -> Option<String> {
    if ids.is_empty() {
        None
    } else {
        serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>()).ok()
    }
}

fn opt_id<T>(text: Option<&str>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Option<T>> {
    text.map(|t| parse(t).map_err(corrupt)).transpose()
}

pub(crate) fn agent_from(row: agent::Model) -> Result<Agent> {
    Ok(Agent {
        id: AgentId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        kind: AgentKind::parse(&row.kind).map_err(corrupt)?,
        profile: AgentProfile {
            name: Name::parse("name", &row.name).map_err(corrupt)?,
            image: row.image.as_deref().map(|i| Uri::parse("image", i)).transpose().map_err(corrupt)?,
            note: row.note,
            classified_as: uris_from_json("classifiedAs", row.classified_as.as_deref())?,
        },
    })
}

pub(crate) fn unit_from(row: unit::Model) -> Result<Unit> {
    Ok(Unit {
        id: UnitId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        label: Name::parse("label", &row.label).map_err(corrupt)?,
        symbol: Name::parse("symbol", &row.symbol).map_err(corrupt)?,
        om_unit_identifier: row.om_unit_identifier,
    })
}

pub(crate) fn process_specification_from(row: process_specification::Model) -> Result<ProcessSpecification> {
    Ok(ProcessSpecification {
        id: ProcessSpecificationId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        name: Name::parse("name", &row.name).map_err(corrupt)?,
        note: row.note,
    })
}

pub(crate) fn resource_specification_from(row: resource_specification::Model) -> Result<ResourceSpecification> {
    Ok(ResourceSpecification {
        id: ResourceSpecificationId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        name: Name::parse("name", &row.name).map_err(corrupt)?,
        image: row.image.as_deref().map(|i| Uri::parse("image", i)).transpose().map_err(corrupt)?,
        image_list: uris_from_json("imageList", row.image_list.as_deref())?,
        resource_classified_as: uris_from_json("resourceClassifiedAs", row.resource_classified_as.as_deref())?,
        note: row.note,
        default_unit_of_resource: opt_id(row.default_unit_of_resource.as_deref(), UnitId::parse)?,
        default_unit_of_effort: opt_id(row.default_unit_of_effort.as_deref(), UnitId::parse)?,
        substitutable: row.substitutable,
        default_value_per_unit: match row.default_value_per_unit {
            Some(value) => Some(ValuePerUnit {
                value: value.0,
                unit: opt_id(row.default_value_per_unit_unit.as_deref(), UnitId::parse)?,
            }),
            None => None,
        },
    })
}

pub(crate) fn role_from(row: agent_relationship_role::Model) -> Result<AgentRelationshipRole> {
    Ok(AgentRelationshipRole {
        id: AgentRelationshipRoleId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        role_label: Name::parse("roleLabel", &row.role_label).map_err(corrupt)?,
        inverse_role_label: row
            .inverse_role_label
            .as_deref()
            .map(|l| Name::parse("inverseRoleLabel", l))
            .transpose()
            .map_err(corrupt)?,
        note: row.note,
    })
}

pub(crate) fn relationship_from(row: agent_relationship::Model) -> Result<AgentRelationship> {
    let scopes: Vec<String> = match row.in_scope_of.as_deref() {
        Some(text) => serde_json::from_str(text).map_err(|e| PersistenceError::Corrupt(e.to_string()))?,
        None => Vec::new(),
    };
    Ok(AgentRelationship {
        id: AgentRelationshipId::parse(&row.id).map_err(corrupt)?,
        revision: row.revision,
        subject: AgentId::parse(&row.subject).map_err(corrupt)?,
        object: AgentId::parse(&row.object).map_err(corrupt)?,
        relationship: AgentRelationshipRoleId::parse(&row.relationship).map_err(corrupt)?,
        in_scope_of: scopes.iter().map(|s| AgentId::parse(s).map_err(corrupt)).collect::<Result<_>>()?,
        note: row.note,
    })
}

// ---------------------------------------------------------------- commands

/// A new unit.
#[derive(Debug, Clone)]
pub struct NewUnit {
    /// Label.
    pub label: Name,
    /// Symbol.
    pub symbol: Name,
    /// OM2 identifier.
    pub om_unit_identifier: Option<String>,
}

/// Changes to a unit.
#[derive(Debug, Clone, Default)]
pub struct UnitPatch {
    /// Label.
    pub label: Patch<Name>,
    /// Symbol.
    pub symbol: Patch<Name>,
    /// OM2 identifier.
    pub om_unit_identifier: Patch<String>,
}

/// Changes to an agent.
#[derive(Debug, Clone, Default)]
pub struct AgentPatch {
    /// Name.
    pub name: Patch<Name>,
    /// Image.
    pub image: Patch<Uri>,
    /// Note.
    pub note: Patch<String>,
    /// Classifications (organizations).
    pub classified_as: Patch<Vec<Uri>>,
}

/// A new or changed process specification.
#[derive(Debug, Clone, Default)]
pub struct ProcessSpecificationPatch {
    /// Name.
    pub name: Patch<Name>,
    /// Note.
    pub note: Patch<String>,
}

/// A new or changed resource specification (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct ResourceSpecificationPatch {
    /// Name.
    pub name: Patch<Name>,
    /// Image.
    pub image: Patch<Uri>,
    /// More images.
    pub image_list: Patch<Vec<Uri>>,
    /// Classifications.
    pub resource_classified_as: Patch<Vec<Uri>>,
    /// Note.
    pub note: Patch<String>,
    /// Default unit of the resource.
    pub default_unit_of_resource: Patch<UnitId>,
    /// Default unit of effort.
    pub default_unit_of_effort: Patch<UnitId>,
    /// Substitutable.
    pub substitutable: Patch<bool>,
    /// OVN default value per unit.
    pub default_value_per_unit: Patch<ValuePerUnit>,
}

/// A new or changed relationship role.
#[derive(Debug, Clone, Default)]
pub struct RolePatch {
    /// Label from subject to object.
    pub role_label: Patch<Name>,
    /// Label from object to subject.
    pub inverse_role_label: Patch<Name>,
    /// Note.
    pub note: Patch<String>,
}

/// A new or changed relationship.
#[derive(Debug, Clone, Default)]
pub struct RelationshipPatch {
    /// Subject.
    pub subject: Patch<AgentId>,
    /// Object.
    pub object: Patch<AgentId>,
    /// Role.
    pub relationship: Patch<AgentRelationshipRoleId>,
    /// Scopes.
    pub in_scope_of: Patch<Vec<AgentId>>,
    /// Note.
    pub note: Patch<String>,
}

fn revision_conflict(kind: &str, wanted: i64, current: i64) -> PersistenceError {
    PersistenceError::Conflict(format!(
        "{kind} has changed since revision {wanted} (now at revision {current}); reload it and try again"
    ))
}

fn referenced(kind: &str) -> PersistenceError {
    PersistenceError::Conflict(format!("{kind} is still referenced by other records and cannot be deleted"))
}

fn map_delete_error(kind: &str, err: sea_orm::DbErr) -> PersistenceError {
    let err = PersistenceError::Database(err);
    if err.is_foreign_key_violation() { referenced(kind) } else { err }
}

fn map_write_error(err: PersistenceError) -> PersistenceError {
    if err.is_foreign_key_violation() {
        PersistenceError::Domain(DomainError::invalid("input", "refers to a record that does not exist"))
    } else {
        err
    }
}

/// Runs a create: the idempotency check and the insert in one transaction.
async fn create<F>(store: &Store, idem: Option<&Idempotency>, id: String, insert: F) -> Result<Outcome>
where
    F: for<'t> FnOnce(&'t sea_orm::DatabaseTransaction) -> futures::future::BoxFuture<'t, Result<()>> + Send + 'static,
{
    store.create(idem, id, insert).await.map_err(map_write_error)
}

/// Reads the row at `$revision` inside the write transaction, locked (`FOR UPDATE` on
/// PostgreSQL, where concurrent transactions would otherwise both pass the revision check and
/// the later write would silently undo the earlier; SQLite writers already take turns, and
/// sea-query writes no lock clause for SQLite).
macro_rules! checked_revision {
    ($entity:ty, $txn:expr, $revision:expr, $kind:literal) => {{
        let row = sea_orm::QuerySelect::lock_exclusive(<$entity>::find_by_id($revision.id.to_string()))
            .one($txn)
            .await?
            .ok_or_else(|| PersistenceError::not_found($kind, $revision.id))?;
        if row.revision != $revision.number {
            return Err(revision_conflict($kind, $revision.number, row.revision));
        }
        row
    }};
}

impl Store {
    // ------------------------------------------------------------ agents

    /// Creates a person or an organization.
    pub async fn create_agent(
        &self,
        kind: AgentKind,
        profile: AgentProfile,
        idem: Option<&Idempotency>,
    ) -> Result<Outcome> {
        let id = AgentId::new().to_string();
        let row_id = id.clone();
        create(self, idem, id, move |txn| {
            async move {
                let now = Utc::now();
                agent::Entity::insert(agent::ActiveModel {
                    id: Set(row_id),
                    kind: Set(kind.as_str().to_owned()),
                    name: Set(profile.name.as_str().to_owned()),
                    image: Set(profile.image.map(|i| i.as_str().to_owned())),
                    note: Set(profile.note),
                    classified_as: Set(uris_to_json(&profile.classified_as)),
                    revision: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Updates an agent's profile at the given revision.
    pub async fn update_agent(&self, kind: AgentKind, revision: Revision<AgentId>, patch: AgentPatch) -> Result<Agent> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(agent::Entity, txn, revision, "agent");
                let current = agent_from(row)?;
                if current.kind != kind {
                    return Err(PersistenceError::not_found(
                        if kind == AgentKind::Person { "person" } else { "organization" },
                        revision.id,
                    ));
                }
                let profile = current.profile;
                let name = patch.name.apply_required("name", profile.name)?;
                let image = patch.image.apply(profile.image);
                let note = patch.note.apply(profile.note);
                let classified_as = patch.classified_as.apply(Some(profile.classified_as)).unwrap_or_default();
                let next = revision.number + 1;
                agent::Entity::update(agent::ActiveModel {
                    id: Set(revision.id.to_string()),
                    name: Set(name.as_str().to_owned()),
                    image: Set(image.as_ref().map(|i| i.as_str().to_owned())),
                    note: Set(note.clone()),
                    classified_as: Set(uris_to_json(&classified_as)),
                    revision: Set(next),
                    updated_at: Set(Utc::now()),
                    kind: NotSet,
                    created_at: NotSet,
                })
                .exec(txn)
                .await?;
                Ok(Agent {
                    id: revision.id,
                    revision: next,
                    kind,
                    profile: AgentProfile { name, image, note, classified_as },
                })
            }
            .boxed()
        })
        .await
    }

    /// Deletes an agent at the given revision; refused while anything refers to it.
    pub async fn delete_agent(&self, kind: AgentKind, revision: Revision<AgentId>) -> Result<()> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(agent::Entity, txn, revision, "agent");
                if row.kind != kind.as_str() {
                    return Err(PersistenceError::not_found("agent", revision.id));
                }
                agent::Entity::delete_by_id(row.id).exec(txn).await.map_err(|e| map_delete_error("agent", e))?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// One agent.
    pub async fn agent(&self, id: AgentId) -> Result<Option<Agent>> {
        agent::Entity::find_by_id(id.to_string()).one(self.connection()).await?.map(agent_from).transpose()
    }

    /// Many agents in one query (DataLoader batches).
    pub async fn agents_by_id(&self, ids: &[AgentId]) -> Result<HashMap<AgentId, Agent>> {
        let rows = agent::Entity::find()
            .filter(agent::Column::Id.is_in(ids.iter().map(ToString::to_string)))
            .all(self.connection())
            .await?;
        rows.into_iter().map(|row| agent_from(row).map(|a| (a.id, a))).collect()
    }

    /// A page of agents, optionally of one kind.
    pub async fn agents(&self, kind: Option<AgentKind>, page: &PageRequest) -> Result<Page<Agent>> {
        let mut select = agent::Entity::find();
        if let Some(kind) = kind {
            select = select.filter(agent::Column::Kind.eq(kind.as_str()));
        }
        paginate(self.connection(), select, agent::Column::Id, page).await?.try_map(agent_from)
    }

    // ------------------------------------------------------------ units

    /// Creates a unit, or returns the existing one with the same label and symbol.
    pub async fn create_unit(&self, new: NewUnit, idem: Option<&Idempotency>) -> Result<Outcome> {
        // A retried key answers first (and a key reused for another input is a mismatch),
        // before the deduplication by label and symbol.
        if let Some(idem) = idem
            && let Some(existing) = crate::idempotency::lookup(self.connection(), idem).await?
        {
            return Ok(Outcome::Replayed(existing));
        }
        let existing = unit::Entity::find()
            .filter(unit::Column::Label.eq(new.label.as_str()))
            .filter(unit::Column::Symbol.eq(new.symbol.as_str()))
            .one(self.connection())
            .await?;
        if let Some(row) = existing {
            return self.answer_with_existing_unit(idem, row.id).await;
        }
        let id = UnitId::new().to_string();
        let row_id = id.clone();
        let (label, symbol) = (new.label.as_str().to_owned(), new.symbol.as_str().to_owned());
        let created = create(self, idem, id, move |txn| {
            async move {
                let now = Utc::now();
                unit::Entity::insert(unit::ActiveModel {
                    id: Set(row_id),
                    label: Set(new.label.as_str().to_owned()),
                    symbol: Set(new.symbol.as_str().to_owned()),
                    om_unit_identifier: Set(new.om_unit_identifier),
                    revision: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await;
        match created {
            // A concurrent request created the same unit first (PostgreSQL runs both at once):
            // the same label and symbol give the same unit, so answer with that one.
            Err(err) if err.is_unique_violation() => {
                let existing = unit::Entity::find()
                    .filter(unit::Column::Label.eq(label))
                    .filter(unit::Column::Symbol.eq(symbol))
                    .one(self.connection())
                    .await?;
                match existing {
                    Some(row) => self.answer_with_existing_unit(idem, row.id).await,
                    None => Err(err),
                }
            }
            other => other,
        }
    }

    /// Updates a unit at the given revision.
    pub async fn update_unit(&self, revision: Revision<UnitId>, patch: UnitPatch) -> Result<Unit> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(unit::Entity, txn, revision, "unit");
                let current = unit_from(row)?;
                let next = Unit {
                    id: current.id,
                    revision: revision.number + 1,
                    label: patch.label.apply_required("label", current.label)?,
                    symbol: patch.symbol.apply_required("symbol", current.symbol)?,
                    om_unit_identifier: patch.om_unit_identifier.apply(current.om_unit_identifier),
                };
                unit::Entity::update(unit::ActiveModel {
                    id: Set(next.id.to_string()),
                    label: Set(next.label.as_str().to_owned()),
                    symbol: Set(next.symbol.as_str().to_owned()),
                    om_unit_identifier: Set(next.om_unit_identifier.clone()),
                    revision: Set(next.revision),
                    updated_at: Set(Utc::now()),
                    created_at: NotSet,
                })
                .exec(txn)
                .await
                .map_err(|e| {
                    let err = PersistenceError::Database(e);
                    if err.is_unique_violation() {
                        PersistenceError::Conflict("another unit has this label and symbol".into())
                    } else {
                        err
                    }
                })?;
                Ok(next)
            }
            .boxed()
        })
        .await
    }

    /// Deletes a unit; refused while anything measures in it.
    pub async fn delete_unit(&self, revision: Revision<UnitId>) -> Result<()> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(unit::Entity, txn, revision, "unit");
                unit::Entity::delete_by_id(row.id).exec(txn).await.map_err(|e| map_delete_error("unit", e))?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Many units in one query.
    pub async fn units_by_id(&self, ids: &[UnitId]) -> Result<HashMap<UnitId, Unit>> {
        let rows = unit::Entity::find()
            .filter(unit::Column::Id.is_in(ids.iter().map(ToString::to_string)))
            .all(self.connection())
            .await?;
        rows.into_iter().map(|row| unit_from(row).map(|u| (u.id, u))).collect()
    }

    /// A page of units.
    pub async fn units(&self, page: &PageRequest) -> Result<Page<Unit>> {
        paginate(self.connection(), unit::Entity::find(), unit::Column::Id, page).await?.try_map(unit_from)
    }

    // ------------------------------------------------------------ process specifications

    /// Creates a process specification (`name` must be set).
    pub async fn create_process_specification(
        &self,
        patch: ProcessSpecificationPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Outcome> {
        let Patch::Set(name) = patch.name else {
            return Err(DomainError::invalid("name", "is required").into());
        };
        let id = ProcessSpecificationId::new().to_string();
        let row_id = id.clone();
        create(self, idem, id, move |txn| {
            async move {
                let now = Utc::now();
                process_specification::Entity::insert(process_specification::ActiveModel {
                    id: Set(row_id),
                    name: Set(name.as_str().to_owned()),
                    note: Set(patch.note.apply(None)),
                    revision: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Updates a process specification at the given revision.
    pub async fn update_process_specification(
        &self,
        revision: Revision<ProcessSpecificationId>,
        patch: ProcessSpecificationPatch,
    ) -> Result<ProcessSpecification> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(process_specification::Entity, txn, revision, "process specification");
                let current = process_specification_from(row)?;
                let next = ProcessSpecification {
                    id: current.id,
                    revision: revision.number + 1,
                    name: patch.name.apply_required("name", current.name)?,
                    note: patch.note.apply(current.note),
                };
                process_specification::Entity::update(process_specification::ActiveModel {
                    id: Set(next.id.to_string()),
                    name: Set(next.name.as_str().to_owned()),
                    note: Set(next.note.clone()),
                    revision: Set(next.revision),
                    updated_at: Set(Utc::now()),
                    created_at: NotSet,
                })
                .exec(txn)
                .await?;
                Ok(next)
            }
            .boxed()
        })
        .await
    }

    /// Deletes a process specification; refused while processes are based on it.
    pub async fn delete_process_specification(&self, revision: Revision<ProcessSpecificationId>) -> Result<()> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(process_specification::Entity, txn, revision, "process specification");
                process_specification::Entity::delete_by_id(row.id)
                    .exec(txn)
                    .await
                    .map_err(|e| map_delete_error("process specification", e))?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Many process specifications in one query.
    pub async fn process_specifications_by_id(
        &self,
        ids: &[ProcessSpecificationId],
    ) -> Result<HashMap<ProcessSpecificationId, ProcessSpecification>> {
        let rows = process_specification::Entity::find()
            .filter(process_specification::Column::Id.is_in(ids.iter().map(ToString::to_string)))
            .all(self.connection())
            .await?;
        rows.into_iter().map(|row| process_specification_from(row).map(|s| (s.id, s))).collect()
    }

    /// A page of process specifications.
    pub async fn process_specifications(&self, page: &PageRequest) -> Result<Page<ProcessSpecification>> {
        paginate(self.connection(), process_specification::Entity::find(), process_specification::Column::Id, page)
            .await?
            .try_map(process_specification_from)
    }

    // ------------------------------------------------------------ resource specifications

    /// Creates a resource specification (`name` must be set).
    pub async fn create_resource_specification(
        &self,
        patch: ResourceSpecificationPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Outcome> {
        let Patch::Set(name) = patch.name.clone() else {
            return Err(DomainError::invalid("name", "is required").into());
        };
        let id = ResourceSpecificationId::new();
        let spec = apply_resource_specification_patch(
            ResourceSpecification {
                id,
                revision: 1,
                name,
                image: None,
                image_list: Vec::new(),
                resource_classified_as: Vec::new(),
                note: None,
                default_unit_of_resource: None,
                default_unit_of_effort: None,
                substitutable: None,
                default_value_per_unit: None,
            },
            patch,
        )?;
        create(self, idem, id.to_string(), move |txn| {
            async move {
                let now = Utc::now();
                let mut row = resource_specification_row(&spec);
                row.created_at = Set(now);
                row.updated_at = Set(now);
                resource_specification::Entity::insert(row).exec_without_returning(txn).await?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Updates a resource specification at the given revision.
    pub async fn update_resource_specification(
        &self,
        revision: Revision<ResourceSpecificationId>,
        patch: ResourceSpecificationPatch,
    ) -> Result<ResourceSpecification> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(resource_specification::Entity, txn, revision, "resource specification");
                let mut next = apply_resource_specification_patch(resource_specification_from(row)?, patch)?;
                next.revision = revision.number + 1;
                let mut row = resource_specification_row(&next);
                row.updated_at = Set(Utc::now());
                resource_specification::Entity::update(row).exec(txn).await?;
                Ok(next)
            }
            .boxed()
        })
        .await
        .map_err(map_write_error)
    }

    /// Deletes a resource specification; refused while resources conform to it.
    pub async fn delete_resource_specification(&self, revision: Revision<ResourceSpecificationId>) -> Result<()> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(resource_specification::Entity, txn, revision, "resource specification");
                resource_specification::Entity::delete_by_id(row.id)
                    .exec(txn)
                    .await
                    .map_err(|e| map_delete_error("resource specification", e))?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Many resource specifications in one query.
    pub async fn resource_specifications_by_id(
        &self,
        ids: &[ResourceSpecificationId],
    ) -> Result<HashMap<ResourceSpecificationId, ResourceSpecification>> {
        let rows = resource_specification::Entity::find()
            .filter(resource_specification::Column::Id.is_in(ids.iter().map(ToString::to_string)))
            .all(self.connection())
            .await?;
        rows.into_iter().map(|row| resource_specification_from(row).map(|s| (s.id, s))).collect()
    }

    /// A page of resource specifications.
    pub async fn resource_specifications(&self, page: &PageRequest) -> Result<Page<ResourceSpecification>> {
        paginate(self.connection(), resource_specification::Entity::find(), resource_specification::Column::Id, page)
            .await?
            .try_map(resource_specification_from)
    }

    // ------------------------------------------------------------ relationship roles

    /// Creates a relationship role (`roleLabel` must be set).
    pub async fn create_relationship_role(&self, patch: RolePatch, idem: Option<&Idempotency>) -> Result<Outcome> {
        let Patch::Set(role_label) = patch.role_label else {
            return Err(DomainError::invalid("roleLabel", "is required").into());
        };
        let id = AgentRelationshipRoleId::new().to_string();
        let row_id = id.clone();
        create(self, idem, id, move |txn| {
            async move {
                let now = Utc::now();
                agent_relationship_role::Entity::insert(agent_relationship_role::ActiveModel {
                    id: Set(row_id),
                    role_label: Set(role_label.as_str().to_owned()),
                    inverse_role_label: Set(patch.inverse_role_label.apply(None).map(|l| l.as_str().to_owned())),
                    note: Set(patch.note.apply(None)),
                    revision: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Updates a relationship role.
    pub async fn update_relationship_role(
        &self,
        revision: Revision<AgentRelationshipRoleId>,
        patch: RolePatch,
    ) -> Result<AgentRelationshipRole> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(agent_relationship_role::Entity, txn, revision, "agent relationship role");
                let current = role_from(row)?;
                let next = AgentRelationshipRole {
                    id: current.id,
                    revision: revision.number + 1,
                    role_label: patch.role_label.apply_required("roleLabel", current.role_label)?,
                    inverse_role_label: patch.inverse_role_label.apply(current.inverse_role_label),
                    note: patch.note.apply(current.note),
                };
                agent_relationship_role::Entity::update(agent_relationship_role::ActiveModel {
                    id: Set(next.id.to_string()),
                    role_label: Set(next.role_label.as_str().to_owned()),
                    inverse_role_label: Set(next.inverse_role_label.as_ref().map(|l| l.as_str().to_owned())),
                    note: Set(next.note.clone()),
                    revision: Set(next.revision),
                    updated_at: Set(Utc::now()),
                    created_at: NotSet,
                })
                .exec(txn)
                .await?;
                Ok(next)
            }
            .boxed()
        })
        .await
    }

    /// Deletes a relationship role; refused while relationships use it.
    pub async fn delete_relationship_role(&self, revision: Revision<AgentRelationshipRoleId>) -> Result<()> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(agent_relationship_role::Entity, txn, revision, "agent relationship role");
                agent_relationship_role::Entity::delete_by_id(row.id)
                    .exec(txn)
                    .await
                    .map_err(|e| map_delete_error("agent relationship role", e))?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Many roles in one query.
    pub async fn relationship_roles_by_id(
        &self,
        ids: &[AgentRelationshipRoleId],
    ) -> Result<HashMap<AgentRelationshipRoleId, AgentRelationshipRole>> {
        let rows = agent_relationship_role::Entity::find()
            .filter(agent_relationship_role::Column::Id.is_in(ids.iter().map(ToString::to_string)))
            .all(self.connection())
            .await?;
        rows.into_iter().map(|row| role_from(row).map(|r| (r.id, r))).collect()
    }

    /// A page of roles.
    pub async fn relationship_roles(&self, page: &PageRequest) -> Result<Page<AgentRelationshipRole>> {
        paginate(self.connection(), agent_relationship_role::Entity::find(), agent_relationship_role::Column::Id, page)
            .await?
            .try_map(role_from)
    }

    // ------------------------------------------------------------ relationships

    /// Creates a relationship (subject, object and relationship must be set).
    pub async fn create_relationship(&self, patch: RelationshipPatch, idem: Option<&Idempotency>) -> Result<Outcome> {
        let (Patch::Set(subject), Patch::Set(object), Patch::Set(relationship)) =
            (patch.subject, patch.object, patch.relationship)
        else {
            return Err(DomainError::invalid("relationship", "subject, object and relationship are required").into());
        };
        let id = AgentRelationshipId::new().to_string();
        let row_id = id.clone();
        create(self, idem, id, move |txn| {
            async move {
                let now = Utc::now();
                agent_relationship::Entity::insert(agent_relationship::ActiveModel {
                    id: Set(row_id),
                    subject: Set(subject.to_string()),
                    object: Set(object.to_string()),
                    relationship: Set(relationship.to_string()),
                    in_scope_of: Set(ids_to_json(&patch.in_scope_of.apply(None).unwrap_or_default())),
                    note: Set(patch.note.apply(None)),
                    revision: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Updates a relationship.
    pub async fn update_relationship(
        &self,
        revision: Revision<AgentRelationshipId>,
        patch: RelationshipPatch,
    ) -> Result<AgentRelationship> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(agent_relationship::Entity, txn, revision, "agent relationship");
                let current = relationship_from(row)?;
                let next = AgentRelationship {
                    id: current.id,
                    revision: revision.number + 1,
                    subject: patch.subject.apply_required("subject", current.subject)?,
                    object: patch.object.apply_required("object", current.object)?,
                    relationship: patch.relationship.apply_required("relationship", current.relationship)?,
                    in_scope_of: patch.in_scope_of.apply(Some(current.in_scope_of)).unwrap_or_default(),
                    note: patch.note.apply(current.note),
                };
                agent_relationship::Entity::update(agent_relationship::ActiveModel {
                    id: Set(next.id.to_string()),
                    subject: Set(next.subject.to_string()),
                    object: Set(next.object.to_string()),
                    relationship: Set(next.relationship.to_string()),
                    in_scope_of: Set(ids_to_json(&next.in_scope_of)),
                    note: Set(next.note.clone()),
                    revision: Set(next.revision),
                    updated_at: Set(Utc::now()),
                    created_at: NotSet,
                })
                .exec(txn)
                .await?;
                Ok(next)
            }
            .boxed()
        })
        .await
        .map_err(map_write_error)
    }

    /// Deletes a relationship.
    pub async fn delete_relationship(&self, revision: Revision<AgentRelationshipId>) -> Result<()> {
        self.write(move |txn| {
            async move {
                let row = checked_revision!(agent_relationship::Entity, txn, revision, "agent relationship");
                agent_relationship::Entity::delete_by_id(row.id).exec(txn).await?;
                Ok(())
            }
            .boxed()
        })
        .await
    }

    /// Many relationships in one query.
    pub async fn relationships_by_id(
        &self,
        ids: &[AgentRelationshipId],
    ) -> Result<HashMap<AgentRelationshipId, AgentRelationship>> {
        let rows = agent_relationship::Entity::find()
            .filter(agent_relationship::Column::Id.is_in(ids.iter().map(ToString::to_string)))
            .all(self.connection())
            .await?;
        rows.into_iter().map(|row| relationship_from(row).map(|r| (r.id, r))).collect()
    }

    /// A page of relationships, optionally those of one agent (as subject, object or either)
    /// or of one role.
    pub async fn relationships(
        &self,
        filter: RelationshipFilter,
        page: &PageRequest,
    ) -> Result<Page<AgentRelationship>> {
        let mut select = agent_relationship::Entity::find();
        match filter {
            RelationshipFilter::All => {}
            RelationshipFilter::Subject(agent) => {
                select = select.filter(agent_relationship::Column::Subject.eq(agent.to_string()))
            }
            RelationshipFilter::Object(agent) => {
                select = select.filter(agent_relationship::Column::Object.eq(agent.to_string()))
            }
            RelationshipFilter::Either(agent) => {
                select = select.filter(
                    Condition::any()
                        .add(agent_relationship::Column::Subject.eq(agent.to_string()))
                        .add(agent_relationship::Column::Object.eq(agent.to_string())),
                )
            }
            RelationshipFilter::Role(role) => {
                select = select.filter(agent_relationship::Column::Relationship.eq(role.to_string()))
            }
        }
        paginate(self.connection(), select, agent_relationship::Column::Id, page).await?.try_map(relationship_from)
    }

    /// The distinct roles an agent takes part in (as subject or object).
    pub async fn roles_of_agent(&self, agent: AgentId) -> Result<Vec<AgentRelationshipRole>> {
        let rows = agent_relationship::Entity::find()
            .filter(
                Condition::any()
                    .add(agent_relationship::Column::Subject.eq(agent.to_string()))
                    .add(agent_relationship::Column::Object.eq(agent.to_string())),
            )
            .all(self.connection())
            .await?;
        let mut ids: Vec<AgentRelationshipRoleId> = rows
            .iter()
            .map(|r| AgentRelationshipRoleId::parse(&r.relationship).map_err(corrupt))
            .collect::<Result<_>>()?;
        ids.sort();
        ids.dedup();
        let found = self.relationship_roles_by_id(&ids).await?;
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
    }
}

/// Which relationships to list.
#[derive(Debug, Clone, Copy)]
pub enum RelationshipFilter {
    /// Every relationship.
    All,
    /// Where the agent is the subject.
    Subject(AgentId),
    /// Where the agent is the object.
    Object(AgentId),
    /// Where the agent is either.
    Either(AgentId),
    /// Of one role.
    Role(AgentRelationshipRoleId),
}

fn apply_resource_specification_patch(
    current: ResourceSpecification,
    patch: ResourceSpecificationPatch,
) -> Result<ResourceSpecification> {
    Ok(ResourceSpecification {
        id: current.id,
        revision: current.revision,
        name: patch.name.apply_required("name", current.name)?,
        image: patch.image.apply(current.image),
        image_list: patch.image_list.apply(Some(current.image_list)).unwrap_or_default(),
        resource_classified_as: patch
            .resource_classified_as
            .apply(Some(current.resource_classified_as))
            .unwrap_or_default(),
        note: patch.note.apply(current.note),
        default_unit_of_resource: patch.default_unit_of_resource.apply(current.default_unit_of_resource),
        default_unit_of_effort: patch.default_unit_of_effort.apply(current.default_unit_of_effort),
        substitutable: patch.substitutable.apply(current.substitutable),
        default_value_per_unit: patch.default_value_per_unit.apply(current.default_value_per_unit),
    })
}

fn resource_specification_row(spec: &ResourceSpecification) -> resource_specification::ActiveModel {
    resource_specification::ActiveModel {
        id: Set(spec.id.to_string()),
        name: Set(spec.name.as_str().to_owned()),
        image: Set(spec.image.as_ref().map(|i| i.as_str().to_owned())),
        image_list: Set(uris_to_json(&spec.image_list)),
        resource_classified_as: Set(uris_to_json(&spec.resource_classified_as)),
        note: Set(spec.note.clone()),
        default_unit_of_resource: Set(spec.default_unit_of_resource.map(|u| u.to_string())),
        default_unit_of_effort: Set(spec.default_unit_of_effort.map(|u| u.to_string())),
        substitutable: Set(spec.substitutable),
        default_value_per_unit: Set(spec.default_value_per_unit.map(|v| DbDecimal(v.value))),
        default_value_per_unit_unit: Set(spec.default_value_per_unit.and_then(|v| v.unit).map(|u| u.to_string())),
        revision: Set(spec.revision),
        created_at: NotSet,
        updated_at: NotSet,
    }
}

// ---------------------------------------------------------------- live agents

impl Store {
    /// Whether an agent with this id exists now. Every request that carries a token asks
    /// this, so a token outlives neither a deleted agent nor a subject that never was one:
    /// one primary-key lookup that reads the id only, and no cache that could answer for a
    /// deleted agent.
    pub async fn agent_exists(&self, id: AgentId) -> Result<bool> {
        use sea_orm::QuerySelect as _;
        let found: Option<String> = agent::Entity::find_by_id(id.to_string())
            .select_only()
            .column(agent::Column::Id)
            .into_tuple()
            .one(self.connection())
            .await?;
        Ok(found.is_some())
    }
}

// ---------------------------------------------------------------- units answered by an existing one

impl Store {
    /// `createUnit` answers with an existing unit of the same label and symbol: the key, if
    /// any, must then stand for that unit too, or another input under it would later make a
    /// record instead of being an `IDEMPOTENCY_MISMATCH`. A key a concurrent request recorded
    /// first wins (its record, or a mismatch).
    async fn answer_with_existing_unit(&self, idem: Option<&Idempotency>, id: String) -> Result<Outcome> {
        use crate::idempotency::{lookup, record};
        let Some(idem) = idem else { return Ok(Outcome::Replayed(id)) };
        let key = idem.clone();
        let recorded = self
            .write(move |txn| {
                async move {
                    if let Some(existing) = lookup(txn, &key).await? {
                        return Ok(Outcome::Replayed(existing));
                    }
                    record(txn, &key, &id).await?;
                    Ok(Outcome::Replayed(id))
                }
                .boxed()
            })
            .await;
        match recorded {
            Err(err) if err.is_unique_violation() => {
                lookup(self.connection(), idem).await?.map(Outcome::Replayed).ok_or(err)
            }
            other => other,
        }
    }
}
