//! Value equations as records: a scope's versions, numbered 1, 2, ... in order of creation.
//! A new version is a `DRAFT`, edited and deleted by its author or a steward of the scope; a
//! proposed, adopted or retired version is frozen ([`ValueEquation::check_editable`]); only a
//! decided governance proposal moves a version between statuses
//! ([`crate::governance`]). Who may write: [`ovn_domain::permission`].
//!
//! Version numbers are handed out under a lock on the scope's agent row (`FOR NO KEY UPDATE`
//! on PostgreSQL, which does not block the foreign-key checks of other writes naming the
//! scope; SQLite's single writer needs none), so two concurrent drafts of one scope never get
//! the same number; the unique index on (scope, version) stands behind it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::agent::AgentKind;
use ovn_domain::agent::network::Ties;
use ovn_domain::governance::check_scope;
use ovn_domain::permission::{may_change_equation, may_draft_equation};
use ovn_domain::value::equation::{
    Bucket, EquationDraft, EquationStatus, PercentageBehavior, Valuation, ValueEquation,
};
use ovn_domain::{AgentId, DomainError, Patch, Revision, ValueEquationId};
use sea_orm::sea_query::LockType;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::StoredEquation;
use crate::agent::network::ties_around;
use crate::entity::{agent, value_equation};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::references::{Ref, References};
use crate::revisioned::{IN_LIST_MAX, by_ids, delete_in, insert_in, locked_at, save_in};
use crate::rows::{Record, id};
use crate::store::Store;

/// `updateValueEquation`, parsed: what changes (`None` and `Keep` leave it as it is). New
/// buckets replace all of the draft's buckets.
#[derive(Debug, Clone, Default)]
pub struct EquationPatch {
    /// `name`.
    pub name: Option<String>,
    /// `percentageBehavior`.
    pub percentage_behavior: Option<PercentageBehavior>,
    /// `valuation`.
    pub valuation: Option<Valuation>,
    /// `note`.
    pub note: Patch<String>,
    /// `buckets`: every bucket of the new draft.
    pub buckets: Option<Vec<Bucket>>,
}

/// The records a draft names, each by the path of the input field that names it, in the order
/// the client sent the buckets and rules.
fn references(draft: &EquationDraft) -> References {
    let mut references = References::new();
    for (i, bucket) in draft.buckets.iter().enumerate() {
        references.add(format!("buckets[{i}].recipient"), bucket.recipient.map(Ref::Agent));
        for (j, rule) in bucket.rules.iter().enumerate() {
            references
                .add(
                    format!("buckets[{i}].rules[{j}].resourceConformsTo"),
                    rule.resource_conforms_to.map(Ref::ResourceSpecification),
                )
                .add(
                    format!("buckets[{i}].rules[{j}].processConformsTo"),
                    rule.process_conforms_to.map(Ref::ProcessSpecification),
                );
        }
    }
    references
}

/// Checks a draft: the domain's rules ([`EquationDraft::check`]), then that every record it
/// names exists.
async fn checked(txn: &DatabaseTransaction, draft: EquationDraft) -> Result<EquationDraft> {
    let references = references(&draft);
    let draft = draft.check()?;
    references.check(txn).await?;
    Ok(draft)
}

/// The agent `scope`, which must exist (else `BAD_INPUT` on `scope`) and be an organization;
/// with `lock`, its row is locked until the transaction ends.
pub(crate) async fn scope_in(txn: &DatabaseTransaction, scope: AgentId, lock: bool) -> Result<()> {
    let mut select = agent::Entity::find_by_id(scope.to_string());
    if lock {
        select = select.lock(LockType::NoKeyUpdate);
    }
    let row = select
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::invalid("scope", format!("agent `{scope}` does not exist")))?;
    check_scope(id(&row.kind, AgentKind::parse)?)?;
    Ok(())
}

/// The next version number of `scope` (the caller holds the scope's lock).
async fn next_version_in(txn: &DatabaseTransaction, scope: AgentId) -> Result<i32> {
    let highest: Option<Option<i32>> = value_equation::Entity::find()
        .select_only()
        .column_as(value_equation::Column::Version.max(), "version")
        .filter(value_equation::Column::Scope.eq(scope.to_string()))
        .into_tuple()
        .one(txn)
        .await?;
    let highest = highest.flatten().unwrap_or(0);
    highest.checked_add(1).ok_or_else(|| PersistenceError::Conflict("the scope has run out of version numbers".into()))
}

