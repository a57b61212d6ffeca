//! `agent_rate`: what an agent's work in a skill (a resource specification) is worth, from a
//! date on. The value engine values a contribution at the rate in force when it was made.
//!
//! - Append-only. A new rate for a pair is a new row with a later `valid_from`; no row is ever
//!   changed or deleted (triggers refuse it, as for events), so the rate that valued any past
//!   contribution can always be read again. The unique key on `(agent, skill, valid_from)`
//!   refuses a second rate for the same pair from the same instant (the application answers
//!   `CONFLICT`) and is the index every lookup of a pair's rates uses.
//! - The rate is a `{DEC}` value column plus a unit column, as on events; `valid_from` is a
//!   `{TS}` stored to the microsecond on both backends (the application truncates it, so the
//!   unique key means the same instant on SQLite's text as on PostgreSQL's `TIMESTAMPTZ`).
//! - `created_by` is the agent who set it (the agent itself or a steward): kept in the row
//!   because who set a rate matters as long as the rate does.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = r#"
CREATE TABLE agent_rate (
    id TEXT PRIMARY KEY,
    agent TEXT NOT NULL REFERENCES agent (id),
    skill TEXT NOT NULL REFERENCES resource_specification (id),
    rate {DEC} NOT NULL,
    rate_unit TEXT REFERENCES unit (id),
    valid_from {TS} NOT NULL,
    created_at {TS} NOT NULL,
    created_by TEXT NOT NULL REFERENCES agent (id),
    CONSTRAINT agent_rate_pair_from_key UNIQUE (agent, skill, valid_from)
)
"#;

const SQLITE_GUARDS: &str = r#"
CREATE TRIGGER agent_rate_append_only_update BEFORE UPDATE ON agent_rate
BEGIN
    SELECT RAISE(ABORT, 'agent rates are append-only: set a rate with a later validFrom instead');
END
;;
CREATE TRIGGER agent_rate_append_only_delete BEFORE DELETE ON agent_rate
BEGIN
    SELECT RAISE(ABORT, 'agent rates are append-only: set a rate with a later validFrom instead');
END
"#;

const POSTGRES_GUARDS: &str = r#"
CREATE FUNCTION ovn_refuse_rate_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'agent rates are append-only: set a rate with a later validFrom instead';
END
$$ LANGUAGE plpgsql
;;
CREATE TRIGGER agent_rate_append_only BEFORE UPDATE OR DELETE ON agent_rate
FOR EACH ROW EXECUTE FUNCTION ovn_refuse_rate_rewrite()
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER agent_rate_append_only_delete
;;
DROP TRIGGER agent_rate_append_only_update
;;
DROP TABLE agent_rate
"#;

const POSTGRES_DOWN: &str = r#"
DROP TRIGGER agent_rate_append_only ON agent_rate
;;
DROP FUNCTION ovn_refuse_rate_rewrite()
;;
DROP TABLE agent_rate
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
