//! Shared resources (DESIGN 6): what the network holds in common and the rules that keep it
//! so. For now, [`pool`]: money pools held by the network's custodian in a project's scope.

pub mod booking;
pub mod pool;
