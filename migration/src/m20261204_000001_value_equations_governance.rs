//! Value equations as records, and their adoption by the contributors' vote.
//!
//! - `value_equation`: one row per version of a scope's equation. `buckets` is the JSON of the
//!   buckets with their rules (each formula as its text): a version is read and written whole,
//!   never queried by bucket, and a frozen version never changes, so one column keeps it as it
//!   was adopted. Versions are numbered 1, 2, ... per scope (unique); at most one version per
//!   scope is `ADOPTED` (a partial unique index, so the books themselves refuse two).
//! - `governance_proposal`: what is put to a scope's vote, with the scope's rule as it was
//!   when the proposal was made (`quorum`, `threshold`, `weighting`), so that changing the
//!   rule later cannot swing an open vote. A quorum or threshold is an exact fraction as text:
//!   a canonical decimal (`0.5`) or `n/d` (the default threshold is exactly `2/3`, which no
//!   decimal is).
//! - `governance_elector`: the electorate, fixed when the proposal is made, with each vote's
//!   weight (`{DEC}`), so that contributions recorded during the vote cannot swing it.
//! - `governance_vote`: one row per elector who voted; a second vote replaces the first.
//! - `governance_rule`: a scope's rule, when it set one (else the default applies).

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE value_equation (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL REFERENCES agent (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('DRAFT', 'PROPOSED', 'ADOPTED', 'RETIRED')),
    percentage_behavior TEXT NOT NULL CHECK (percentage_behavior IN ('STRAIGHT', 'REMAINING')),
    valuation TEXT NOT NULL CHECK (valuation IN ('RESTATE', 'FORWARD')),
    note TEXT,
    buckets TEXT NOT NULL,
    created {TS} NOT NULL,
    created_by TEXT NOT NULL REFERENCES agent (id),
    adopted_at {TS},
    retired_at {TS},
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    -- Adopted and retired versions say when; drafts and proposed versions were never adopted.
    CHECK ((status IN ('ADOPTED', 'RETIRED')) = (adopted_at IS NOT NULL)),
    CHECK ((status = 'RETIRED') = (retired_at IS NOT NULL))
)
;;
CREATE UNIQUE INDEX value_equation_version_idx ON value_equation (scope, version)
;;
CREATE INDEX value_equation_status_idx ON value_equation (scope, status)
;;
CREATE UNIQUE INDEX value_equation_one_adopted_idx ON value_equation (scope) WHERE status = 'ADOPTED'
;;
CREATE TABLE governance_proposal (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL
        CHECK (kind IN ('ADOPT_VALUE_EQUATION', 'ALLOCATE_FROM_POOL', 'CHANGE_ACCESS_RULE', 'TRANSFER_CUSTODIANSHIP')),
    scope TEXT NOT NULL REFERENCES agent (id),
    value_equation TEXT REFERENCES value_equation (id),
    note TEXT,
    deadline {TS} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('OPEN', 'PASSED', 'FAILED')),
    created {TS} NOT NULL,
    proposer TEXT NOT NULL REFERENCES agent (id),
    decided_at {TS},
    quorum TEXT NOT NULL,
    threshold TEXT NOT NULL,
    weighting TEXT NOT NULL CHECK (weighting IN ('ONE_AGENT_ONE_VOTE', 'FLUID_EQUITY')),
    electorate_basis TEXT NOT NULL CHECK (electorate_basis IN ('CONTRIBUTORS', 'STEWARDS', 'PROPOSER')),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    CHECK (kind <> 'ADOPT_VALUE_EQUATION' OR value_equation IS NOT NULL),
    CHECK ((status = 'OPEN') = (decided_at IS NULL))
)
;;
CREATE INDEX governance_proposal_scope_idx ON governance_proposal (scope, status)
;;
-- The sweeper's question: the open proposals whose deadline has come.
CREATE INDEX governance_proposal_due_idx ON governance_proposal (status, deadline)
;;
CREATE INDEX governance_proposal_equation_idx ON governance_proposal (value_equation)
;;
CREATE TABLE governance_elector (
    proposal TEXT NOT NULL REFERENCES governance_proposal (id),
    agent TEXT NOT NULL REFERENCES agent (id),
    weight {DEC} NOT NULL,
    PRIMARY KEY (proposal, agent)
)
;;
CREATE TABLE governance_vote (
    proposal TEXT NOT NULL REFERENCES governance_proposal (id),
    voter TEXT NOT NULL REFERENCES agent (id),
    in_favour BOOLEAN NOT NULL,
    cast_at {TS} NOT NULL,
    PRIMARY KEY (proposal, voter),
    -- Only an elector votes.
    FOREIGN KEY (proposal, voter) REFERENCES governance_elector (proposal, agent)
)
;;
CREATE TABLE governance_rule (
    scope TEXT PRIMARY KEY REFERENCES agent (id),
    quorum TEXT NOT NULL,
    threshold TEXT NOT NULL,
    weighting TEXT NOT NULL CHECK (weighting IN ('ONE_AGENT_ONE_VOTE', 'FLUID_EQUITY')),
    set_by TEXT NOT NULL REFERENCES agent (id),
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
)
"#;

const DOWN: &str = r#"
DROP TABLE governance_rule
;;
DROP TABLE governance_vote
;;
DROP TABLE governance_elector
;;
DROP TABLE governance_proposal
;;
DROP TABLE value_equation
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
