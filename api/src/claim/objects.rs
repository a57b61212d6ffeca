//! `Claim` and `Settlement`, with the OVN progress fields of a claim (`settledQuantity`,
//! `remainingQuantity`).

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use ovn_domain::claim::{Claim as DomainClaim, Settlement as DomainSettlement};
use ovn_domain::tally::Tally;
use ovn_persistence::PersistenceError;
use ovn_persistence::claim::ClaimFilter;
use ovn_persistence::page::paginate_ids;

use crate::action::objects::Action;
use crate::agent::objects::{AccountingScope, Agent, load_agent, load_scopes};
use crate::connection;
use crate::context::ContextExt;
use crate::error::Result;
use crate::knowledge::objects::{Measure, ResourceSpecification};
use crate::loaders::SettlementsOf;
use crate::observation::objects::{EconomicEvent, load_event};
use crate::pagination::page_request;
use crate::scalars::{DateTime, Uri};

/// A claim for a future economic event(s) in reciprocity for an economic event that already
/// occurred. For example, a claim for payment for goods received.
#[derive(Debug, Clone)]
pub struct Claim(pub DomainClaim);

impl Claim {
    async fn settlements(&self, ctx: &Context<'_>) -> Result<Vec<DomainSettlement>> {
        Ok(ctx.load(SettlementsOf(self.0.id)).await?.unwrap_or_default())
    }

    async fn progress(&self, ctx: &Context<'_>) -> Result<Tally> {
        Ok(self.0.tally(&self.settlements(ctx).await?))
    }
}

#[Object]
impl Claim {
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

    /// Relates a claim to a verb, such as consume, produce, work, improve, etc.
    async fn action(&self) -> Action {
        Action(self.0.action)
    }

    /// The economic agent from whom the claim is expected.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.provider {
            Some(id) => load_agent(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }

    /// The economic agent whom the claim is for.
    async fn receiver(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.receiver {
            Some(id) => load_agent(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }

    /// Grouping around something to create a boundary or context, used for documenting,
    /// accounting, planning.
    async fn in_scope_of(&self, ctx: &Context<'_>) -> Result<Option<Vec<AccountingScope>>> {
        load_scopes(ctx, &self.0.in_scope_of).await
    }

    /// The primary resource specification or definition of an existing or potential economic
    /// resource.
    async fn resource_conforms_to(&self, ctx: &Context<'_>) -> Result<Option<ResourceSpecification>> {
        match self.0.resource_conforms_to {
            Some(id) => Ok(ctx.load(id).await?.map(ResourceSpecification)),
            None => Ok(None),
        }
    }

    /// References a concept in a common taxonomy or other classification scheme for purposes
    /// of categorization or grouping.
    async fn resource_classified_as(&self) -> Option<Vec<Uri>> {
        let list = &self.0.resource_classified_as;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// The amount and unit of the economic resource counted or inventoried.
    async fn resource_quantity(&self) -> Option<Measure> {
        self.0.resource_quantity.map(Measure)
    }

    /// The amount and unit of the work or use or citation effort-based action.
    async fn effort_quantity(&self) -> Option<Measure> {
        self.0.effort_quantity.map(Measure)
    }

    /// The economic event which already occurred which this claim has been made against.
    async fn triggered_by(&self, ctx: &Context<'_>) -> Result<EconomicEvent> {
        load_event(ctx, self.0.triggered_by).await
    }

    /// The time the claim is expected to be settled.
    async fn due(&self) -> Option<DateTime> {
        self.0.due
    }

    /// The data on which the claim was made.
    async fn created(&self) -> Option<DateTime> {
        Some(self.0.created)
    }

    /// The claim is complete or not: set so by its agents, or (OVN) fully settled.
    async fn finished(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(self.0.finished(&self.progress(ctx).await?)))
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Reference to an agreement between agents which specifies the rules or policies or
    /// calculations which govern this claim.
    async fn agreed_in(&self) -> Option<Uri> {
        self.0.agreed_in.as_ref().map(Uri::from)
    }

    /// The settlements of this claim.
    async fn settled_by(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<SettlementConnection>> {
        let settlements = self.settlements(ctx).await?;
        let ids: Vec<_> = settlements.iter().map(|s| s.id).collect();
        let total = u64::try_from(ids.len()).unwrap_or(u64::MAX);
        let mut by_id: HashMap<_, _> = settlements.into_iter().map(|s| (s.id, s)).collect();
        let mut page = paginate_ids(ids, &page_request(ctx, first, after, last, before))?;
        page.total_count = Some(total);
        let page = page.try_map(|id| by_id.remove(&id).ok_or_else(|| PersistenceError::not_found("settlement", id)))?;
        Ok(Some(SettlementConnection::from_page(page, Settlement)))
    }

    /// OVN: how much of the claim's quantity (its resource quantity, else its effort
    /// quantity) its settlements add up to, in its unit; `null` when it has no quantity.
    async fn settled_quantity(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        let tally = self.progress(ctx).await?;
        Ok(tally.measure(tally.done).map(Measure))
    }

    /// OVN: how much of the claim's quantity is still to be settled (never below zero).
    async fn remaining_quantity(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        let tally = self.progress(ctx).await?;
        Ok(tally.measure(tally.remaining).map(Measure))
    }
}

/// Represents many-to-many relationships between claim and economic events that fully or
/// partially settle one or more claims.
#[derive(Debug, Clone)]
pub struct Settlement(pub DomainSettlement);

#[Object]
impl Settlement {
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

    /// A claim which is fully or partially settled by an economic event.
    async fn settles(&self, ctx: &Context<'_>) -> Result<Claim> {
        let claim = ctx.load(self.0.settles).await?.map(Claim);
        Ok(claim.ok_or_else(|| PersistenceError::not_found("claim", self.0.settles))?)
    }

    /// The economic event fully or partially settling a claim.
    async fn settled_by(&self, ctx: &Context<'_>) -> Result<EconomicEvent> {
        load_event(ctx, self.0.settled_by).await
    }

    /// The amount and unit of the economic resource counted or inventoried (the settling
    /// event's when none was given).
    async fn resource_quantity(&self) -> Option<Measure> {
        self.0.resource_quantity.map(Measure)
    }

    /// The amount and unit of the work or use or citation effort-based action (the settling
    /// event's when none was given).
    async fn effort_quantity(&self) -> Option<Measure> {
        self.0.effort_quantity.map(Measure)
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

connection!(ClaimConnection, ClaimEdge, Claim);
connection!(SettlementConnection, SettlementEdge, Settlement);

/// The created or updated claim.
#[derive(SimpleObject)]
pub struct ClaimResponse {
    /// The claim.
    pub claim: Claim,
}

/// The created or updated settlement.
#[derive(SimpleObject)]
pub struct SettlementResponse {
    /// The settlement.
    pub settlement: Settlement,
}

/// A page of claims matching `filter`.
pub async fn claims_page(
    ctx: &Context<'_>,
    filter: &ClaimFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<ClaimConnection> {
    let page = ctx.store()?.claims(filter, &page_request(ctx, first, after, last, before)).await?;
    Ok(ClaimConnection::from_page(page, Claim))
}
