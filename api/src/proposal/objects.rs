//! `Proposal`, `ProposedIntent`, `ProposedTo` and VF 1.0's `ProposalPurpose`.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use ovn_domain::IntentId;
use ovn_domain::intent::Intent as DomainIntent;
use ovn_domain::proposal::{
    Proposal as DomainProposal, ProposalPurpose as DomainPurpose, ProposedIntent as DomainProposedIntent,
    ProposedTo as DomainProposedTo,
};
use ovn_persistence::PersistenceError;
use ovn_persistence::proposal::ProposalFilter;

use crate::agent::objects::{AccountingScope, Agent, load_agent, load_scopes};
use crate::connection;
use crate::context::ContextExt;
use crate::error::Result;
use crate::intent::objects::Intent;
use crate::loaders::{ProposedToOf, PublishesOf};
use crate::pagination::page_request;
use crate::scalars::DateTime;

/// VF 1.0: the type of proposal, an offer or a request.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalPurpose {
    /// Something is offered.
    #[graphql(name = "offer")]
    Offer,
    /// Something is requested.
    #[graphql(name = "request")]
    Request,
}

impl From<DomainPurpose> for ProposalPurpose {
    fn from(purpose: DomainPurpose) -> Self {
        match purpose {
            DomainPurpose::Offer => Self::Offer,
            DomainPurpose::Request => Self::Request,
        }
    }
}

impl From<ProposalPurpose> for DomainPurpose {
    fn from(purpose: ProposalPurpose) -> Self {
        match purpose {
            ProposalPurpose::Offer => Self::Offer,
            ProposalPurpose::Request => Self::Request,
        }
    }
}

/// Published requests or offers, sometimes with what is expected in return.
#[derive(Debug, Clone)]
pub struct Proposal(pub DomainProposal);

impl Proposal {
    /// The intents it publishes, primary (`reciprocal == false`) or reciprocal.
    async fn intents(&self, ctx: &Context<'_>, reciprocal: bool) -> Result<Vec<Intent>> {
        let published: Vec<DomainProposedIntent> = ctx.load(PublishesOf(self.0.id)).await?.unwrap_or_default();
        let ids: Vec<IntentId> = published.iter().filter(|p| p.reciprocal == reciprocal).map(|p| p.publishes).collect();
        let loaded: HashMap<IntentId, DomainIntent> = ctx.load_many(ids.iter().copied()).await?;
        Ok(ids.iter().filter_map(|id| loaded.get(id).cloned().map(Intent)).collect())
    }
}

#[Object]
impl Proposal {
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

    /// An informal or formal textual identifier for a proposal. Does not imply uniqueness.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_ref().map(|n| n.as_str())
    }

    /// The beginning time of proposal publication.
    async fn has_beginning(&self) -> Option<DateTime> {
        self.0.has_beginning
    }

    /// The end time of proposal publication.
    async fn has_end(&self) -> Option<DateTime> {
        self.0.has_end
    }

    /// This proposal contains unit based quantities, which can be multiplied to create
    /// commitments; commonly seen in a price list or e-commerce.
    async fn unit_based(&self) -> Option<bool> {
        Some(self.0.unit_based)
    }

    /// The date and time the proposal was created.
    async fn created(&self) -> Option<DateTime> {
        Some(self.0.created)
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// VF 1.0: the type of proposal, an offer or a request, as its proposer states it.
    async fn purpose(&self) -> Option<ProposalPurpose> {
        self.0.purpose.map(ProposalPurpose::from)
    }

    /// Grouping around something to create a boundary or context, used for documenting,
    /// accounting, planning.
    async fn in_scope_of(&self, ctx: &Context<'_>) -> Result<Option<Vec<AccountingScope>>> {
        load_scopes(ctx, &self.0.in_scope_of).await
    }

    /// The intents this proposal publishes, primary and reciprocal.
    async fn publishes(&self, ctx: &Context<'_>) -> Result<Option<Vec<ProposedIntent>>> {
        let published = ctx.load(PublishesOf(self.0.id)).await?.unwrap_or_default();
        Ok(Some(published.into_iter().map(ProposedIntent).collect()))
    }

    /// The agents this proposal is published to.
    async fn published_to(&self, ctx: &Context<'_>) -> Result<Option<Vec<ProposedTo>>> {
        let to = ctx.load(ProposedToOf(self.0.id)).await?.unwrap_or_default();
        Ok(Some(to.into_iter().map(ProposedTo).collect()))
    }

    /// The primary intents of this proposal: what is offered or requested.
    async fn primary_intents(&self, ctx: &Context<'_>) -> Result<Option<Vec<Intent>>> {
        self.intents(ctx, false).await.map(Some)
    }

    /// The reciprocal intents of this proposal: what is expected in return.
    async fn reciprocal_intents(&self, ctx: &Context<'_>) -> Result<Option<Vec<Intent>>> {
        self.intents(ctx, true).await.map(Some)
    }
}

/// Represents many-to-many relationships between Proposals and Intents, supporting including
/// intents in multiple proposals, as well as a proposal including multiple intents.
#[derive(Debug, Clone)]
pub struct ProposedIntent(pub DomainProposedIntent);

#[Object]
impl ProposedIntent {
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

    /// This is a reciprocal intent of this proposal, not primary. Not meant to be used for
    /// intent matching.
    async fn reciprocal(&self) -> Option<bool> {
        Some(self.0.reciprocal)
    }

    /// The published proposal which this intent is part of.
    async fn published_in(&self, ctx: &Context<'_>) -> Result<Proposal> {
        load_proposal(ctx, self.0.published_in).await
    }

    /// The intent which is part of this published proposal.
    async fn publishes(&self, ctx: &Context<'_>) -> Result<Intent> {
        let intent = ctx.load(self.0.publishes).await?.map(Intent);
        Ok(intent.ok_or_else(|| PersistenceError::not_found("intent", self.0.publishes))?)
    }
}

/// An agent to which the proposal is to be published. A proposal can be published to many
/// agents.
#[derive(Debug, Clone)]
pub struct ProposedTo(pub DomainProposedTo);

#[Object]
impl ProposedTo {
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

    /// The agent to which the proposal is published.
    async fn proposed_to(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.proposed_to).await
    }

    /// The proposal that is published to a specific agent.
    async fn proposed(&self, ctx: &Context<'_>) -> Result<Proposal> {
        load_proposal(ctx, self.0.proposed).await
    }
}

async fn load_proposal(ctx: &Context<'_>, id: ovn_domain::ProposalId) -> Result<Proposal> {
    let proposal = ctx.load(id).await?.map(Proposal);
    Ok(proposal.ok_or_else(|| PersistenceError::not_found("proposal", id))?)
}

connection!(ProposalConnection, ProposalEdge, Proposal);

/// The created or updated proposal.
#[derive(SimpleObject)]
pub struct ProposalResponse {
    /// The proposal.
    pub proposal: Proposal,
}

/// The intent published in a proposal.
#[derive(SimpleObject)]
pub struct ProposedIntentResponse {
    /// The publication.
    pub proposed_intent: ProposedIntent,
}

/// The proposal published to an agent.
#[derive(SimpleObject)]
pub struct ProposedToResponse {
    /// The publication.
    pub proposed_to: ProposedTo,
}

/// A page of proposals matching `filter`.
pub async fn proposals_page(
    ctx: &Context<'_>,
    filter: ProposalFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<ProposalConnection> {
    let page = ctx.store()?.proposals(filter, &page_request(ctx, first, after, last, before)).await?;
    Ok(ProposalConnection::from_page(page, Proposal))
}
