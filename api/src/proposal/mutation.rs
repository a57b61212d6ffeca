//! Writes of proposals. Any authenticated agent may publish a proposal; only its creator
//! changes it, adds or removes its intents, and publishes it to agents.

use async_graphql::{Context, ID, Object, Value};
use ovn_domain::{AgentId, IntentId, ProposalId, ProposedIntentId, ProposedToId};
use ovn_persistence::proposal::ProposalPatch;

use super::inputs::{ProposalCreateParams, ProposalUpdateParams};
use super::objects::{
    Proposal, ProposalResponse, ProposedIntent, ProposedIntentResponse, ProposedTo, ProposedToResponse,
};
use crate::context::ContextExt;
use crate::convert::{Update, idempotency, idempotency_of, parse_id, revision};
use crate::error::Result;

/// Writes of proposals.
#[derive(Default)]
pub struct ProposalMutation;

#[Object]
impl ProposalMutation {
    /// Publishes a proposal; the token's agent becomes its creator.
    async fn create_proposal(
        &self,
        ctx: &Context<'_>,
        proposal: ProposalCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<ProposalResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createProposal", &proposal)?;
        let created = ctx.store()?.create_proposal(actor, ProposalPatch::try_from(proposal)?, idem.as_ref()).await?;
        Ok(ProposalResponse { proposal: Proposal(created) })
    }

    /// Changes a proposal (its creator only).
    async fn update_proposal(&self, ctx: &Context<'_>, proposal: ProposalUpdateParams) -> Result<ProposalResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<ProposalId, ProposalPatch>::try_from(proposal)?;
        Ok(ProposalResponse { proposal: Proposal(ctx.store()?.update_proposal(actor, revision, changes).await?) })
    }

    /// Deletes a proposal that publishes no intent and is published to nobody (its creator
    /// only).
    async fn delete_proposal(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_proposal(actor, revision(&revision_id, ProposalId::parse)?).await?;
        Ok(true)
    }

    /// Include an existing intent as part of a proposal.
    /// @param publishedIn the (`Proposal`) to include the intent in
    /// @param publishes the (`Intent`) to include as part of the proposal
    async fn propose_intent(
        &self,
        ctx: &Context<'_>,
        published_in: ID,
        publishes: ID,
        reciprocal: Option<bool>,
        idempotency_key: Option<String>,
    ) -> Result<ProposedIntentResponse> {
        let actor = ctx.require_agent()?;
        let input = Value::List(vec![
            Value::String(published_in.to_string()),
            Value::String(publishes.to_string()),
            reciprocal.map_or(Value::Null, Value::Boolean),
        ]);
        let idem = idempotency_of(actor, idempotency_key, "proposeIntent", input)?;
        let proposed = ctx
            .store()?
            .propose_intent(
                actor,
                parse_id(&published_in, ProposalId::parse)?,
                parse_id(&publishes, IntentId::parse)?,
                reciprocal.unwrap_or(false),
                idem.as_ref(),
            )
            .await?;
        Ok(ProposedIntentResponse { proposed_intent: ProposedIntent(proposed) })
    }

    /// Removes an intent from a proposal.
    async fn delete_proposed_intent(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_proposed_intent(actor, revision(&revision_id, ProposedIntentId::parse)?).await?;
        Ok(true)
    }

    /// Send a proposal to another agent.
    /// @param proposed the (`Proposal`) to send to an involved agent
    /// @param proposedTo the (`Agent`) to include in the proposal
    async fn propose_to(
        &self,
        ctx: &Context<'_>,
        proposed: ID,
        proposed_to: ID,
        idempotency_key: Option<String>,
    ) -> Result<ProposedToResponse> {
        let actor = ctx.require_agent()?;
        let input = Value::List(vec![Value::String(proposed.to_string()), Value::String(proposed_to.to_string())]);
        let idem = idempotency_of(actor, idempotency_key, "proposeTo", input)?;
        let record = ctx
            .store()?
            .propose_to(
                actor,
                parse_id(&proposed, ProposalId::parse)?,
                parse_id(&proposed_to, AgentId::parse)?,
                idem.as_ref(),
            )
            .await?;
        Ok(ProposedToResponse { proposed_to: ProposedTo(record) })
    }

    /// Stops publishing a proposal to an agent.
    async fn delete_proposed_to(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_proposed_to(actor, revision(&revision_id, ProposedToId::parse)?).await?;
        Ok(true)
    }
}
