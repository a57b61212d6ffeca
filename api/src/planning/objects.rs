//! The planning layer's output types (vf-graphql modules `plan`, `agreement`, `commitment`,
//! `fulfillment`): `Plan`, `Agreement`, `Commitment`, `Fulfillment`, their connections and
//! responses. Every relation loads through the request's batching loader.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use ovn_domain::agent::Agent as DomainAgent;
use ovn_domain::observation::{EconomicEvent as DomainEvent, Process as DomainProcess};
use ovn_domain::planning::{
    Agreement as DomainAgreement, Commitment as DomainCommitment, Fulfillment as DomainFulfillment, Plan as DomainPlan,
    progress,
};
use ovn_domain::{AgentId, PlanId, ProcessId};
use ovn_persistence::PersistenceError;
use ovn_persistence::planning::{CommitmentFilter, PlanFilter};

use crate::action::Action;
use crate::agent::objects::{AccountingScope, Agent, AgentConnection, agent_page, load_agent, load_scopes};
use crate::connection;
use crate::context::ContextExt;
use crate::error::Result;
use crate::intent::objects::Satisfaction;
use crate::knowledge::objects::{Measure, ProcessSpecification, ResourceSpecification};
use crate::loaders::SatisfactionsByCommitment;
use crate::loaders::{
    ClausesOf, CommitmentsPlannedWithin, FulfillmentsBy, FulfillmentsOf, IndependentDemandsOf, ProcessesPlannedWithin,
    RealizationsOf, ReciprocalClausesOf,
};
use crate::observation::objects::{EconomicEvent, EconomicResource, Process};
use crate::pagination::page_request;
use crate::scalars::{DateTime, Uri};

/// A planned economic flow that has been promised by an agent to another agent.
#[derive(Debug, Clone)]
pub struct Commitment(pub DomainCommitment);

impl Commitment {
    async fn fulfillments(&self, ctx: &Context<'_>) -> Result<Vec<DomainFulfillment>> {
        Ok(ctx.load(FulfillmentsOf(self.0.id)).await?.unwrap_or_default())
    }

    async fn progress(&self, ctx: &Context<'_>) -> Result<Option<ovn_domain::planning::Progress>> {
        Ok(progress(&self.0, &self.fulfillments(ctx).await?))
    }
}

#[Object]
impl Commitment {
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

    /// Relates a commitment to a verb, such as consume, produce, work, improve, etc.
    async fn action(&self) -> Action {
        Action(self.0.action)
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

    /// The planned beginning of the commitment.
    async fn has_beginning(&self) -> Option<DateTime> {
        self.0.has_beginning
    }

    /// The planned end of the commitment.
    async fn has_end(&self) -> Option<DateTime> {
        self.0.has_end
    }

    /// The planned date/time for the commitment. Can be used instead of beginning and end.
    async fn has_point_in_time(&self) -> Option<DateTime> {
        self.0.has_point_in_time
    }

    /// The time something is expected to be complete.
    async fn due(&self) -> Option<DateTime> {
        self.0.due
    }

    /// The creation time of the commitment.
    async fn created(&self) -> Option<DateTime> {
        Some(self.0.created)
    }

    /// The commitment is complete or not: set so by a party, or (OVN) fully fulfilled by
    /// its fulfilments.
    async fn finished(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        if self.0.finished {
            return Ok(Some(true));
        }
        Ok(Some(self.progress(ctx).await?.is_some_and(|p| p.finished)))
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Reference to an agreement between agents which specifies the rules or policies or
    /// calculations which govern this commitment.
    async fn agreed_in(&self) -> Option<Uri> {
        self.0.agreed_in.as_ref().map(Uri::from)
    }

    /// The commitment can be safely deleted, has no dependent information (no event fulfils it).
    async fn deletable(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(self.fulfillments(ctx).await?.is_empty()))
    }

    /// The economic agent from whom the commitment is initiated.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.provider).await
    }

