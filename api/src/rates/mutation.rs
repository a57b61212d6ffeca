//! `setAgentRate`. A rate is set by the agent itself, or by a steward of a network or project
//! the agent is an affiliate of.

use async_graphql::{Context, ID, InputType, Object, Value};

use super::inputs::set_agent_rate;
use super::objects::{AgentRate, AgentRateResponse};
use crate::context::ContextExt;
use crate::convert::idempotency_of;
use crate::error::Result;
use crate::knowledge::inputs::IMeasure;
use crate::scalars::DateTime;

/// Writes of agent rates.
#[derive(Default)]
pub struct RatesMutation;

#[Object]
impl RatesMutation {
    /// OVN: sets an agent's rate for a skill (a resource specification) from `validFrom` (now
    /// when omitted) on. Rates are append-only: a rate for the same agent and skill from the
    /// same instant is refused (`CONFLICT`); set a later `validFrom` instead. The token's agent
    /// must be the agent, or a steward of a network or project it is an affiliate of
    /// (`FORBIDDEN`); the skill must exist (`NOT_FOUND`); a negative rate is `BAD_INPUT`.
    async fn set_agent_rate(
        &self,
        ctx: &Context<'_>,
        agent: ID,
        skill: ID,
        rate: IMeasure,
        valid_from: Option<DateTime>,
        idempotency_key: Option<String>,
    ) -> Result<AgentRateResponse> {
        let actor = ctx.require_agent()?;
        let input = Value::List(vec![
            Value::String(agent.to_string()),
            Value::String(skill.to_string()),
            rate.to_value(),
            valid_from.to_value(),
        ]);
        let idem = idempotency_of(actor, idempotency_key, "setAgentRate", input)?;
        let command = set_agent_rate(&agent, &skill, &rate, valid_from)?;
        let set = ctx.store()?.set_agent_rate(actor, command, idem.as_ref()).await?;
        Ok(AgentRateResponse { agent_rate: AgentRate(set) })
    }
}
