//! Writes of agreements (vf-graphql module `agreement`).

use chrono::Utc;
use futures::FutureExt;
use ovn_domain::planning::Agreement;
use ovn_domain::{AgentId, AgreementId, Revision, permission};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter};

use super::AgreementPatch;
use crate::entity::{commitment, economic_event};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::revisioned::{delete_in, insert_in, locked_at, save_in};
use crate::store::Store;

/// `createAgreement` inside the caller's transaction.
pub async fn create_agreement_in(txn: &DatabaseTransaction, agreement: &Agreement) -> Result<()> {
    insert_in(txn, agreement, Utc::now()).await
}

/// `updateAgreement` inside the caller's transaction, at `revision`, by its creator.
pub async fn update_agreement_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<AgreementId>,
    patch: AgreementPatch,
) -> Result<Agreement> {
    let current = locked_at::<Agreement>(txn, revision).await?;
    permission::may_change_plan_or_agreement(actor, current.recorded_by)?;
    let next = Agreement {
        name: patch.name.apply(current.name.clone()),
        created: patch.created.apply(current.created),
        note: patch.note.apply(current.note.clone()),
        ..current
    };
    save_in(txn, revision, next).await
}

/// `deleteAgreement` inside the caller's transaction: by its creator, and refused
/// (`CONFLICT`) while commitments are its clauses or events realise it.
pub async fn delete_agreement_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<AgreementId>,
) -> Result<()> {
    let current = locked_at::<Agreement>(txn, revision).await?;
    permission::may_change_plan_or_agreement(actor, current.recorded_by)?;
    let id = revision.id.to_string();
    let clauses = commitment::Entity::find()
        .filter(
            Condition::any()
                .add(commitment::Column::ClauseOf.eq(id.clone()))
                .add(commitment::Column::ReciprocalClauseOf.eq(id.clone())),
        )
        .one(txn)
        .await?;
    if clauses.is_some() {
        return Err(PersistenceError::Conflict("the agreement has commitments and cannot be deleted".into()));
    }
    let realized = economic_event::Entity::find()
        .filter(
            Condition::any()
                .add(economic_event::Column::RealizationOf.eq(id.clone()))
                .add(economic_event::Column::ReciprocalRealizationOf.eq(id)),
        )
        .one(txn)
        .await?;
    if realized.is_some() {
        return Err(PersistenceError::Conflict("events realise the agreement: it cannot be deleted".into()));
    }
    delete_in::<Agreement>(txn, revision, |_| Ok(())).await
}

impl Store {
    /// `createAgreement`; the token's agent is its creator.
    pub async fn create_agreement(
        &self,
        actor: AgentId,
        patch: AgreementPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Agreement> {
        let agreement = Agreement {
            id: AgreementId::new(),
            revision: 1,
            name: patch.name.apply(None),
            created: patch.created.apply(None),
            note: patch.note.apply(None),
            recorded_by: actor,
        };
        let outcome = self
            .create(idem, agreement.id.to_string(), move |txn| {
                async move { create_agreement_in(txn, &agreement).await.map(|()| agreement) }.boxed()
            })
            .await?;
        self.created(outcome, "agreement", async |store: &Store, id| {
            Ok(store.agreements_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `updateAgreement`.
    pub async fn update_agreement(
        &self,
        actor: AgentId,
        revision: Revision<AgreementId>,
        patch: AgreementPatch,
    ) -> Result<Agreement> {
        self.write(move |txn| update_agreement_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteAgreement`.
    pub async fn delete_agreement(&self, actor: AgentId, revision: Revision<AgreementId>) -> Result<()> {
        self.write(move |txn| delete_agreement_in(txn, actor, revision).boxed()).await
    }
}
