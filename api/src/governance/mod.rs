//! Governance (DESIGN 5): proposals put to a scope's vote, votes, and the scope's rule.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::GovernanceMutation;
pub use query::GovernanceQuery;
