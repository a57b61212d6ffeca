//! A monotone sequence on `economic_event`, so that a server's in-memory flow index can catch
//! up with the events recorded since it last looked in one indexed query
//! (`WHERE seq > watermark`), however many servers share the database.
//!
//! - PostgreSQL: a `seq BIGINT GENERATED ALWAYS AS IDENTITY` column with a unique index. The
//!   database fills it on every insert that does not name it (the service, bulk import, a
//!   `COPY` with a column list that leaves it out), and adding it numbers the existing rows.
//!   Values are taken at insert and may commit out of order; the index handles the holes.
//! - SQLite: the table's implicit `rowid` is the sequence, so nothing is added. Events are
//!   never deleted, so a new row always gets the largest rowid plus one, and writes are
//!   serialised, so rowids commit in order (no holes); `VACUUM` keeps them, since they are
//!   already dense.
//!
//! In both, a trigger refuses changing the sequence of a recorded event, like the other
//! append-only guards.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &str = r#"
ALTER TABLE economic_event ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY
;;
CREATE UNIQUE INDEX economic_event_seq_idx ON economic_event (seq)
;;
CREATE FUNCTION ovn_refuse_event_seq_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'economic events are append-only: their sequence never changes';
END
$$ LANGUAGE plpgsql
;;
CREATE TRIGGER economic_event_seq_fixed BEFORE UPDATE ON economic_event
FOR EACH ROW WHEN (OLD.seq IS DISTINCT FROM NEW.seq) EXECUTE FUNCTION ovn_refuse_event_seq_rewrite()
"#;

const POSTGRES_DOWN: &str = r#"
DROP TRIGGER economic_event_seq_fixed ON economic_event
;;
DROP FUNCTION ovn_refuse_event_seq_rewrite()
;;
DROP INDEX economic_event_seq_idx
;;
ALTER TABLE economic_event DROP COLUMN seq
"#;

const SQLITE_UP: &str = r#"
CREATE TRIGGER economic_event_seq_fixed BEFORE UPDATE ON economic_event
WHEN OLD.rowid IS NOT NEW.rowid
BEGIN
    SELECT RAISE(ABORT, 'economic events are append-only: their sequence never changes');
END
"#;

const SQLITE_DOWN: &str = "DROP TRIGGER economic_event_seq_fixed";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, if dialect::is_postgres(manager) { POSTGRES_UP } else { SQLITE_UP }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, if dialect::is_postgres(manager) { POSTGRES_DOWN } else { SQLITE_DOWN }).await
    }
}
