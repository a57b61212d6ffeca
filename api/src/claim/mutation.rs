//! Writes of claims and settlements. A claim is written by its provider or receiver, a
//! settlement by a party to the claim it settles.

use async_graphql::{Context, ID, Object};
use ovn_domain::{ClaimId, SettlementId};
use ovn_persistence::claim::{ClaimPatch, SettlementPatch};

use super::inputs::{ClaimCreateParams, ClaimUpdateParams, SettlementCreateParams, SettlementUpdateParams};
use super::objects::{Claim, ClaimResponse, Settlement, SettlementResponse};
use crate::context::ContextExt;
use crate::convert::{Update, idempotency, revision};
use crate::error::Result;

/// Writes of claims and settlements.
#[derive(Default)]
pub struct ClaimMutation;

#[Object]
impl ClaimMutation {
    /// Makes a claim against an economic event that already occurred; the token's agent must
    /// be its provider or receiver.
    async fn create_claim(
        &self,
        ctx: &Context<'_>,
        claim: ClaimCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<ClaimResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createClaim", &claim)?;
        let created = ctx.store()?.create_claim(actor, ClaimPatch::try_from(claim)?, idem.as_ref()).await?;
        Ok(ClaimResponse { claim: Claim(created) })
    }

    /// Changes a claim.
    async fn update_claim(&self, ctx: &Context<'_>, claim: ClaimUpdateParams) -> Result<ClaimResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<ClaimId, ClaimPatch>::try_from(claim)?;
        Ok(ClaimResponse { claim: Claim(ctx.store()?.update_claim(actor, revision, changes).await?) })
    }

    /// Deletes a claim nothing settles.
    async fn delete_claim(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_claim(actor, revision(&revision_id, ClaimId::parse)?).await?;
        Ok(true)
    }

    /// Records that an economic event settles a claim, fully or in part; the quantities
    /// default to the event's and must be in the claim's units.
    async fn create_settlement(
        &self,
        ctx: &Context<'_>,
        settlement: SettlementCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<SettlementResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createSettlement", &settlement)?;
        let created =
            ctx.store()?.create_settlement(actor, SettlementPatch::try_from(settlement)?, idem.as_ref()).await?;
        Ok(SettlementResponse { settlement: Settlement(created) })
    }

    /// Changes a settlement.
    async fn update_settlement(
        &self,
        ctx: &Context<'_>,
        settlement: SettlementUpdateParams,
    ) -> Result<SettlementResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<SettlementId, SettlementPatch>::try_from(settlement)?;
        let updated = ctx.store()?.update_settlement(actor, revision, changes).await?;
        Ok(SettlementResponse { settlement: Settlement(updated) })
    }

    /// Deletes a settlement.
    async fn delete_settlement(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_settlement(actor, revision(&revision_id, SettlementId::parse)?).await?;
        Ok(true)
    }
}
