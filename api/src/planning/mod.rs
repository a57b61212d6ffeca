//! The planning layer (vf-graphql modules `plan`, `agreement`, `commitment`, `fulfillment`):
//! `Plan`, `Agreement`, `Commitment`, `Fulfillment`, their inputs, reads and writes.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::PlanningMutation;
pub use query::PlanningQuery;
