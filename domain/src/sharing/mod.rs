//! Shared resources (DESIGN 6): what the network holds in common and the rules that keep it
//! so: [`access`], the access rules of shared equipment and nondominium assets and the
//! bookings they allow; [`pool`], money pools held by the network's custodian in a project's
//! scope.

pub mod access;
pub mod pool;
