//! Reads of proposals: one, all, `offers` and `requests`.

use async_graphql::{Context, ID, Object};
use ovn_domain::ProposalId;
use ovn_persistence::proposal::ProposalFilter;

use super::objects::{Proposal, ProposalConnection, proposals_page};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;

/// Reads of proposals.
#[derive(Default)]
pub struct ProposalQuery;

#[Object]
impl ProposalQuery {
    /// One proposal.
    async fn proposal(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Proposal>> {
        Ok(ctx.load(parse_id(&id, ProposalId::parse)?).await?.map(Proposal))
    }

    /// All proposals.
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProposalConnection> {
        proposals_page(ctx, ProposalFilter::All, first, after, last, before).await
    }

    /// List all proposals that are being listed as offers: every primary intent has a
    /// provider and no receiver.
    async fn offers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProposalConnection> {
        proposals_page(ctx, ProposalFilter::Offers, first, after, last, before).await
    }

    /// List all proposals that are being listed as requests: every primary intent has a
    /// receiver and no provider.
    async fn requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProposalConnection> {
        proposals_page(ctx, ProposalFilter::Requests, first, after, last, before).await
    }
}
