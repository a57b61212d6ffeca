//! The knowledge layer: units, resource specifications, process specifications. Every write
//! is an `…_in(txn, …)` function that composes into a larger transaction, with a thin
//! [`Store`] method that runs it alone.

use std::collections::HashMap;

use chrono::Utc;
use futures::FutureExt;
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit, ValuePerUnit};
use ovn_domain::{DomainError, Name, Patch, ProcessSpecificationId, ResourceSpecificationId, Revision, UnitId, Uri};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::entity::{process_specification, resource_specification, unit};
use crate::error::{PersistenceError, Result};
use crate::idempotency::{self, Idempotency, Outcome};
use crate::page::{Page, PageRequest, paginate};
use crate::references::{Ref, References};
use crate::revisioned::{by_ids, delete_in, insert_in, locked_at, save_in, update_in};
use crate::rows::{Record, id};
use crate::store::Store;

/// A new unit.
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
    /// VF 1.0 medium of exchange.
    pub medium_of_exchange: Patch<bool>,
}

fn apply_resource_specification_patch(
    current: ResourceSpecification,
    patch: ResourceSpecificationPatch,
) -> Result<ResourceSpecification> {
    Ok(ResourceSpecification {
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
        medium_of_exchange: patch.medium_of_exchange.apply(current.medium_of_exchange),
        ..current
    })
}

fn specification_references(spec: &ResourceSpecification) -> References {
    let mut references = References::new();
    references
        .add("defaultUnitOfResource", spec.default_unit_of_resource.map(Ref::Unit))
        .add("defaultUnitOfEffort", spec.default_unit_of_effort.map(Ref::Unit))
        .add("defaultValuePerUnit.hasUnit", spec.default_value_per_unit.and_then(|v| v.unit).map(Ref::Unit));
    references
}

// ---------------------------------------------------------------- writes

/// Creates a unit, or answers with the one that already has its label and symbol; `idem`'s
/// key, when given, is recorded for whichever unit answers, so a retry with another input is
/// still an `IDEMPOTENCY_MISMATCH`.
pub async fn create_unit_in(txn: &DatabaseTransaction, new: NewUnit, idem: Option<&Idempotency>) -> Result<Outcome> {
    if let Some(idem) = idem
        && let Some(existing) = idempotency::lookup(txn, idem).await?
    {
        return Ok(Outcome::Replayed(existing));
    }
    let existing = unit::Entity::find()
        .filter(unit::Column::Label.eq(new.label.as_str()))
        .filter(unit::Column::Symbol.eq(new.symbol.as_str()))
        .one(txn)
        .await?;
    let outcome = match existing {
        Some(row) => Outcome::Replayed(row.id),
        None => {
            let unit = Unit {
                id: UnitId::new(),
                revision: 1,
                label: new.label,
                symbol: new.symbol,
                om_unit_identifier: new.om_unit_identifier,
            };
            insert_in(txn, &unit, Utc::now()).await?;
            Outcome::Created(unit.id.to_string())
        }
    };
    if let Some(idem) = idem {
        idempotency::record(txn, idem, outcome.id()).await?;
    }
    Ok(outcome)
}

/// Changes a unit at `revision`; another unit with the same label and symbol is a `CONFLICT`.
pub async fn update_unit_in(txn: &DatabaseTransaction, revision: Revision<UnitId>, patch: UnitPatch) -> Result<Unit> {
    update_in(txn, revision, move |current: Unit| {
        Ok(Unit {
            label: patch.label.apply_required("label", current.label)?,
            symbol: patch.symbol.apply_required("symbol", current.symbol)?,
            om_unit_identifier: patch.om_unit_identifier.apply(current.om_unit_identifier),
            ..current
        })
    })
    .await
    .map_err(|err| {
        if err.is_unique_violation() {
            PersistenceError::Conflict("another unit has this label and symbol".into())
        } else {
            err
        }
    })
}

/// Deletes a unit at `revision`; refused while anything measures in it.
pub async fn delete_unit_in(txn: &DatabaseTransaction, revision: Revision<UnitId>) -> Result<()> {
    delete_in(txn, revision, |_: &Unit| Ok(())).await
}

/// Creates a process specification.
pub async fn create_process_specification_in(txn: &DatabaseTransaction, spec: &ProcessSpecification) -> Result<()> {
    insert_in(txn, spec, Utc::now()).await
}

