//! The root `Query`: reads are open to everyone (an OVN is transparent).

use async_graphql::{Context, ID, Object};
use ovn_domain::agent::AgentKind;
use ovn_domain::{
    Action as DomainAction, AgentId, AgentRelationshipId, AgentRelationshipRoleId, ProcessSpecificationId,
    ResourceSpecificationId, UnitId,
};
use ovn_persistence::knowledge::RelationshipFilter;

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
