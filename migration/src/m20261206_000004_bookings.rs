//! Bookings of shared resources (issue 11): the OVN facts of a `use` commitment that books a
//! resource for a time interval.
//!
//! - `booking`: one row per booking, keyed by its commitment (the vf record clients already
//!   read). The interval and the resource are copied from the commitment, so that the live
//!   bookings of a resource are read from one index without joining the commitments. `status`
//!   is `PENDING`, `CONFIRMED`, `CANCELLED` or `FULFILLED`; who approved or cancelled it and
//!   when; the `use` event that first fulfilled it; and the access rule version it was checked
//!   against (none when the resource had no rule).
//! - The interval is half-open, `[begins, ends)`, and never empty (`CHECK`).
//!
//! Down drops the table.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE booking (
    commitment TEXT PRIMARY KEY REFERENCES commitment (id),
    resource TEXT NOT NULL REFERENCES economic_resource (id),
    begins {TS} NOT NULL,
    ends {TS} NOT NULL,
    booker TEXT NOT NULL REFERENCES agent (id),
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED', 'FULFILLED')),
    access_rule TEXT REFERENCES access_rule (id),
    approved_by TEXT REFERENCES agent (id),
    approved {TS},
    cancelled_by TEXT REFERENCES agent (id),
    cancelled {TS},
    fulfilled_by TEXT REFERENCES economic_event (id),
    created {TS} NOT NULL,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL,
    CHECK (begins < ends)
)
;;
-- A resource's bookings by time: the overlap check and availability read this index.
CREATE INDEX booking_resource_idx ON booking (resource, begins)
;;
-- An agent's bookings.
CREATE INDEX booking_booker_idx ON booking (booker, begins)
"#;

const DOWN: &str = r#"
DROP TABLE booking
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
