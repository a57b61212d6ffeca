//! `setAgentRate`'s arguments, converted into the store's command in one place.

use async_graphql::ID;
use ovn_domain::{AgentId, DomainError, Measure, ResourceSpecificationId};
use ovn_persistence::rates::SetAgentRate;

use crate::convert::parse_id;
use crate::knowledge::inputs::IMeasure;
use crate::scalars::DateTime;

/// `setAgentRate(agent, skill, rate, validFrom)`, parsed; malformed ids are `BAD_INPUT`.
pub fn set_agent_rate(
    agent: &ID,
    skill: &ID,
    rate: &IMeasure,
    valid_from: Option<DateTime>,
) -> Result<SetAgentRate, DomainError> {
    Ok(SetAgentRate {
        agent: parse_id(agent, AgentId::parse)?,
        skill: parse_id(skill, ResourceSpecificationId::parse)?,
        rate: Measure::try_from(rate)?,
        valid_from,
    })
}
