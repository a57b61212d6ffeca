//! `AccessRule` (one version of the rule of a resource or a resource specification) and the
//! terms it states, which a `CHANGE_ACCESS_RULE` proposal shows too.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use ovn_domain::agent::AgentRelationshipRole as DomainRole;
use ovn_domain::sharing::access::{AccessRule as DomainRule, AccessTarget, AccessTerms};
use ovn_persistence::PersistenceError;

use crate::agent::objects::{Agent, AgentRelationshipRole, load_agent};
use crate::context::ContextExt;
use crate::error::Result;
use crate::governance::objects::GovernanceProposal;
use crate::knowledge::objects::{Measure, ResourceSpecification};
use crate::observation::objects::EconomicResource;
use crate::scalars::{DateTime, Decimal};

/// OVN: one version of the access rule of a shared resource or of a resource specification
/// (which governs every resource of it without a rule of its own). Versions are never
/// changed: a change writes the next one.
#[derive(Debug, Clone)]
pub struct AccessRule(pub DomainRule);

#[Object]
impl AccessRule {
    /// This version's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// 1 for the target's first rule, one more for each change.
    async fn version(&self) -> i64 {
        self.0.version
    }

    /// The resource the rule is set on (none when it is set on a specification).
    async fn resource(&self, ctx: &Context<'_>) -> Result<Option<EconomicResource>> {
        let AccessTarget::Resource(id) = self.0.target else { return Ok(None) };
        let found = ctx.load(id).await?.map(EconomicResource);
        Ok(Some(found.ok_or_else(|| PersistenceError::not_found("economic resource", id))?))
    }

    /// The specification the rule is set on (none when it is set on one resource).
    async fn resource_specification(&self, ctx: &Context<'_>) -> Result<Option<ResourceSpecification>> {
        let AccessTarget::Specification(id) = self.0.target else { return Ok(None) };
        let found = ctx.load(id).await?.map(ResourceSpecification);
        Ok(Some(found.ok_or_else(|| PersistenceError::not_found("resource specification", id))?))
    }

    /// The terms (flattened: `AccessRule` shows them as its own fields).
    #[graphql(flatten)]
    async fn terms(&self) -> AccessRuleTerms {
        AccessRuleTerms(self.0.terms.clone())
    }

    /// Who set this version (for a rule changed by vote, the proposer).
    async fn set_by(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.set_by).await
    }

    /// When.
    async fn set_at(&self) -> DateTime {
        self.0.set_at
    }

    /// The passed `CHANGE_ACCESS_RULE` proposal that set it, when it was voted.
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Option<GovernanceProposal>> {
        let Some(id) = self.0.proposal else { return Ok(None) };
        let found = ctx.load(id).await?.map(GovernanceProposal);
        Ok(Some(found.ok_or_else(|| PersistenceError::not_found("governance proposal", id))?))
    }
}

/// OVN: the terms of an access rule: who may use the resource beside its holders (the owner
/// and the custodian, always), how long a booking may last and whether it waits for approval,
/// what a unit of use is worth and the share of it that goes to maintenance.
#[derive(Debug, Clone)]
pub struct AccessRuleTerms(pub AccessTerms);

#[Object]
impl AccessRuleTerms {
    /// The network or project whose affiliates and roles the rule speaks of.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.scope).await
    }

    /// Any affiliate of the scope (or of a network it is part of) may use it.
    async fn any_affiliate(&self) -> bool {
        self.0.any_affiliate
    }

    /// Agents holding one of these relationship roles toward the scope may use it.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<AgentRelationshipRole>> {
        let found: HashMap<_, DomainRole> = ctx.load_many(self.0.roles.iter().copied()).await?;
        Ok(self.0.roles.iter().filter_map(|id| found.get(id).cloned().map(AgentRelationshipRole)).collect())
    }

    /// These agents may use it.
    async fn agents(&self, ctx: &Context<'_>) -> Result<Vec<Agent>> {
        let found: HashMap<_, ovn_domain::agent::Agent> = ctx.load_many(self.0.agents.iter().copied()).await?;
        Ok(self.0.agents.iter().filter_map(|id| found.get(id).cloned().map(Agent::from)).collect())
    }

    /// The least reputation (0 to 1) a user who is not named must have (reputation is not
    /// computed yet and counts as 0).
    async fn minimum_reputation(&self) -> Option<Decimal> {
        self.0.minimum_reputation.map(Decimal)
    }

    /// A booking by anyone but a holder waits for a holder's approval.
    async fn requires_approval(&self) -> bool {
        self.0.requires_approval
    }

    /// The longest a booking may last, in minutes.
    async fn longest_booking_minutes(&self) -> Option<i64> {
        self.0.longest_booking.map(|d| d.num_minutes())
    }

    /// The value of one unit of use, instead of the resource's own `valuePerUnitOfUse`.
    async fn value_per_unit_of_use(&self) -> Option<Measure> {
        self.0.value_per_unit_of_use.map(Measure)
    }

    /// The part (0 to 1) of a use's value that goes to maintenance rather than to the owner.
    async fn maintenance_share(&self) -> Decimal {
        Decimal(self.0.maintenance_share)
    }

    /// Who receives the maintenance share (none: the resource's custodian, else its owner).
    async fn maintenance_recipient(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.maintenance_recipient {
            Some(agent) => Ok(Some(load_agent(ctx, agent).await?)),
            None => Ok(None),
        }
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// OVN: what `setAccessRule` answers.
#[derive(SimpleObject)]
pub struct AccessRuleResponse {
    /// The version written.
    pub access_rule: AccessRule,
}
