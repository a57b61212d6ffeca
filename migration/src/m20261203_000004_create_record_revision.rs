//! `record_revision`: every revision of every revisioned record, as its row was written
//! (vf-graphql module `history`: `revision(revisionId)` and `meta`).
//!
//! One table for every kind of record, keyed by (record id, revision): ids are UUIDs, unique
//! across tables, so the record id alone names the record. `kind` says which table the row
//! came from (for reading by hand and for checks); `row_json` is the row as JSON, with the
//! record's scope rows inside it for events and processes, whose scopes live in tables of
//! their own. `author_id` is the agent whose token made the write, `NULL` when the write had
//! none (the command line, an import); it has no foreign key: history outlives a deleted
//! agent, and answers a deleted author with `null`.
//!
//! Append-only, like the events: triggers refuse updating or deleting a revision, so a bug or
//! a hand-typed statement cannot rewrite what a record was.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = r#"
CREATE TABLE record_revision (
    record_id TEXT NOT NULL,
    revision BIGINT NOT NULL CHECK (revision >= 1),
    kind TEXT NOT NULL,
    row_json TEXT NOT NULL,
    created_at {TS} NOT NULL,
    author_id TEXT,
    PRIMARY KEY (record_id, revision)
)
"#;

const SQLITE_GUARDS: &str = r#"
CREATE TRIGGER record_revision_append_only_update BEFORE UPDATE ON record_revision
BEGIN
    SELECT RAISE(ABORT, 'record revisions are append-only');
END
;;
CREATE TRIGGER record_revision_append_only_delete BEFORE DELETE ON record_revision
BEGIN
    SELECT RAISE(ABORT, 'record revisions are append-only');
END
"#;

const POSTGRES_GUARDS: &str = r#"
CREATE FUNCTION ovn_refuse_revision_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'record revisions are append-only';
END
$$ LANGUAGE plpgsql
;;
CREATE TRIGGER record_revision_append_only BEFORE UPDATE OR DELETE ON record_revision
FOR EACH ROW EXECUTE FUNCTION ovn_refuse_revision_rewrite()
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER record_revision_append_only_delete
;;
DROP TRIGGER record_revision_append_only_update
;;
DROP TABLE record_revision
"#;

const POSTGRES_DOWN: &str = r#"
DROP TRIGGER record_revision_append_only ON record_revision
;;
DROP FUNCTION ovn_refuse_revision_rewrite()
;;
DROP TABLE record_revision
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, TABLE).await?;
        dialect::run(manager, if dialect::is_postgres(manager) { POSTGRES_GUARDS } else { SQLITE_GUARDS }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, if dialect::is_postgres(manager) { POSTGRES_DOWN } else { SQLITE_DOWN }).await
    }
}
