//! `GovernanceProposal`, its electorate, votes and tally, and a scope's `GovernanceRule`.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use ovn_domain::AgentId;
use ovn_domain::governance::{
    Elector, ElectorateBasis as DomainBasis, GovernanceProposal as DomainProposal, GovernanceRule as DomainRule,
    ProposalKind, ProposalStatus, Vote, VoteWeighting as DomainWeighting, tally,
};
use ovn_domain::sharing::access::AccessTarget;
use ovn_persistence::PersistenceError;

use crate::agent::objects::{Agent, load_agent};
use crate::context::ContextExt;
use crate::error::Result;
use crate::knowledge::objects::{Measure, ResourceSpecification};
use crate::loaders::{CustodianKey, ElectorsOf, VotesOf};
use crate::observation::objects::{EconomicEvent, EconomicResource};
use crate::scalars::{DateTime, Decimal};
use crate::sharing::access::objects::AccessRuleTerms;
use crate::sharing::custody::CustodianAgreement;
use crate::value::objects::{ValueEquation, mirror_enum};

mirror_enum!(
    /// OVN: what a governance proposal asks the contributors to decide.
    GovernanceProposalKind <=> ProposalKind {
        /// Adopt a draft version of the scope's value equation.
        AdoptValueEquation,
        /// Pay an amount out of a money pool to a recipient; passing writes the transfer.
        AllocateFromPool,
        /// Change the access rule of a NONDOMINIUM resource or of a resource specification;
        /// passing writes the rule's next version.
        ChangeAccessRule,
        /// Hand every resource held under a custodian agreement, and the agreement, to a new
        /// custodian; passing writes one `transferCustody` (or `transfer`) per resource.
        TransferCustodianship,
    }
);

mirror_enum!(
    /// OVN: where a governance proposal stands.
    GovernanceProposalStatus <=> ProposalStatus {
        /// Open to votes until its deadline.
        Open,
        /// Passed, and carried out in the same transaction.
        Passed,
        /// Failed: quorum or threshold not reached, or a money pool that could not pay;
        /// nothing was carried out (`failureReason` says which).
        Failed,
    }
);

mirror_enum!(
    /// OVN: how much each elector's vote weighs.
    VoteWeighting <=> DomainWeighting {
        /// Every elector's vote weighs 1.
        OneAgentOneVote,
        /// Every contributor's vote weighs its fluid equity in the scope when the proposal was
        /// made.
        FluidEquity,
    }
);

mirror_enum!(
    /// OVN: who a proposal's electorate is, fixed when it was made.
    ElectorateBasis <=> DomainBasis {
        /// The scope's active contributors (agents that provided a contribution in its scope).
        Contributors,
        /// The scope had no contributor yet: its stewards.
        Stewards,
        /// The scope had neither contributors nor stewards: the proposer alone.
        Proposer,
    }
);

/// OVN: a decision put to the vote of a scope's electorate until its deadline.
#[derive(Debug, Clone)]
pub struct GovernanceProposal(pub DomainProposal);

impl GovernanceProposal {
    async fn electors(&self, ctx: &Context<'_>) -> Result<Vec<Elector>> {
        Ok(ctx.load(ElectorsOf(self.0.id)).await?.unwrap_or_default())
    }

    async fn cast(&self, ctx: &Context<'_>) -> Result<Vec<Vote>> {
        Ok(ctx.load(VotesOf(self.0.id)).await?.unwrap_or_default())
    }
}

#[Object]
impl GovernanceProposal {
    /// The record as it was at `revisionId` (vf-graphql `history`); null when this record
    /// has no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// What is decided.
    async fn kind(&self) -> GovernanceProposalKind {
        self.0.kind.into()
    }

