//! ovn-persistence: where ovn's books are kept. It owns the sea-orm entities (nobody else sees
//! them), opens SQLite or PostgreSQL with the settings a ledger needs, and offers services that
//! each run one whole write in one transaction and hand back domain values.
//!
//! Rules kept here:
//! - every write runs in one transaction, committed durably before it is acknowledged (SQLite
//!   in WAL mode with `synchronous=FULL`; PostgreSQL's default `synchronous_commit=on`);
//! - SQLite has one writer at a time, so writes queue on an in-process lock instead of
//!   failing with `SQLITE_BUSY` (readers never wait: WAL);
//! - relations are loaded in batches (`find_many`), never one query per row;
//! - exact decimals cross the boundary through [`decimal::DbDecimal`].

pub mod decimal;
mod entity;
mod error;
pub mod flow;
pub mod idempotency;
pub mod knowledge;
pub mod ledger_io;
pub mod observation;
pub mod page;
mod store;

pub use error::PersistenceError;
pub use idempotency::{Idempotency, Outcome};
pub use page::{Page, PageRequest};
pub use store::{DatabaseSettings, Store};
