//! Writes of plans (vf-graphql module `plan`).

use chrono::Utc;
use futures::FutureExt;
use ovn_domain::planning::Plan;
use ovn_domain::{AgentId, DomainError, Patch, PlanId, Revision, permission};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter};

use super::PlanPatch;
use crate::entity::{commitment, process};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::references::{Ref, References};
use crate::revisioned::{delete_in, insert_in, locked_at, save_in};
use crate::store::Store;

fn plan_references(plan: &Plan) -> References {
    let mut references = References::new();
    references.add_all("inScopeOf", plan.in_scope_of.iter().copied().map(Ref::Agent));
    references
}

/// `createPlan` inside the caller's transaction.
pub async fn create_plan_in(txn: &DatabaseTransaction, plan: &Plan) -> Result<()> {
    plan_references(plan).check(txn).await?;
    insert_in(txn, plan, Utc::now()).await
}

/// `updatePlan` inside the caller's transaction, at `revision`, by the plan's creator.
pub async fn update_plan_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<PlanId>,
    patch: PlanPatch,
) -> Result<Plan> {
    let current = locked_at::<Plan>(txn, revision).await?;
    permission::may_change_plan_or_agreement(actor, current.recorded_by)?;
    let next = Plan {
        name: patch.name.apply_required("name", current.name.clone())?,
        created: patch.created.apply(current.created),
        due: patch.due.apply(current.due),
        note: patch.note.apply(current.note.clone()),
        in_scope_of: patch.in_scope_of.apply(Some(current.in_scope_of.clone())).unwrap_or_default(),
        ..current
    };
    plan_references(&next).check(txn).await?;
    save_in(txn, revision, next).await
}

/// `deletePlan` inside the caller's transaction: by its creator, and refused (`CONFLICT`)
/// while commitments or processes are planned within it.
pub async fn delete_plan_in(txn: &DatabaseTransaction, actor: AgentId, revision: Revision<PlanId>) -> Result<()> {
    let current = locked_at::<Plan>(txn, revision).await?;
    permission::may_change_plan_or_agreement(actor, current.recorded_by)?;
    let id = revision.id.to_string();
    let commitments = commitment::Entity::find()
        .filter(
            Condition::any()
                .add(commitment::Column::PlannedWithin.eq(id.clone()))
                .add(commitment::Column::IndependentDemandOf.eq(id.clone())),
        )
        .one(txn)
        .await?;
    if commitments.is_some() {
        return Err(PersistenceError::Conflict("the plan has commitments and cannot be deleted".into()));
    }
    if process::Entity::find().filter(process::Column::PlannedWithin.eq(id)).one(txn).await?.is_some() {
        return Err(PersistenceError::Conflict("the plan has processes and cannot be deleted".into()));
    }
    delete_in::<Plan>(txn, revision, |_| Ok(())).await
}

impl Store {
    /// `createPlan` (`name` must be set); the token's agent is its creator.
    pub async fn create_plan(&self, actor: AgentId, patch: PlanPatch, idem: Option<&Idempotency>) -> Result<Plan> {
        let Patch::Set(name) = patch.name.clone() else {
            return Err(DomainError::invalid("name", "is required").into());
        };
        let plan = Plan {
            id: PlanId::new(),
            revision: 1,
            name,
            created: patch.created.apply(None),
            due: patch.due.apply(None),
            note: patch.note.apply(None),
            in_scope_of: patch.in_scope_of.apply(None).unwrap_or_default(),
            recorded_by: actor,
        };
        let outcome = self
            .create(idem, plan.id.to_string(), move |txn| {
                async move { create_plan_in(txn, &plan).await.map(|()| plan) }.boxed()
            })
            .await?;
        self.created(outcome, "plan", async |store: &Store, id| Ok(store.plans_by_id(&[id]).await?.remove(&id))).await
    }

    /// `updatePlan`.
    pub async fn update_plan(&self, actor: AgentId, revision: Revision<PlanId>, patch: PlanPatch) -> Result<Plan> {
        self.write(move |txn| update_plan_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deletePlan`.
    pub async fn delete_plan(&self, actor: AgentId, revision: Revision<PlanId>) -> Result<()> {
        self.write(move |txn| delete_plan_in(txn, actor, revision).boxed()).await
    }
}
