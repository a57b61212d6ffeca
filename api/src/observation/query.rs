//! Reads of the observation layer: economic events, economic resources, processes.

use async_graphql::{Context, ID, Object};
use ovn_domain::{AgentId, EconomicEventId, EconomicResourceId, ProcessId};
use ovn_persistence::observation::{EventFilter, ProcessFilter, ResourceFilter};

use super::inputs::{EconomicEventFilterParams, EconomicResourceFilterParams, ProcessFilterParams};
use super::objects::{
    EconomicEvent, EconomicEventConnection, EconomicResource, EconomicResourceConnection, Process, ProcessConnection,
    events_page, processes_page, resources_page,
};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;

/// Reads of the observation layer.
#[derive(Default)]
pub struct ObservationQuery;

#[Object]
impl ObservationQuery {
    /// One economic event.
    async fn economic_event(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EconomicEvent>> {
        Ok(ctx.load(parse_id(&id, EconomicEventId::parse)?).await?.map(EconomicEvent))
    }

    /// OVN: the transfers waiting for `receiver`'s consent (`acceptTransfer` or
    /// `rejectTransfer`), oldest first. They are not in the books yet.
    async fn pending_transfers(&self, ctx: &Context<'_>, receiver: ID) -> Result<Vec<EconomicEvent>> {
        let waiting = ctx.store()?.pending_transfers(parse_id(&receiver, AgentId::parse)?).await?;
        Ok(waiting.into_iter().map(|w| EconomicEvent(w.event)).collect())
    }

    /// Economic events, oldest first.
    async fn economic_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<EconomicEventFilterParams>,
    ) -> Result<EconomicEventConnection> {
        let filter = EventFilter::try_from(filter.unwrap_or_default())?;
        events_page(ctx, &filter, first, after, last, before).await
    }

    /// One economic resource.
    async fn economic_resource(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EconomicResource>> {
        Ok(ctx.load(parse_id(&id, EconomicResourceId::parse)?).await?.map(EconomicResource))
    }

    /// Economic resources.
    async fn economic_resources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(desc = "OVN: text, classification and specification filters.")] filter: Option<
            EconomicResourceFilterParams,
        >,
    ) -> Result<EconomicResourceConnection> {
        let filter = ResourceFilter::try_from(filter.unwrap_or_default())?;
        resources_page(ctx, &filter, first, after, last, before).await
    }

    /// One process.
    async fn process(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Process>> {
        Ok(ctx.load(parse_id(&id, ProcessId::parse)?).await?.map(Process))
    }

    /// Processes.
    async fn processes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProcessFilterParams>,
    ) -> Result<ProcessConnection> {
        let filter = ProcessFilter::try_from(filter.unwrap_or_default())?;
        processes_page(ctx, &filter, first, after, last, before).await
    }
}
