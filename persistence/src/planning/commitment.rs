//! Writes of commitments (vf-graphql module `commitment`).

use chrono::Utc;
use futures::FutureExt;
use ovn_domain::planning::Commitment;
use ovn_domain::{Action, AgentId, CommitmentId, Patch, Revision, permission};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::CommitmentPatch;
use crate::entity::fulfillment;
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::references::{Ref, References};
use crate::revisioned::{delete_in, insert_in, locked_at, save_in};
use crate::store::Store;

fn commitment_references(c: &Commitment) -> References {
    let unit = |m: Option<ovn_domain::Measure>| m.and_then(|m| m.has_unit).map(Ref::Unit);
    let mut references = References::new();
    references
        .add("provider", Some(Ref::Agent(c.provider)))
        .add("receiver", Some(Ref::Agent(c.receiver)))
        .add_all("inScopeOf", c.in_scope_of.iter().copied().map(Ref::Agent))
        .add("resourceQuantity.hasUnit", unit(c.resource_quantity))
        .add("effortQuantity.hasUnit", unit(c.effort_quantity))
        .add("resourceConformsTo", c.resource_conforms_to.map(Ref::ResourceSpecification))
        .add("resourceInventoriedAs", c.resource_inventoried_as.map(Ref::Resource))
        .add("clauseOf", c.clause_of.map(Ref::Agreement))
        .add("reciprocalClauseOf", c.reciprocal_clause_of.map(Ref::Agreement))
        .add("independentDemandOf", c.independent_demand_of.map(Ref::Plan))
        .add("plannedWithin", c.planned_within.map(Ref::Plan))
        .add("inputOf", c.input_of.map(Ref::Process))
        .add("outputOf", c.output_of.map(Ref::Process))
        .add("stage", c.stage.map(Ref::ProcessSpecification));
    references
}

/// Applies a patch to a commitment (every field but the action and the record's own).
fn patched(current: Commitment, patch: CommitmentPatch) -> Result<Commitment> {
    Ok(Commitment {
        provider: patch.provider.apply_required("provider", current.provider)?,
        receiver: patch.receiver.apply_required("receiver", current.receiver)?,
        resource_classified_as: patch
            .resource_classified_as
            .apply(Some(current.resource_classified_as))
            .unwrap_or_default(),
        resource_conforms_to: patch.resource_conforms_to.apply(current.resource_conforms_to),
        resource_inventoried_as: patch.resource_inventoried_as.apply(current.resource_inventoried_as),
        resource_quantity: patch.resource_quantity.apply(current.resource_quantity),
        effort_quantity: patch.effort_quantity.apply(current.effort_quantity),
        has_beginning: patch.has_beginning.apply(current.has_beginning),
        has_end: patch.has_end.apply(current.has_end),
        has_point_in_time: patch.has_point_in_time.apply(current.has_point_in_time),
        due: patch.due.apply(current.due),
        finished: patch.finished.apply(Some(current.finished)).unwrap_or(false),
        note: patch.note.apply(current.note),
        agreed_in: patch.agreed_in.apply(current.agreed_in),
        in_scope_of: patch.in_scope_of.apply(Some(current.in_scope_of)).unwrap_or_default(),
        clause_of: patch.clause_of.apply(current.clause_of),
        reciprocal_clause_of: patch.reciprocal_clause_of.apply(current.reciprocal_clause_of),
        independent_demand_of: patch.independent_demand_of.apply(current.independent_demand_of),
        planned_within: patch.planned_within.apply(current.planned_within),
        input_of: patch.input_of.apply(current.input_of),
        output_of: patch.output_of.apply(current.output_of),
        stage: patch.stage.apply(current.stage),
        ..current
    })
}

/// Checks [`permission::may_commit`] for `actor`, loading the stewardships it may rest on
/// only when the actor is no party.
async fn may_commit(txn: &DatabaseTransaction, actor: AgentId, commitment: &Commitment) -> Result<()> {
    let ties = crate::intent::ties_for(txn, actor, commitment.is_party(actor), &commitment.agents()).await?;
    Ok(permission::may_commit(actor, commitment, &ties)?)
}

