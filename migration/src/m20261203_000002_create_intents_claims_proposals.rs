//! The planning layer's offers, requests and claims: intents and what satisfies them,
//! proposals (with the intents they publish and the agents they are published to), claims
//! and what settles them; and VF 1.0's `mediumOfExchange` on resource specifications.
//!
//! - Quantities are a `{DEC}` value column plus a unit column, as on events.
//! - `in_scope_of` is a JSON array of agent ids, like a relationship's: these records are few
//!   beside events, and `…InScope` reads match the id's quoted text inside the array.
//! - A satisfaction is satisfied by an event or a commitment: two nullable columns with their
//!   foreign keys, exactly one set (commitments come from the planning migration before this
//!   one).
//! - A satisfaction or settlement stores its quantities as written, defaulted from the
//!   satisfying or settling event when the client gave none (events never change), so an
//!   intent's or a claim's progress is a sum over one table.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE intent (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    name TEXT,
    provider TEXT REFERENCES agent (id),
    receiver TEXT REFERENCES agent (id),
    input_of TEXT REFERENCES process (id),
    output_of TEXT REFERENCES process (id),
    resource_inventoried_as TEXT REFERENCES economic_resource (id),
    resource_conforms_to TEXT REFERENCES resource_specification (id),
    resource_classified_as TEXT,
    resource_quantity {DEC},
    resource_quantity_unit TEXT REFERENCES unit (id),
    effort_quantity {DEC},
    effort_quantity_unit TEXT REFERENCES unit (id),
    available_quantity {DEC},
    available_quantity_unit TEXT REFERENCES unit (id),
    has_beginning {TS},
    has_end {TS},
    has_point_in_time {TS},
    due {TS},
    finished BOOLEAN NOT NULL DEFAULT FALSE,
    image TEXT,
    image_list TEXT,
    note TEXT,
    agreed_in TEXT,
    in_scope_of TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    -- An offer names its provider, a request its receiver; an intent with neither is nothing.
    CHECK (provider IS NOT NULL OR receiver IS NOT NULL)
)
;;
CREATE INDEX intent_provider_idx ON intent (provider)
;;
CREATE INDEX intent_receiver_idx ON intent (receiver)
;;
CREATE INDEX intent_input_of_idx ON intent (input_of)
;;
CREATE INDEX intent_output_of_idx ON intent (output_of)
;;
CREATE INDEX intent_resource_idx ON intent (resource_inventoried_as)
;;
CREATE INDEX intent_conforms_to_idx ON intent (resource_conforms_to)
;;
CREATE TABLE satisfaction (
    id TEXT PRIMARY KEY,
    satisfies TEXT NOT NULL REFERENCES intent (id),
    satisfied_by_event TEXT REFERENCES economic_event (id),
    satisfied_by_commitment TEXT REFERENCES commitment (id),
    resource_quantity {DEC},
    resource_quantity_unit TEXT REFERENCES unit (id),
    effort_quantity {DEC},
    effort_quantity_unit TEXT REFERENCES unit (id),
    note TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    CHECK ((satisfied_by_event IS NULL) <> (satisfied_by_commitment IS NULL))
)
;;
CREATE INDEX satisfaction_satisfies_idx ON satisfaction (satisfies)
;;
CREATE INDEX satisfaction_event_idx ON satisfaction (satisfied_by_event)
;;
CREATE INDEX satisfaction_commitment_idx ON satisfaction (satisfied_by_commitment)
;;
CREATE TABLE proposal (
    id TEXT PRIMARY KEY,
    name TEXT,
    has_beginning {TS},
    has_end {TS},
    unit_based BOOLEAN NOT NULL DEFAULT FALSE,
    created {TS} NOT NULL,
    note TEXT,
    in_scope_of TEXT,
    purpose TEXT CHECK (purpose IN ('offer', 'request')),
    -- Who created it: the only agent who may change it.
    recorded_by TEXT NOT NULL REFERENCES agent (id),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE INDEX proposal_recorded_by_idx ON proposal (recorded_by)
;;
CREATE TABLE proposed_intent (
    id TEXT PRIMARY KEY,
    published_in TEXT NOT NULL REFERENCES proposal (id),
    publishes TEXT NOT NULL REFERENCES intent (id),
    reciprocal BOOLEAN NOT NULL DEFAULT FALSE,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
-- An intent is published in a proposal once.
CREATE UNIQUE INDEX proposed_intent_pair_idx ON proposed_intent (published_in, publishes)
;;
CREATE INDEX proposed_intent_publishes_idx ON proposed_intent (publishes)
;;
CREATE TABLE proposed_to (
    id TEXT PRIMARY KEY,
    proposed TEXT NOT NULL REFERENCES proposal (id),
    proposed_to TEXT NOT NULL REFERENCES agent (id),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
;;
CREATE UNIQUE INDEX proposed_to_pair_idx ON proposed_to (proposed, proposed_to)
;;
CREATE INDEX proposed_to_agent_idx ON proposed_to (proposed_to)
;;
CREATE TABLE claim (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    provider TEXT REFERENCES agent (id),
    receiver TEXT REFERENCES agent (id),
    resource_conforms_to TEXT REFERENCES resource_specification (id),
    resource_classified_as TEXT,
    resource_quantity {DEC},
    resource_quantity_unit TEXT REFERENCES unit (id),
    effort_quantity {DEC},
    effort_quantity_unit TEXT REFERENCES unit (id),
    triggered_by TEXT NOT NULL REFERENCES economic_event (id),
    due {TS},
    created {TS} NOT NULL,
    finished BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT,
    agreed_in TEXT,
    in_scope_of TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    CHECK (provider IS NOT NULL OR receiver IS NOT NULL)
)
;;
CREATE INDEX claim_provider_idx ON claim (provider)
;;
CREATE INDEX claim_receiver_idx ON claim (receiver)
;;
CREATE INDEX claim_triggered_by_idx ON claim (triggered_by)
;;
CREATE INDEX claim_conforms_to_idx ON claim (resource_conforms_to)
;;
CREATE TABLE settlement (
    id TEXT PRIMARY KEY,
    settles TEXT NOT NULL REFERENCES claim (id),
    settled_by TEXT NOT NULL REFERENCES economic_event (id),
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
CREATE INDEX settlement_settles_idx ON settlement (settles)
;;
CREATE INDEX settlement_settled_by_idx ON settlement (settled_by)
;;
-- VF 1.0: whether resources of this kind are a medium of exchange (money, credits).
ALTER TABLE resource_specification ADD COLUMN medium_of_exchange BOOLEAN
"#;

const DOWN: &str = r#"
ALTER TABLE resource_specification DROP COLUMN medium_of_exchange
;;
DROP TABLE settlement
;;
DROP TABLE claim
;;
DROP TABLE proposed_to
;;
DROP TABLE proposed_intent
;;
DROP TABLE proposal
;;
DROP TABLE satisfaction
;;
DROP TABLE intent
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
