//! vf-graphql's `history`: every revision of every revisioned record, kept as it was written,
//! in the append-only table `record_revision`.
//!
//! - **What is kept.** Each write of a record (its creation and every update, including a
//!   resource changed by an event) appends the record's row as JSON, with its revision number,
//!   the time and the author. Events and processes keep their `inScopeOf` rows inside the
//!   JSON. The generic writes in [`crate::revisioned`] do it for every [`crate::rows::Record`];
//!   the writes that bypass them (events, processes, resources changed by events) call
//!   [`snapshot_in`] themselves. A record's latest revision is always its current row.
//! - **What is not.** Rows written before this table existed, and rows written by the bulk
//!   import ([`crate::ledger_io`]), have no kept revision until their next write: they are
//!   served from their row, and their earlier revisions are unknown
//!   ([`ovn_domain::history::record_meta`] says so). A deleted record keeps its revisions
//!   (the table is append-only), though nothing can ask for them any more.
//! - **Who wrote it.** The author is the agent the write was made for, carried with the task
//!   that makes the write ([`authored_by`]), so no write function needs another parameter;
//!   writes made outside a request (the command line, an import) have none.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use ovn_domain::agent::{Agent, AgentRelationship, AgentRelationshipRole};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit};
use ovn_domain::observation::{EconomicEvent, EconomicResource, Process};
use ovn_domain::{
    AgentId, AgentRelationshipId, AgentRelationshipRoleId, DomainError, EconomicEventId, EconomicResourceId, ProcessId,
    ProcessSpecificationId, ResourceSpecificationId, Revision, UnitId,
};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::entity::{economic_event, process, record_revision};
use crate::error::{PersistenceError, Result};
use crate::revisioned::IN_LIST_MAX;
use crate::rows::{self, Record, event_from, process_from};
use crate::store::Store;

tokio::task_local! {
    /// The agent the writes of the current task are made for.
    static AUTHOR: Option<AgentId>;
}

/// Runs `work` with `author` as the author of every revision its writes keep. The API wraps
/// each request in it, with the agent of the request's token.
pub async fn authored_by<F: Future>(author: Option<AgentId>, work: F) -> F::Output {
    AUTHOR.scope(author, work).await
}

/// The author of the writes the current task makes, if any ([`authored_by`]).
pub(crate) fn current_author() -> Option<AgentId> {
    AUTHOR.try_with(|author| *author).ok().flatten()
}

/// A kept revision, as `Revision` shows it (without the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionStamp {
    /// The revision number.
    pub number: i64,
    /// When it was written.
    pub time: DateTime<Utc>,
    /// Who wrote it, when known.
    pub author: Option<AgentId>,
}

/// What `row_json` holds: the row, and the scope rows of records that have them.
#[derive(Serialize, Deserialize)]
struct Snapshot<M> {
    row: M,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    in_scope_of: Vec<String>,
}

/// Keeps revision `revision` of the record `record_id` (of `kind`): its row as written, and
/// its scopes, at `at`, by the current author. Inside the write's transaction, so a write
/// that fails keeps nothing.
pub(crate) async fn snapshot_in<M: Serialize>(
    txn: &impl ConnectionTrait,
    kind: &str,
    record_id: &str,
    revision: i64,
    row: &M,
    in_scope_of: &[AgentId],
    at: DateTime<Utc>,
) -> Result<()> {
    snapshots_in(txn, vec![snapshot(kind, record_id, revision, row, in_scope_of, at)?]).await
}

/// One revision to keep ([`snapshot_in`]'s row), for [`snapshots_in`] to write with others.
pub(crate) fn snapshot<M: Serialize>(
    kind: &str,
    record_id: &str,
    revision: i64,
    row: &M,
    in_scope_of: &[AgentId],
    at: DateTime<Utc>,
) -> Result<record_revision::ActiveModel> {
    let snapshot = Snapshot { row, in_scope_of: in_scope_of.iter().map(ToString::to_string).collect() };
    let row_json = serde_json::to_string(&snapshot).map_err(|e| PersistenceError::Corrupt(e.to_string()))?;
    Ok(record_revision::ActiveModel {
        record_id: Set(record_id.to_owned()),
        revision: Set(revision),
        kind: Set(kind.to_owned()),
        row_json: Set(row_json),
        created_at: Set(at),
        author_id: Set(current_author().map(|a| a.to_string())),
    })
}

/// Keeps several revisions in one statement (the events of a batch and the resources they
/// changed: one round trip, not one per record).
pub(crate) async fn snapshots_in(txn: &impl ConnectionTrait, rows: Vec<record_revision::ActiveModel>) -> Result<()> {
    crate::revisioned::insert_all(txn, rows).await
}

pub(crate) fn read_snapshot<M: DeserializeOwned>(json: &str) -> Result<(M, Vec<AgentId>)> {
    let snapshot: Snapshot<M> = serde_json::from_str(json).map_err(|e| PersistenceError::Corrupt(e.to_string()))?;
    let scopes = snapshot.in_scope_of.iter().map(|s| rows::id(s, AgentId::parse)).collect::<Result<_>>()?;
    Ok((snapshot.row, scopes))
}

/// A record whose revisions are kept, readable at any of them ([`Store::at_revision`]).
pub trait Historic: Sized + Send + 'static {
    /// Its typed id.
    type Id: Copy + fmt::Display + FromStr<Err = DomainError> + PartialEq + Send + Sync + 'static;
    /// What it is called in `record_revision.kind`.
    const KIND: &'static str;
    /// Its id.
    fn record_id(&self) -> Self::Id;
    /// The revision it is at.
    fn revision_number(&self) -> i64;
    /// Reads a kept revision's JSON.
    #[doc(hidden)]
    fn from_snapshot(json: &str) -> Result<Self>;
}

