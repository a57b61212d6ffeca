//! The shapes every revisioned record shares, written once: insert, the revision-checked
//! update and delete, batched loads by id and pages. Each takes a connection or the caller's
//! transaction, so they compose into larger writes.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, Utc};
use ovn_domain::Revision;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, Iterable,
    PrimaryKeyTrait, QueryFilter, QuerySelect, TryIntoModel,
};

use crate::error::{PersistenceError, Result};
use crate::history::{snapshot, snapshot_in, snapshots_in};
use crate::rows::{Record, Stamps, key};

/// Most ids in one `IN (…)` list: SQLite refuses more than 32,766 bound parameters (and
/// PostgreSQL 65,535), and a trace of 100,000 nodes loads more ids than that.
pub(crate) const IN_LIST_MAX: usize = 10_000;

/// Inserts `rows` with multi-row `INSERT`s, each under the bound-parameter limit of both
/// databases ([`crate::ledger_io::MAX_BOUND_PARAMETERS`]): one round trip for most batches.
pub(crate) async fn insert_all<A>(conn: &impl ConnectionTrait, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Send,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per_statement = (crate::ledger_io::MAX_BOUND_PARAMETERS / columns.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(())
}

type PrimaryValue<R> = <<<R as Record>::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType;

/// Inserts a new record at `now`, and keeps it as its first revision ([`crate::history`]).
pub(crate) async fn insert_in<R: Record>(txn: &DatabaseTransaction, record: &R, now: DateTime<Utc>) -> Result<()> {
    let row = record.to_row(Stamps::created(now));
    // An insert sets every column, so the row written is known without reading it back.
    let written = row.clone().try_into_model()?;
    R::Entity::insert(row).exec_without_returning(txn).await?;
    keep_in::<R>(txn, record.id(), &written, now).await
}

/// Inserts new records at `now`, each kept as its first revision: [`insert_in`] for many, in
/// a statement or two.
pub(crate) async fn insert_all_in<R: Record>(
    txn: &DatabaseTransaction,
    records: &[R],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut rows = Vec::with_capacity(records.len());
    let mut revisions = Vec::with_capacity(records.len());
    for record in records {
        let row = record.to_row(Stamps::created(now));
        let written = row.clone().try_into_model()?;
        revisions.push(snapshot(R::KIND, &record.id().to_string(), R::row_revision(&written), &written, &[], now)?);
        rows.push(row);
    }
    insert_all(txn, rows).await?;
    snapshots_in(txn, revisions).await
}

/// Keeps the row just written as the record's revision ([`crate::history::snapshot_in`]).
async fn keep_in<R: Record>(
    txn: &DatabaseTransaction,
    id: R::Id,
    written: &<R::Entity as EntityTrait>::Model,
    at: DateTime<Utc>,
) -> Result<()> {
    snapshot_in(txn, R::KIND, &id.to_string(), R::row_revision(written), written, &[], at).await
}

/// Reads a row inside the write transaction at the revision the client named, locked
/// (`FOR UPDATE` on PostgreSQL, where two transactions would otherwise both pass the check
/// and the later write would silently undo the earlier; SQLite writers already take turns).
/// A stale revision is a `CONFLICT`, never a silent overwrite. Every revision-checked write
/// goes through here: [`locked_at`] for records of one table, directly for events and
/// processes (whose scopes are rows of their own).
pub(crate) async fn locked_row<E, Id>(
    txn: &DatabaseTransaction,
    kind: &'static str,
    revision: Revision<Id>,
    revision_of: impl Fn(&E::Model) -> i64,
) -> Result<E::Model>
where
    E: EntityTrait,
    Id: Copy + std::fmt::Display,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<String>,
{
    let row = E::find_by_id(revision.id.to_string())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| PersistenceError::not_found(kind, revision.id))?;
    let current = revision_of(&row);
    if current != revision.number {
        return Err(PersistenceError::Conflict(format!(
            "{kind} has changed since revision {} (now at revision {current}); reload it and try again",
            revision.number
        )));
    }
    Ok(row)
}

