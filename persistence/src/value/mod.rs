//! The value engine's records (DESIGN 4): the versions of each scope's value equation
//! ([`equations`]), and what the engine reads of them ([`equation_history_in`],
//! [`adopted_in`]).

pub mod equations;

use chrono::{DateTime, Utc};
use ovn_domain::AgentId;
use ovn_domain::value::equation::ValueEquation;
use rust_decimal::Decimal;
use sea_orm::DatabaseTransaction;

use crate::error::Result;

pub use equations::{EquationPatch, adopted_in, equation_history_in};

/// A stored version of a value equation, with its author (who, besides the scope's stewards,
/// may change it while it is a draft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEquation {
    /// The version.
    pub equation: ValueEquation,
    /// The agent who drafted it.
    pub created_by: AgentId,
}

/// Each holder's fluid equity in `scope` at `at`: the weights of a `FLUID_EQUITY` vote.
//
// LEAD: placeholder until the engine's fluid equity lands (`domain/src/value/equity.rs`): every
// active contributor of the scope weighs 1, exactly as ONE_AGENT_ONE_VOTE. Replace the body
// with the valued contributions summed per agent (the scope's adopted equation, as of `at`);
// governance calls only this function.
pub async fn equity_weights_in(
    txn: &DatabaseTransaction,
    scope: AgentId,
    at: DateTime<Utc>,
) -> Result<Vec<(AgentId, Decimal)>> {
    let _ = at;
    let contributors = crate::governance::active_contributors_in(txn, scope).await?;
    Ok(contributors.into_iter().map(|agent| (agent, Decimal::ONE)).collect())
}
