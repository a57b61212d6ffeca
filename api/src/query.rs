//! The root `Query`: reads are open to everyone (an OVN is transparent).

use async_graphql::{Context, ID, Object};
use ovn_domain::agent::AgentKind;
use ovn_domain::{
    Action as DomainAction, AgentId, AgentRelationshipId, AgentRelationshipRoleId, ProcessSpecificationId,
    ResourceSpecificationId, UnitId,
};
use ovn_persistence::agent::RelationshipFilter;

use crate::context::{ContextExt, Viewer};
use crate::error::{ApiError, Result, gql};
use crate::types::action::Action;
use crate::types::agent::{
    Agent, AgentConnection, AgentRelationship, AgentRelationshipConnection, AgentRelationshipRole,
    AgentRelationshipRoleConnection, Organization, OrganizationConnection, Person, PersonConnection,
};
use crate::types::knowledge::{
    ProcessSpecification, ProcessSpecificationConnection, ResourceSpecification, ResourceSpecificationConnection, Unit,
    UnitConnection,
};
use crate::types::page_request;

/// Parses an id argument; a malformed id is `BAD_INPUT`, not "not found".
pub fn parse_id<T>(id: &ID, parse: impl Fn(&str) -> std::result::Result<T, ovn_domain::DomainError>) -> Result<T> {
    parse(id.as_str()).map_err(gql)
}

/// Reads of the knowledge layer and the agent module.
#[derive(Default)]
pub struct KnowledgeQuery;

#[Object]
impl KnowledgeQuery {
    /// One action of the VF action table, by either spelling of its id.
    async fn action(&self, id: ID) -> Option<Action> {
        DomainAction::parse(id.as_str()).ok().map(Action)
    }

    /// The whole VF 1.0 action table.
    async fn actions(&self) -> Option<Vec<Action>> {
        Some(DomainAction::ALL.iter().copied().map(Action).collect())
    }

    /// Loads details of the currently authenticated REA agent.
    async fn my_agent(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        let agent = match ctx.data_opt::<Viewer>() {
            Some(Viewer::Agent(agent)) => *agent,
            Some(Viewer::Invalid(reason)) => return Err(gql(ApiError::Unauthenticated(reason.clone()))),
            _ => return Ok(None),
        };
        Ok(ctx.load(agent).await?.map(Agent::from))
    }

    /// Find an agent (person or organization) by its ID.
    async fn agent(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Agent>> {
        Ok(ctx.load(parse_id(&id, AgentId::parse)?).await?.map(Agent::from))
    }

    /// Loads all agents publicly registered within this collaboration space.
    async fn agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<AgentConnection> {
        let page = ctx.store()?.agents(None, &page_request(ctx, first, after, last, before)).await.map_err(gql)?;
        Ok(AgentConnection::from_page(page, Agent::from))
    }

    /// Find an organization (group) agent by its ID.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Organization>> {
        let agent: Option<ovn_domain::agent::Agent> = ctx.load(parse_id(&id, AgentId::parse)?).await?;
        Ok(agent.filter(|a| a.kind == AgentKind::Organization).map(Organization))
    }

    /// Loads all organizations publicly registered within this collaboration space.
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<OrganizationConnection> {
        let request = page_request(ctx, first, after, last, before);
        let page = ctx.store()?.agents(Some(AgentKind::Organization), &request).await.map_err(gql)?;
        Ok(OrganizationConnection::from_page(page, Organization))
    }

