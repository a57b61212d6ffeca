//! Intents (vf-graphql modules `intent` and `satisfaction`): `Intent`, `Satisfaction`, the
//! `EventOrCommitment` union, their inputs, reads and writes.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::IntentMutation;
pub use query::IntentQuery;
