//! The `EQUITY` parts documents compressed with lz4 on PostgreSQL (D195).
//!
//! - `distribution_equity_parts.parts`: a distribution over 100,000 contributions writes about
//!   6 MB of them in one statement, and PostgreSQL's default compression (pglz) spent 150 to
//!   230 ms of a 700 ms distribution compressing it; lz4 takes a fifth of that and stores
//!   less. Rows already written keep their compression; reads are the same either way.
//! - A server built without lz4 keeps pglz: the change is a speed-up, never a requirement,
//!   so its refusal is swallowed. SQLite compresses nothing; the migration does nothing there.
//!
//! Down goes back to the server's default compression.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &str = r#"
DO $$
BEGIN
    ALTER TABLE distribution_equity_parts ALTER COLUMN parts SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$
"#;

const POSTGRES_DOWN: &str = r#"
ALTER TABLE distribution_equity_parts ALTER COLUMN parts SET COMPRESSION default
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if dialect::is_postgres(manager) { dialect::run(manager, POSTGRES_UP).await } else { Ok(()) }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if dialect::is_postgres(manager) { dialect::run(manager, POSTGRES_DOWN).await } else { Ok(()) }
    }
}
