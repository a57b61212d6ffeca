//! The observation layer: processes, economic resources and economic events, and the
//! append-only rule of the books, enforced by the database itself as a last line of defence.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

// Quantities are a `{DEC}` value column plus a unit column. `created_at` on an event is the
// system time it was recorded (VF's `created`), distinct from the observed times
// (`has_point_in_time`, `has_beginning`, `has_end`), so that reports can tell back-dated and
// corrected events apart.
const UP: &str = r#"
CREATE TABLE process (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    has_beginning {TS},
    has_end {TS},
    finished BOOLEAN NOT NULL DEFAULT FALSE,
    classified_as TEXT,
    note TEXT,
    based_on TEXT REFERENCES process_specification (id),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX process_based_on_idx ON process (based_on)
;;
-- `inScopeOf` of processes and events: joined on (economicEventsInScope, fluid equity), so a
-- table rather than JSON.
CREATE TABLE process_scope (
    process_id TEXT NOT NULL REFERENCES process (id),
    scope_id TEXT NOT NULL REFERENCES agent (id),
    PRIMARY KEY (process_id, scope_id)
)
;;
CREATE INDEX process_scope_scope_idx ON process_scope (scope_id)
;;
CREATE TABLE economic_resource (
    id TEXT PRIMARY KEY,
    name TEXT,
    conforms_to TEXT NOT NULL REFERENCES resource_specification (id),
    classified_as TEXT,
    tracking_identifier TEXT,
    image TEXT,
    image_list TEXT,
    unit TEXT REFERENCES unit (id),
    accounting_quantity {DEC} NOT NULL,
    onhand_quantity {DEC} NOT NULL,
    unit_of_effort TEXT REFERENCES unit (id),
    primary_accountable TEXT REFERENCES agent (id),
    custodian TEXT REFERENCES agent (id),
    current_location TEXT,
    contained_in TEXT REFERENCES economic_resource (id),
    stage TEXT REFERENCES process_specification (id),
    state TEXT,
    property_regime TEXT NOT NULL DEFAULT 'PRIVATE'
        CHECK (property_regime IN ('PRIVATE', 'POOL_OF_SHAREABLES', 'NONDOMINIUM', 'COMMONS')),
    value_per_unit_of_use {DEC},
    value_per_unit_of_use_unit TEXT REFERENCES unit (id),
    note TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX economic_resource_conforms_to_idx ON economic_resource (conforms_to)
;;
CREATE INDEX economic_resource_primary_accountable_idx ON economic_resource (primary_accountable)
;;
CREATE INDEX economic_resource_custodian_idx ON economic_resource (custodian)
;;
CREATE INDEX economic_resource_contained_in_idx ON economic_resource (contained_in)
;;
CREATE INDEX economic_resource_stage_idx ON economic_resource (stage)
;;
CREATE TABLE economic_event (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    provider TEXT NOT NULL REFERENCES agent (id),
    receiver TEXT NOT NULL REFERENCES agent (id),
    resource_inventoried_as TEXT REFERENCES economic_resource (id),
    to_resource_inventoried_as TEXT REFERENCES economic_resource (id),
    resource_classified_as TEXT,
    resource_conforms_to TEXT REFERENCES resource_specification (id),
    resource_quantity {DEC},
    resource_quantity_unit TEXT REFERENCES unit (id),
    effort_quantity {DEC},
    effort_quantity_unit TEXT REFERENCES unit (id),
    has_beginning {TS},
    has_end {TS},
    has_point_in_time {TS},
    note TEXT,
    agreed_in TEXT,
    triggered_by TEXT REFERENCES economic_event (id),
    input_of TEXT REFERENCES process (id),
    output_of TEXT REFERENCES process (id),
    at_location TEXT,
    to_location TEXT,
    state TEXT,
    corrects TEXT REFERENCES economic_event (id),
    declared_value {DEC},
    declared_value_unit TEXT REFERENCES unit (id),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX economic_event_provider_idx ON economic_event (provider)
;;
CREATE INDEX economic_event_receiver_idx ON economic_event (receiver)
;;
CREATE INDEX economic_event_resource_idx ON economic_event (resource_inventoried_as)
;;
CREATE INDEX economic_event_to_resource_idx ON economic_event (to_resource_inventoried_as)
;;
CREATE INDEX economic_event_input_of_idx ON economic_event (input_of)
;;
CREATE INDEX economic_event_output_of_idx ON economic_event (output_of)
;;
CREATE INDEX economic_event_corrects_idx ON economic_event (corrects)
;;
CREATE INDEX economic_event_triggered_by_idx ON economic_event (triggered_by)
;;
CREATE INDEX economic_event_conforms_to_idx ON economic_event (resource_conforms_to)
;;
CREATE TABLE economic_event_scope (
    event_id TEXT NOT NULL REFERENCES economic_event (id),
    scope_id TEXT NOT NULL REFERENCES agent (id),
    PRIMARY KEY (event_id, scope_id)
)
;;
CREATE INDEX economic_event_scope_scope_idx ON economic_event_scope (scope_id)
"#;

// The books are append-only: the application never deletes an event or a resource and never
// rewrites an event's economic fields; these triggers make that a property of the database,
// so a bug or a hand-typed `UPDATE` cannot quietly rewrite history.
const SQLITE_GUARDS: &str = r#"
CREATE TRIGGER economic_event_append_only_delete BEFORE DELETE ON economic_event
BEGIN
    SELECT RAISE(ABORT, 'economic events are append-only: record a correcting event instead');
END
;;
CREATE TRIGGER economic_event_append_only_update BEFORE UPDATE ON economic_event
WHEN OLD.id IS NOT NEW.id OR OLD.action IS NOT NEW.action OR OLD.provider IS NOT NEW.provider
  OR OLD.receiver IS NOT NEW.receiver
  OR OLD.resource_inventoried_as IS NOT NEW.resource_inventoried_as
  OR OLD.to_resource_inventoried_as IS NOT NEW.to_resource_inventoried_as
  OR OLD.resource_quantity IS NOT NEW.resource_quantity
  OR OLD.resource_quantity_unit IS NOT NEW.resource_quantity_unit
  OR OLD.effort_quantity IS NOT NEW.effort_quantity
  OR OLD.effort_quantity_unit IS NOT NEW.effort_quantity_unit
  OR OLD.input_of IS NOT NEW.input_of OR OLD.output_of IS NOT NEW.output_of
  OR OLD.corrects IS NOT NEW.corrects OR OLD.declared_value IS NOT NEW.declared_value
  OR OLD.created_at IS NOT NEW.created_at
BEGIN
    SELECT RAISE(ABORT, 'economic events are append-only: record a correcting event instead');
END
;;
CREATE TRIGGER economic_resource_append_only_delete BEFORE DELETE ON economic_resource
BEGIN
    SELECT RAISE(ABORT, 'economic resources are never deleted');
END
"#;

const POSTGRES_GUARDS: &str = r#"
CREATE FUNCTION ovn_refuse_event_rewrite() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'economic events are append-only: record a correcting event instead';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.action IS DISTINCT FROM OLD.action
       OR NEW.provider IS DISTINCT FROM OLD.provider OR NEW.receiver IS DISTINCT FROM OLD.receiver
       OR NEW.resource_inventoried_as IS DISTINCT FROM OLD.resource_inventoried_as
       OR NEW.to_resource_inventoried_as IS DISTINCT FROM OLD.to_resource_inventoried_as
       OR NEW.resource_quantity IS DISTINCT FROM OLD.resource_quantity
       OR NEW.resource_quantity_unit IS DISTINCT FROM OLD.resource_quantity_unit
       OR NEW.effort_quantity IS DISTINCT FROM OLD.effort_quantity
       OR NEW.effort_quantity_unit IS DISTINCT FROM OLD.effort_quantity_unit
       OR NEW.input_of IS DISTINCT FROM OLD.input_of OR NEW.output_of IS DISTINCT FROM OLD.output_of
       OR NEW.corrects IS DISTINCT FROM OLD.corrects
       OR NEW.declared_value IS DISTINCT FROM OLD.declared_value
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'economic events are append-only: record a correcting event instead';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
;;
CREATE TRIGGER economic_event_append_only BEFORE UPDATE OR DELETE ON economic_event
FOR EACH ROW EXECUTE FUNCTION ovn_refuse_event_rewrite()
;;
CREATE FUNCTION ovn_refuse_resource_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'economic resources are never deleted';
END
$$ LANGUAGE plpgsql
;;
CREATE TRIGGER economic_resource_append_only BEFORE DELETE ON economic_resource
FOR EACH ROW EXECUTE FUNCTION ovn_refuse_resource_delete()
"#;

const DOWN: &str = r#"
DROP TABLE economic_event_scope
;;
DROP TABLE economic_event
;;
DROP TABLE economic_resource
;;
DROP TABLE process_scope
;;
DROP TABLE process
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await?;
        let guards = if dialect::is_postgres(manager) { POSTGRES_GUARDS } else { SQLITE_GUARDS };
        dialect::run(manager, guards).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the tables drops their triggers; the PostgreSQL functions go explicitly.
        dialect::run(manager, DOWN).await?;
        if dialect::is_postgres(manager) {
            dialect::run(
                manager,
                "DROP FUNCTION ovn_refuse_event_rewrite()\n;;\nDROP FUNCTION ovn_refuse_resource_delete()",
            )
            .await?;
        }
        Ok(())
    }
}
