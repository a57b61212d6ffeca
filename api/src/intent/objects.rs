//! `Intent`, `Satisfaction` and `EventOrCommitment`, with the OVN progress fields of an
//! intent (`satisfiedQuantity`, `remainingQuantity`, `overSatisfiedQuantity`).

use async_graphql::{Context, ID, Object, SimpleObject, Union};
use ovn_domain::intent::{Intent as DomainIntent, Satisfaction as DomainSatisfaction, SatisfiedBy};
use ovn_domain::tally::Tally;
use ovn_persistence::PersistenceError;
use ovn_persistence::intent::IntentFilter;

use crate::action::objects::Action;
use crate::agent::objects::{AccountingScope, Agent, load_agent, load_scopes};
use crate::connection;
use crate::context::ContextExt;
use crate::error::Result;
use crate::knowledge::objects::{Measure, ResourceSpecification};
use crate::loaders::{PublishedIn, SatisfactionsOf};
use crate::observation::objects::{EconomicEvent, EconomicResource, Process};
use crate::pagination::page_request;
use crate::planning::objects::Commitment;
use crate::proposal::objects::ProposedIntent;
use crate::scalars::{DateTime, Uri};

/// A planned economic flow which has not been committed to, which can lead to economic events
/// (sometimes through commitments).
#[derive(Debug, Clone)]
pub struct Intent(pub DomainIntent);

impl Intent {
    async fn satisfactions(&self, ctx: &Context<'_>) -> Result<Vec<DomainSatisfaction>> {
        Ok(ctx.load(SatisfactionsOf(self.0.id)).await?.unwrap_or_default())
    }

    async fn progress(&self, ctx: &Context<'_>) -> Result<Tally> {
        Ok(self.0.tally(&self.satisfactions(ctx).await?))
    }
}

#[Object]
impl Intent {
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

    /// An informal or formal textual identifier for an intent. Does not imply uniqueness.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_ref().map(|n| n.as_str())
    }

    /// Relates an intent to a verb, such as consume, produce, work, improve, etc.
    async fn action(&self) -> Action {
        Action(self.0.action)
    }

    /// The economic agent from whom the intent is initiated. This implies that the intent is
    /// an offer.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.provider {
            Some(id) => load_agent(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }

    /// The economic agent whom the intent is for. This implies that the intent is a request.
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

    /// Defines the process to which this intent is an input.
    async fn input_of(&self, ctx: &Context<'_>) -> Result<Option<Process>> {
        match self.0.input_of {
            Some(id) => Ok(ctx.load(id).await?.map(Process)),
            None => Ok(None),
        }
    }

    /// Defines the process to which this intent is an output.
    async fn output_of(&self, ctx: &Context<'_>) -> Result<Option<Process>> {
        match self.0.output_of {
            Some(id) => Ok(ctx.load(id).await?.map(Process)),
            None => Ok(None),
        }
    }

    /// When a specific `EconomicResource` is known which can service the `Intent`, this
    /// defines that resource.
    async fn resource_inventoried_as(&self, ctx: &Context<'_>) -> Result<Option<EconomicResource>> {
        match self.0.resource_inventoried_as {
            Some(id) => Ok(ctx.load(id).await?.map(EconomicResource)),
            None => Ok(None),
        }
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

    /// The total quantity of the offered resource available.
    async fn available_quantity(&self) -> Option<Measure> {
        self.0.available_quantity.map(Measure)
    }

    /// The planned beginning of the intent.
    async fn has_beginning(&self) -> Option<DateTime> {
        self.0.has_beginning
    }

    /// The planned end of the intent.
    async fn has_end(&self) -> Option<DateTime> {
        self.0.has_end
    }

    /// The planned date/time for the intent. Can be used instead of beginning and end.
    async fn has_point_in_time(&self) -> Option<DateTime> {
        self.0.has_point_in_time
    }

    /// The time something is expected to be complete.
    async fn due(&self) -> Option<DateTime> {
        self.0.due
    }

    /// The intent is complete or not: set so by its agents, or (OVN) fully satisfied.
    async fn finished(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(self.0.finished(&self.progress(ctx).await?)))
    }

    /// The uri to an image relevant to the intent, such as a photo.
    async fn image(&self) -> Option<Uri> {
        self.0.image.as_ref().map(Uri::from)
    }

    /// URI addresses to images relevant to the intent.
    async fn image_list(&self) -> Option<Vec<Uri>> {
        (!self.0.image_list.is_empty()).then(|| self.0.image_list.iter().map(Uri::from).collect())
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Reference to an agreement between agents which specifies the rules or policies or
    /// calculations which govern this intent.
    async fn agreed_in(&self) -> Option<Uri> {
        self.0.agreed_in.as_ref().map(Uri::from)
    }

    /// The intent can be safely deleted: nothing satisfies it and no proposal publishes it.
    async fn deletable(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let published = ctx.load(PublishedIn(self.0.id)).await?.unwrap_or_default();
        Ok(Some(self.satisfactions(ctx).await?.is_empty() && published.is_empty()))
    }

    /// The proposals this intent is published in.
    async fn published_in(&self, ctx: &Context<'_>) -> Result<Option<Vec<ProposedIntent>>> {
        let published = ctx.load(PublishedIn(self.0.id)).await?.unwrap_or_default();
        Ok(Some(published.into_iter().map(ProposedIntent).collect()))
    }

    /// The events (and commitments) that satisfy this intent, fully or in part.
    async fn satisfied_by(&self, ctx: &Context<'_>) -> Result<Option<Vec<Satisfaction>>> {
        Ok(Some(self.satisfactions(ctx).await?.into_iter().map(Satisfaction).collect()))
    }

    /// OVN: how much of the intent's quantity (its resource quantity, else its effort
    /// quantity) its satisfactions add up to, in its unit; `null` when it has no quantity.
    async fn satisfied_quantity(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        let tally = self.progress(ctx).await?;
        Ok(tally.measure(tally.done).map(Measure))
    }

    /// OVN: how much of the intent's quantity is still to be satisfied (never below zero).
    async fn remaining_quantity(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        let tally = self.progress(ctx).await?;
        Ok(tally.measure(tally.remaining).map(Measure))
    }

    /// OVN: how much more than the intent's quantity its satisfactions add up to (zero unless
    /// over-satisfied, which is allowed).
    async fn over_satisfied_quantity(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        let tally = self.progress(ctx).await?;
        Ok(tally.measure(tally.over).map(Measure))
    }
}

