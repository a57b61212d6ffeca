//! Writes of the observation layer. Every write needs a valid bearer token and runs as one
//! transaction in the store; who may record, annotate or update what is decided by the
//! domain's permission rules, which the store applies to the records it loads.

use async_graphql::{Context, ID, InputType, Object};
use ovn_domain::{EconomicEventId, EconomicResourceId, ProcessId};
use ovn_persistence::observation::{EventPatch, ProcessPatch, ResourcePatch};

use super::inputs::{
    EconomicEventCreateParams, EconomicEventUpdateParams, EconomicResourceCreateParams, EconomicResourceUpdateParams,
    ProcessCreateParams, ProcessUpdateParams, fulfills, record_command,
};
use super::objects::{
    EconomicEvent, EconomicEventResponse, EconomicResource, EconomicResourceResponse, Process, ProcessResponse,
};
use crate::context::ContextExt;
use crate::convert::{Update, idempotency, idempotency_of, parse_id};
use crate::error::Result;

/// Writes of the observation layer.
#[derive(Default)]
pub struct ObservationMutation;

#[Object]
impl ObservationMutation {
    /// Records an economic event, and creates `newInventoriedResource` when given (the only
    /// way a resource comes into being, but for an OVN money pool, which `createMoneyPool`
    /// opens empty). The token's agent must be the provider or the receiver. OVN:
    /// `event.fulfills` names commitments the event fulfils, written with it; an event out of
    /// a money pool is `FORBIDDEN` (only a passed `ALLOCATE_FROM_POOL` proposal pays out of
    /// one).
    async fn create_economic_event(
        &self,
        ctx: &Context<'_>,
        event: EconomicEventCreateParams,
        new_inventoried_resource: Option<EconomicResourceCreateParams>,
        idempotency_key: Option<String>,
    ) -> Result<EconomicEventResponse> {
        let actor = ctx.require_agent()?;
        let fingerprint = async_graphql::Value::List(vec![event.to_value(), new_inventoried_resource.to_value()]);
        let idem = idempotency_of(actor, idempotency_key, "createEconomicEvent", fingerprint)?;
        let command = record_command(&event, new_inventoried_resource.as_ref())?;
        let fulfills = fulfills(&event)?;
        let recorded = ctx.store()?.record_event_fulfilling(actor, command, fulfills, idem.as_ref()).await?;
        Ok(EconomicEventResponse {
            economic_event: EconomicEvent(recorded.event),
            economic_resource: recorded.resource.map(EconomicResource),
        })
    }

    /// OVN: the receiver of a transfer that waits for its consent (or a steward of the
    /// receiver) accepts it: it is recorded now, under the id it waited with, and changes the
    /// books like any event. Refused when it no longer fits them (it then stays pending).
    async fn accept_transfer(&self, ctx: &Context<'_>, event: ID) -> Result<EconomicEventResponse> {
        let actor = ctx.require_agent()?;
        let recorded = ctx.store()?.accept_transfer(actor, parse_id(&event, EconomicEventId::parse)?).await?;
        Ok(EconomicEventResponse {
            economic_event: EconomicEvent(recorded.event),
            economic_resource: recorded.resource.map(EconomicResource),
        })
    }

    /// OVN: the receiver of a transfer that waits for its consent (or a steward of the
    /// receiver) refuses it: it is never recorded.
    async fn reject_transfer(&self, ctx: &Context<'_>, event: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.reject_transfer(actor, parse_id(&event, EconomicEventId::parse)?).await?;
        Ok(true)
    }

    /// Changes an event's note and links (never its quantities, agents, action or resources:
    /// record a correcting event for those).
    async fn update_economic_event(
        &self,
        ctx: &Context<'_>,
        event: EconomicEventUpdateParams,
    ) -> Result<EconomicEventResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<EconomicEventId, EventPatch>::try_from(event)?;
        let updated = ctx.store()?.update_event(actor, revision, changes).await?;
        let economic_resource = match updated.core.resource_inventoried_as {
            Some(resource) => ctx.load(resource).await?.map(EconomicResource),
            None => None,
        };
        Ok(EconomicEventResponse { economic_event: EconomicEvent(updated), economic_resource })
    }

    /// Changes a resource's non-economic fields (its quantities change only through events).
    async fn update_economic_resource(
        &self,
        ctx: &Context<'_>,
        resource: EconomicResourceUpdateParams,
    ) -> Result<EconomicResourceResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<EconomicResourceId, ResourcePatch>::try_from(resource)?;
        let updated = ctx.store()?.update_resource(actor, revision, changes).await?;
        Ok(EconomicResourceResponse { economic_resource: EconomicResource(updated) })
    }

    /// Creates a process.
    async fn create_process(
        &self,
        ctx: &Context<'_>,
        process: ProcessCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<ProcessResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createProcess", &process)?;
        let outcome = ctx.store()?.create_process(ProcessPatch::try_from(process)?, idem.as_ref()).await?;
        Ok(ProcessResponse { process: Process(outcome) })
    }

    /// Changes a process.
    async fn update_process(&self, ctx: &Context<'_>, process: ProcessUpdateParams) -> Result<ProcessResponse> {
        ctx.require_agent()?;
        let Update { revision, changes } = Update::<ProcessId, ProcessPatch>::try_from(process)?;
        Ok(ProcessResponse { process: Process(ctx.store()?.update_process(revision, changes).await?) })
    }

    /// Deletes a process that has no recorded events.
    async fn delete_process(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        ctx.require_agent()?;
        ctx.store()?.delete_process(parse_id(&id, ProcessId::parse)?).await?;
        Ok(true)
    }
}
