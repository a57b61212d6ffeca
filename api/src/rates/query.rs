//! Reads of agent rates.

use async_graphql::{Context, ID, Object};
use chrono::Utc;
use ovn_domain::{AgentId, ResourceSpecificationId};

use super::objects::AgentRate;
use crate::context::ContextExt;
use crate::convert::{opt_id, parse_id};
use crate::error::Result;
use crate::knowledge::objects::Measure;
use crate::scalars::DateTime;

/// Reads of agent rates.
#[derive(Default)]
pub struct RatesQuery;

#[Object]
impl RatesQuery {
    /// OVN: every rate of an agent (for one skill, when given), superseded ones included,
    /// ordered by skill, then by `validFrom`.
    async fn agent_rates(&self, ctx: &Context<'_>, agent: ID, skill: Option<ID>) -> Result<Vec<AgentRate>> {
        let agent = parse_id(&agent, AgentId::parse)?;
        let skill = opt_id(&skill, ResourceSpecificationId::parse)?;
        Ok(ctx.store()?.agent_rates(agent, skill).await?.into_iter().map(AgentRate).collect())
    }

    /// OVN: the rate of an agent for a skill in force at `at` (now when omitted), as value
    /// equations read `rate`: the agent's own latest rate valid from `at` or earlier, else the
    /// skill's `defaultValuePerUnit`, else null.
    async fn agent_rate(
        &self,
        ctx: &Context<'_>,
        agent: ID,
        skill: ID,
        at: Option<DateTime>,
    ) -> Result<Option<Measure>> {
        let agent = parse_id(&agent, AgentId::parse)?;
        let skill = parse_id(&skill, ResourceSpecificationId::parse)?;
        let at = at.unwrap_or_else(Utc::now);
        Ok(ctx.store()?.rate_at(agent, skill, at).await?.map(Measure))
    }
}
