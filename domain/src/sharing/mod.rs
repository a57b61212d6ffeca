//! Shared resources (DESIGN 6): what the network holds in common and the rules that keep it
//! so: [`access`], the access rules of shared equipment and nondominium assets and the
//! bookings they allow; [`access_change`], who changes a rule and how; [`booking`], a shared
//! resource booked for a time interval, its states and its availability; [`custody`], the
//! network's NONDOMINIUM resources held by a custodian under a custodian agreement; [`pool`],
//! money pools held by the network's custodian in a project's scope.

pub mod access;
pub mod access_change;
pub mod booking;
pub mod custody;
pub mod pool;
