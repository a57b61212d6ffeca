//! Distributions of revenue (DESIGN 4.3, 4.4, 7): what each revenue event paid, to whom, by
//! which version of which equation, and why.
//!
//! - `distribution`: one level of a split. The top level names its `revenue_event`; the unique
//!   index on it is what makes a revenue event distributed once (a second attempt, even a
//!   concurrent one, fails on it and answers the first). A cascade into a sub-scope is a
//!   distribution of its own with `parent` (and `parent_line`, the line it redistributes) and
//!   no revenue event (several NULLs never clash, on either backend). `root` and `depth`
//!   let a whole tree be read in one query. `equation_snapshot` is the version as applied
//!   (JSON), so a distribution explains itself even if the equation's row is ever unreadable;
//!   `buckets` is what each bucket took (JSON: read whole, never queried).
//! - `distribution_line`: what one agent received from one bucket, rounded (`amount`) and
//!   exact, with the `transfer` event that paid it (`payout`, unique: an event pays one line).
//!   The value engine's snapshots leave payout events out: they are money going back to
//!   contributors, not contributions.
//! - `distribution_part`: each contribution event's exact part of a line, with its claim type.
//!   What `DEBT` and `ONCE` claims were paid before is summed from here (indexed by event), and
//!   `claim` names the vf `Claim` that the part settles, if any.
//! - Append-only: rows are never changed or deleted (triggers refuse it), like the events
//!   that paid them.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE distribution (
    id TEXT PRIMARY KEY,
    revenue_event TEXT REFERENCES economic_event (id),
    parent TEXT REFERENCES distribution (id),
    parent_line TEXT,
    root TEXT NOT NULL,
    depth INTEGER NOT NULL CHECK (depth >= 0),
    scope TEXT NOT NULL REFERENCES agent (id),
    payer TEXT NOT NULL REFERENCES agent (id),
    resource TEXT REFERENCES economic_resource (id),
    amount {DEC} NOT NULL,
    unit TEXT REFERENCES unit (id),
    unclaimed {DEC} NOT NULL,
    equation TEXT NOT NULL REFERENCES value_equation (id),
    equation_version INTEGER NOT NULL,
    equation_snapshot TEXT NOT NULL,
    deliverable TEXT REFERENCES economic_resource (id),
    quantity {DEC},
    buckets TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES agent (id),
    created_at {TS} NOT NULL,
    -- The top level pays a revenue event; a cascade redistributes a line of its parent.
    CHECK ((depth = 0) = (revenue_event IS NOT NULL)),
    CHECK ((depth = 0) = (parent IS NULL))
)
;;
CREATE UNIQUE INDEX distribution_revenue_event_idx ON distribution (revenue_event)
;;
CREATE INDEX distribution_scope_idx ON distribution (scope, created_at)
;;
CREATE INDEX distribution_root_idx ON distribution (root)
;;
CREATE TABLE distribution_line (
    id TEXT PRIMARY KEY,
    distribution TEXT NOT NULL REFERENCES distribution (id),
    position INTEGER NOT NULL,
    bucket TEXT NOT NULL,
    bucket_name TEXT NOT NULL,
    bucket_kind TEXT NOT NULL CHECK (bucket_kind IN ('AGENT', 'DELIVERABLE', 'PERIOD', 'MAINTENANCE')),
    agent TEXT NOT NULL REFERENCES agent (id),
    amount {DEC} NOT NULL,
    exact {DEC} NOT NULL,
    explanation TEXT NOT NULL,
    payout TEXT REFERENCES economic_event (id)
)
;;
CREATE INDEX distribution_line_distribution_idx ON distribution_line (distribution, position)
;;
CREATE INDEX distribution_line_agent_idx ON distribution_line (agent)
;;
CREATE UNIQUE INDEX distribution_line_payout_idx ON distribution_line (payout)
;;
CREATE TABLE distribution_part (
    line TEXT NOT NULL REFERENCES distribution_line (id),
    event TEXT NOT NULL REFERENCES economic_event (id),
    claim_type TEXT NOT NULL CHECK (claim_type IN ('EQUITY', 'DEBT', 'ONCE')),
    part {DEC} NOT NULL,
    claim TEXT REFERENCES claim (id),
    PRIMARY KEY (line, event)
)
;;
CREATE INDEX distribution_part_event_idx ON distribution_part (event)
"#;

const TABLES: [&str; 3] = ["distribution", "distribution_line", "distribution_part"];

fn sqlite_guards() -> String {
    TABLES
        .iter()
        .flat_map(|t| {
            ["UPDATE", "DELETE"].map(|op| {
                format!(
                    "CREATE TRIGGER {t}_append_only_{} BEFORE {op} ON {t}\nBEGIN\n    SELECT RAISE(ABORT, 'distributions are append-only');\nEND",
                    op.to_lowercase()
                )
            })
        })
        .collect::<Vec<_>>()
        .join("\n;;\n")
}

fn postgres_guards() -> String {
    let mut statements = vec![
        "CREATE FUNCTION ovn_refuse_distribution_rewrite() RETURNS trigger AS $$\nBEGIN\n    RAISE EXCEPTION 'distributions are append-only';\nEND\n$$ LANGUAGE plpgsql".to_owned(),
    ];
    statements.extend(TABLES.iter().map(|t| {
        format!(
            "CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}\nFOR EACH ROW EXECUTE FUNCTION ovn_refuse_distribution_rewrite()"
        )
    }));
    statements.join("\n;;\n")
}

fn down(postgres: bool) -> String {
    let mut statements: Vec<String> = Vec::new();
    for t in TABLES.iter().rev() {
        if postgres {
            statements.push(format!("DROP TRIGGER {t}_append_only ON {t}"));
        } else {
            statements.push(format!("DROP TRIGGER {t}_append_only_update"));
            statements.push(format!("DROP TRIGGER {t}_append_only_delete"));
        }
        statements.push(format!("DROP TABLE {t}"));
    }
    if postgres {
        statements.push("DROP FUNCTION ovn_refuse_distribution_rewrite()".to_owned());
    }
    statements.join("\n;;\n")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, UP).await?;
        let guards = if dialect::is_postgres(manager) { postgres_guards() } else { sqlite_guards() };
        dialect::run(manager, &guards).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, &down(dialect::is_postgres(manager))).await
    }
}
