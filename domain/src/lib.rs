//! ovn-domain: the ValueFlows / REA model of an Open Value Network and every rule of its books,
//! as plain data and plain functions.
//!
//! This crate must stay pure: no I/O, no async, no database, no GraphQL. CI fails if it ever
//! depends on sea-orm, sqlx, async-graphql, actix or tokio. Persistence loads the slice of the
//! graph a rule needs and hands it here; the API turns requests into the commands defined here.
//! That is why almost every rule can be tested without a database.

pub mod action;
pub mod agent;
pub mod claim;
pub mod error;
pub mod exchange;
pub mod flow;
pub mod governance;
pub mod history;
pub mod ids;
pub mod intent;
pub mod knowledge;
pub mod ledger_books;
pub mod measure;
pub mod observation;
pub mod permission;
pub mod planning;
pub mod proposal;
pub mod revision;
pub mod sharing;
pub mod tally;
pub mod text;
pub mod value;
mod wire;

pub use action::Action;
pub use error::DomainError;
pub use ids::*;
pub use measure::{Measure, canonical, parse_decimal};
pub use revision::{Patch, Revision};
pub use text::{Name, Uri};
