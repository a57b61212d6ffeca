//! Reads of governance.

use async_graphql::{Context, ID, Object};
use ovn_domain::{AgentId, GovernanceProposalId};

use super::objects::{GovernanceProposal, GovernanceProposalStatus, GovernanceRule};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;

/// Reads of governance.
#[derive(Default)]
pub struct GovernanceQuery;

#[Object]
impl GovernanceQuery {
    /// OVN: one governance proposal.
    async fn governance_proposal(&self, ctx: &Context<'_>, id: ID) -> Result<Option<GovernanceProposal>> {
        Ok(ctx.load(parse_id(&id, GovernanceProposalId::parse)?).await?.map(GovernanceProposal))
    }

    /// OVN: a scope's governance proposals, newest first, of one status if given.
    async fn governance_proposals(
        &self,
        ctx: &Context<'_>,
        scope: ID,
        status: Option<GovernanceProposalStatus>,
    ) -> Result<Vec<GovernanceProposal>> {
        let scope = parse_id(&scope, AgentId::parse)?;
        let found = ctx.store()?.governance_proposals_of(scope, status.map(Into::into)).await?;
        Ok(found.into_iter().map(GovernanceProposal).collect())
    }

    /// OVN: how a scope decides: the rule it set, else the default (a quorum of half the
    /// electorate, two thirds of the votes cast in favour, one agent one vote).
    async fn governance_rule(&self, ctx: &Context<'_>, scope: ID) -> Result<GovernanceRule> {
        let scope = parse_id(&scope, AgentId::parse)?;
        Ok(GovernanceRule(ctx.store()?.governance_rule(scope).await?))
    }
}
