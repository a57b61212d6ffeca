//! The `EQUITY` parts of a distribution's line, kept as one document per line (D194).
//!
//! - `distribution_equity_parts`: for each line that pays `EQUITY` claims, the contributions it
//!   pays and their exact parts, as a JSON array of `[event, part]` pairs, read whole with the
//!   line and never queried by event. A line of a scope's `PERIOD` bucket pays every
//!   contribution of the scope: a row per part made the parts the largest write of a
//!   distribution (100,000 rows for 100,000 contributions).
//! - `distribution_part` keeps the `DEBT` and `ONCE` parts, which earlier distributions'
//!   claims are looked up by; the lines written before this migration keep their `EQUITY`
//!   parts there too, and the reads take both.
//! - Append-only, as the other distribution tables.
//!
//! Down drops the table.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE distribution_equity_parts (
    line TEXT PRIMARY KEY REFERENCES distribution_line (id),
    parts TEXT NOT NULL
)
"#;

const SQLITE_GUARDS: &str = r#"
CREATE TRIGGER distribution_equity_parts_append_only_update BEFORE UPDATE ON distribution_equity_parts
BEGIN
    SELECT RAISE(ABORT, 'distributions are append-only');
END
;;
CREATE TRIGGER distribution_equity_parts_append_only_delete BEFORE DELETE ON distribution_equity_parts
BEGIN
    SELECT RAISE(ABORT, 'distributions are append-only');
END
"#;

// The function the earlier distribution tables' guards call.
const POSTGRES_GUARDS: &str = r#"
CREATE TRIGGER distribution_equity_parts_append_only BEFORE UPDATE OR DELETE ON distribution_equity_parts
FOR EACH ROW EXECUTE FUNCTION ovn_refuse_distribution_rewrite()
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER distribution_equity_parts_append_only_update
;;
DROP TRIGGER distribution_equity_parts_append_only_delete
;;
DROP TABLE distribution_equity_parts
"#;

const POSTGRES_DOWN: &str = r#"
DROP TRIGGER distribution_equity_parts_append_only ON distribution_equity_parts
;;
DROP TABLE distribution_equity_parts
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await?;
        let guards = if dialect::is_postgres(manager) { POSTGRES_GUARDS } else { SQLITE_GUARDS };
        dialect::run(manager, guards).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, if dialect::is_postgres(manager) { POSTGRES_DOWN } else { SQLITE_DOWN }).await
    }
}
