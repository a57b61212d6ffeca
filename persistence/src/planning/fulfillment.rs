//! Writes of fulfilments (vf-graphql module `fulfillment`), and the fulfilments an event
//! names when it is recorded (the OVN input `EconomicEventCreateParams.fulfills`).

use chrono::Utc;
use futures::FutureExt;
use ovn_domain::observation::NewEvent;
use ovn_domain::planning::{Commitment, Fulfillment, fulfillment};
use ovn_domain::{
    AgentId, CommitmentId, DomainError, EconomicEventId, FulfillmentId, Patch, ResourceSpecificationId, Revision,
    permission,
};
use sea_orm::{DatabaseTransaction, EntityTrait};

use super::FulfillmentPatch;
use crate::entity::{economic_event, economic_resource};
use crate::error::Result;
use crate::idempotency::Idempotency;
use crate::references::{Ref, References};
use crate::revisioned::{delete_in, insert_in, locked_at, save_in};
use crate::rows::{Record, core_from, opt};
use crate::store::Store;

/// The facts a fulfilment's rules need: its commitment, and its event with the resource
/// specification it is about (its `resourceConformsTo`, else its resource's `conformsTo`).
struct Facts {
    commitment: Commitment,
    event: NewEvent,
    event_conforms_to: Option<ResourceSpecificationId>,
}

async fn facts(txn: &DatabaseTransaction, commitment: CommitmentId, event: EconomicEventId) -> Result<Facts> {
    let commitment_row = crate::entity::commitment::Entity::find_by_id(commitment.to_string())
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::invalid("fulfills", format!("commitment `{commitment}` does not exist")))?;
    let commitment = Commitment::from_row(commitment_row)?;
    let event_row = economic_event::Entity::find_by_id(event.to_string())
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::invalid("fulfilledBy", format!("economic event `{event}` does not exist")))?;
    let core = core_from(&event_row)?;
    let mut event_conforms_to = opt(event_row.resource_conforms_to.as_deref(), ResourceSpecificationId::parse)?;
    if event_conforms_to.is_none()
        && let Some(resource) = core.resource_inventoried_as
        && let Some(row) = economic_resource::Entity::find_by_id(resource.to_string()).one(txn).await?
    {
        event_conforms_to = Some(crate::rows::id(&row.conforms_to, ResourceSpecificationId::parse)?);
    }
    Ok(Facts { commitment, event: core, event_conforms_to })
}

fn unit_references(f: &Fulfillment) -> References {
    let unit = |m: Option<ovn_domain::Measure>| m.and_then(|m| m.has_unit).map(Ref::Unit);
    let mut references = References::new();
    references
        .add("resourceQuantity.hasUnit", unit(f.resource_quantity))
        .add("effortQuantity.hasUnit", unit(f.effort_quantity));
    references
}

/// `createFulfillment` inside the caller's transaction: by a party of the commitment or of
/// the event ([`permission::may_fulfil`]), checked by [`fulfillment::check`] (same action,
/// same resource specification, the commitment's unit; quantities default to the event's).
/// Returns the fulfilment as written.
pub async fn create_fulfillment_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    draft: Fulfillment,
) -> Result<Fulfillment> {
    let facts = facts(txn, draft.fulfills, draft.fulfilled_by).await?;
    permission::may_fulfil(actor, &facts.commitment, &facts.event)?;
    let checked = fulfillment::check(draft, &facts.commitment, &facts.event, facts.event_conforms_to)?;
    unit_references(&checked).check(txn).await?;
    insert_in(txn, &checked, Utc::now()).await?;
    Ok(checked)
}

/// `updateFulfillment` inside the caller's transaction, at `revision`: checked again as a
/// whole against its (possibly new) commitment and event.
pub async fn update_fulfillment_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<FulfillmentId>,
    patch: FulfillmentPatch,
) -> Result<Fulfillment> {
    let current = locked_at::<Fulfillment>(txn, revision).await?;
    let before = facts(txn, current.fulfills, current.fulfilled_by).await?;
    permission::may_fulfil(actor, &before.commitment, &before.event)?;
    let next = Fulfillment {
        fulfilled_by: patch.fulfilled_by.apply_required("fulfilledBy", current.fulfilled_by)?,
        fulfills: patch.fulfills.apply_required("fulfills", current.fulfills)?,
        resource_quantity: patch.resource_quantity.apply(current.resource_quantity),
        effort_quantity: patch.effort_quantity.apply(current.effort_quantity),
        note: patch.note.apply(current.note.clone()),
        ..current
    };
    let after = facts(txn, next.fulfills, next.fulfilled_by).await?;
    permission::may_fulfil(actor, &after.commitment, &after.event)?;
    let checked = fulfillment::check(next, &after.commitment, &after.event, after.event_conforms_to)?;
    unit_references(&checked).check(txn).await?;
    save_in(txn, revision, checked).await
}

/// `deleteFulfillment` inside the caller's transaction, by a party.
pub async fn delete_fulfillment_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<FulfillmentId>,
) -> Result<()> {
    let current = locked_at::<Fulfillment>(txn, revision).await?;
    let facts = facts(txn, current.fulfills, current.fulfilled_by).await?;
    permission::may_fulfil(actor, &facts.commitment, &facts.event)?;
    delete_in::<Fulfillment>(txn, revision, |_| Ok(())).await
}

/// A new fulfilment of `fulfills` by `fulfilled_by`, its quantities and note from `patch`.
pub(crate) fn draft(fulfilled_by: EconomicEventId, fulfills: CommitmentId, patch: FulfillmentPatch) -> Fulfillment {
    Fulfillment {
        id: FulfillmentId::new(),
        revision: 1,
        fulfilled_by,
        fulfills,
        resource_quantity: patch.resource_quantity.apply(None),
        effort_quantity: patch.effort_quantity.apply(None),
        note: patch.note.apply(None),
    }
}

impl Store {
    /// `createFulfillment`.
    pub async fn create_fulfillment(
        &self,
        actor: AgentId,
        patch: FulfillmentPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Fulfillment> {
        let (Patch::Set(event), Patch::Set(commitment)) = (patch.fulfilled_by.clone(), patch.fulfills.clone()) else {
            return Err(DomainError::invalid("fulfills", "fulfilledBy and fulfills are required").into());
        };
        let draft = draft(event, commitment, patch);
        let outcome = self
            .create(idem, draft.id.to_string(), move |txn| {
                async move { create_fulfillment_in(txn, actor, draft).await }.boxed()
            })
            .await?;
        self.created(outcome, "fulfillment", async |store: &Store, id| {
            Ok(store.fulfillments_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `updateFulfillment`.
    pub async fn update_fulfillment(
        &self,
        actor: AgentId,
        revision: Revision<FulfillmentId>,
        patch: FulfillmentPatch,
    ) -> Result<Fulfillment> {
        self.write(move |txn| update_fulfillment_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteFulfillment`.
    pub async fn delete_fulfillment(&self, actor: AgentId, revision: Revision<FulfillmentId>) -> Result<()> {
        self.write(move |txn| delete_fulfillment_in(txn, actor, revision).boxed()).await
    }
}
