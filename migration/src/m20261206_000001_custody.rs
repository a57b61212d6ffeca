//! Custodian agreements (DESIGN 1, 6): the OVN facts of a vf `Agreement` under which a
//! custodian holds a network's NONDOMINIUM resources.
//!
//! - `custodian_agreement`: one row per custodian agreement, keyed by its `agreement` (the vf
//!   record keeps the name and the note; this table what only ovn's rules read): the network,
//!   the current custodian (changed by a passed `TRANSFER_CUSTODIANSHIP` proposal), who made
//!   it and when. No revision column: its id is its agreement's, whose revisions
//!   `record_revision` keeps under that id; a custodian's change is read from the proposal
//!   that made it and the hand-over events.
//! - `custodian_holding`: which resources are held under which agreement. Keyed by the
//!   resource, so that a resource is held under one agreement at most; the rule that refuses
//!   a held resource leaving the network finds its row by that key.
//! - `governance_proposal.agreement`: the agreement a `TRANSFER_CUSTODIANSHIP` proposal hands
//!   over (its new custodian is the existing `recipient` column).
//!
//! Down: PostgreSQL drops the column; SQLite cannot drop a column that a foreign key uses, so
//! there it stays, unused, and only the tables and the index go.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE custodian_agreement (
    agreement TEXT PRIMARY KEY REFERENCES agreement (id),
    network TEXT NOT NULL REFERENCES agent (id),
    custodian TEXT NOT NULL REFERENCES agent (id),
    created {TS} NOT NULL,
    created_by TEXT NOT NULL REFERENCES agent (id),
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX custodian_agreement_network_idx ON custodian_agreement (network)
;;
CREATE TABLE custodian_holding (
    resource TEXT PRIMARY KEY REFERENCES economic_resource (id),
    agreement TEXT NOT NULL REFERENCES custodian_agreement (agreement),
    placed_at {TS} NOT NULL,
    placed_by TEXT NOT NULL REFERENCES agent (id)
)
;;
CREATE INDEX custodian_holding_agreement_idx ON custodian_holding (agreement)
;;
ALTER TABLE governance_proposal ADD COLUMN agreement TEXT REFERENCES custodian_agreement (agreement)
"#;

const POSTGRES_DOWN: &str = r#"
ALTER TABLE governance_proposal DROP COLUMN agreement
;;
DROP TABLE custodian_holding
;;
DROP TABLE custodian_agreement
"#;

const SQLITE_DOWN: &str = r#"
DROP TABLE custodian_holding
;;
DROP TABLE custodian_agreement
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, if dialect::is_postgres(manager) { POSTGRES_DOWN } else { SQLITE_DOWN }).await
    }
}