/// Changes a process specification at `revision`.
pub async fn update_process_specification_in(
    txn: &DatabaseTransaction,
    revision: Revision<ProcessSpecificationId>,
    patch: ProcessSpecificationPatch,
) -> Result<ProcessSpecification> {
    update_in(txn, revision, move |current: ProcessSpecification| {
        Ok(ProcessSpecification {
            name: patch.name.apply_required("name", current.name)?,
            note: patch.note.apply(current.note),
            ..current
        })
    })
    .await
}

/// Deletes a process specification at `revision`; refused while processes are based on it.
pub async fn delete_process_specification_in(
    txn: &DatabaseTransaction,
    revision: Revision<ProcessSpecificationId>,
) -> Result<()> {
    delete_in(txn, revision, |_: &ProcessSpecification| Ok(())).await
}

/// Creates a resource specification; the units it names must exist.
pub async fn create_resource_specification_in(txn: &DatabaseTransaction, spec: &ResourceSpecification) -> Result<()> {
    specification_references(spec).check(txn).await?;
    insert_in(txn, spec, Utc::now()).await
}

/// Changes a resource specification at `revision`.
pub async fn update_resource_specification_in(
    txn: &DatabaseTransaction,
    revision: Revision<ResourceSpecificationId>,
    patch: ResourceSpecificationPatch,
) -> Result<ResourceSpecification> {
    let next = apply_resource_specification_patch(locked_at(txn, revision).await?, patch)?;
    specification_references(&next).check(txn).await?;
    save_in(txn, revision, next).await
}

/// Deletes a resource specification at `revision`; refused while resources conform to it.
pub async fn delete_resource_specification_in(
    txn: &DatabaseTransaction,
    revision: Revision<ResourceSpecificationId>,
) -> Result<()> {
    delete_in(txn, revision, |_: &ResourceSpecification| Ok(())).await
}

impl Store {
    /// Creates a unit, or returns the existing one with the same label and symbol.
    pub async fn create_unit(&self, new: NewUnit, idem: Option<&Idempotency>) -> Result<Unit> {
        // A retried key answers first (and a key reused for another input is a mismatch),
        // before the deduplication by label and symbol.
        if let Some(idem) = idem
            && let Some(existing) = idempotency::lookup(self.connection(), idem).await?
        {
            return self.unit_by_text_id(&existing).await;
        }
        let (label, symbol) = (new.label.clone(), new.symbol.clone());
        let key = idem.cloned();
        let outcome = self.write(move |txn| async move { create_unit_in(txn, new, key.as_ref()).await }.boxed()).await;
        let id = match (outcome, idem) {
            (Ok(outcome), _) => outcome.id().to_owned(),
            // A concurrent request created the same unit (or used the same key) first:
            // PostgreSQL runs both at once. The same key answers with its unit; the same
            // label and symbol give the same unit.
            (Err(err), Some(idem)) if err.is_unique_violation() => {
                match idempotency::lookup(self.connection(), idem).await? {
                    Some(existing) => existing,
                    None => return Err(err),
                }
            }
            (Err(err), _) if err.is_unique_violation() => {
                let existing = unit::Entity::find()
                    .filter(unit::Column::Label.eq(label.as_str()))
                    .filter(unit::Column::Symbol.eq(symbol.as_str()))
                    .one(self.connection())
                    .await?;
                existing.map(|row| row.id).ok_or(err)?
            }
            (Err(err), _) => return Err(err),
        };
        self.unit_by_text_id(&id).await
    }

    async fn unit_by_text_id(&self, text: &str) -> Result<Unit> {
        let unit_id = id(text, UnitId::parse)?;
        self.units_by_id(&[unit_id]).await?.remove(&unit_id).ok_or_else(|| PersistenceError::not_found("unit", text))
    }

    /// Updates a unit at the given revision.
    pub async fn update_unit(&self, revision: Revision<UnitId>, patch: UnitPatch) -> Result<Unit> {
        self.write(move |txn| update_unit_in(txn, revision, patch).boxed()).await
    }

    /// Deletes a unit; refused while anything measures in it.
    pub async fn delete_unit(&self, revision: Revision<UnitId>) -> Result<()> {
        self.write(move |txn| delete_unit_in(txn, revision).boxed()).await
    }

