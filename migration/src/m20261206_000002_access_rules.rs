//! Access rules of shared resources (DESIGN 6).
//!
//! `access_rule`: one row per version of the rule of a resource or of a resource
//! specification (exactly one of the two is set). Append-only: a change inserts the next
//! version, so the table is the rule's history and the current rule is the highest version.
//! The lists (`roles`, `agents`) are JSON arrays of ids: they are read whole with their rule and
//! never queried by member. `longest_booking_seconds` rather than an interval type, the same on
//! both databases.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE access_rule (
    id TEXT PRIMARY KEY,
    resource TEXT REFERENCES economic_resource (id),
    resource_specification TEXT REFERENCES resource_specification (id),
    version BIGINT NOT NULL,
    scope TEXT NOT NULL REFERENCES agent (id),
    any_affiliate BOOLEAN NOT NULL,
    roles TEXT NOT NULL,
    agents TEXT NOT NULL,
    minimum_reputation {DEC},
    requires_approval BOOLEAN NOT NULL,
    longest_booking_seconds BIGINT,
    value_per_unit_of_use {DEC},
    value_per_unit_of_use_unit TEXT REFERENCES unit (id),
    maintenance_share {DEC} NOT NULL,
    maintenance_recipient TEXT REFERENCES agent (id),
    note TEXT,
    set_by TEXT NOT NULL REFERENCES agent (id),
    set_at {TS} NOT NULL,
    proposal TEXT REFERENCES governance_proposal (id),
    CHECK ((resource IS NULL) <> (resource_specification IS NULL))
)
;;
CREATE UNIQUE INDEX access_rule_resource_version_idx ON access_rule (resource, version)
;;
CREATE UNIQUE INDEX access_rule_specification_version_idx ON access_rule (resource_specification, version)
;;
CREATE INDEX access_rule_scope_idx ON access_rule (scope)
"#;

const DOWN: &str = r#"
DROP TABLE access_rule
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, DOWN).await
    }
}
