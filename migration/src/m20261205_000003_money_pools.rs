//! Money pools (DESIGN 5, 6) and the allocations the contributors vote out of them.
//!
//! - `money_pool`: which economic resources are pools, in whose scope, held by which
//!   custodian. One row per pool, keyed by its resource; written once, when the pool is
//!   opened. A table rather than a classification on the resource, because a classification
//!   is a field any holder may edit (`updateEconomicResource`), while what makes a resource a
//!   pool (money leaves it only by vote) must not be undone by its holder.
//! - `governance_proposal` gains the terms of an `ALLOCATE_FROM_POOL` proposal (`pool`,
//!   `amount` with `amount_unit`, `recipient`), the transfer that paid it (`payout`, unique:
//!   one proposal pays once) and why a decided proposal failed (`failure_reason`: the quorum,
//!   the threshold, or a pool that could not pay). Nullable columns on the proposal, not a
//!   table of their own, so a proposal is still read whole from one row.
//!
//! Down: PostgreSQL drops the columns; SQLite cannot drop a column that a foreign key uses,
//! so there the columns stay, unused, and only the table and the indexes go.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE money_pool (
    resource TEXT PRIMARY KEY REFERENCES economic_resource (id),
    scope TEXT NOT NULL REFERENCES agent (id),
    custodian TEXT NOT NULL REFERENCES agent (id),
    created {TS} NOT NULL,
    created_by TEXT NOT NULL REFERENCES agent (id),
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX money_pool_scope_idx ON money_pool (scope)
;;
ALTER TABLE governance_proposal ADD COLUMN pool TEXT REFERENCES economic_resource (id)
;;
ALTER TABLE governance_proposal ADD COLUMN amount {DEC}
;;
ALTER TABLE governance_proposal ADD COLUMN amount_unit TEXT REFERENCES unit (id)
;;
ALTER TABLE governance_proposal ADD COLUMN recipient TEXT REFERENCES agent (id)
;;
ALTER TABLE governance_proposal ADD COLUMN payout TEXT REFERENCES economic_event (id)
;;
ALTER TABLE governance_proposal ADD COLUMN failure_reason TEXT
;;
-- A pool's proposals, for its history.
CREATE INDEX governance_proposal_pool_idx ON governance_proposal (pool)
;;
CREATE UNIQUE INDEX governance_proposal_payout_idx ON governance_proposal (payout)
"#;

const POSTGRES_DOWN: &str = r#"
DROP INDEX governance_proposal_payout_idx
;;
DROP INDEX governance_proposal_pool_idx
;;
ALTER TABLE governance_proposal DROP COLUMN failure_reason
;;
ALTER TABLE governance_proposal DROP COLUMN payout
;;
ALTER TABLE governance_proposal DROP COLUMN recipient
;;
ALTER TABLE governance_proposal DROP COLUMN amount_unit
;;
ALTER TABLE governance_proposal DROP COLUMN amount
;;
ALTER TABLE governance_proposal DROP COLUMN pool
;;
DROP TABLE money_pool
"#;

const SQLITE_DOWN: &str = r#"
DROP INDEX governance_proposal_payout_idx
;;
DROP INDEX governance_proposal_pool_idx
;;
DROP TABLE money_pool
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
