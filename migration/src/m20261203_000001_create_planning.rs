//! The planning layer (vf-graphql modules `plan`, `agreement`, `commitment`, `fulfillment`):
//! plans, agreements, commitments and fulfilments, and the links from the observation layer
//! into them (`process.planned_within`, `economic_event.realization_of` and
//! `reciprocal_realization_of`).

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

// `recorded_by`: the agent whose token created the record (who may change it, and for a
// commitment, whose own promise it is: consent for transfers asks this).
// `created` on plan and agreement is the date the client states; `created_at` is ovn's.
// `in_scope_of` is a JSON array of agent ids, as on agent relationships; commitments in a
// scope are found with a text match on the quoted id (ids are UUIDs, so a match is exact).
// Quantities: an amount ({DEC}) and its unit, as on economic events.
const UP: &str = r#"
CREATE TABLE plan (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created {TS},
    due {TS},
    note TEXT,
    in_scope_of TEXT,
    recorded_by TEXT NOT NULL REFERENCES agent (id),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE TABLE agreement (
    id TEXT PRIMARY KEY,
    name TEXT,
    created {TS},
    note TEXT,
    recorded_by TEXT NOT NULL REFERENCES agent (id),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE TABLE commitment (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    provider TEXT NOT NULL REFERENCES agent (id),
    receiver TEXT NOT NULL REFERENCES agent (id),
    resource_classified_as TEXT,
    resource_conforms_to TEXT REFERENCES resource_specification (id),
    resource_inventoried_as TEXT REFERENCES economic_resource (id),
    resource_quantity {DEC},
    resource_quantity_unit TEXT REFERENCES unit (id),
    effort_quantity {DEC},
    effort_quantity_unit TEXT REFERENCES unit (id),
    has_beginning {TS},
    has_end {TS},
    has_point_in_time {TS},
    due {TS},
    finished BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT,
    agreed_in TEXT,
    in_scope_of TEXT,
    clause_of TEXT REFERENCES agreement (id),
    reciprocal_clause_of TEXT REFERENCES agreement (id),
    independent_demand_of TEXT REFERENCES plan (id),
    planned_within TEXT REFERENCES plan (id),
    input_of TEXT REFERENCES process (id),
    output_of TEXT REFERENCES process (id),
    stage TEXT REFERENCES process_specification (id),
    recorded_by TEXT NOT NULL REFERENCES agent (id),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX commitment_provider_idx ON commitment (provider)
;;
CREATE INDEX commitment_receiver_idx ON commitment (receiver)
;;
CREATE INDEX commitment_input_of_idx ON commitment (input_of)
;;
CREATE INDEX commitment_output_of_idx ON commitment (output_of)
;;
CREATE INDEX commitment_planned_within_idx ON commitment (planned_within)
;;
CREATE INDEX commitment_independent_demand_of_idx ON commitment (independent_demand_of)
;;
CREATE INDEX commitment_clause_of_idx ON commitment (clause_of)
;;
CREATE INDEX commitment_reciprocal_clause_of_idx ON commitment (reciprocal_clause_of)
;;
CREATE INDEX commitment_resource_idx ON commitment (resource_inventoried_as)
;;
CREATE INDEX commitment_conforms_to_idx ON commitment (resource_conforms_to)
;;
CREATE INDEX commitment_stage_idx ON commitment (stage)
;;
CREATE TABLE fulfillment (
    id TEXT PRIMARY KEY,
    fulfilled_by TEXT NOT NULL REFERENCES economic_event (id),
    fulfills TEXT NOT NULL REFERENCES commitment (id),
    resource_quantity {DEC},
    resource_quantity_unit TEXT REFERENCES unit (id),
    effort_quantity {DEC},
    effort_quantity_unit TEXT REFERENCES unit (id),
    note TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX fulfillment_fulfilled_by_idx ON fulfillment (fulfilled_by)
;;
CREATE INDEX fulfillment_fulfills_idx ON fulfillment (fulfills)
;;
ALTER TABLE process ADD COLUMN planned_within TEXT REFERENCES plan (id)
;;
CREATE INDEX process_planned_within_idx ON process (planned_within)
;;
ALTER TABLE economic_event ADD COLUMN realization_of TEXT REFERENCES agreement (id)
;;
ALTER TABLE economic_event ADD COLUMN reciprocal_realization_of TEXT REFERENCES agreement (id)
;;
CREATE INDEX economic_event_realization_of_idx ON economic_event (realization_of)
;;
CREATE INDEX economic_event_reciprocal_realization_of_idx ON economic_event (reciprocal_realization_of)
"#;

const DOWN: &str = r#"
DROP INDEX economic_event_reciprocal_realization_of_idx
;;
DROP INDEX economic_event_realization_of_idx
;;
ALTER TABLE economic_event DROP COLUMN reciprocal_realization_of
;;
ALTER TABLE economic_event DROP COLUMN realization_of
;;
DROP INDEX process_planned_within_idx
;;
ALTER TABLE process DROP COLUMN planned_within
;;
DROP TABLE fulfillment
;;
DROP TABLE commitment
;;
DROP TABLE agreement
;;
DROP TABLE plan
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