/// [`locked_row`] for a [`Record`], read into its domain value.
pub(crate) async fn locked_at<R: Record>(txn: &DatabaseTransaction, revision: Revision<R::Id>) -> Result<R>
where
    PrimaryValue<R>: From<String>,
{
    let row = locked_row::<R::Entity, R::Id>(txn, R::KIND, revision, R::row_revision).await?;
    let record = R::from_row(row)?;
    Ok(record)
}

/// Updates a record at `revision`: `change` gives the new value from the current one, which
/// is written with the next revision number.
pub(crate) async fn update_in<R: Record>(
    txn: &DatabaseTransaction,
    revision: Revision<R::Id>,
    change: impl FnOnce(R) -> Result<R> + Send,
) -> Result<R>
where
    PrimaryValue<R>: From<String>,
{
    let current = locked_at::<R>(txn, revision).await?;
    save_in(txn, revision, change(current)?).await
}

/// Writes `next`, read at `revision` with [`locked_at`] in the same transaction, with the
/// next revision number (for updates that must check something async between the two).
/// Keeps the new revision ([`crate::history`]).
pub(crate) async fn save_in<R: Record>(txn: &DatabaseTransaction, revision: Revision<R::Id>, mut next: R) -> Result<R> {
    next.set_revision(revision.number + 1);
    let now = Utc::now();
    // The update hands back the whole row (`created_at` included), which is what is kept.
    let written = R::Entity::update(next.to_row(Stamps::updated(now))).exec(txn).await?;
    keep_in::<R>(txn, next.id(), &written, now).await?;
    Ok(next)
}

/// [`save_in`], but only while the row still meets `condition`, checked by the database in
/// the same `UPDATE` (a status a decision moves away from, so that two deciders never both
/// write); `None`, with nothing written, when it no longer does.
pub(crate) async fn save_if_in<R: Record>(
    txn: &DatabaseTransaction,
    revision: Revision<R::Id>,
    mut next: R,
    condition: Condition,
) -> Result<Option<R>> {
    next.set_revision(revision.number + 1);
    let now = Utc::now();
    let update = R::Entity::update(next.to_row(Stamps::updated(now))).validate()?.filter(condition);
    match update.exec(txn).await {
        Ok(written) => {
            keep_in::<R>(txn, next.id(), &written, now).await?;
            Ok(Some(next))
        }
        Err(DbErr::RecordNotUpdated) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

/// Deletes a record at `revision`, after `check` accepts it; refused with a `CONFLICT` while
/// other records refer to it.
pub(crate) async fn delete_in<R: Record>(
    txn: &DatabaseTransaction,
    revision: Revision<R::Id>,
    check: impl FnOnce(&R) -> Result<()> + Send,
) -> Result<()>
where
    PrimaryValue<R>: From<String>,
{
    let current = locked_at::<R>(txn, revision).await?;
    check(&current)?;
    R::Entity::delete_by_id(key::<R>(revision.id)).exec(txn).await.map_err(|e| {
        let err = PersistenceError::Database(e);
        if err.is_foreign_key_violation() {
            PersistenceError::Conflict(format!(
                "{} is still referenced by other records and cannot be deleted",
                R::KIND
            ))
        } else {
            err
        }
    })?;
    Ok(())
}

/// Many records by id, in batched queries (DataLoaders).
pub(crate) async fn by_ids<R, C>(
    conn: &C,
    column: <R::Entity as EntityTrait>::Column,
    ids: &[R::Id],
) -> Result<HashMap<R::Id, R>>
where
    R: Record,
    R::Id: Eq + Hash,
    C: ConnectionTrait,
{
    let mut found = HashMap::with_capacity(ids.len());
    for row in rows_by_ids::<R::Entity, _, _>(conn, column, ids).await? {
        let record = R::from_row(row)?;
        found.insert(record.id(), record);
    }
    Ok(found)
}

/// The rows of `E` whose `column` is one of `ids`, read [`IN_LIST_MAX`] ids at a time.
pub(crate) async fn rows_by_ids<E, I, C>(conn: &C, column: E::Column, ids: &[I]) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    I: ToString,
    C: ConnectionTrait,
{
    let mut rows = Vec::new();
    for chunk in ids.chunks(IN_LIST_MAX) {
        rows.extend(E::find().filter(column.is_in(chunk.iter().map(ToString::to_string))).all(conn).await?);
    }
    Ok(rows)
}
