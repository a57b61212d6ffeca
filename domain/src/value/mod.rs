//! The value engine (DESIGN 4): value equations and their formulas, agent rates, the rollup of
//! a deliverable's value through the process tree, fluid equity and the split of an amount
//! among an equation's buckets. Pure functions over snapshots that persistence loads.

pub mod distribution;
pub mod equation;
pub mod equity;
pub mod formula;
pub mod rates;
pub mod revenue;
pub mod rollup;
pub mod snapshot;

/// The engine's maps and sets, keyed by ids: hashed with foldhash (seeded per process) rather
/// than SipHash, which took a tenth of a 100,000-event rollup.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// See [`FastMap`].
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

#[cfg(test)]
mod examples;
#[cfg(test)]
pub(crate) mod fixture;
