//! The value engine's records (DESIGN 4): the versions of each scope's value equation
//! ([`equations`]), and what the engine reads of them ([`equation_history_in`],
//! [`adopted_in`]); the snapshots the engine reads and the orchestrations (load -> pure
//! function) behind `valueRollup`, `fluidEquity` and `previewDistribution` ([`engine`]), the
//! fluid-equity cache ([`cache`]), and the distributions of revenue, which write
//! ([`distributions`]).

pub mod cache;
pub mod distributions;
pub mod engine;
pub mod equations;
pub(crate) mod index;
mod snapshot;

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

/// Each active contributor's fluid equity in `scope` at `at`, by the scope's adopted equation:
/// the weights of a `FLUID_EQUITY` vote. A contributor none of whose contributions a rule
/// values weighs 0. With no adopted equation there is no equity to weigh by, and every active
/// contributor weighs 1 (one agent, one vote).
pub async fn equity_weights_in(
    store: &crate::store::Store,
    txn: &DatabaseTransaction,
    scope: AgentId,
    at: DateTime<Utc>,
) -> Result<Vec<(AgentId, Decimal)>> {
    let contributors = crate::governance::active_contributors_in(txn, scope).await?;
    let Some(equation) = adopted_in(txn, &[scope]).await?.remove(&scope) else {
        return Ok(contributors.into_iter().map(|agent| (agent, Decimal::ONE)).collect());
    };
    let snapshot = std::sync::Arc::new(snapshot::scope_snapshot_in(store, txn, scope, &equation).await?);
    let equity = ovn_domain::value::equity::fluid_equity(&snapshot, scope, &equation, Some(at))?;
    let value_of = |agent: AgentId| equity.holders.iter().find(|h| h.agent == agent).map_or(Decimal::ZERO, |h| h.value);
    Ok(contributors.into_iter().map(|agent| (agent, value_of(agent))).collect())
}