/// `createCommitment` inside the caller's transaction: the action rules
/// ([`Commitment::validate`]), the token's agent a party or a steward
/// ([`permission::may_commit`]), every reference present; and when it books a resource, the
/// booking's checks and row ([`crate::sharing::booking::booking_for_in`]).
pub async fn create_commitment_in(txn: &DatabaseTransaction, commitment: &Commitment) -> Result<()> {
    commitment.validate()?;
    may_commit(txn, commitment.recorded_by, commitment).await?;
    commitment_references(commitment).check(txn).await?;
    let booking = crate::sharing::booking::booking_for_in(txn, commitment).await?;
    insert_in(txn, commitment, commitment.created).await?;
    if let Some(booking) = booking {
        crate::sharing::booking::insert_booking_in(txn, &booking).await?;
    }
    Ok(())
}

/// `updateCommitment` inside the caller's transaction, at `revision`: by a party, who stays
/// a party after the change.
pub async fn update_commitment_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<CommitmentId>,
    patch: CommitmentPatch,
) -> Result<Commitment> {
    let current = locked_at::<Commitment>(txn, revision).await?;
    may_commit(txn, actor, &current).await?;
    let fulfilled = fulfillment::Entity::find()
        .filter(fulfillment::Column::Fulfills.eq(revision.id.to_string()))
        .one(txn)
        .await?
        .is_some();
    let next = patched(current.clone(), patch)?;
    next.validate()?;
    may_commit(txn, actor, &next).await?;
    crate::sharing::booking::check_commitment_change_in(txn, &current, &next).await?;
    ovn_domain::planning::fulfillment::check_remeasure(&current, &next, fulfilled)?;
    commitment_references(&next).check(txn).await?;
    save_in(txn, revision, next).await
}

/// `deleteCommitment` inside the caller's transaction: by a party, and refused (`CONFLICT`)
/// once events fulfil it.
pub async fn delete_commitment_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<CommitmentId>,
) -> Result<()> {
    let current = locked_at::<Commitment>(txn, revision).await?;
    may_commit(txn, actor, &current).await?;
    let fulfilled =
        fulfillment::Entity::find().filter(fulfillment::Column::Fulfills.eq(revision.id.to_string())).one(txn).await?;
    if fulfilled.is_some() {
        return Err(PersistenceError::Conflict("events fulfil the commitment: it cannot be deleted".into()));
    }
    delete_in::<Commitment>(txn, revision, |_| Ok(())).await
}

impl Store {
    /// `createCommitment`: the token's agent (`actor`) is recorded as its creator and must be
    /// its provider or receiver.
    pub async fn create_commitment(
        &self,
        actor: AgentId,
        action: Action,
        patch: CommitmentPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Commitment> {
        let (Patch::Set(provider), Patch::Set(receiver)) = (patch.provider.clone(), patch.receiver.clone()) else {
            return Err(ovn_domain::DomainError::invalid("provider", "provider and receiver are required").into());
        };
        let blank = Commitment {
            id: CommitmentId::new(),
            revision: 1,
            action,
            provider,
            receiver,
            resource_classified_as: Vec::new(),
            resource_conforms_to: None,
            resource_inventoried_as: None,
            resource_quantity: None,
            effort_quantity: None,
            has_beginning: None,
            has_end: None,
            has_point_in_time: None,
            due: None,
            finished: false,
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
            clause_of: None,
            reciprocal_clause_of: None,
            independent_demand_of: None,
            planned_within: None,
            input_of: None,
            output_of: None,
            stage: None,
            recorded_by: actor,
            created: Utc::now(),
        };
        let commitment = patched(blank, patch)?;
        commitment.validate()?;
        let outcome = self
            .create(idem, commitment.id.to_string(), move |txn| {
                async move { create_commitment_in(txn, &commitment).await.map(|()| commitment) }.boxed()
            })
            .await?;
        self.created(outcome, "commitment", async |store: &Store, id| {
            Ok(store.commitments_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `updateCommitment`.
    pub async fn update_commitment(
        &self,
        actor: AgentId,
        revision: Revision<CommitmentId>,
        patch: CommitmentPatch,
    ) -> Result<Commitment> {
        self.write(move |txn| update_commitment_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteCommitment`.
    pub async fn delete_commitment(&self, actor: AgentId, revision: Revision<CommitmentId>) -> Result<()> {
        self.write(move |txn| delete_commitment_in(txn, actor, revision).boxed()).await
    }
}
