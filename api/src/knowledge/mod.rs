//! The knowledge layer (vf-graphql modules `measurement`, `resource_specification` and
//! `process_specification`): units and measures, kinds of resource, kinds of process.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::KnowledgeMutation;
pub use query::KnowledgeQuery;
