//! Shared resources (DESIGN 6): [`access`], the versions of the access rules of shared
//! resources; [`pool`], money pools and the allocations voted out of them. The rules are
//! [`ovn_domain::sharing`]; this module loads what they need and writes what they decide.

pub mod access;
pub mod pool;

pub(crate) use pool::check_event_in;
pub use pool::{PoolEntry, allocate_in, create_pool_in};
