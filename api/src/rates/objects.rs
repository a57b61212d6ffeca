//! `AgentRate`, and the response of `setAgentRate`.

use async_graphql::{Context, ID, Object, SimpleObject};
use ovn_domain::value::rates::AgentRate as DomainAgentRate;
use ovn_persistence::PersistenceError;

use crate::agent::objects::{Agent, load_agent};
use crate::context::ContextExt;
use crate::error::Result;
use crate::knowledge::objects::{Measure, ResourceSpecification};
use crate::scalars::DateTime;

/// OVN: what an hour (or any unit of effort) of an agent's work in a skill is worth, from
/// `validFrom` on, until a later rate of the same agent and skill. A contribution is valued
/// at the rate in force when it was made. Rates are never changed: a new rate is set with a
/// later `validFrom`, so every past rate stays readable.
#[derive(Debug, Clone)]
pub struct AgentRate(pub DomainAgentRate);

#[Object]
impl AgentRate {
    /// The record as it was at `revisionId` (vf-graphql `history`); null when this record
    /// has no such revision. A rate is never changed: it has one revision.
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

    /// Whose rate it is.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.agent).await
    }

    /// The skill: the resource specification of the work.
    async fn skill(&self, ctx: &Context<'_>) -> Result<ResourceSpecification> {
        let spec = ctx.load(self.0.skill).await?.map(ResourceSpecification);
        Ok(spec.ok_or_else(|| PersistenceError::not_found("resource specification", self.0.skill))?)
    }

    /// The value of one unit of effort, in the unit of the value (a currency) when one was
    /// given.
    async fn rate(&self) -> Measure {
        Measure(ovn_domain::Measure::new(self.0.rate, self.0.unit))
    }

    /// From when the rate applies (inclusive).
    async fn valid_from(&self) -> DateTime {
        self.0.valid_from
    }

    /// When the rate was set.
    async fn created(&self) -> DateTime {
        self.0.created
    }
}

/// The rate set.
#[derive(SimpleObject)]
pub struct AgentRateResponse {
    /// The rate.
    pub agent_rate: AgentRate,
}
