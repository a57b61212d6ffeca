//! The observation layer's output types (vf-graphql modules `observation` and `process`):
//! `EconomicEvent`, `EconomicResource`, `Process`, their connections and responses.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use ovn_domain::agent::network::{Tie, Ties};
use ovn_domain::agent::{Agent as DomainAgent, AgentKind};
use ovn_domain::flow::{Direction, FlowNode};
use ovn_domain::observation::consent::TransferConsent as DomainConsent;
use ovn_domain::observation::{
    EconomicEvent as DomainEvent, EconomicResource as DomainResource, Process as DomainProcess,
    PropertyRegime as DomainRegime,
};
use ovn_domain::planning::{Commitment as DomainCommitment, Fulfillment as DomainFulfillment};
use ovn_domain::{Action as DomainAction, AgentId, EconomicResourceId, ProcessId, UnitId};
use ovn_persistence::intent::IntentFilter;
use ovn_persistence::observation::{EventFilter, PendingTransfer, ProcessFilter, ResourceFilter};
use ovn_persistence::planning::CommitmentFilter;
use ovn_persistence::{PageRequest, PersistenceError};

use crate::action::Action;
use crate::agent::objects::{AccountingScope, Agent, AgentConnection, agent_page, load_agent, load_scopes};
use crate::claim::objects::Settlement;
use crate::connection;
use crate::context::ContextExt;
use crate::error::Result;
use crate::flow::objects::{ProductionFlowItem, TrackTraceItem};
use crate::flow::query::{event_items, neighbour_processes, production_items, step, walk};
use crate::intent::objects::{Intent, IntentConnection, Satisfaction, intents_page};
use crate::knowledge::objects::{Measure, ProcessSpecification, ResourceSpecification, Unit};
use crate::loaders::{
    AccessRuleOf, CommittedInputsOf, CommittedOutputsOf, ConsentOf, CorrectionsOf, FulfillmentsBy, InputsOf,
    IntendedInputsOf, IntendedOutputsOf, OutputsOf, SatisfactionsBy, SettlementsBy, TiesAbove, TiesOf,
};
use crate::pagination::page_request;
use crate::planning::objects::{Agreement, Commitment, CommitmentConnection, Fulfillment, Plan, commitments_page};
use crate::scalars::{DateTime, Uri};
use crate::sharing::access::objects::AccessRule;

/// How a resource is held.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PropertyRegime {
    /// Owned by its primary accountable agent.
    Private,
    /// Privately owned, shared in a pool under the owner's access rules.
    PoolOfShareables,
    /// Held by a custodian for the network, owned by nobody.
    Nondominium,
    /// Immaterial, under an open licence.
    Commons,
}

impl From<DomainRegime> for PropertyRegime {
    fn from(regime: DomainRegime) -> Self {
        match regime {
            DomainRegime::Private => Self::Private,
            DomainRegime::PoolOfShareables => Self::PoolOfShareables,
            DomainRegime::Nondominium => Self::Nondominium,
            DomainRegime::Commons => Self::Commons,
        }
    }
}

impl From<PropertyRegime> for DomainRegime {
    fn from(regime: PropertyRegime) -> Self {
        match regime {
            PropertyRegime::Private => Self::Private,
            PropertyRegime::PoolOfShareables => Self::PoolOfShareables,
            PropertyRegime::Nondominium => Self::Nondominium,
            PropertyRegime::Commons => Self::Commons,
        }
    }
}

/// OVN: where a transfer that waited for its receiver's consent stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum TransferConsent {
    /// Waiting for the receiver (or a steward of it) to accept or reject it; not in the books.
    Pending,
    /// Accepted, and recorded as an economic event under the same id.
    Accepted,
    /// Rejected; never recorded.
    Rejected,
}

impl From<DomainConsent> for TransferConsent {
    fn from(consent: DomainConsent) -> Self {
        match consent {
            DomainConsent::Pending => Self::Pending,
            DomainConsent::Accepted => Self::Accepted,
            DomainConsent::Rejected => Self::Rejected,
        }
    }
}

