//! Shared resources (DESIGN 6): [`access`], the versions of the access rules of shared
//! resources and the check of a `use`; [`access_change`], setting a rule and voting one;
//! [`booking`], shared resources booked for a time interval; [`custody`], custodian agreements
//! and the hand-over voted at a custodian's exit; [`pool`], money pools and the allocations
//! voted out of them. The rules are [`ovn_domain::sharing`]; this module loads what they need
//! and writes what they decide.

pub mod access;
pub mod access_change;
pub mod booking;
pub mod custody;
pub mod pool;

pub use booking::{BookResource, SharedResource, approve_booking_in, cancel_booking_in};
pub use custody::{CustodyEntry, create_agreement_in, place_in, transfer_custodianship_in};
pub use pool::{PoolEntry, allocate_in, create_pool_in};
pub(crate) use pool::{check_event_among, pools_in};
