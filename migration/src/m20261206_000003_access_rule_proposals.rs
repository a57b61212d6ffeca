//! `CHANGE_ACCESS_RULE` proposals (DESIGN 5, 6): `governance_proposal` gains the rule a
//! proposal would set: its target (`access_resource` or `access_resource_specification`) and
//! its terms (`access_terms`, JSON). JSON rather than a column per term because the terms are
//! written once with the proposal and read whole with it, never queried by term; when the
//! proposal passes they become a row of `access_rule`, which has the columns. Nullable
//! columns on the proposal, not a table, so a proposal is still read whole from one row (as
//! the allocation's terms are).
//!
//! Down: PostgreSQL drops the columns; SQLite cannot drop a column that a foreign key uses,
//! so there they stay, unused.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE governance_proposal ADD COLUMN access_resource TEXT REFERENCES economic_resource (id)
;;
ALTER TABLE governance_proposal ADD COLUMN access_resource_specification TEXT REFERENCES resource_specification (id)
;;
ALTER TABLE governance_proposal ADD COLUMN access_terms TEXT
"#;

const POSTGRES_DOWN: &str = r#"
ALTER TABLE governance_proposal DROP COLUMN access_terms
;;
ALTER TABLE governance_proposal DROP COLUMN access_resource_specification
;;
ALTER TABLE governance_proposal DROP COLUMN access_resource
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if dialect::is_postgres(manager) { dialect::run(manager, POSTGRES_DOWN).await } else { Ok(()) }
    }
}
