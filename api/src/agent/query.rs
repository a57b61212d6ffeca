//! Reads of the agent module: people, organizations, relationships and their roles.

use async_graphql::{Context, ID, Object};
use ovn_domain::agent::{Agent as DomainAgent, AgentKind};
use ovn_domain::{AgentId, AgentRelationshipId, AgentRelationshipRoleId};
use ovn_persistence::agent::RelationshipFilter;

use super::objects::{
    Agent, AgentConnection, AgentRelationship, AgentRelationshipConnection, AgentRelationshipRole,
    AgentRelationshipRoleConnection, Organization, OrganizationConnection, Person, PersonConnection,
};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;
use crate::pagination::page_request;

/// Reads of the agent module.
#[derive(Default)]
pub struct AgentQuery;

#[Object]
impl AgentQuery {
    /// Loads details of the currently authenticated REA agent.
    async fn my_agent(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        let Some(agent) = ctx.viewer_agent()? else { return Ok(None) };
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
        let page = ctx.store()?.agents(None, &page_request(ctx, first, after, last, before)).await?;
        Ok(AgentConnection::from_page(page, Agent::from))
    }

    /// Find an organization (group) agent by its ID.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Organization>> {
        let agent: Option<DomainAgent> = ctx.load(parse_id(&id, AgentId::parse)?).await?;
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
        let page = ctx.store()?.agents(Some(AgentKind::Organization), &request).await?;
        Ok(OrganizationConnection::from_page(page, Organization))
    }

    /// Find a person by their ID.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Person>> {
        let agent: Option<DomainAgent> = ctx.load(parse_id(&id, AgentId::parse)?).await?;
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
        let page = ctx.store()?.agents(Some(AgentKind::Person), &request).await?;
        Ok(PersonConnection::from_page(page, Person))
    }

    /// Retrieve details of an agent relationship by its ID.
    async fn agent_relationship(&self, ctx: &Context<'_>, id: ID) -> Result<Option<AgentRelationship>> {
        let id = parse_id(&id, AgentRelationshipId::parse)?;
        let mut found = ctx.store()?.relationships_by_id(&[id]).await?;
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
        let page = ctx.store()?.relationships(RelationshipFilter::All, &request).await?;
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
        let page = ctx.store()?.relationship_roles(&request).await?;
        Ok(AgentRelationshipRoleConnection::from_page(page, AgentRelationshipRole))
    }
}
