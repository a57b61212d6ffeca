//! Proposals (vf-graphql module `proposal`): `Proposal`, `ProposedIntent`, `ProposedTo`,
//! `offers` and `requests`, their inputs, reads and writes.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::ProposalMutation;
pub use query::ProposalQuery;
