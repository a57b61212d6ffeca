//! Claims (vf-graphql module `claim`): `Claim` and `Settlement`, their inputs, reads and
//! writes.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::ClaimMutation;
pub use query::ClaimQuery;