/// The ties a change of a draft by `actor` needs: none when the actor wrote it.
async fn ties_to_change(txn: &DatabaseTransaction, actor: AgentId, stored: &StoredEquation) -> Result<Ties> {
    if actor == stored.created_by {
        Ok(Ties::default())
    } else {
        ties_around(txn, &[actor], &[stored.equation.scope]).await
    }
}

/// A version locked in the caller's transaction; missing is `BAD_INPUT` on `field`.
pub(crate) async fn lock_equation_in(
    txn: &DatabaseTransaction,
    field: &str,
    id: ValueEquationId,
) -> Result<StoredEquation> {
    match value_equation::Entity::find_by_id(id.to_string()).lock_exclusive().one(txn).await? {
        Some(row) => StoredEquation::from_row(row),
        None => Err(DomainError::invalid(field, format!("value equation `{id}` does not exist")).into()),
    }
}

// ---------------------------------------------------------------- writes

/// `createValueEquation` inside the caller's transaction: `actor` drafts version n + 1 of the
/// draft's scope (an organization) at `now`.
pub async fn create_equation_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    id: ValueEquationId,
    draft: EquationDraft,
    now: DateTime<Utc>,
) -> Result<StoredEquation> {
    let scope = draft.scope;
    scope_in(txn, scope, true).await?;
    let ties = ties_around(txn, &[actor], &[scope]).await?;
    may_draft_equation(actor, scope, &ties)?;
    let draft = checked(txn, draft).await?;
    let version = next_version_in(txn, scope).await?;
    let stored = StoredEquation {
        equation: ValueEquation {
            id,
            revision: 1,
            scope,
            version,
            name: draft.name,
            status: EquationStatus::Draft,
            percentage_behavior: draft.percentage_behavior,
            valuation: draft.valuation,
            note: draft.note,
            buckets: draft.buckets,
            created: now,
            adopted_at: None,
            retired_at: None,
        },
        created_by: actor,
    };
    insert_in(txn, &stored, now).await?;
    Ok(stored)
}

/// `updateValueEquation` inside the caller's transaction, at `revision`: a draft, by its author
/// or a steward of its scope; a frozen version is a `CONFLICT`.
pub async fn update_equation_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<ValueEquationId>,
    patch: EquationPatch,
) -> Result<StoredEquation> {
    let current: StoredEquation = locked_at(txn, revision).await?;
    let ties = ties_to_change(txn, actor, &current).await?;
    may_change_equation(actor, current.created_by, current.equation.scope, &ties)?;
    current.equation.check_editable().map_err(PersistenceError::from_state)?;
    let was = &current.equation;
    let draft = EquationDraft {
        scope: was.scope,
        name: patch.name.unwrap_or_else(|| was.name.clone()),
        percentage_behavior: patch.percentage_behavior.unwrap_or(was.percentage_behavior),
        valuation: patch.valuation.unwrap_or(was.valuation),
        note: patch.note.apply(was.note.clone()),
        buckets: patch.buckets.unwrap_or_else(|| was.buckets.clone()),
    };
    let draft = checked(txn, draft).await?;
    let next = StoredEquation {
        equation: ValueEquation {
            name: draft.name,
            percentage_behavior: draft.percentage_behavior,
            valuation: draft.valuation,
            note: draft.note,
            buckets: draft.buckets,
            ..current.equation
        },
        created_by: current.created_by,
    };
    save_in(txn, revision, next).await
}

/// `deleteValueEquation` inside the caller's transaction: a draft, by its author or a steward
/// of its scope. A draft a failed proposal names stays (`CONFLICT`): the proposal's record
/// refers to it.
pub async fn delete_equation_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<ValueEquationId>,
) -> Result<()> {
    let current: StoredEquation = locked_at(txn, revision).await?;
    let ties = ties_to_change(txn, actor, &current).await?;
    may_change_equation(actor, current.created_by, current.equation.scope, &ties)?;
    current.equation.check_editable().map_err(PersistenceError::from_state)?;
    delete_in(txn, revision, |_: &StoredEquation| Ok(())).await
}

// ---------------------------------------------------------------- what the engine reads