/// Makes [`crate::rows::Record`] types [`Historic`] (their kept JSON is their row): one
/// `Type => IdType` per record.
macro_rules! historic_record {
    ($($ty:ty => $id:ty),* $(,)?) => {$(
        impl Historic for $ty {
            type Id = $id;
            const KIND: &'static str = <$ty as Record>::KIND;

            fn record_id(&self) -> Self::Id {
                Record::id(self)
            }

            fn revision_number(&self) -> i64 {
                self.revision
            }

            fn from_snapshot(json: &str) -> Result<Self> {
                let (row, _) = read_snapshot(json)?;
                <$ty as Record>::from_row(row)
            }
        }
    )*};
}

historic_record!(
    Agent => AgentId,
    AgentRelationship => AgentRelationshipId,
    AgentRelationshipRole => AgentRelationshipRoleId,
    Unit => UnitId,
    ProcessSpecification => ProcessSpecificationId,
    ResourceSpecification => ResourceSpecificationId,
    EconomicResource => EconomicResourceId,
    ovn_domain::planning::Plan => ovn_domain::PlanId,
    ovn_domain::planning::Agreement => ovn_domain::AgreementId,
    ovn_domain::planning::Commitment => ovn_domain::CommitmentId,
    ovn_domain::planning::Fulfillment => ovn_domain::FulfillmentId,
    ovn_domain::intent::Intent => ovn_domain::IntentId,
    ovn_domain::intent::Satisfaction => ovn_domain::SatisfactionId,
    ovn_domain::proposal::Proposal => ovn_domain::ProposalId,
    ovn_domain::proposal::ProposedIntent => ovn_domain::ProposedIntentId,
    ovn_domain::proposal::ProposedTo => ovn_domain::ProposedToId,
    ovn_domain::claim::Claim => ovn_domain::ClaimId,
    ovn_domain::claim::Settlement => ovn_domain::SettlementId,
    ovn_domain::governance::GovernanceProposal => ovn_domain::GovernanceProposalId,
);

impl Historic for crate::value::StoredEquation {
    type Id = ovn_domain::ValueEquationId;
    const KIND: &'static str = <Self as Record>::KIND;

    fn record_id(&self) -> Self::Id {
        self.equation.id
    }

    fn revision_number(&self) -> i64 {
        self.equation.revision
    }

    fn from_snapshot(json: &str) -> Result<Self> {
        let (row, _) = read_snapshot(json)?;
        <Self as Record>::from_row(row)
    }
}

impl Historic for EconomicEvent {
    type Id = EconomicEventId;
    const KIND: &'static str = "economic event";

    fn record_id(&self) -> Self::Id {
        self.id
    }

    fn revision_number(&self) -> i64 {
        self.revision
    }

    fn from_snapshot(json: &str) -> Result<Self> {
        let (row, scopes) = read_snapshot::<economic_event::Model>(json)?;
        event_from(row, scopes)
    }
}

impl Historic for Process {
    type Id = ProcessId;
    const KIND: &'static str = "process";

    fn record_id(&self) -> Self::Id {
        self.id
    }

    fn revision_number(&self) -> i64 {
        self.revision
    }

    fn from_snapshot(json: &str) -> Result<Self> {
        let (row, scopes) = read_snapshot::<process::Model>(json)?;
        process_from(row, scopes)
    }
}

impl Store {
    /// A record as it was at `revision`, from its kept revisions; `None` when that revision
    /// of that record was never kept (or belongs to a record of another kind). The current
    /// revision is kept too, but callers holding the current record need not ask.
    pub async fn at_revision<T: Historic>(&self, revision: Revision<T::Id>) -> Result<Option<T>> {
        let row = record_revision::Entity::find_by_id((revision.id.to_string(), revision.number))
            .one(self.connection())
            .await?;
        match row {
            Some(row) if row.kind == T::KIND => T::from_snapshot(&row.row_json).map(Some),
            _ => Ok(None),
        }
    }

    /// The kept revisions of each record (ids as text, any kind), oldest first, without their
    /// rows: what `meta` needs, in batched queries.
    pub async fn revisions_of(&self, record_ids: &[String]) -> Result<HashMap<String, Vec<RevisionStamp>>> {
        let mut found: HashMap<String, Vec<RevisionStamp>> = HashMap::new();
        for chunk in record_ids.chunks(IN_LIST_MAX) {
            let rows: Vec<(String, i64, DateTime<Utc>, Option<String>)> = record_revision::Entity::find()
                .select_only()
                .columns([
                    record_revision::Column::RecordId,
                    record_revision::Column::Revision,
                    record_revision::Column::CreatedAt,
                    record_revision::Column::AuthorId,
                ])
                .filter(record_revision::Column::RecordId.is_in(chunk.iter().cloned()))
                .order_by_asc(record_revision::Column::RecordId)
                .order_by_asc(record_revision::Column::Revision)
                .into_tuple()
                .all(self.connection())
                .await?;
            for (record_id, number, time, author) in rows {
                let author = rows::opt(author.as_deref(), AgentId::parse)?;
                found.entry(record_id).or_default().push(RevisionStamp { number, time, author });
            }
        }
        Ok(found)
    }
}
