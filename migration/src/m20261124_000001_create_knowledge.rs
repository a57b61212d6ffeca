//! Agents, agent relationships, units, resource and process specifications, and the
//! idempotency keys every create mutation records.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

// Ids are UUID text on both backends: readable in `sqlite3`, identical in exports.
// `revision` counts updates; vf-graphql's `revisionId` is `{id}:{revision}`.
// Lists of URIs (`classified_as`, `image_list`) are JSON text: they are never joined on.
const UP: &str = r#"
CREATE TABLE agent (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('Person', 'Organization')),
    name TEXT NOT NULL,
    image TEXT,
    note TEXT,
    classified_as TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX agent_kind_idx ON agent (kind, id)
;;
CREATE TABLE agent_relationship_role (
    id TEXT PRIMARY KEY,
    role_label TEXT NOT NULL,
    inverse_role_label TEXT,
    note TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
-- in_scope_of: JSON array of agent ids (the AccountingScope of the relationship).
CREATE TABLE agent_relationship (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL REFERENCES agent (id),
    object TEXT NOT NULL REFERENCES agent (id),
    relationship TEXT NOT NULL REFERENCES agent_relationship_role (id),
    in_scope_of TEXT,
    note TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX agent_relationship_subject_idx ON agent_relationship (subject)
;;
CREATE INDEX agent_relationship_object_idx ON agent_relationship (object)
;;
CREATE INDEX agent_relationship_role_idx ON agent_relationship (relationship)
;;
-- Units are deduplicated on (label, symbol), as hREA does: creating the same unit twice
-- returns the first one, so two clients never fork "hour".
CREATE TABLE unit (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    symbol TEXT NOT NULL,
    om_unit_identifier TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    CONSTRAINT unit_label_symbol_key UNIQUE (label, symbol)
)
;;
CREATE TABLE process_specification (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    note TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE TABLE resource_specification (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    image TEXT,
    image_list TEXT,
    resource_classified_as TEXT,
    note TEXT,
    default_unit_of_resource TEXT REFERENCES unit (id),
    default_unit_of_effort TEXT REFERENCES unit (id),
    substitutable BOOLEAN,
    default_value_per_unit {DEC},
    default_value_per_unit_unit TEXT REFERENCES unit (id),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
-- One row per (agent, key): a retried create returns the record it made the first time.
-- request_hash tells a true retry from a reuse of the key for another input. The row is
-- written in the same transaction as the record, so a key never points at nothing.
CREATE TABLE idempotency_key (
    agent_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result_id TEXT NOT NULL,
    created_at {TS} NOT NULL,
    PRIMARY KEY (agent_id, idempotency_key)
)
"#;

const DOWN: &str = r#"
DROP TABLE idempotency_key
;;
DROP TABLE resource_specification
;;
DROP TABLE process_specification
;;
DROP TABLE unit
;;
DROP TABLE agent_relationship
;;
DROP TABLE agent_relationship_role
;;
DROP TABLE agent
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