    /// The economic agent whom the commitment is for.
    async fn receiver(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.receiver).await
    }

    /// Grouping around something to create a boundary or context, used for documenting,
    /// accounting, planning.
    async fn in_scope_of(&self, ctx: &Context<'_>) -> Result<Option<Vec<AccountingScope>>> {
        load_scopes(ctx, &self.0.in_scope_of).await
    }

    /// The provider and the receiver.
    async fn involved_agents(&self, ctx: &Context<'_>) -> Result<Option<Vec<Agent>>> {
        let mut ids = vec![self.0.provider, self.0.receiver];
        ids.dedup();
        let mut loaded: HashMap<AgentId, DomainAgent> = ctx.load_many(ids.iter().copied()).await?;
        Ok(Some(ids.iter().filter_map(|id| loaded.remove(id)).map(Agent::from).collect()))
    }

    /// This commitment is part of the exchange agreement.
    async fn clause_of(&self, ctx: &Context<'_>) -> Result<Option<Agreement>> {
        match self.0.clause_of {
            Some(id) => Ok(ctx.load(id).await?.map(Agreement)),
            None => Ok(None),
        }
    }

    /// VF 1.0: the agreement in which this commitment is the reciprocal clause (what is given
    /// in return, such as the payment).
    async fn reciprocal_clause_of(&self, ctx: &Context<'_>) -> Result<Option<Agreement>> {
        match self.0.reciprocal_clause_of {
            Some(id) => Ok(ctx.load(id).await?.map(Agreement)),
            None => Ok(None),
        }
    }

    /// An intent satisfied fully or partially by an economic event or commitment.
    async fn satisfies(&self, ctx: &Context<'_>) -> Result<Option<Vec<Satisfaction>>> {
        let found = ctx.load(SatisfactionsByCommitment(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Satisfaction).collect()))
    }

    /// The economic event which completely or partially fulfills a commitment.
    async fn fulfilled_by(&self, ctx: &Context<'_>) -> Result<Option<Vec<Fulfillment>>> {
        Ok(Some(self.fulfillments(ctx).await?.into_iter().map(Fulfillment).collect()))
    }

    /// Exact economic resource involved in the commitment.
    async fn resource_inventoried_as(&self, ctx: &Context<'_>) -> Result<Option<EconomicResource>> {
        match self.0.resource_inventoried_as {
            Some(id) => Ok(ctx.load(id).await?.map(EconomicResource)),
            None => Ok(None),
        }
    }

    /// Represents a desired deliverable expected from this plan.
    async fn independent_demand_of(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        load_plan(ctx, self.0.independent_demand_of).await
    }

    /// The transfer commitment is part of the plan.
    async fn planned_within(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        load_plan(ctx, self.0.planned_within).await
    }

    /// References the ProcessSpecification of the last process the economic resource went
    /// through (OVN: settable on the commitment's inputs).
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<ProcessSpecification>> {
        match self.0.stage {
            Some(id) => Ok(ctx.load(id).await?.map(ProcessSpecification)),
            None => Ok(None),
        }
    }

    /// The primary resource specification or definition of an existing or potential
    /// economic resource.
    async fn resource_conforms_to(&self, ctx: &Context<'_>) -> Result<Option<ResourceSpecification>> {
        match self.0.resource_conforms_to {
            Some(id) => Ok(ctx.load(id).await?.map(ResourceSpecification)),
            None => Ok(None),
        }
    }

    /// Defines the process to which this commitment is an input.
    async fn input_of(&self, ctx: &Context<'_>) -> Result<Option<Process>> {
        load_process(ctx, self.0.input_of).await
    }

    /// Defines the process for which this commitment is an output.
    async fn output_of(&self, ctx: &Context<'_>) -> Result<Option<Process>> {
        load_process(ctx, self.0.output_of).await
    }

    /// OVN: the agent whose token recorded the commitment.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        Ok(Some(load_agent(ctx, self.0.recorded_by).await?))
    }

    /// OVN: the sum of the fulfilments' quantities, in the commitment's unit (its resource
    /// quantity, or its effort for `work`); null when the commitment has no quantity.
    async fn fulfilled_quantity(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        Ok(self.progress(ctx).await?.map(|p| Measure(p.fulfilled)))
    }

    /// OVN: what is still to deliver (committed − fulfilled, never below zero).
    async fn remaining_quantity(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        Ok(self.progress(ctx).await?.map(|p| Measure(p.remaining)))
    }

    /// OVN: what was delivered beyond the commitment (fulfilled − committed, never below
    /// zero).
    async fn over_fulfilled_quantity(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        Ok(self.progress(ctx).await?.map(|p| Measure(p.over_fulfilled)))
    }
}

async fn load_plan(ctx: &Context<'_>, id: Option<PlanId>) -> Result<Option<Plan>> {
    match id {
        Some(id) => Ok(ctx.load(id).await?.map(Plan)),
        None => Ok(None),
    }
}

async fn load_process(ctx: &Context<'_>, id: Option<ProcessId>) -> Result<Option<Process>> {
    match id {
        Some(id) => Ok(ctx.load(id).await?.map(Process)),
        None => Ok(None),
    }
}

