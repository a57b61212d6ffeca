//! The flow graph (vf-graphql `TrackTraceItem`, `ProductionFlowItem`, the `track`, `trace`,
//! `previous` and `next` fields, and the OVN `processTree`): turns the store's walks into
//! GraphQL objects.

pub mod inputs;
pub mod objects;
pub mod query;

pub use query::FlowQuery;
