//! Transfers waiting for their receiver's consent: set aside by [`super::record_in`], listed
//! for the receiver, and either accepted (recorded then, as an economic event under the id it
//! waited with, through the same service as any event) or rejected (never recorded). A
//! waiting transfer is not in the books: no resource, trace, export or replay sees it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::observation::EconomicEvent;
use ovn_domain::observation::consent::TransferConsent;
use ovn_domain::{AgentId, EconomicEventId, permission};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::RecordEvent;
use super::record::{Consent, Recorded, record_with};
use crate::agent::network::ties_around;
use crate::entity::pending_transfer;
use crate::error::{PersistenceError, Result};
use crate::rows::id;
use crate::store::Store;

/// A transfer waiting for (or past) its receiver's decision.
#[derive(Debug, Clone)]
pub struct PendingTransfer {
    /// The event as it will be recorded when accepted.
    pub event: EconomicEvent,
    /// Who recorded it.
    pub recorded_by: AgentId,
    /// Where it stands.
    pub consent: TransferConsent,
    /// When it was recorded.
    pub created: DateTime<Utc>,
}

fn json_error(err: serde_json::Error) -> PersistenceError {
    PersistenceError::Corrupt(format!("a waiting transfer does not read back: {err}"))
}

fn pending_from(row: &pending_transfer::Model) -> Result<PendingTransfer> {
    Ok(PendingTransfer {
        event: serde_json::from_str(&row.event).map_err(json_error)?,
        recorded_by: id(&row.recorded_by, AgentId::parse)?,
        consent: id(&row.state, TransferConsent::parse)?,
        created: row.created_at,
    })
}

/// Writes a transfer that waits for consent: `command` (with the id of any resource it will
/// create fixed) is what acceptance records; `event` is what it shows meanwhile.
pub(crate) async fn set_aside(
    txn: &DatabaseTransaction,
    actor: AgentId,
    command: &RecordEvent,
    event: &EconomicEvent,
) -> Result<()> {
    let json = |value: serde_json::Result<String>| value.map_err(json_error);
    pending_transfer::Entity::insert(pending_transfer::ActiveModel {
        id: Set(event.id.to_string()),
        provider: Set(event.core.provider.to_string()),
        receiver: Set(event.core.receiver.to_string()),
        recorded_by: Set(actor.to_string()),
        command: Set(json(serde_json::to_string(command))?),
        event: Set(json(serde_json::to_string(event))?),
        state: Set(TransferConsent::Pending.as_str().to_owned()),
        decided_by: Set(None),
        created_at: Set(event.created),
        decided_at: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Reads a waiting transfer for a decision (locked on PostgreSQL, so that two decisions take
/// turns) and checks that `actor` may take it and that it is still pending.
async fn decide_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    event_id: EconomicEventId,
    next: TransferConsent,
    now: DateTime<Utc>,
) -> Result<pending_transfer::Model> {
    let row = pending_transfer::Entity::find_by_id(event_id.to_string())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| PersistenceError::not_found("transfer waiting for consent", event_id))?;
    let receiver = id(&row.receiver, AgentId::parse)?;
    let ties = ties_around(txn, &[actor], &[receiver]).await?;
    permission::may_consent(actor, receiver, &ties)?;
    let state = id(&row.state, TransferConsent::parse)?.decide(next).map_err(PersistenceError::from_state)?;
    pending_transfer::Entity::update(pending_transfer::ActiveModel {
        id: Set(row.id.clone()),
        state: Set(state.as_str().to_owned()),
        decided_by: Set(Some(actor.to_string())),
        decided_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(row)
}

/// `acceptTransfer` inside the caller's transaction: records the waiting transfer now, by the
/// same service as every event (a transfer that no longer fits the books, its provider's
/// resource having been spent meanwhile, is refused and stays pending).
pub async fn accept_transfer_in(
    txn: &DatabaseTransaction,
    locks_rows: bool,
    actor: AgentId,
    event_id: EconomicEventId,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    let row = decide_in(txn, actor, event_id, TransferConsent::Accepted, now).await?;
    let command: RecordEvent = serde_json::from_str(&row.command).map_err(json_error)?;
    let recorded_by = id(&row.recorded_by, AgentId::parse)?;
    record_with(txn, locks_rows, recorded_by, event_id, command, now, Consent::Given).await
}

/// `rejectTransfer` inside the caller's transaction.
pub async fn reject_transfer_in(txn: &DatabaseTransaction, actor: AgentId, event_id: EconomicEventId) -> Result<()> {
    decide_in(txn, actor, event_id, TransferConsent::Rejected, Utc::now()).await.map(|_| ())
}

impl Store {
    /// `acceptTransfer`: the receiver (or a steward of it) accepts a waiting transfer, which is
    /// recorded in the same transaction.
    pub async fn accept_transfer(&self, actor: AgentId, event_id: EconomicEventId) -> Result<Recorded> {
        let locks_rows = self.locks_rows();
        self.write(move |txn| accept_transfer_in(txn, locks_rows, actor, event_id, Utc::now()).boxed()).await
    }

    /// `rejectTransfer`: the receiver (or a steward of it) refuses a waiting transfer.
    pub async fn reject_transfer(&self, actor: AgentId, event_id: EconomicEventId) -> Result<()> {
        self.write(move |txn| reject_transfer_in(txn, actor, event_id).boxed()).await
    }

    /// The transfers waiting for `receiver`'s consent, oldest first.
    pub async fn pending_transfers(&self, receiver: AgentId) -> Result<Vec<PendingTransfer>> {
        let rows = pending_transfer::Entity::find()
            .filter(pending_transfer::Column::Receiver.eq(receiver.to_string()))
            .filter(pending_transfer::Column::State.eq(TransferConsent::Pending.as_str()))
            .order_by_asc(pending_transfer::Column::Id)
            .all(self.connection())
            .await?;
        rows.iter().map(pending_from).collect()
    }

    /// Waiting (or decided) transfers by event id (DataLoader batches): an event's consent.
    pub async fn transfers_by_id(&self, ids: &[EconomicEventId]) -> Result<HashMap<EconomicEventId, PendingTransfer>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(crate::revisioned::IN_LIST_MAX) {
            let rows = pending_transfer::Entity::find()
                .filter(pending_transfer::Column::Id.is_in(chunk.iter().map(ToString::to_string)))
                .all(self.connection())
                .await?;
            for row in &rows {
                let pending = pending_from(row)?;
                found.insert(pending.event.id, pending);
            }
        }
        Ok(found)
    }
}