    /// The project or network that decides.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.scope).await
    }

    /// The version to adopt (`ADOPT_VALUE_EQUATION`).
    async fn value_equation(&self, ctx: &Context<'_>) -> Result<Option<ValueEquation>> {
        match self.0.value_equation {
            Some(id) => {
                let found = ctx.load(id).await?.map(ValueEquation);
                Ok(Some(found.ok_or_else(|| PersistenceError::not_found("value equation", id))?))
            }
            None => Ok(None),
        }
    }

    /// (`EconomicResource`) The money pool to pay from (`ALLOCATE_FROM_POOL`).
    async fn pool(&self, ctx: &Context<'_>) -> Result<Option<EconomicResource>> {
        match self.0.allocation {
            Some(allocation) => {
                let found = ctx.load(allocation.pool).await?.map(EconomicResource);
                Ok(Some(found.ok_or_else(|| PersistenceError::not_found("economic resource", allocation.pool))?))
            }
            None => Ok(None),
        }
    }

    /// How much to pay, in the pool's unit (`ALLOCATE_FROM_POOL`).
    async fn amount(&self) -> Option<Measure> {
        self.0.allocation.map(|a| Measure(a.amount))
    }

    /// Who is paid (`ALLOCATE_FROM_POOL`), or the new custodian (`TRANSFER_CUSTODIANSHIP`).
    async fn recipient(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        let recipient = self.0.allocation.map(|a| a.recipient).or(self.0.custodianship.map(|c| c.recipient));
        match recipient {
            Some(recipient) => Ok(Some(load_agent(ctx, recipient).await?)),
            None => Ok(None),
        }
    }

    /// The custodian agreement to hand over (`TRANSFER_CUSTODIANSHIP`).
    async fn agreement(&self, ctx: &Context<'_>) -> Result<Option<CustodianAgreement>> {
        match self.0.custodianship {
            Some(custodianship) => {
                let found = ctx.load(CustodianKey(custodianship.agreement)).await?.map(CustodianAgreement);
                Ok(Some(
                    found.ok_or_else(|| PersistenceError::not_found("custodian agreement", custodianship.agreement))?,
                ))
            }
            None => Ok(None),
        }
    }

    /// (`EconomicResource`) The resource whose access rule would change (`CHANGE_ACCESS_RULE`).
    async fn resource(&self, ctx: &Context<'_>) -> Result<Option<EconomicResource>> {
        let Some(AccessTarget::Resource(id)) = self.0.access_rule.as_ref().map(|c| c.target) else { return Ok(None) };
        let found = ctx.load(id).await?.map(EconomicResource);
        Ok(Some(found.ok_or_else(|| PersistenceError::not_found("economic resource", id))?))
    }

    /// The specification whose access rule would change (`CHANGE_ACCESS_RULE`).
    async fn resource_specification(&self, ctx: &Context<'_>) -> Result<Option<ResourceSpecification>> {
        let Some(AccessTarget::Specification(id)) = self.0.access_rule.as_ref().map(|c| c.target) else {
            return Ok(None);
        };
        let found = ctx.load(id).await?.map(ResourceSpecification);
        Ok(Some(found.ok_or_else(|| PersistenceError::not_found("resource specification", id))?))
    }

    /// The rule proposed (`CHANGE_ACCESS_RULE`); passing writes it as the next version, whose
    /// `proposal` is this one.
    async fn access_rule(&self) -> Option<AccessRuleTerms> {
        self.0.access_rule.as_ref().map(|change| AccessRuleTerms(change.terms.clone()))
    }

    /// The transfer out of the pool that carried out a passed allocation.
    async fn payout(&self, ctx: &Context<'_>) -> Result<Option<EconomicEvent>> {
        match self.0.payout {
            Some(event) => {
                let found = ctx.load(event).await?.map(EconomicEvent);
                Ok(Some(found.ok_or_else(|| PersistenceError::not_found("economic event", event))?))
            }
            None => Ok(None),
        }
    }

    /// Why a `FAILED` proposal failed: the quorum, the threshold, a pool that could not pay
    /// when it passed, or a custodianship its recipient held already.
    async fn failure_reason(&self) -> Option<&str> {
        self.0.failure_reason.as_deref()
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// When the vote closes; the proposal is decided then, unless every elector voted before.
    async fn deadline(&self) -> DateTime {
        self.0.deadline
    }

    /// Where it stands.
    async fn status(&self) -> GovernanceProposalStatus {
        self.0.status.into()
    }

    /// When it was made.
    async fn created(&self) -> DateTime {
        self.0.created
    }

    /// Who made it.
    async fn proposer(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.proposer).await
    }

    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime> {
        self.0.decided_at
    }

    /// The share of the electorate's weight that must be cast (the scope's rule when the
    /// proposal was made).
    async fn quorum(&self) -> Decimal {
        Decimal(self.0.quorum.to_decimal())
    }

    /// The share of the weight cast that must be in favour (the scope's rule when the proposal
    /// was made; two thirds is exact, and shown rounded toward zero).
    async fn threshold(&self) -> Decimal {
        Decimal(self.0.threshold.to_decimal())
    }

    /// How votes weigh (the scope's rule when the proposal was made).
    async fn weighting(&self) -> VoteWeighting {
        self.0.weighting.into()
    }

    /// Who the electorate is: the scope's active contributors, else its stewards, else the
    /// proposer alone.
    async fn electorate_basis(&self) -> ElectorateBasis {
        self.0.electorate_basis.into()
    }

    /// Who may vote, and what each vote weighs; fixed when the proposal was made.
    async fn electorate(&self, ctx: &Context<'_>) -> Result<Vec<GovernanceElector>> {
        Ok(self.electors(ctx).await?.into_iter().map(GovernanceElector).collect())
    }

    /// The votes cast, a later vote of an elector in place of its earlier one.
    async fn votes(&self, ctx: &Context<'_>) -> Result<Vec<GovernanceVote>> {
        let (electors, votes) = futures::try_join!(self.electors(ctx), self.cast(ctx))?;
        let weights: HashMap<AgentId, _> = electors.iter().map(|e| (e.agent, e.weight)).collect();
        votes
            .into_iter()
            .map(|vote| {
                let weight = weights.get(&vote.voter).copied().ok_or_else(|| {
                    PersistenceError::Corrupt(format!("{} voted without being an elector", vote.voter))
                })?;
                Ok(GovernanceVote { vote, weight })
            })
            .collect()
    }

    /// The count of the votes by the proposal's rule (final once it is decided).
    async fn tally(&self, ctx: &Context<'_>) -> Result<GovernanceTally> {
        let (electors, votes) = futures::try_join!(self.electors(ctx), self.cast(ctx))?;
        let count = tally(&electors, &votes, self.0.quorum, self.0.threshold);
        Ok(GovernanceTally {
            eligible_weight: Decimal(count.eligible_weight),
            cast_weight: Decimal(count.cast_weight),
            in_favour_weight: Decimal(count.in_favour_weight),
            against_weight: Decimal(count.against_weight),
            quorum_reached: count.quorum_reached,
            passed: count.passed,
        })
    }
}