/// A commitment or economic event fully or partially satisfying an intent.
#[derive(Union)]
pub enum EventOrCommitment {
    /// An economic event.
    EconomicEvent(EconomicEvent),
    /// A commitment.
    Commitment(Commitment),
}

/// Represents many-to-many relationships between intents and commitments or events that
/// partially or full satisfy one or more intents.
#[derive(Debug, Clone)]
pub struct Satisfaction(pub DomainSatisfaction);

#[Object]
impl Satisfaction {
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

    /// An intent satisfied fully or partially by an economic event or commitment.
    async fn satisfies(&self, ctx: &Context<'_>) -> Result<Intent> {
        let intent = ctx.load(self.0.satisfies).await?.map(Intent);
        Ok(intent.ok_or_else(|| PersistenceError::not_found("intent", self.0.satisfies))?)
    }

    /// A commitment or economic event fully or partially satisfying an intent.
    async fn satisfied_by(&self, ctx: &Context<'_>) -> Result<EventOrCommitment> {
        match self.0.satisfied_by {
            SatisfiedBy::Event(id) => {
                let event = ctx.load(id).await?.map(|e| EventOrCommitment::EconomicEvent(EconomicEvent(e)));
                Ok(event.ok_or_else(|| PersistenceError::not_found("economic event", id))?)
            }
            SatisfiedBy::Commitment(id) => {
                let commitment = ctx.load(id).await?.map(|c| EventOrCommitment::Commitment(Commitment(c)));
                Ok(commitment.ok_or_else(|| PersistenceError::not_found("commitment", id))?)
            }
        }
    }

    /// The amount and unit of the economic resource counted or inventoried (the satisfying
    /// event's when none was given).
    async fn resource_quantity(&self) -> Option<Measure> {
        self.0.resource_quantity.map(Measure)
    }

    /// The amount and unit of the work or use or citation effort-based action (the satisfying
    /// event's when none was given).
    async fn effort_quantity(&self) -> Option<Measure> {
        self.0.effort_quantity.map(Measure)
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

connection!(IntentConnection, IntentEdge, Intent);
connection!(SatisfactionConnection, SatisfactionEdge, Satisfaction);

/// The created or updated intent.
#[derive(SimpleObject)]
pub struct IntentResponse {
    /// The intent.
    pub intent: Intent,
}

/// The created or updated satisfaction.
#[derive(SimpleObject)]
pub struct SatisfactionResponse {
    /// The satisfaction.
    pub satisfaction: Satisfaction,
}

/// A page of intents matching `filter` (the `…intents…` connections of agents, resources
/// and specifications).
pub async fn intents_page(
    ctx: &Context<'_>,
    filter: &IntentFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<IntentConnection> {
    let page = ctx.store()?.intents(filter, &page_request(ctx, first, after, last, before)).await?;
    Ok(IntentConnection::from_page(page, Intent))
}
