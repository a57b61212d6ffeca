//! Shared resources (DESIGN 6): what the network holds in common and the rules that keep it
//! so: [`pool`], money pools held by the network's custodian in a project's scope; and
//! [`custody`], the network's NONDOMINIUM resources held by a custodian under a custodian
//! agreement.

pub mod custody;
pub mod pool;
