//! The agent module (vf-graphql `agent`): `Person`, `Organization`, the `Agent` interface, the
//! `AccountingScope` union, `AgentRelationship` and `AgentRelationshipRole`, and the OVN
//! fields that read a network's shape from them (`network`).

pub mod inputs;
pub mod mutation;
pub mod network;
pub mod objects;
pub mod query;

pub use mutation::AgentMutation;
pub use query::AgentQuery;
