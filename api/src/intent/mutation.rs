//! Writes of intents and satisfactions. Every write needs a token; an intent is written by its
//! provider or receiver, a satisfaction by a party to the intent or to what satisfies it.

use async_graphql::{Context, ID, Object};
use ovn_domain::{IntentId, SatisfactionId};
use ovn_persistence::intent::{IntentPatch, SatisfactionPatch};

use super::inputs::{IntentCreateParams, IntentUpdateParams, SatisfactionCreateParams, SatisfactionUpdateParams};
use super::objects::{Intent, IntentResponse, Satisfaction, SatisfactionResponse};
use crate::context::ContextExt;
use crate::convert::{Update, idempotency, revision};
use crate::error::Result;

/// Writes of intents and satisfactions.
#[derive(Default)]
pub struct IntentMutation;

#[Object]
impl IntentMutation {
    /// Creates an intent (an offer when it names a provider, a request when it names a
    /// receiver); the token's agent must be the one it names.
    async fn create_intent(
        &self,
        ctx: &Context<'_>,
        intent: IntentCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<IntentResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createIntent", &intent)?;
        let created = ctx.store()?.create_intent(actor, IntentPatch::try_from(intent)?, idem.as_ref()).await?;
        Ok(IntentResponse { intent: Intent(created) })
    }

    /// Changes an intent.
    async fn update_intent(&self, ctx: &Context<'_>, intent: IntentUpdateParams) -> Result<IntentResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<IntentId, IntentPatch>::try_from(intent)?;
        Ok(IntentResponse { intent: Intent(ctx.store()?.update_intent(actor, revision, changes).await?) })
    }

    /// Deletes an intent nothing satisfies and no proposal publishes.
    async fn delete_intent(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_intent(actor, revision(&revision_id, IntentId::parse)?).await?;
        Ok(true)
    }

    /// Records that an economic event (or a commitment) satisfies an intent, fully or in
    /// part; the quantities default to the event's and must be in the intent's units.
    async fn create_satisfaction(
        &self,
        ctx: &Context<'_>,
        satisfaction: SatisfactionCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<SatisfactionResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createSatisfaction", &satisfaction)?;
        let command = SatisfactionPatch::try_from(satisfaction)?;
        let created = ctx.store()?.create_satisfaction(actor, command, idem.as_ref()).await?;
        Ok(SatisfactionResponse { satisfaction: Satisfaction(created) })
    }

    /// Changes a satisfaction.
    async fn update_satisfaction(
        &self,
        ctx: &Context<'_>,
        satisfaction: SatisfactionUpdateParams,
    ) -> Result<SatisfactionResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<SatisfactionId, SatisfactionPatch>::try_from(satisfaction)?;
        let updated = ctx.store()?.update_satisfaction(actor, revision, changes).await?;
        Ok(SatisfactionResponse { satisfaction: Satisfaction(updated) })
    }

    /// Deletes a satisfaction.
    async fn delete_satisfaction(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_satisfaction(actor, revision(&revision_id, SatisfactionId::parse)?).await?;
        Ok(true)
    }
}
