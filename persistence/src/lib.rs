//! ovn-persistence: where ovn's books are kept. It owns the sea-orm entities (nobody else sees
//! them), opens SQLite or PostgreSQL with the settings a ledger needs, and offers services that
//! hand back domain values. It depends on `ovn-domain` only among ovn's crates, and never
//! decides a rule of the books itself: it loads the facts a rule needs, calls the rule in
//! `ovn-domain`, and writes the result.
//!
//! The layout follows the ValueFlows modules: [`agent`], [`knowledge`], [`observation`],
//! [`flow`], [`intent`], [`proposal`], [`claim`], [`value`], [`governance`], [`exchange`], each with its writes and reads (and the OVN [`rates`] of agents); [`rows`](crate) maps each record between its row
//! and its domain value once, for the services and for the bulk [`ledger_io`] alike.
//!
//! Rules kept here:
//! - every write is a function `…_in(txn, …)` that takes the caller's transaction, so one use
//!   case that writes several records composes them into one transaction
//!   ([`Store::write`]); each has a thin `Store` method that runs it alone;
//! - every transaction is committed durably before it is acknowledged (SQLite in WAL mode with
//!   `synchronous=FULL`; PostgreSQL's default `synchronous_commit=on`);
//! - SQLite has one writer at a time, so writes queue for one writer task that commits the
//!   writes queued meanwhile together (group commit), each in its own savepoint, instead of
//!   failing with `SQLITE_BUSY` (readers never wait: WAL);
//! - an input's references to other records are checked before anything is written, and a
//!   missing one is refused naming the input field;
//! - relations are loaded in batches, never one query per row;
//! - exact decimals cross the boundary through [`decimal::DbDecimal`].

pub mod agent;
pub mod claim;
pub mod decimal;
mod entity;
mod error;
pub mod exchange;
pub mod flow;
pub mod governance;
pub mod history;
pub mod idempotency;
pub mod intent;
pub mod knowledge;
pub mod ledger_io;
mod log_tail;
pub mod observation;
pub mod page;
pub mod planning;
pub mod proposal;
pub mod rates;
mod references;
mod revisioned;
mod rows;
pub mod sharing;
mod store;
pub mod value;

pub use error::PersistenceError;
pub use idempotency::{Idempotency, Outcome};
pub use page::{Page, PageRequest};
pub use store::{DatabaseSettings, Store};
