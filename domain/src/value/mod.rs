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

#[cfg(test)]
mod examples;
#[cfg(test)]
pub(crate) mod fixture;
