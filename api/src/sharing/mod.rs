//! Shared resources (OVN, DESIGN 6): money pools, the access rules of shared resources
//! ([`access`]), their bookings ([`booking`], with their own query and mutation objects) and
//! custodian agreements ([`custody`]: a network's NONDOMINIUM resources held by its
//! custodian). `createMoneyPool` opens a pool in a project's scope, held by the network's
//! custodian; `moneyPool` and `moneyPools(scope)` read a pool's balance and its history
//! (deposits, and allocations with the proposals that voted them). Money leaves a pool only
//! through a passed `ALLOCATE_FROM_POOL` governance proposal.

pub mod access;
pub mod booking;
pub mod custody;
pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use booking::{BookingMutation, BookingQuery};
pub use custody::{CustodyMutation, CustodyQuery};
pub use mutation::SharingMutation;
pub use query::SharingQuery;
