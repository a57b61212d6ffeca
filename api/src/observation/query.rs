//! Reads of the observation layer: economic events, economic resources, processes.

use async_graphql::{Context, ID, Object};
use ovn_domain::{EconomicEventId, EconomicResourceId, ProcessId};
use ovn_persistence::observation::{EventFilter, ProcessFilter, ResourceFilter};

use super::inputs::{EconomicEventFilterParams, ProcessFilterParams};
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
    ) -> Result<EconomicResourceConnection> {
        resources_page(ctx, &ResourceFilter::default(), first, after, last, before).await
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
