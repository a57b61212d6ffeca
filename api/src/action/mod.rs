//! The ValueFlows action table (vf-graphql `Action`): the verbs of events, served as records.

pub mod objects;
pub mod query;

pub use objects::Action;
pub use query::ActionQuery;
