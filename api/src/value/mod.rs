//! The value engine's records (DESIGN 4, 9): `ValueEquation` versions with their buckets and
//! rules, their inputs, reads and writes.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::ValueMutation;
pub use query::ValueQuery;
