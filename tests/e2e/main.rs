//! ovn's end-to-end tests, as one test binary: a real server on a free port, over HTTP, on a
//! real database (SQLite, or PostgreSQL when `OVN_TEST_POSTGRES_URL` is set).
//!
//! One binary, not one per file: every file under `tests/` used to be its own crate, linked
//! against the whole dependency tree, which made linking most of the suite's build time.
//! Each module below is one area of the promises ovn makes; `common` is the harness.

mod common;

mod access_rules;
mod actions;
mod auth;
mod bookings;
mod claims_proposals;
mod cli;
mod concurrency;
mod corrections;
mod custody;
mod decimal_scalar;
mod decimals;
mod demo;
mod distribution;
mod errors;
mod exchange_firm;
mod filters;
mod flow_index;
mod governance;
mod history;
mod idempotency;
mod import_export;
mod import_stream;
mod intents;
mod knowledge;
mod large_trace;
mod limits;
mod network;
mod observation;
mod pagination;
mod permissions;
mod planning;
mod pools;
mod rates;
mod replay;
mod schema;
mod sensor_kit;
mod use_value;
mod value_checks;
mod value_engine;
mod value_equations;