    /// Find a person by their ID.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Person>> {
        let agent: Option<ovn_domain::agent::Agent> = ctx.load(parse_id(&id, AgentId::parse)?).await?;
        Ok(agent.filter(|a| a.kind == AgentKind::Person).map(Person))
    }

    /// Loads all people who have publicly registered with this collaboration space.
    async fn people(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PersonConnection> {
        let request = page_request(ctx, first, after, last, before);
        let page = ctx.store()?.agents(Some(AgentKind::Person), &request).await.map_err(gql)?;
        Ok(PersonConnection::from_page(page, Person))
    }

    /// Retrieve details of an agent relationship by its ID.
    async fn agent_relationship(&self, ctx: &Context<'_>, id: ID) -> Result<Option<AgentRelationship>> {
        let id = parse_id(&id, AgentRelationshipId::parse)?;
        let mut found = ctx.store()?.relationships_by_id(&[id]).await.map_err(gql)?;
        Ok(found.remove(&id).map(AgentRelationship))
    }

    /// Retrieve details of all the relationships between all agents.
    async fn agent_relationships(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<AgentRelationshipConnection> {
        let request = page_request(ctx, first, after, last, before);
        let page = ctx.store()?.relationships(RelationshipFilter::All, &request).await.map_err(gql)?;
        Ok(AgentRelationshipConnection::from_page(page, AgentRelationship))
    }

    /// Retrieve details of an agent relationship role by its ID.
    async fn agent_relationship_role(&self, ctx: &Context<'_>, id: ID) -> Result<Option<AgentRelationshipRole>> {
        Ok(ctx.load(parse_id(&id, AgentRelationshipRoleId::parse)?).await?.map(AgentRelationshipRole))
    }

    /// Retrieve all possible kinds of associations that agents may have with one another.
    async fn agent_relationship_roles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<AgentRelationshipRoleConnection> {
        let request = page_request(ctx, first, after, last, before);
        let page = ctx.store()?.relationship_roles(&request).await.map_err(gql)?;
        Ok(AgentRelationshipRoleConnection::from_page(page, AgentRelationshipRole))
    }

    /// One unit.
    async fn unit(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Unit>> {
        Ok(ctx.load(parse_id(&id, UnitId::parse)?).await?.map(Unit))
    }

    /// All units.
    async fn units(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<UnitConnection> {
        let page = ctx.store()?.units(&page_request(ctx, first, after, last, before)).await.map_err(gql)?;
        Ok(UnitConnection::from_page(page, Unit))
    }

    /// One process specification.
    async fn process_specification(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ProcessSpecification>> {
        Ok(ctx.load(parse_id(&id, ProcessSpecificationId::parse)?).await?.map(ProcessSpecification))
    }

    /// All process specifications.
    async fn process_specifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProcessSpecificationConnection> {
        let request = page_request(ctx, first, after, last, before);
        let page = ctx.store()?.process_specifications(&request).await.map_err(gql)?;
        Ok(ProcessSpecificationConnection::from_page(page, ProcessSpecification))
    }

    /// One resource specification.
    async fn resource_specification(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ResourceSpecification>> {
        Ok(ctx.load(parse_id(&id, ResourceSpecificationId::parse)?).await?.map(ResourceSpecification))
    }

    /// All resource specifications.
    async fn resource_specifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ResourceSpecificationConnection> {
        let request = page_request(ctx, first, after, last, before);
        let page = ctx.store()?.resource_specifications(&request).await.map_err(gql)?;
        Ok(ResourceSpecificationConnection::from_page(page, ResourceSpecification))
    }
}

use crate::types::observation::{
    EconomicEvent, EconomicEventConnection, EconomicEventFilterParams, EconomicResource, EconomicResourceConnection,
    FlowDirection, Process, ProcessConnection, ProcessFilterParams, ProcessTree, events_page, process_tree,
    processes_page, resources_page,
};
use ovn_domain::{EconomicEventId, EconomicResourceId, ProcessId};
use ovn_persistence::observation::{EventFilter, ProcessFilter, ResourceFilter};

fn unsupported<T>(value: &Option<T>, field: &str) -> Result<()> {
    match value {
        Some(_) => Err(gql(ovn_domain::DomainError::invalid(field, "is not supported yet"))),
        None => Ok(()),
    }
}

/// Converts vf-graphql's event filter into the store's.
pub fn event_filter(filter: Option<EconomicEventFilterParams>) -> Result<EventFilter> {
    let Some(filter) = filter else { return Ok(EventFilter::default()) };
    unsupported(&filter.search_string, "searchString")?;
    unsupported(&filter.resource_classified_as, "resourceClassifiedAs")?;
    let agents = |list: &Option<Vec<ID>>| -> Result<Vec<AgentId>> {
        list.iter().flatten().map(|id| parse_id(id, AgentId::parse)).collect()
    };
    Ok(EventFilter {
        provider: agents(&filter.provider_id)?,
        receiver: agents(&filter.receiver_id)?,
        action: filter
            .action
            .iter()
            .flatten()
            .map(|id| DomainAction::parse(id.as_str()).map_err(gql))
            .collect::<Result<_>>()?,
        in_scope_of: filter.in_scope_of.as_ref().map(|id| parse_id(id, AgentId::parse)).transpose()?,
        start_date: filter.start_date,
        end_date: filter.end_date,
        ..EventFilter::default()
    })
}

/// Reads of the observation and process modules.
#[derive(Default)]
pub struct ObservationQuery;

#[Object]
impl ObservationQuery {
    /// One economic event.
    async fn economic_event(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EconomicEvent>> {
        Ok(ctx.load(parse_id(&id, EconomicEventId::parse)?).await?.map(EconomicEvent))
    }

    /// Economic events, oldest first.
    async fn economic_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<EconomicEventFilterParams>,
    ) -> Result<EconomicEventConnection> {
        events_page(ctx, &event_filter(filter)?, first, after, last, before).await
    }

    /// One economic resource.
    async fn economic_resource(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EconomicResource>> {
        Ok(ctx.load(parse_id(&id, EconomicResourceId::parse)?).await?.map(EconomicResource))
    }

    /// Economic resources.
    async fn economic_resources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<EconomicResourceConnection> {
        resources_page(ctx, &ResourceFilter::default(), first, after, last, before).await
    }

    /// One process.
    async fn process(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Process>> {
        Ok(ctx.load(parse_id(&id, ProcessId::parse)?).await?.map(Process))
    }

    /// Processes.
    async fn processes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProcessFilterParams>,
    ) -> Result<ProcessConnection> {
        let filter = filter.unwrap_or_default();
        unsupported(&filter.search_string, "searchString")?;
        unsupported(&filter.classified_as, "classifiedAs")?;
        unsupported(&filter.start_date, "startDate")?;
        unsupported(&filter.end_date, "endDate")?;
        let in_scope_of = match filter.in_scope_of.as_deref() {
            Some([one]) => Some(parse_id(one, AgentId::parse)?),
            Some([]) | None => None,
            Some(_) => return Err(gql(ovn_domain::DomainError::invalid("inScopeOf", "give one scope"))),
        };
        let filter = ProcessFilter { finished: filter.finished, in_scope_of, ..ProcessFilter::default() };
        processes_page(ctx, &filter, first, after, last, before).await
    }

    /// OVN: how value amalgamates into a resource (UPSTREAM) or where it went (DOWNSTREAM):
    /// the resources, processes and events of its flow tree, with quantities, for drawing.
    async fn process_tree(
        &self,
        ctx: &Context<'_>,
        resource: ID,
        direction: Option<FlowDirection>,
        max_depth: Option<i32>,
    ) -> Result<ProcessTree> {
        let resource = parse_id(&resource, EconomicResourceId::parse)?;
        if ctx.load::<_, ovn_domain::observation::EconomicResource>(resource).await?.is_none() {
            return Err(gql(ovn_persistence::PersistenceError::not_found("economic resource", resource)));
        }
        let max_depth = match max_depth {
            Some(d) if d < 0 => return Err(gql(ovn_domain::DomainError::invalid("maxDepth", "must not be negative"))),
            Some(d) => Some(u32::try_from(d).unwrap_or(0)),
            None => None,
        };
        process_tree(ctx, resource, direction.unwrap_or(FlowDirection::Upstream), max_depth).await
    }
}
