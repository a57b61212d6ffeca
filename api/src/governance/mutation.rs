//! Writes of governance: proposals, votes, a scope's rule.

use async_graphql::{Context, ID, Object};
use ovn_domain::governance::{Fraction, GovernanceRule as DomainRule, NewProposal};
use ovn_domain::{AgentId, GovernanceProposalId};

use super::inputs::GovernanceProposalCreateParams;
use super::objects::{GovernanceProposal, GovernanceProposalResponse, GovernanceRule, VoteWeighting};
use crate::context::ContextExt;
use crate::convert::{idempotency, parse_id};
use crate::error::Result;
use crate::scalars::Decimal;

/// Writes of governance.
#[derive(Default)]
pub struct GovernanceMutation;

#[Object]
impl GovernanceMutation {
    /// OVN: puts a decision to the vote of the scope's electorate (its active contributors,
    /// else its stewards, else the proposer alone), fixed now, until `deadline`. Made by an
    /// active contributor or a steward of the scope. Adopting a version freezes it
    /// (`PROPOSED`) while the vote is open.
    async fn create_governance_proposal(
        &self,
        ctx: &Context<'_>,
        proposal: GovernanceProposalCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<GovernanceProposalResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createGovernanceProposal", &proposal)?;
        let new = NewProposal::try_from(proposal)?;
        let created = ctx.store()?.create_governance_proposal(actor, new, idem.as_ref()).await?;
        Ok(GovernanceProposalResponse { governance_proposal: GovernanceProposal(created) })
    }

    /// OVN: votes on an open proposal before its deadline, as a member of its electorate; a
    /// second vote replaces the first. When every elector has voted, the proposal is decided
    /// at once (and, passing, carried out).
    async fn vote(&self, ctx: &Context<'_>, proposal: ID, in_favour: bool) -> Result<GovernanceProposalResponse> {
        let actor = ctx.require_agent()?;
        let proposal = parse_id(&proposal, GovernanceProposalId::parse)?;
        let voted = ctx.store()?.vote(actor, proposal, in_favour).await?;
        Ok(GovernanceProposalResponse { governance_proposal: GovernanceProposal(voted) })
    }

    /// OVN: sets how a scope decides (a steward of the scope): the quorum and the threshold in
    /// (0, 1], and the weighting. Applies to proposals made from then on.
    async fn set_governance_rule(
        &self,
        ctx: &Context<'_>,
        scope: ID,
        quorum: Decimal,
        threshold: Decimal,
        weighting: VoteWeighting,
    ) -> Result<GovernanceRule> {
        let actor = ctx.require_agent()?;
        let rule = DomainRule {
            scope: parse_id(&scope, AgentId::parse)?,
            quorum: Fraction::from_decimal("quorum", quorum.0)?,
            threshold: Fraction::from_decimal("threshold", threshold.0)?,
            weighting: weighting.into(),
        };
        Ok(GovernanceRule(ctx.store()?.set_governance_rule(actor, rule).await?))
    }
}