    /// Many units in one query.
    pub async fn units_by_id(&self, ids: &[UnitId]) -> Result<HashMap<UnitId, Unit>> {
        by_ids(self.connection(), unit::Column::Id, ids).await
    }

    /// A page of units.
    pub async fn units(&self, page: &PageRequest) -> Result<Page<Unit>> {
        paginate(self.connection(), unit::Entity::find(), unit::Column::Id, page).await?.try_map(Unit::from_row)
    }

    /// Creates a process specification (`name` must be set).
    pub async fn create_process_specification(
        &self,
        patch: ProcessSpecificationPatch,
        idem: Option<&Idempotency>,
    ) -> Result<ProcessSpecification> {
        let Patch::Set(name) = patch.name else {
            return Err(DomainError::invalid("name", "is required").into());
        };
        let spec =
            ProcessSpecification { id: ProcessSpecificationId::new(), revision: 1, name, note: patch.note.apply(None) };
        let id = spec.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_process_specification_in(txn, &spec).await.map(|()| spec) }.boxed()
            })
            .await?;
        self.created(outcome, ProcessSpecification::KIND, async |store: &Store, id| {
            Ok(store.process_specifications_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// Updates a process specification at the given revision.
    pub async fn update_process_specification(
        &self,
        revision: Revision<ProcessSpecificationId>,
        patch: ProcessSpecificationPatch,
    ) -> Result<ProcessSpecification> {
        self.write(move |txn| update_process_specification_in(txn, revision, patch).boxed()).await
    }

    /// Deletes a process specification; refused while processes are based on it.
    pub async fn delete_process_specification(&self, revision: Revision<ProcessSpecificationId>) -> Result<()> {
        self.write(move |txn| delete_process_specification_in(txn, revision).boxed()).await
    }

    /// Many process specifications in one query.
    pub async fn process_specifications_by_id(
        &self,
        ids: &[ProcessSpecificationId],
    ) -> Result<HashMap<ProcessSpecificationId, ProcessSpecification>> {
        by_ids(self.connection(), process_specification::Column::Id, ids).await
    }

    /// A page of process specifications.
    pub async fn process_specifications(&self, page: &PageRequest) -> Result<Page<ProcessSpecification>> {
        paginate(self.connection(), process_specification::Entity::find(), process_specification::Column::Id, page)
            .await?
            .try_map(ProcessSpecification::from_row)
    }

    /// Creates a resource specification (`name` must be set).
    pub async fn create_resource_specification(
        &self,
        patch: ResourceSpecificationPatch,
        idem: Option<&Idempotency>,
    ) -> Result<ResourceSpecification> {
        let Patch::Set(name) = patch.name.clone() else {
            return Err(DomainError::invalid("name", "is required").into());
        };
        let blank = ResourceSpecification {
            id: ResourceSpecificationId::new(),
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
            medium_of_exchange: None,
        };
        let spec = apply_resource_specification_patch(blank, patch)?;
        let id = spec.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_resource_specification_in(txn, &spec).await.map(|()| spec) }.boxed()
            })
            .await?;
        self.created(outcome, ResourceSpecification::KIND, async |store: &Store, id| {
            Ok(store.resource_specifications_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// Updates a resource specification at the given revision.
    pub async fn update_resource_specification(
        &self,
        revision: Revision<ResourceSpecificationId>,
        patch: ResourceSpecificationPatch,
    ) -> Result<ResourceSpecification> {
        self.write(move |txn| update_resource_specification_in(txn, revision, patch).boxed()).await
    }

    /// Deletes a resource specification; refused while resources conform to it.
    pub async fn delete_resource_specification(&self, revision: Revision<ResourceSpecificationId>) -> Result<()> {
        self.write(move |txn| delete_resource_specification_in(txn, revision).boxed()).await
    }

    /// Many resource specifications in one query.
    pub async fn resource_specifications_by_id(
        &self,
        ids: &[ResourceSpecificationId],
    ) -> Result<HashMap<ResourceSpecificationId, ResourceSpecification>> {
        by_ids(self.connection(), resource_specification::Column::Id, ids).await
    }

    /// A page of resource specifications.
    pub async fn resource_specifications(&self, page: &PageRequest) -> Result<Page<ResourceSpecification>> {
        paginate(self.connection(), resource_specification::Entity::find(), resource_specification::Column::Id, page)
            .await?
            .try_map(ResourceSpecification::from_row)
    }
}