/// OVN: a member of a proposal's electorate.
#[derive(Debug, Clone)]
pub struct GovernanceElector(pub Elector);

#[Object]
impl GovernanceElector {
    /// The elector.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.agent).await
    }

    /// What its vote weighs.
    async fn weight(&self) -> Decimal {
        Decimal(self.0.weight)
    }
}

/// OVN: a vote on a proposal.
#[derive(Debug, Clone)]
pub struct GovernanceVote {
    vote: Vote,
    weight: rust_decimal::Decimal,
}

#[Object]
impl GovernanceVote {
    /// The elector who voted.
    async fn voter(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.vote.voter).await
    }

    /// For or against.
    async fn in_favour(&self) -> bool {
        self.vote.in_favour
    }

    /// What the vote weighs.
    async fn weight(&self) -> Decimal {
        Decimal(self.weight)
    }

    /// When it was cast (a later vote replaces an earlier one and its time).
    async fn cast_at(&self) -> DateTime {
        self.vote.cast_at
    }
}

/// OVN: the count of a proposal's votes.
#[derive(SimpleObject)]
pub struct GovernanceTally {
    /// The whole electorate's weight.
    pub eligible_weight: Decimal,
    /// The weight of the votes cast.
    pub cast_weight: Decimal,
    /// The weight cast in favour.
    pub in_favour_weight: Decimal,
    /// The weight cast against.
    pub against_weight: Decimal,
    /// Whether the weight cast reaches the quorum.
    pub quorum_reached: bool,
    /// Whether it passes: the quorum reached, and the weight in favour at least the threshold
    /// of the weight cast (compared exactly), and more than nothing.
    pub passed: bool,
}

/// OVN: how a scope decides (the default when it set none: a quorum of half the electorate,
/// two thirds of the votes cast in favour, one agent one vote).
#[derive(Debug, Clone)]
pub struct GovernanceRule(pub DomainRule);

#[Object]
impl GovernanceRule {
    /// The project or network.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.scope).await
    }

    /// The share of the electorate's weight that must be cast.
    async fn quorum(&self) -> Decimal {
        Decimal(self.0.quorum.to_decimal())
    }

    /// The share of the weight cast that must be in favour (the default two thirds is exact,
    /// and shown rounded toward zero).
    async fn threshold(&self) -> Decimal {
        Decimal(self.0.threshold.to_decimal())
    }

    /// How votes weigh.
    async fn weighting(&self) -> VoteWeighting {
        self.0.weighting.into()
    }
}

/// The created or voted-on governance proposal.
#[derive(SimpleObject)]
pub struct GovernanceProposalResponse {
    /// The proposal.
    pub governance_proposal: GovernanceProposal,
}
