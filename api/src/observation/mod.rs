//! The observation layer (vf-graphql modules `observation` and `process`): `EconomicEvent`,
//! `EconomicResource`, `Process`, their inputs, reads and writes.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::ObservationMutation;
pub use query::ObservationQuery;