/// Represents many-to-many relationships between commitments and economic events that fully
/// or partially satisfy one or more commitments.
#[derive(Debug, Clone)]
pub struct Fulfillment(pub DomainFulfillment);

#[Object]
impl Fulfillment {
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

    /// The economic event which completely or partially fulfills a commitment.
    async fn fulfilled_by(&self, ctx: &Context<'_>) -> Result<EconomicEvent> {
        let event: Option<DomainEvent> = ctx.load(self.0.fulfilled_by).await?;
        Ok(EconomicEvent(event.ok_or_else(|| PersistenceError::not_found("economic event", self.0.fulfilled_by))?))
    }

    /// The commitment which is completely or partially fulfilled by an economic event.
    async fn fulfills(&self, ctx: &Context<'_>) -> Result<Commitment> {
        let commitment: Option<DomainCommitment> = ctx.load(self.0.fulfills).await?;
        Ok(Commitment(commitment.ok_or_else(|| PersistenceError::not_found("commitment", self.0.fulfills))?))
    }

    /// The amount and unit of the economic resource counted or inventoried.
    async fn resource_quantity(&self) -> Option<Measure> {
        self.0.resource_quantity.map(Measure)
    }

    /// The amount and unit of the work or use or citation effort-based action.
    async fn effort_quantity(&self) -> Option<Measure> {
        self.0.effort_quantity.map(Measure)
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// A logical collection of processes that constitute a body of planned work with defined
/// deliverable(s).
#[derive(Debug, Clone)]
pub struct Plan(pub DomainPlan);

impl Plan {
    async fn all_commitments(&self, ctx: &Context<'_>) -> Result<Vec<DomainCommitment>> {
        let within: Vec<DomainCommitment> = ctx.load(CommitmentsPlannedWithin(self.0.id)).await?.unwrap_or_default();
        let demands: Vec<DomainCommitment> = ctx.load(IndependentDemandsOf(self.0.id)).await?.unwrap_or_default();
        let mut all = within;
        for c in demands {
            if !all.iter().any(|known| known.id == c.id) {
                all.push(c);
            }
        }
        Ok(all)
    }
}

#[Object]
impl Plan {
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

    /// An informal or formal textual identifier for a plan. Does not imply uniqueness.
    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// The time the plan was made.
    async fn created(&self) -> Option<DateTime> {
        self.0.created
    }

    /// The time the plan is expected to be complete.
    async fn due(&self) -> Option<DateTime> {
        self.0.due
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The plan is able to be deleted or not (no commitment or process is planned within it).
    async fn deletable(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let processes: Vec<DomainProcess> = ctx.load(ProcessesPlannedWithin(self.0.id)).await?.unwrap_or_default();
        Ok(Some(processes.is_empty() && self.all_commitments(ctx).await?.is_empty()))
    }

    /// Grouping around something to create a boundary or context, used for documenting,
    /// accounting, planning.
    async fn in_scope_of(&self, ctx: &Context<'_>) -> Result<Option<Vec<AccountingScope>>> {
        load_scopes(ctx, &self.0.in_scope_of).await
    }

    /// The providers and receivers of the plan's commitments.
    async fn involved_agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<AgentConnection>> {
        let request = page_request(ctx, first, after, last, before);
        let agents = self.all_commitments(ctx).await?.iter().flat_map(|c| [c.provider, c.receiver]).collect();
        agent_page(ctx, agents, &request).await.map(Some)
    }

    /// The deliverables expected from the plan.
    async fn independent_demands(&self, ctx: &Context<'_>) -> Result<Option<Vec<Commitment>>> {
        let found: Vec<DomainCommitment> = ctx.load(IndependentDemandsOf(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Commitment).collect()))
    }

    /// The plan's commitments that are neither inputs nor outputs of a process (transfers,
    /// deliveries).
    async fn non_process_commitments(&self, ctx: &Context<'_>) -> Result<Option<Vec<Commitment>>> {
        let found: Vec<DomainCommitment> = ctx.load(CommitmentsPlannedWithin(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().filter(|c| c.input_of.is_none() && c.output_of.is_none()).map(Commitment).collect()))
    }

    /// The processes planned within the plan.
    async fn processes(&self, ctx: &Context<'_>) -> Result<Option<Vec<Process>>> {
        let found: Vec<DomainProcess> = ctx.load(ProcessesPlannedWithin(self.0.id)).await?.unwrap_or_default();
        Ok(Some(found.into_iter().map(Process).collect()))
    }

    /// OVN: every commitment planned within the plan (its processes' included).
    async fn commitments(&self, ctx: &Context<'_>) -> Result<Vec<Commitment>> {
        let found: Vec<DomainCommitment> = ctx.load(CommitmentsPlannedWithin(self.0.id)).await?.unwrap_or_default();
        Ok(found.into_iter().map(Commitment).collect())
    }
}

/// Any type of agreement among economic agents.
#[derive(Debug, Clone)]
pub struct Agreement(pub DomainAgreement);

impl Agreement {
    async fn realizations(&self, ctx: &Context<'_>) -> Result<Vec<DomainEvent>> {
        Ok(ctx.load(RealizationsOf(self.0.id)).await?.unwrap_or_default())
    }

    async fn clauses(&self, ctx: &Context<'_>) -> Result<Vec<DomainCommitment>> {
        let mut clauses: Vec<DomainCommitment> = ctx.load(ClausesOf(self.0.id)).await?.unwrap_or_default();
        let reciprocal: Vec<DomainCommitment> = ctx.load(ReciprocalClausesOf(self.0.id)).await?.unwrap_or_default();
        for c in reciprocal {
            if !clauses.iter().any(|known| known.id == c.id) {
                clauses.push(c);
            }
        }
        Ok(clauses)
    }
}

#[Object]
impl Agreement {
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

    /// An informal or formal textual identifier for an agreement. Does not imply uniqueness.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The date and time the agreement was created.
    async fn created(&self) -> Option<DateTime> {
        self.0.created
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The providers and receivers of the agreement's commitments and events.
    async fn involved_agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<AgentConnection>> {
        let request = page_request(ctx, first, after, last, before);
        let mut agents: Vec<AgentId> = self.clauses(ctx).await?.iter().flat_map(|c| [c.provider, c.receiver]).collect();
        agents.extend(self.realizations(ctx).await?.iter().flat_map(|e| [e.core.provider, e.core.receiver]));
        agent_page(ctx, agents, &request).await.map(Some)
    }

    /// The commitments that are clauses of the agreement (its reciprocal clauses included).
    async fn commitments(&self, ctx: &Context<'_>) -> Result<Option<Vec<Commitment>>> {
        Ok(Some(self.clauses(ctx).await?.into_iter().map(Commitment).collect()))
    }

    /// The economic events that realise the agreement (`realizationOf`).
    async fn economic_events(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        Ok(Some(self.realizations(ctx).await?.into_iter().map(EconomicEvent).collect()))
    }

    /// The events that realise the agreement without fulfilling any commitment.
    async fn unplanned_economic_events(&self, ctx: &Context<'_>) -> Result<Option<Vec<EconomicEvent>>> {
        let events = self.realizations(ctx).await?;
        let fulfilments: HashMap<FulfillmentsBy, Vec<DomainFulfillment>> =
            ctx.load_many(events.iter().map(|e| FulfillmentsBy(e.id))).await?;
        Ok(Some(
            events
                .into_iter()
                .filter(|e| fulfilments.get(&FulfillmentsBy(e.id)).is_none_or(Vec::is_empty))
                .map(EconomicEvent)
                .collect(),
        ))
    }
}

/// A page of commitments.
pub async fn commitments_page(
    ctx: &Context<'_>,
    filter: &CommitmentFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<CommitmentConnection> {
    let request = page_request(ctx, first, after, last, before);
    let page = ctx.store()?.commitments(filter, &request).await?;
    Ok(CommitmentConnection::from_page(page, Commitment))
}

/// A page of plans.
pub async fn plans_page(
    ctx: &Context<'_>,
    filter: &PlanFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<PlanConnection> {
    let request = page_request(ctx, first, after, last, before);
    let page = ctx.store()?.plans(filter, &request).await?;
    Ok(PlanConnection::from_page(page, Plan))
}

connection!(PlanConnection, PlanEdge, Plan);
connection!(AgreementConnection, AgreementEdge, Agreement);
connection!(CommitmentConnection, CommitmentEdge, Commitment);
connection!(FulfillmentConnection, FulfillmentEdge, Fulfillment);

/// The created or updated plan.
#[derive(SimpleObject)]
pub struct PlanResponse {
    /// The plan.
    pub plan: Plan,
}

/// The created or updated agreement.
#[derive(SimpleObject)]
pub struct AgreementResponse {
    /// The agreement.
    pub agreement: Agreement,
}

/// The created or updated commitment.
#[derive(SimpleObject)]
pub struct CommitmentResponse {
    /// The commitment.
    pub commitment: Commitment,
}

/// The created or updated fulfilment.
#[derive(SimpleObject)]
pub struct FulfillmentResponse {
    /// The fulfilment.
    pub fulfillment: Fulfillment,
}