async fn optional_unit(ctx: &Context<'_>, unit: Option<UnitId>) -> Result<Option<Unit>> {
    match unit {
        Some(unit) => Ok(ctx.load(unit).await?.map(Unit)),
        None => Ok(None),
    }
}

/// An observed economic flow, as opposed to a flow planned to happen in the future.
#[derive(Debug, Clone)]
pub struct EconomicEvent(pub DomainEvent);

#[Object]
impl EconomicEvent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
    /// no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    /// Relates an economic event to a verb, such as consume, produce, work, improve, etc.
    async fn action(&self) -> Action {
        Action(self.0.core.action)
    }

    /// The resource the event acts on (the from side).
    async fn resource_inventoried_as(&self, ctx: &Context<'_>) -> Result<Option<EconomicResource>> {
        load_resource(ctx, self.0.core.resource_inventoried_as).await
    }

    /// The resource the event moves things into (the to side).
    async fn to_resource_inventoried_as(&self, ctx: &Context<'_>) -> Result<Option<EconomicResource>> {
        load_resource(ctx, self.0.core.to_resource_inventoried_as).await
    }

    /// References one or more concepts in a common taxonomy.
    async fn resource_classified_as(&self) -> Option<Vec<Uri>> {
        let list = &self.0.details.resource_classified_as;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// The amount and unit of the economic resource counted or inventoried.
    async fn resource_quantity(&self) -> Option<Measure> {
        self.0.core.resource_quantity.map(Measure)
    }

    /// The amount and unit of the work or use or citation effort-based action.
    async fn effort_quantity(&self) -> Option<Measure> {
        self.0.core.effort_quantity.map(Measure)
    }

    /// The beginning of the economic event.
    async fn has_beginning(&self) -> Option<DateTime> {
        self.0.details.has_beginning
    }

    /// The end of the economic event.
    async fn has_end(&self) -> Option<DateTime> {
        self.0.details.has_end
    }

    /// The date/time at which the economic event occurred.
    async fn has_point_in_time(&self) -> Option<DateTime> {
        self.0.details.has_point_in_time
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.details.note.as_deref()
    }

    /// Reference to an agreement between agents which specifies the rules or policies.
    async fn agreed_in(&self) -> Option<Uri> {
        self.0.details.agreed_in.as_ref().map(Uri::from)
    }

    /// The intents this event satisfies, fully or in part.
    async fn satisfies(&self, ctx: &Context<'_>) -> Result<Option<Vec<Satisfaction>>> {
        let found = ctx.load(SatisfactionsBy(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Satisfaction).collect()))
    }

    /// The claims this event settles, fully or in part.
    async fn settles(&self, ctx: &Context<'_>) -> Result<Option<Vec<Settlement>>> {
        let found = ctx.load(SettlementsBy(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Settlement).collect()))
    }

    /// References another economic event that implied this economic event.
    async fn triggered_by(&self, ctx: &Context<'_>) -> Result<Option<EconomicEvent>> {
        match self.0.details.triggered_by {
            Some(id) => Ok(ctx.load(id).await?.map(EconomicEvent)),
            None => Ok(None),
        }
    }

    /// Events are never deleted (the books are append-only): always false.
    async fn deletable(&self) -> Option<bool> {
        Some(false)
    }

    /// This economic event occurs as part of this agreement.
    async fn realization_of(&self, ctx: &Context<'_>) -> Result<Option<Agreement>> {
        match self.0.details.realization_of {
            Some(id) => Ok(ctx.load(id).await?.map(Agreement)),
            None => Ok(None),
        }
    }

    /// VF 1.0: the agreement in which this event is the reciprocal flow (what is given in
    /// return, such as the payment).
    async fn reciprocal_realization_of(&self, ctx: &Context<'_>) -> Result<Option<Agreement>> {
        match self.0.details.reciprocal_realization_of {
            Some(id) => Ok(ctx.load(id).await?.map(Agreement)),
            None => Ok(None),
        }
    }

    /// The fulfilments of commitments this event makes.
    async fn fulfills(&self, ctx: &Context<'_>) -> Result<Option<Vec<Fulfillment>>> {
        let found: Vec<DomainFulfillment> = ctx.load(FulfillmentsBy(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Fulfillment).collect()))
    }

    /// The events this one implied.
    async fn triggers(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        let filter = EventFilter { triggered_by: Some(self.0.id), ..EventFilter::default() };
        let events = ctx.store()?.events_list(&filter, 1_000).await?;
        Ok(Some(events.into_iter().map(EconomicEvent).collect()))
    }

    /// The resource or process the event came from, one step back.
    async fn previous(&self, ctx: &Context<'_>) -> Result<Option<Vec<ProductionFlowItem>>> {
        Ok(Some(production_items(step(ctx, FlowNode::Event(self.0.id), Direction::Upstream).await?)))
    }

    /// The resource or process the event leads to, one step forward.
    async fn next(&self, ctx: &Context<'_>) -> Result<Option<Vec<ProductionFlowItem>>> {
        Ok(Some(production_items(step(ctx, FlowNode::Event(self.0.id), Direction::Downstream).await?)))
    }

    /// Everything downstream of this event, depth first.
    async fn track(&self, ctx: &Context<'_>) -> Result<Option<Vec<TrackTraceItem>>> {
        Ok(Some(walk(ctx, FlowNode::Event(self.0.id), Direction::Downstream).await?))
    }

    /// Everything upstream of this event, depth first.
    async fn trace(&self, ctx: &Context<'_>) -> Result<Option<Vec<TrackTraceItem>>> {
        Ok(Some(walk(ctx, FlowNode::Event(self.0.id), Direction::Upstream).await?))
    }

    /// The economic agent from whom the actual economic event is initiated.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.core.provider).await
    }

    /// The economic agent whom the actual economic event is for.
    async fn receiver(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.core.receiver).await
    }

    /// The projects or networks the event counts in.
    async fn in_scope_of(&self, ctx: &Context<'_>) -> Result<Option<Vec<AccountingScope>>> {
        load_scopes(ctx, &self.0.details.in_scope_of).await
    }

    /// Defines the process to which this event is an input.
    async fn input_of(&self, ctx: &Context<'_>) -> Result<Option<Process>> {
        load_process(ctx, self.0.core.input_of).await
    }

    /// Defines the process for which this event is an output.
    async fn output_of(&self, ctx: &Context<'_>) -> Result<Option<Process>> {
        load_process(ctx, self.0.core.output_of).await
    }

    /// The primary resource specification or definition of an existing or potential resource.
    async fn resource_conforms_to(&self, ctx: &Context<'_>) -> Result<Option<ResourceSpecification>> {
        match self.0.details.resource_conforms_to {
            Some(id) => Ok(ctx.load(id).await?.map(ResourceSpecification)),
            None => Ok(None),
        }
    }

    /// OVN (VF 1.0 `corrects`): the event this one corrects; its quantities are signed deltas.
    async fn corrects(&self, ctx: &Context<'_>) -> Result<Option<EconomicEvent>> {
        match self.0.core.corrects {
            Some(id) => Ok(ctx.load(id).await?.map(EconomicEvent)),
            None => Ok(None),
        }
    }

    /// OVN: the events that correct this one.
    async fn corrected_by(&self, ctx: &Context<'_>) -> Result<Vec<EconomicEvent>> {
        let found: Option<Vec<DomainEvent>> = ctx.load(CorrectionsOf(self.0.id)).await?;
        Ok(found.unwrap_or_default().into_iter().map(EconomicEvent).collect())
    }

    /// OVN: what the contributor declares the contribution is worth.
    async fn declared_value(&self) -> Option<Measure> {
        self.0.details.declared_value.map(Measure)
    }

    /// OVN: whether the event is a contribution: in scope of an organization (a project or a
    /// network), provided by another agent who is an affiliate of that organization or of a
    /// network it is part of. A use of an asset in the pool of shareables is its owner's
    /// contribution, whoever provided it, so the owner is the one asked about.
    async fn is_contribution(&self, ctx: &Context<'_>) -> Result<bool> {
        let scopes = &self.0.details.in_scope_of;
        if scopes.is_empty() {
            return Ok(false);
        }
        let used = match self.0.core.resource_inventoried_as {
            Some(r) if self.0.core.action == DomainAction::Use => {
                ctx.load::<EconomicResourceId, DomainResource>(r).await?
            }
            _ => None,
        };
        let credited = self.0.contributor(used.as_ref());
        let (loaded, own, above) = futures::try_join!(
            ctx.load_many::<AgentId, DomainAgent>(scopes.iter().copied()),
            ctx.load::<TiesOf, Vec<Tie>>(TiesOf(credited)),
            ctx.load_many::<TiesAbove, Vec<Tie>>(scopes.iter().copied().map(TiesAbove)),
        )?;
        let organizations: Vec<AgentId> =
            loaded.values().filter(|a: &&DomainAgent| a.kind == AgentKind::Organization).map(|a| a.id).collect();
        let mut ties = Ties::new(own.unwrap_or_default());
        ties.extend(above.into_values().flatten());
        Ok(self.0.is_contribution(used.as_ref(), &organizations, &ties))
    }

    /// OVN: for a transfer that waited for its receiver's consent, where it stands (`PENDING`
    /// while it waits outside the books, then `ACCEPTED` or `REJECTED`); null for every event
    /// that did not wait.
    async fn consent(&self, ctx: &Context<'_>) -> Result<Option<TransferConsent>> {
        let found: Option<PendingTransfer> = ctx.load(ConsentOf(self.0.id)).await?;
        Ok(found.map(|p| p.consent.into()))
    }

    /// OVN (VF `created`): when ovn recorded the event (system time).
    async fn created(&self) -> DateTime {
        self.0.created
    }

    /// OVN: where the event happened (a SpatialThing id or free text).
    async fn at_location(&self) -> Option<&str> {
        self.0.core.at_location.as_deref()
    }

    /// OVN: where the event moved the resource to.
    async fn to_location(&self) -> Option<&str> {
        self.0.core.to_location.as_deref()
    }
}

