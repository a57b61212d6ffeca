//! ovn-migration: the database schema of ovn as an append-only list of migrations, run on
//! SQLite (the embedded default) and PostgreSQL (production) alike.
//!
//! A migration that has landed on `main` is never edited: a change is a new migration. Each
//! migration is plain SQL written once per dialect, self-contained (it does not import the
//! live entities), so that what it did can be read years later. The two dialects differ only
//! where they must:
//! - exact decimals are `NUMERIC` on PostgreSQL and canonical `TEXT` on SQLite, because SQLite
//!   would turn a `NUMERIC` column's `12345678901234567.89` into a float;
//! - timestamps are `TIMESTAMPTZ` on PostgreSQL and RFC 3339 `TEXT` on SQLite;
//! - append-only rules are triggers in each dialect's syntax.
//!
//! This crate depends on no other ovn crate.

pub use sea_orm_migration::prelude::*;

mod dialect;
mod m20261124_000001_create_knowledge;
mod m20261124_000002_create_observation;
mod m20261202_000001_add_event_seq;
mod m20261203_000001_create_planning;
mod m20261203_000002_create_intents_claims_proposals;
mod m20261203_000003_ovn_network;
mod m20261203_000004_create_record_revision;
mod m20261204_000001_value_equations_governance;
mod m20261204_000002_agent_rates;
mod m20261205_000001_distributions;
mod m20261205_000003_money_pools;
mod m20261206_000001_custody;
mod m20261206_000002_access_rules;
mod m20261206_000003_access_rule_proposals;
mod m20261206_000004_bookings;
mod m20261207_000001_distribution_equity_parts;
mod m20261208_000001_equity_parts_lz4;

/// Runs ovn's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_knowledge::Migration),
            Box::new(m20261124_000002_create_observation::Migration),
            Box::new(m20261202_000001_add_event_seq::Migration),
            Box::new(m20261203_000001_create_planning::Migration),
            Box::new(m20261203_000002_create_intents_claims_proposals::Migration),
            Box::new(m20261203_000003_ovn_network::Migration),
            Box::new(m20261203_000004_create_record_revision::Migration),
            Box::new(m20261204_000001_value_equations_governance::Migration),
            Box::new(m20261204_000002_agent_rates::Migration),
            Box::new(m20261205_000001_distributions::Migration),
            Box::new(m20261205_000003_money_pools::Migration),
            Box::new(m20261206_000001_custody::Migration),
            Box::new(m20261206_000002_access_rules::Migration),
            Box::new(m20261206_000003_access_rule_proposals::Migration),
            Box::new(m20261206_000004_bookings::Migration),
            Box::new(m20261207_000001_distribution_equity_parts::Migration),
            Box::new(m20261208_000001_equity_parts_lz4::Migration),
        ]
    }
}
