//! Shared resources (OVN, DESIGN 6): money pools. `createMoneyPool` opens one in a project's
//! scope, held by the network's custodian; `moneyPool` and `moneyPools(scope)` read a pool's
//! balance and its history (deposits, and allocations with the proposals that voted them).
//! Money leaves a pool only through a passed `ALLOCATE_FROM_POOL` governance proposal.
//! Bookings of shared resources are [`booking`]'s (their own query and mutation objects).

pub mod booking;
pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use booking::{BookingMutation, BookingQuery};
pub use mutation::SharingMutation;
pub use query::SharingQuery;