async fn load_resource(ctx: &Context<'_>, id: Option<EconomicResourceId>) -> Result<Option<EconomicResource>> {
    match id {
        Some(id) => Ok(ctx.load(id).await?.map(EconomicResource)),
        None => Ok(None),
    }
}

async fn load_process(ctx: &Context<'_>, id: Option<ProcessId>) -> Result<Option<Process>> {
    match id {
        Some(id) => Ok(ctx.load(id).await?.map(Process)),
        None => Ok(None),
    }
}

/// A resource which is useful to people or the ecosystem.
#[derive(Debug, Clone)]
pub struct EconomicResource(pub DomainResource);

#[Object]
impl EconomicResource {
    /// The intents this resource can service.
    async fn intents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<IntentConnection>> {
        let filter = IntentFilter { resource_inventoried_as: Some(self.0.id), ..IntentFilter::default() };
        intents_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
    /// no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    /// An informal or formal textual identifier for an item.
    async fn name(&self) -> Option<&str> {
        self.0.details.name.as_deref()
    }

    /// References one or more concepts in a common taxonomy.
    async fn classified_as(&self) -> Option<Vec<Uri>> {
        let list = &self.0.details.classified_as;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// Sometimes called serial number, used when each item must have a traceable identifier.
    async fn tracking_identifier(&self) -> Option<&str> {
        self.0.details.tracking_identifier.as_deref()
    }

    /// The uri to an image relevant to the entity.
    async fn image(&self) -> Option<Uri> {
        self.0.details.image.as_ref().map(Uri::from)
    }

    /// URI addresses to images relevant to the resource.
    async fn image_list(&self) -> Option<Vec<Uri>> {
        let list = &self.0.details.image_list;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// What `primaryAccountable` has rights to (derived from events).
    async fn accounting_quantity(&self) -> Option<Measure> {
        Some(Measure(ovn_domain::Measure::new(self.0.state.accounting_quantity, self.0.state.unit)))
    }

    /// What the custodian physically holds (derived from events).
    async fn onhand_quantity(&self) -> Option<Measure> {
        Some(Measure(ovn_domain::Measure::new(self.0.state.onhand_quantity, self.0.state.unit)))
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.details.note.as_deref()
    }

    /// The unit used for use or work or cite effort.
    async fn unit_of_effort(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        optional_unit(ctx, self.0.details.unit_of_effort).await
    }

    /// The state of the resource, when it is an action id such as `pass` or `fail`.
    async fn state(&self) -> Option<Action> {
        self.0.state.state.as_deref().and_then(|s| DomainAction::parse(s).ok()).map(Action)
    }

    /// Used when a stock economic resource contains items also defined as economic resources.
    async fn contained_in(&self, ctx: &Context<'_>) -> Result<Option<EconomicResource>> {
        load_resource(ctx, self.0.state.contained_in).await
    }

    /// The resources packed in this one.
    async fn contains(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicResource>>> {
        let filter = ResourceFilter { contained_in: Some(self.0.id), ..ResourceFilter::default() };
        let request = PageRequest { first: Some(100), ..Default::default() };
        let page = ctx.store()?.resources(&filter, &request).await?;
        Ok(Some(page.items.into_iter().map(|(_, r)| EconomicResource(r)).collect()))
    }

    /// All events that have this resource on either side.
    async fn economic_events_in_out_from(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<EconomicEventConnection>> {
        let filter = EventFilter { resource: Some(self.0.id), ..EventFilter::default() };
        events_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// All events that move things into this resource.
    async fn economic_events_to(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<EconomicEventConnection>> {
        let filter = EventFilter { to_resource: Some(self.0.id), ..EventFilter::default() };
        events_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// The events that brought the resource to where it is, one step back.
    async fn previous(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        Ok(Some(event_items(step(ctx, FlowNode::Resource(self.0.id), Direction::Upstream).await?)))
    }

    /// The events that took the resource further, one step forward.
    async fn next(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        Ok(Some(event_items(step(ctx, FlowNode::Resource(self.0.id), Direction::Downstream).await?)))
    }

    /// Everything downstream of the resource, depth first.
    async fn track(&self, ctx: &Context<'_>) -> Result<Option<Vec<TrackTraceItem>>> {
        Ok(Some(walk(ctx, FlowNode::Resource(self.0.id), Direction::Downstream).await?))
    }

    /// Everything upstream of the resource, depth first.
    async fn trace(&self, ctx: &Context<'_>) -> Result<Option<Vec<TrackTraceItem>>> {
        Ok(Some(walk(ctx, FlowNode::Resource(self.0.id), Direction::Upstream).await?))
    }

    /// The agent currently with primary rights and responsibilities for the resource.
    async fn primary_accountable(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.state.primary_accountable {
            Some(agent) => Ok(Some(load_agent(ctx, agent).await?)),
            None => Ok(None),
        }
    }

    /// References the ProcessSpecification of the last process the resource came out of.
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<ProcessSpecification>> {
        match self.0.state.stage {
            Some(id) => Ok(ctx.load(id).await?.map(ProcessSpecification)),
            None => Ok(None),
        }
    }

    /// The primary resource specification of the resource.
    async fn conforms_to(&self, ctx: &Context<'_>) -> Result<ResourceSpecification> {
        let spec = ctx.load(self.0.conforms_to).await?.map(ResourceSpecification);
        Ok(spec.ok_or_else(|| PersistenceError::not_found("resource specification", self.0.conforms_to))?)
    }

    /// OVN: the agent who holds the resource now (follows custody, as `onhandQuantity` does).
    async fn custodian(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.state.custodian {
            Some(agent) => Ok(Some(load_agent(ctx, agent).await?)),
            None => Ok(None),
        }
    }

    /// OVN: how the resource is held.
    async fn property_regime(&self) -> PropertyRegime {
        self.0.details.property_regime.into()
    }

    /// OVN: what one unit of use of the resource is worth (pooled equipment).
    async fn value_per_unit_of_use(&self) -> Option<Measure> {
        self.0.details.value_per_unit_of_use.map(Measure)
    }

    /// OVN: the access rule in force: the resource's own, else its specification's; empty
    /// when neither has one (then only its owner and custodian use it). Every version is in
    /// `accessRuleHistory`.
    async fn access_rules(&self, ctx: &Context<'_>) -> Result<Vec<AccessRule>> {
        let rule = ctx.load(AccessRuleOf(self.0.id, self.0.conforms_to)).await?;
        Ok(rule.map(AccessRule).into_iter().collect())
    }

    /// The commitments about this resource.
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<CommitmentConnection>> {
        let filter = CommitmentFilter { resource_inventoried_as: Some(self.0.id), ..CommitmentFilter::default() };
        commitments_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// OVN: where the resource is now (a SpatialThing id or free text).
    async fn current_location(&self) -> Option<&str> {
        self.0.state.current_location.as_deref()
    }
}

/// An activity that changes inputs into outputs.
#[derive(Debug, Clone)]
pub struct Process(pub DomainProcess);

#[Object]
impl Process {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
    /// no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    /// An informal or formal textual identifier for a process.
    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// The planned beginning of the process.
    async fn has_beginning(&self) -> Option<DateTime> {
        self.0.has_beginning
    }

    /// The planned end of the process.
    async fn has_end(&self) -> Option<DateTime> {
        self.0.has_end
    }

    /// The process is complete or not.
    async fn finished(&self) -> Option<bool> {
        Some(self.0.finished)
    }

    /// References one or more concepts in a common taxonomy.
    async fn classified_as(&self) -> Option<Vec<Uri>> {
        let list = &self.0.classified_as;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The processes that take this one's outputs as inputs.
    async fn next_processes(&self, ctx: &Context<'_>) -> Result<Option<Vec<Process>>> {
        neighbour_processes(ctx, self.0.id, Direction::Downstream).await.map(Some)
    }

    /// The processes whose outputs this one takes as inputs.
    async fn previous_processes(&self, ctx: &Context<'_>) -> Result<Option<Vec<Process>>> {
        neighbour_processes(ctx, self.0.id, Direction::Upstream).await.map(Some)
    }

    /// Whether the process can still be deleted (it has no recorded events and no
    /// commitments).
    async fn deletable(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let inputs: Option<Vec<DomainEvent>> = ctx.load(InputsOf(self.0.id)).await?;
        let outputs: Option<Vec<DomainEvent>> = ctx.load(OutputsOf(self.0.id)).await?;
        let committed_in: Option<Vec<DomainCommitment>> = ctx.load(CommittedInputsOf(self.0.id)).await?;
        let committed_out: Option<Vec<DomainCommitment>> = ctx.load(CommittedOutputsOf(self.0.id)).await?;
        let intended_inputs = ctx.load(IntendedInputsOf(self.0.id)).await?.unwrap_or_default();
        let intended_outputs = ctx.load(IntendedOutputsOf(self.0.id)).await?.unwrap_or_default();
        Ok(Some(
            inputs.unwrap_or_default().is_empty()
                && outputs.unwrap_or_default().is_empty()
                && committed_in.unwrap_or_default().is_empty()
                && committed_out.unwrap_or_default().is_empty()
                && intended_inputs.is_empty()
                && intended_outputs.is_empty(),
        ))
    }

    /// Every agent with an event in the process.
    async fn involved_agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<AgentConnection>> {
        let request = page_request(ctx, first, after, last, before);
        agents_of_process(ctx, self.0.id, false, &request).await.map(Some)
    }

    /// The agents who worked in the process.
    async fn working_agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<AgentConnection>> {
        let request = page_request(ctx, first, after, last, before);
        agents_of_process(ctx, self.0.id, true, &request).await.map(Some)
    }

    /// The projects or networks the process is part of.
    async fn in_scope_of(&self, ctx: &Context<'_>) -> Result<Option<Vec<AccountingScope>>> {
        load_scopes(ctx, &self.0.in_scope_of).await
    }

    /// The intents planned to go into this process.
    async fn intended_inputs(&self, ctx: &Context<'_>) -> Result<Option<Vec<Intent>>> {
        let found = ctx.load(IntendedInputsOf(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Intent).collect()))
    }

    /// The intents planned to come out of this process.
    async fn intended_outputs(&self, ctx: &Context<'_>) -> Result<Option<Vec<Intent>>> {
        let found = ctx.load(IntendedOutputsOf(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Intent).collect()))
    }

    /// Inputs recorded against the process.
    async fn observed_inputs(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        let found: Option<Vec<DomainEvent>> = ctx.load(InputsOf(self.0.id)).await?;
        Ok(Some(found.unwrap_or_default().into_iter().map(EconomicEvent).collect()))
    }

    /// Outputs recorded against the process.
    async fn observed_outputs(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        let found: Option<Vec<DomainEvent>> = ctx.load(OutputsOf(self.0.id)).await?;
        Ok(Some(found.unwrap_or_default().into_iter().map(EconomicEvent).collect()))
    }

    /// Inputs recorded against the process that fulfil no commitment.
    async fn unplanned_inputs(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        let found: Option<Vec<DomainEvent>> = ctx.load(InputsOf(self.0.id)).await?;
        unplanned(ctx, found.unwrap_or_default()).await.map(Some)
    }

    /// Outputs recorded against the process that fulfil no commitment.
    async fn unplanned_outputs(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        let found: Option<Vec<DomainEvent>> = ctx.load(OutputsOf(self.0.id)).await?;
        unplanned(ctx, found.unwrap_or_default()).await.map(Some)
    }

    /// The commitments the process takes in.
    async fn committed_inputs(&self, ctx: &Context<'_>) -> Result<Option<Vec<Commitment>>> {
        let found: Vec<DomainCommitment> = ctx.load(CommittedInputsOf(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Commitment).collect()))
    }

    /// The commitments the process puts out.
    async fn committed_outputs(&self, ctx: &Context<'_>) -> Result<Option<Vec<Commitment>>> {
        let found: Vec<DomainCommitment> = ctx.load(CommittedOutputsOf(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Commitment).collect()))
    }

    /// The process with its inputs and outputs is part of the plan.
    async fn planned_within(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        match self.0.planned_within {
            Some(id) => Ok(ctx.load(id).await?.map(Plan)),
            None => Ok(None),
        }
    }

    /// The input events, one step back.
    async fn previous(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        Ok(Some(event_items(step(ctx, FlowNode::Process(self.0.id), Direction::Upstream).await?)))
    }

    /// The output events, one step forward.
    async fn next(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        Ok(Some(event_items(step(ctx, FlowNode::Process(self.0.id), Direction::Downstream).await?)))
    }

    /// The definition or specification for a process.
    async fn based_on(&self, ctx: &Context<'_>) -> Result<Option<ProcessSpecification>> {
        match self.0.based_on {
            Some(id) => Ok(ctx.load(id).await?.map(ProcessSpecification)),
            None => Ok(None),
        }
    }

    /// OVN: everything downstream of the process.
    async fn track(&self, ctx: &Context<'_>) -> Result<Vec<TrackTraceItem>> {
        walk(ctx, FlowNode::Process(self.0.id), Direction::Downstream).await
    }

    /// OVN: everything upstream of the process.
    async fn trace(&self, ctx: &Context<'_>) -> Result<Vec<TrackTraceItem>> {
        walk(ctx, FlowNode::Process(self.0.id), Direction::Upstream).await
    }
}

/// The events of `events` that fulfil no commitment (their fulfilments load in one batch).
async fn unplanned(ctx: &Context<'_>, events: Vec<DomainEvent>) -> Result<Vec<EconomicEvent>> {
    let fulfilments: HashMap<FulfillmentsBy, Vec<DomainFulfillment>> =
        ctx.load_many(events.iter().map(|e| FulfillmentsBy(e.id))).await?;
    Ok(events
        .into_iter()
        .filter(|e| fulfilments.get(&FulfillmentsBy(e.id)).is_none_or(Vec::is_empty))
        .map(EconomicEvent)
        .collect())
}

async fn agents_of_process(
    ctx: &Context<'_>,
    id: ProcessId,
    working_only: bool,
    request: &PageRequest,
) -> Result<AgentConnection> {
    let inputs: Option<Vec<DomainEvent>> = ctx.load(InputsOf(id)).await?;
    let outputs: Option<Vec<DomainEvent>> = ctx.load(OutputsOf(id)).await?;
    let mut agents: Vec<AgentId> = Vec::new();
    for event in inputs.unwrap_or_default().iter().chain(outputs.unwrap_or_default().iter()) {
        if working_only && event.core.action != DomainAction::Work {
            continue;
        }
        agents.extend([event.core.provider, event.core.receiver]);
    }
    agent_page(ctx, agents, request).await
}

/// A page of events.
pub async fn events_page(
    ctx: &Context<'_>,
    filter: &EventFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<EconomicEventConnection> {
    let request = page_request(ctx, first, after, last, before);
    let page = ctx.store()?.events(filter, &request).await?;
    Ok(EconomicEventConnection::from_page(page, EconomicEvent))
}

/// A page of resources.
pub async fn resources_page(
    ctx: &Context<'_>,
    filter: &ResourceFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<EconomicResourceConnection> {
    let request = page_request(ctx, first, after, last, before);
    let page = ctx.store()?.resources(filter, &request).await?;
    Ok(EconomicResourceConnection::from_page(page, EconomicResource))
}

/// A page of processes.
pub async fn processes_page(
    ctx: &Context<'_>,
    filter: &ProcessFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<ProcessConnection> {
    let request = page_request(ctx, first, after, last, before);
    let page = ctx.store()?.processes(filter, &request).await?;
    Ok(ProcessConnection::from_page(page, Process))
}

connection!(EconomicEventConnection, EconomicEventEdge, EconomicEvent);
connection!(EconomicResourceConnection, EconomicResourceEdge, EconomicResource);
connection!(ProcessConnection, ProcessEdge, Process);

/// The recorded event, and the resource it created or acted on.
#[derive(SimpleObject)]
pub struct EconomicEventResponse {
    /// Details of the newly created event.
    pub economic_event: EconomicEvent,
    /// The resource the event created (`newInventoriedResource`), else the one it acted on.
    pub economic_resource: Option<EconomicResource>,
}

/// The updated resource.
#[derive(SimpleObject)]
pub struct EconomicResourceResponse {
    /// The resource.
    pub economic_resource: EconomicResource,
}

/// The created or updated process.
#[derive(SimpleObject)]
pub struct ProcessResponse {
    /// The process.
    pub process: Process,
}

/// An event by id, through the event loader; `NOT_FOUND` when there is none.
pub async fn load_event(ctx: &Context<'_>, id: ovn_domain::EconomicEventId) -> Result<EconomicEvent> {
    let event = ctx.load(id).await?.map(EconomicEvent);
    Ok(event.ok_or_else(|| ovn_persistence::PersistenceError::not_found("economic event", id))?)
}
