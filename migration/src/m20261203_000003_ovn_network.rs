//! The shape of an open value network: the five OVN relationship roles (`affiliateOf`,
//! `partOf`, `exchangeFirmOf`, `custodianOf`, `stewardOf`) seeded with fixed ids, which every
//! instance shares and ovn's rules read; an index to find an organization's ties by role;
//! and `pending_transfer`, where a transfer waits for its receiver's consent before it becomes
//! an economic event.

use sea_orm_migration::prelude::*;

use crate::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

// The role ids are version-8 UUIDs ending in 1..5; the domain names the same constants.
// `pending_transfer.command` is the `createEconomicEvent` input as the service parsed it (JSON),
// recorded as an event, under the same id, only when the receiver accepts it; `event` is the
// event as it would be recorded (JSON), shown while it waits.
const UP: &str = r#"
INSERT INTO agent_relationship_role (id, role_label, inverse_role_label, note, revision, created_at, updated_at) VALUES
('00000000-0000-8000-8000-000000000001', 'affiliateOf', 'hasAffiliate', 'OVN: the subject is an affiliate of the object network (or project).', 1, '2026-12-02T00:00:00+00:00', '2026-12-02T00:00:00+00:00'),
('00000000-0000-8000-8000-000000000002', 'partOf', 'hasPart', 'OVN: the subject project or network is part of the object network.', 1, '2026-12-02T00:00:00+00:00', '2026-12-02T00:00:00+00:00'),
('00000000-0000-8000-8000-000000000003', 'exchangeFirmOf', 'hasExchangeFirm', 'OVN: the subject is the object network''s exchange firm, its one door to the market.', 1, '2026-12-02T00:00:00+00:00', '2026-12-02T00:00:00+00:00'),
('00000000-0000-8000-8000-000000000004', 'custodianOf', 'hasCustodian', 'OVN: the subject holds the object network''s nondominium assets.', 1, '2026-12-02T00:00:00+00:00', '2026-12-02T00:00:00+00:00'),
('00000000-0000-8000-8000-000000000005', 'stewardOf', 'hasSteward', 'OVN: the subject may record on behalf of others in the object''s scope and manage its settings.', 1, '2026-12-02T00:00:00+00:00', '2026-12-02T00:00:00+00:00')
;;
CREATE INDEX agent_relationship_object_role_idx ON agent_relationship (object, relationship)
;;
CREATE TABLE pending_transfer (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL REFERENCES agent (id),
    receiver TEXT NOT NULL REFERENCES agent (id),
    recorded_by TEXT NOT NULL REFERENCES agent (id),
    command TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    decided_by TEXT REFERENCES agent (id),
    created_at {TS} NOT NULL,
    decided_at {TS}
)
;;
CREATE INDEX pending_transfer_receiver_idx ON pending_transfer (receiver, state)
"#;

const DOWN: &str = r#"
DROP TABLE pending_transfer
;;
DROP INDEX agent_relationship_object_role_idx
;;
DELETE FROM agent_relationship_role WHERE id LIKE '00000000-0000-8000-8000-00000000000_'
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