/// The versions of `scopes` matching `filter`, by scope then version.
async fn versions_in<C: ConnectionTrait>(
    conn: &C,
    scopes: &[AgentId],
    filter: impl Fn(sea_orm::Select<value_equation::Entity>) -> sea_orm::Select<value_equation::Entity>,
) -> Result<Vec<ValueEquation>> {
    let mut found = Vec::new();
    for chunk in scopes.chunks(IN_LIST_MAX) {
        let select = value_equation::Entity::find()
            .filter(value_equation::Column::Scope.is_in(chunk.iter().map(ToString::to_string)))
            .order_by_asc(value_equation::Column::Scope)
            .order_by_asc(value_equation::Column::Version);
        for row in filter(select).all(conn).await? {
            found.push(StoredEquation::from_row(row)?.equation);
        }
    }
    Ok(found)
}

/// Every version of `scopes` that was ever adopted (adopted or since retired), by scope then
/// version: the history a `FORWARD` version is read against
/// ([`ovn_domain::value::equation::valuing_version`]).
pub async fn equation_history_in<C: ConnectionTrait>(conn: &C, scopes: &[AgentId]) -> Result<Vec<ValueEquation>> {
    versions_in(conn, scopes, |select| select.filter(value_equation::Column::AdoptedAt.is_not_null())).await
}

/// The version of each of `scopes` adopted now, for the scopes that have one.
pub async fn adopted_in<C: ConnectionTrait>(conn: &C, scopes: &[AgentId]) -> Result<HashMap<AgentId, ValueEquation>> {
    let adopted = versions_in(conn, scopes, |select| {
        select.filter(value_equation::Column::Status.eq(EquationStatus::Adopted.as_str()))
    })
    .await?;
    Ok(adopted.into_iter().map(|equation| (equation.scope, equation)).collect())
}

// ---------------------------------------------------------------- the store

impl Store {
    /// `createValueEquation`.
    pub async fn create_value_equation(
        &self,
        actor: AgentId,
        draft: EquationDraft,
        idem: Option<&Idempotency>,
    ) -> Result<StoredEquation> {
        let id = ValueEquationId::new();
        let outcome = self
            .create(idem, id.to_string(), move |txn| create_equation_in(txn, actor, id, draft, Utc::now()).boxed())
            .await?;
        self.created(outcome, StoredEquation::KIND, async |store: &Store, id| {
            Ok(store.value_equations_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `updateValueEquation`.
    pub async fn update_value_equation(
        &self,
        actor: AgentId,
        revision: Revision<ValueEquationId>,
        patch: EquationPatch,
    ) -> Result<StoredEquation> {
        self.write(move |txn| update_equation_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteValueEquation`.
    pub async fn delete_value_equation(&self, actor: AgentId, revision: Revision<ValueEquationId>) -> Result<()> {
        self.write(move |txn| delete_equation_in(txn, actor, revision).boxed()).await
    }

    /// Many versions in one query.
    pub async fn value_equations_by_id(
        &self,
        ids: &[ValueEquationId],
    ) -> Result<HashMap<ValueEquationId, StoredEquation>> {
        by_ids(self.connection(), value_equation::Column::Id, ids).await
    }

    /// The versions of `scope`, newest first, of one status if given.
    pub async fn value_equations_of(
        &self,
        scope: AgentId,
        status: Option<EquationStatus>,
    ) -> Result<Vec<StoredEquation>> {
        let mut select = value_equation::Entity::find()
            .filter(value_equation::Column::Scope.eq(scope.to_string()))
            .order_by_desc(value_equation::Column::Version);
        if let Some(status) = status {
            select = select.filter(value_equation::Column::Status.eq(status.as_str()));
        }
        select.all(self.connection()).await?.into_iter().map(StoredEquation::from_row).collect()
    }

    /// [`equation_history_in`], outside a transaction.
    pub async fn equation_history(&self, scopes: &[AgentId]) -> Result<Vec<ValueEquation>> {
        equation_history_in(self.connection(), scopes).await
    }

    /// [`adopted_in`], outside a transaction.
    pub async fn adopted_equations(&self, scopes: &[AgentId]) -> Result<HashMap<AgentId, ValueEquation>> {
        adopted_in(self.connection(), scopes).await
    }
}
