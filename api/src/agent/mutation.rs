//! Writes of the agent module. Any authenticated agent may create people, organizations,
//! roles and relationships of its own roles; the OVN relationships (affiliation, stewardship,
//! ...) follow [`ovn_domain::agent::network`]'s rules, and who may change or delete a person
//! is [`ovn_domain::permission`]'s answer.

use async_graphql::{Context, ID, Object};
use ovn_domain::agent::{AgentKind, AgentProfile};
use ovn_domain::permission::{may_delete_person, may_update_person};
use ovn_domain::{AgentId, AgentRelationshipId, AgentRelationshipRoleId};
use ovn_persistence::agent::{AgentPatch, RelationshipPatch, RolePatch};

use super::inputs::{
    AgentCreateParams, AgentRelationshipCreateParams, AgentRelationshipRoleCreateParams,
    AgentRelationshipRoleUpdateParams, AgentRelationshipUpdateParams, AgentUpdateParams, OrganizationCreateParams,
    OrganizationUpdateParams,
};
use super::objects::{
    AgentRelationship, AgentRelationshipResponse, AgentRelationshipRole, AgentRelationshipRoleResponse, Organization,
    OrganizationResponse, Person, PersonResponse,
};
use crate::context::ContextExt;
use crate::convert::{Update, idempotency, revision};
use crate::error::Result;

/// Writes of the agent module.
#[derive(Default)]
pub struct AgentMutation;

#[Object]
impl AgentMutation {
    /// Registers a new (human) person with the collaboration space.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        person: AgentCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<PersonResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createPerson", &person)?;
        let profile = AgentProfile::try_from(person)?;
        let outcome = ctx.store()?.create_agent(AgentKind::Person, profile, idem.as_ref()).await?;
        Ok(PersonResponse { agent: Person(outcome) })
    }

    /// Update profile details.
    async fn update_person(&self, ctx: &Context<'_>, person: AgentUpdateParams) -> Result<PersonResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<AgentId, AgentPatch>::try_from(person)?;
        may_update_person(actor, revision.id)?;
        let agent = ctx.store()?.update_agent(AgentKind::Person, revision, changes).await?;
        Ok(PersonResponse { agent: Person(agent) })
    }

    /// Erase record of a person and thus remove them from the collaboration space.
    async fn delete_person(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        let revision = revision(&revision_id, AgentId::parse)?;
        may_delete_person(actor, revision.id)?;
        ctx.store()?.delete_agent(AgentKind::Person, revision).await?;
        Ok(true)
    }

    /// Registers a new organization (group agent) with the collaboration space.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        organization: OrganizationCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<OrganizationResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createOrganization", &organization)?;
        let profile = AgentProfile::try_from(organization)?;
        let outcome = ctx.store()?.create_agent(AgentKind::Organization, profile, idem.as_ref()).await?;
        Ok(OrganizationResponse { agent: Organization(outcome) })
    }

    /// Update organization profile details.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        organization: OrganizationUpdateParams,
    ) -> Result<OrganizationResponse> {
        ctx.require_agent()?;
        let Update { revision, changes } = Update::<AgentId, AgentPatch>::try_from(organization)?;
        let agent = ctx.store()?.update_agent(AgentKind::Organization, revision, changes).await?;
        Ok(OrganizationResponse { agent: Organization(agent) })
    }

    /// Erase record of an organization (refused while anything refers to it).
    async fn delete_organization(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        ctx.store()?.delete_agent(AgentKind::Organization, revision(&revision_id, AgentId::parse)?).await?;
        Ok(true)
    }

    /// Relates two agents.
    async fn create_agent_relationship(
        &self,
        ctx: &Context<'_>,
        relationship: AgentRelationshipCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<AgentRelationshipResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createAgentRelationship", &relationship)?;
        let command = RelationshipPatch::try_from(relationship)?;
        let created = ctx.store()?.create_relationship(actor, command, idem.as_ref()).await?;
        Ok(AgentRelationshipResponse { agent_relationship: AgentRelationship(created) })
    }

    /// Changes a relationship.
    async fn update_agent_relationship(
        &self,
        ctx: &Context<'_>,
        relationship: AgentRelationshipUpdateParams,
    ) -> Result<AgentRelationshipResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<AgentRelationshipId, RelationshipPatch>::try_from(relationship)?;
        let updated = ctx.store()?.update_relationship(actor, revision, changes).await?;
        Ok(AgentRelationshipResponse { agent_relationship: AgentRelationship(updated) })
    }

    /// Removes a relationship.
    async fn delete_agent_relationship(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_relationship(actor, revision(&revision_id, AgentRelationshipId::parse)?).await?;
        Ok(true)
    }

    /// Defines a kind of relationship.
    async fn create_agent_relationship_role(
        &self,
        ctx: &Context<'_>,
        agent_relationship_role: AgentRelationshipRoleCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<AgentRelationshipRoleResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createAgentRelationshipRole", &agent_relationship_role)?;
        let command = RolePatch::try_from(agent_relationship_role)?;
        let outcome = ctx.store()?.create_relationship_role(command, idem.as_ref()).await?;
        let role = outcome;
        Ok(AgentRelationshipRoleResponse { agent_relationship_role: Some(AgentRelationshipRole(role)) })
    }

    /// Changes a kind of relationship.
    async fn update_agent_relationship_role(
        &self,
        ctx: &Context<'_>,
        agent_relationship_role: AgentRelationshipRoleUpdateParams,
    ) -> Result<AgentRelationshipRoleResponse> {
        ctx.require_agent()?;
        let Update { revision, changes } =
            Update::<AgentRelationshipRoleId, RolePatch>::try_from(agent_relationship_role)?;
        let role = ctx.store()?.update_relationship_role(revision, changes).await?;
        Ok(AgentRelationshipRoleResponse { agent_relationship_role: Some(AgentRelationshipRole(role)) })
    }

    /// Removes a kind of relationship (refused while relationships use it).
    async fn delete_agent_relationship_role(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        ctx.store()?.delete_relationship_role(revision(&revision_id, AgentRelationshipRoleId::parse)?).await?;
        Ok(true)
    }
}
