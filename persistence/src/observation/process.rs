//! Writes of processes (vf-graphql module `process`).

use std::collections::BTreeSet;

use chrono::Utc;
use futures::FutureExt;
use ovn_domain::observation::Process;
use ovn_domain::{AgentId, DomainError, Patch, ProcessId, Revision};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, TryIntoModel};

use super::{ProcessPatch, scopes_of_processes};
use crate::entity::{commitment, economic_event, intent, process, process_scope};
use crate::error::{PersistenceError, Result};
use crate::history::{Historic, snapshot_in};
use crate::idempotency::Idempotency;
use crate::references::{Ref, References};
use crate::revisioned::locked_row;
use crate::rows::{Stamps, process_from, process_row};
use crate::store::Store;

fn process_references(process: &Process) -> References {
    let mut references = References::new();
    references
        .add("basedOn", process.based_on.map(Ref::ProcessSpecification))
        .add("plannedWithin", process.planned_within.map(Ref::Plan))
        .add_all("inScopeOf", process.in_scope_of.iter().copied().map(Ref::Agent));
    references
}

/// Writes a process's scope rows (all of them, replacing any).
async fn write_scopes(txn: &DatabaseTransaction, process: &Process) -> Result<()> {
    process_scope::Entity::delete_many()
        .filter(process_scope::Column::ProcessId.eq(process.id.to_string()))
        .exec(txn)
        .await?;
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

/// `createProcess` inside the caller's transaction.
pub async fn create_process_in(txn: &DatabaseTransaction, process: &Process) -> Result<()> {
    process.validate()?;
    process_references(process).check(txn).await?;
    let now = Utc::now();
    let row = process_row(process, Stamps::created(now));
    let written = row.clone().try_into_model()?;
    process::Entity::insert(row).exec_without_returning(txn).await?;
    write_scopes(txn, process).await?;
    snapshot_in(txn, Process::KIND, &written.id, written.revision, &written, &process.in_scope_of, now).await
}

/// `updateProcess` inside the caller's transaction, at `revision`.
pub async fn update_process_in(
    txn: &DatabaseTransaction,
    revision: Revision<ProcessId>,
    patch: ProcessPatch,
) -> Result<Process> {
    let row = locked_row::<process::Entity, _>(txn, "process", revision, |row| row.revision).await?;
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
        planned_within: patch.planned_within.apply(current.planned_within),
    };
    next.validate()?;
    process_references(&next).check(txn).await?;
    let now = Utc::now();
    let written = process::Entity::update(process_row(&next, Stamps::updated(now))).exec(txn).await?;
    write_scopes(txn, &next).await?;
    snapshot_in(txn, Process::KIND, &written.id, written.revision, &written, &next.in_scope_of, now).await?;
    Ok(next)
}

/// `deleteProcess` inside the caller's transaction: refused once events, commitments or
/// intents refer to it (the books keep their flows, plans their promises).
pub async fn delete_process_in(txn: &DatabaseTransaction, id: ProcessId) -> Result<()> {
    let used = economic_event::Entity::find()
        .filter(
            Condition::any()
                .add(economic_event::Column::InputOf.eq(id.to_string()))
                .add(economic_event::Column::OutputOf.eq(id.to_string())),
        )
        .one(txn)
        .await?;
    if used.is_some() {
        return Err(PersistenceError::Conflict("the process has recorded events and cannot be deleted".into()));
    }
    let committed = commitment::Entity::find()
        .filter(
            Condition::any()
                .add(commitment::Column::InputOf.eq(id.to_string()))
                .add(commitment::Column::OutputOf.eq(id.to_string())),
        )
        .one(txn)
        .await?;
    if committed.is_some() {
        return Err(PersistenceError::Conflict("the process has commitments and cannot be deleted".into()));
    }
    let intended = intent::Entity::find()
        .filter(
            Condition::any()
                .add(intent::Column::InputOf.eq(id.to_string()))
                .add(intent::Column::OutputOf.eq(id.to_string())),
        )
        .one(txn)
        .await?;
    if intended.is_some() {
        return Err(PersistenceError::Conflict("intents name the process and it cannot be deleted".into()));
    }
    if process::Entity::find_by_id(id.to_string()).one(txn).await?.is_none() {
        return Err(PersistenceError::not_found("process", id));
    }
    process_scope::Entity::delete_many().filter(process_scope::Column::ProcessId.eq(id.to_string())).exec(txn).await?;
    process::Entity::delete_by_id(id.to_string()).exec(txn).await?;
    Ok(())
}

impl Store {
    /// `createProcess` (`name` must be set).
    pub async fn create_process(&self, patch: ProcessPatch, idem: Option<&Idempotency>) -> Result<Process> {
        let Patch::Set(name) = patch.name.clone() else {
            return Err(DomainError::invalid("name", "is required").into());
        };
        let process = Process {
            id: ProcessId::new(),
            revision: 1,
            name,
            has_beginning: patch.has_beginning.apply(None),
            has_end: patch.has_end.apply(None),
            finished: patch.finished.apply(None).unwrap_or(false),
            classified_as: patch.classified_as.apply(None).unwrap_or_default(),
            note: patch.note.apply(None),
            based_on: patch.based_on.apply(None),
            in_scope_of: patch.in_scope_of.apply(None).unwrap_or_default(),
            planned_within: patch.planned_within.apply(None),
        };
        process.validate()?;
        let id = process.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_process_in(txn, &process).await.map(|()| process) }.boxed()
            })
            .await?;
        self.created(outcome, "process", async |store: &Store, id| Ok(store.processes_by_id(&[id]).await?.remove(&id)))
            .await
    }

    /// `updateProcess`.
    pub async fn update_process(&self, revision: Revision<ProcessId>, patch: ProcessPatch) -> Result<Process> {
        self.write(move |txn| update_process_in(txn, revision, patch).boxed()).await
    }

    /// `deleteProcess`: refused once events refer to it.
    pub async fn delete_process(&self, id: ProcessId) -> Result<()> {
        self.write(move |txn| delete_process_in(txn, id).boxed()).await
    }
}
