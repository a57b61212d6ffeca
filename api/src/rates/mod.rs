//! Agent rates (OVN): what an agent's work in a skill is worth, from a date on; the value
//! engine's `rate`. `setAgentRate`, `agentRates` (a history) and `agentRate` (the rate in
//! force at a time).

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::RatesMutation;
pub use query::RatesQuery;
