//! Reads of the planning layer: plans, agreements, commitments, fulfilments.

use async_graphql::{Context, ID, Object};
use ovn_domain::{AgreementId, CommitmentId, FulfillmentId, PlanId};
use ovn_persistence::planning::{CommitmentFilter, PlanFilter};

use super::objects::{
    Agreement, AgreementConnection, Commitment, CommitmentConnection, Fulfillment, FulfillmentConnection, Plan,
    PlanConnection, commitments_page, plans_page,
};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;
use crate::pagination::page_request;

/// Reads of the planning layer.
#[derive(Default)]
pub struct PlanningQuery;

#[Object]
impl PlanningQuery {
    /// One plan.
    async fn plan(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Plan>> {
        Ok(ctx.load(parse_id(&id, PlanId::parse)?).await?.map(Plan))
    }

    /// Plans, oldest first.
    async fn plans(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PlanConnection> {
        plans_page(ctx, &PlanFilter::default(), first, after, last, before).await
    }

    /// One agreement.
    async fn agreement(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Agreement>> {
        Ok(ctx.load(parse_id(&id, AgreementId::parse)?).await?.map(Agreement))
    }

    /// Agreements, oldest first.
    async fn agreements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<AgreementConnection> {
        let request = page_request(ctx, first, after, last, before);
        let page = ctx.store()?.agreements(&request).await?;
        Ok(AgreementConnection::from_page(page, Agreement))
    }

    /// One commitment.
    async fn commitment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Commitment>> {
        Ok(ctx.load(parse_id(&id, CommitmentId::parse)?).await?.map(Commitment))
    }

    /// Commitments, oldest first.
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<CommitmentConnection> {
        commitments_page(ctx, &CommitmentFilter::default(), first, after, last, before).await
    }

    /// One fulfilment.
    async fn fulfillment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Fulfillment>> {
        Ok(ctx.load(parse_id(&id, FulfillmentId::parse)?).await?.map(Fulfillment))
    }

    /// Fulfilments, oldest first.
    async fn fulfillments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<FulfillmentConnection> {
        let request = page_request(ctx, first, after, last, before);
        let page = ctx.store()?.fulfillments(&request).await?;
        Ok(FulfillmentConnection::from_page(page, Fulfillment))
    }
}
