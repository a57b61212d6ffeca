//! Reads of claims and settlements.

use async_graphql::{Context, ID, Object};
use ovn_domain::{ClaimId, SettlementId};
use ovn_persistence::claim::ClaimFilter;

use super::objects::{Claim, ClaimConnection, Settlement, SettlementConnection, claims_page};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;
use crate::pagination::page_request;

/// Reads of claims and settlements.
#[derive(Default)]
pub struct ClaimQuery;

#[Object]
impl ClaimQuery {
    /// One claim.
    async fn claim(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Claim>> {
        Ok(ctx.load(parse_id(&id, ClaimId::parse)?).await?.map(Claim))
    }

    /// All claims.
    async fn claims(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ClaimConnection> {
        claims_page(ctx, &ClaimFilter::default(), first, after, last, before).await
    }

    /// One settlement.
    async fn settlement(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Settlement>> {
        Ok(ctx.load(parse_id(&id, SettlementId::parse)?).await?.map(Settlement))
    }

    /// All settlements.
    async fn settlements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<SettlementConnection> {
        let page = ctx.store()?.settlements(&page_request(ctx, first, after, last, before)).await?;
        Ok(SettlementConnection::from_page(page, Settlement))
    }
}
