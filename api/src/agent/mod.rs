//! The agent module (vf-graphql `agent`): `Person`, `Organization`, the `Agent` interface, the
//! `AccountingScope` union, `AgentRelationship` and `AgentRelationshipRole`.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::AgentMutation;
pub use query::AgentQuery;
