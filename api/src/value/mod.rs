//! The value engine's records (DESIGN 4, 9): `ValueEquation` versions with their buckets and
//! rules, their inputs, reads and writes; and the reads that apply them (`engine`:
//! `valueRollup`, `fluidEquity`, `previewDistribution`); and the distributions of revenue
//! (`distribution`: `distributeRevenue` and its reads).

pub mod distribution;
pub mod engine;
pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use distribution::{DistributionMutation, DistributionQuery};
pub use engine::ValueEngineQuery;
pub use mutation::ValueMutation;
pub use query::ValueQuery;
