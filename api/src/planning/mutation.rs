//! Writes of the planning layer. Every write needs a valid bearer token and runs as one
//! transaction; who may change what is the domain's rule ([`ovn_domain::permission`]):
//! a commitment by its provider or receiver, a fulfilment by a party of the commitment or of
//! the event, a plan or an agreement by the agent who created it.

use async_graphql::{Context, ID, Object};
use ovn_domain::{AgreementId, CommitmentId, DomainError, FulfillmentId, PlanId};
use ovn_persistence::planning::{AgreementPatch, CommitmentPatch, FulfillmentPatch, PlanPatch};

use super::inputs::{
    AgreementCreateParams, AgreementUpdateParams, CommitmentCreateParams, CommitmentUpdateParams,
    FulfillmentCreateParams, FulfillmentUpdateParams, PlanCreateParams, PlanUpdateParams, commitment_command,
};
use super::objects::{
    Agreement, AgreementResponse, Commitment, CommitmentResponse, Fulfillment, FulfillmentResponse, Plan, PlanResponse,
};
use crate::context::ContextExt;
use crate::convert::{Update, idempotency, revision};
use crate::error::Result;

/// Writes of the planning layer.
#[derive(Default)]
pub struct PlanningMutation;

#[Object]
impl PlanningMutation {
    /// Creates a plan; the token's agent is its creator (OVN: only it changes or deletes it).
    async fn create_plan(
        &self,
        ctx: &Context<'_>,
        plan: PlanCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<PlanResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createPlan", &plan)?;
        let created = ctx.store()?.create_plan(actor, PlanPatch::try_from(plan)?, idem.as_ref()).await?;
        Ok(PlanResponse { plan: Plan(created) })
    }

    /// Changes a plan.
    async fn update_plan(&self, ctx: &Context<'_>, plan: PlanUpdateParams) -> Result<PlanResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<PlanId, PlanPatch>::try_from(plan)?;
        Ok(PlanResponse { plan: Plan(ctx.store()?.update_plan(actor, revision, changes).await?) })
    }

    /// Deletes a plan at `revisionId`; refused while commitments or processes are planned
    /// within it.
    async fn delete_plan(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_plan(actor, revision(&revision_id, PlanId::parse)?).await?;
        Ok(true)
    }

    /// Creates an agreement; the token's agent is its creator (OVN: only it changes or
    /// deletes it).
    async fn create_agreement(
        &self,
        ctx: &Context<'_>,
        agreement: Option<AgreementCreateParams>,
        idempotency_key: Option<String>,
    ) -> Result<AgreementResponse> {
        let actor = ctx.require_agent()?;
        let agreement = agreement.unwrap_or_default();
        let idem = idempotency(actor, idempotency_key, "createAgreement", &agreement)?;
        let created = ctx.store()?.create_agreement(actor, AgreementPatch::try_from(agreement)?, idem.as_ref()).await?;
        Ok(AgreementResponse { agreement: Agreement(created) })
    }

    /// Changes an agreement.
    async fn update_agreement(
        &self,
        ctx: &Context<'_>,
        agreement: Option<AgreementUpdateParams>,
    ) -> Result<AgreementResponse> {
        let actor = ctx.require_agent()?;
        let agreement = agreement.ok_or_else(|| DomainError::invalid("agreement", "is required"))?;
        let Update { revision, changes } = Update::<AgreementId, AgreementPatch>::try_from(agreement)?;
        Ok(AgreementResponse { agreement: Agreement(ctx.store()?.update_agreement(actor, revision, changes).await?) })
    }

    /// Deletes an agreement at `revisionId`; refused while commitments are its clauses or
    /// events realise it.
    async fn delete_agreement(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_agreement(actor, revision(&revision_id, AgreementId::parse)?).await?;
        Ok(true)
    }

    /// Creates a commitment. Its action rules are an event's (which quantity, which process
    /// link); the token's agent must be its provider or its receiver.
    async fn create_commitment(
        &self,
        ctx: &Context<'_>,
        commitment: CommitmentCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<CommitmentResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createCommitment", &commitment)?;
        let (action, changes) = commitment_command(&commitment)?;
        let created = ctx.store()?.create_commitment(actor, action, changes, idem.as_ref()).await?;
        Ok(CommitmentResponse { commitment: Commitment(created) })
    }

    /// Changes a commitment (by a party, who stays one).
    async fn update_commitment(
        &self,
        ctx: &Context<'_>,
        commitment: CommitmentUpdateParams,
    ) -> Result<CommitmentResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<CommitmentId, CommitmentPatch>::try_from(commitment)?;
        Ok(CommitmentResponse {
            commitment: Commitment(ctx.store()?.update_commitment(actor, revision, changes).await?),
        })
    }

    /// Deletes a commitment at `revisionId`; refused once events fulfil it.
    async fn delete_commitment(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_commitment(actor, revision(&revision_id, CommitmentId::parse)?).await?;
        Ok(true)
    }

    /// Records that an event fulfils a commitment. Refused: an event of another action, or
    /// about another resource specification, or a quantity in another unit than the
    /// commitment's. Quantities default to the event's.
    async fn create_fulfillment(
        &self,
        ctx: &Context<'_>,
        fulfillment: FulfillmentCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<FulfillmentResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createFulfillment", &fulfillment)?;
        let patch = FulfillmentPatch::try_from(fulfillment)?;
        let created = ctx.store()?.create_fulfillment(actor, patch, idem.as_ref()).await?;
        Ok(FulfillmentResponse { fulfillment: Fulfillment(created) })
    }

    /// Changes a fulfilment (checked again as a whole).
    async fn update_fulfillment(
        &self,
        ctx: &Context<'_>,
        fulfillment: FulfillmentUpdateParams,
    ) -> Result<FulfillmentResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<FulfillmentId, FulfillmentPatch>::try_from(fulfillment)?;
        Ok(FulfillmentResponse {
            fulfillment: Fulfillment(ctx.store()?.update_fulfillment(actor, revision, changes).await?),
        })
    }

    /// Deletes a fulfilment at `revisionId`.
    async fn delete_fulfillment(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_fulfillment(actor, revision(&revision_id, FulfillmentId::parse)?).await?;
        Ok(true)
    }
}
