//! Idempotent creates. A client that did not hear back (timeout, lost connection, a storage
//! error whose outcome is unknown) retries with the same `idempotencyKey`; the retry returns
//! the record the first attempt made instead of making a second one.
//!
//! The key row is written in the same transaction as the record, under a primary key on
//! (agent, key). Two concurrent first attempts race on that key: on PostgreSQL the second
//! insert waits for the first transaction and then fails on the unique constraint, after
//! which the retry path reads the committed row; on SQLite writers take turns, so the second
//! attempt simply finds the row.

use chrono::Utc;
use ovn_domain::AgentId;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::entity::idempotency_key;
use crate::error::{PersistenceError, Result};

/// Longest key accepted.
pub const KEY_MAX_CHARS: usize = 255;

/// A client-chosen key for one create, with a fingerprint of its input.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// Who asked (keys are per agent, so agents cannot collide or probe each other's keys).
    pub agent: AgentId,
    /// The key.
    pub key: String,
    /// Which mutation ("createEconomicEvent", …): a key reused across mutations is a mismatch.
    pub operation: &'static str,
    /// A digest of the canonical input.
    pub fingerprint: String,
}

impl Idempotency {
    /// Checks the key's shape.
    pub fn new(agent: AgentId, key: &str, operation: &'static str, fingerprint: String) -> Result<Self> {
        if key.is_empty() || key.chars().count() > KEY_MAX_CHARS {
            return Err(PersistenceError::Domain(ovn_domain::DomainError::invalid(
                "idempotencyKey",
                format!("must be 1 to {KEY_MAX_CHARS} characters"),
            )));
        }
        Ok(Self { agent, key: key.to_owned(), operation, fingerprint })
    }
}

/// What a create did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T = String> {
    /// Made a new record: what the write handed back.
    Created(T),
    /// A retry: the id of the record made by the first attempt.
    Replayed(String),
}

impl Outcome<String> {
    /// The record's id either way.
    pub fn id(&self) -> &str {
        match self {
            Self::Created(id) | Self::Replayed(id) => id,
        }
    }
}

/// The id the key already stands for, if any; a mismatch if it stood for another input.
pub async fn lookup<C: ConnectionTrait>(conn: &C, idem: &Idempotency) -> Result<Option<String>> {
    let found = idempotency_key::Entity::find_by_id((idem.agent.to_string(), idem.key.clone())).one(conn).await?;
    match found {
        None => Ok(None),
        Some(row) if row.operation == idem.operation && row.request_hash == idem.fingerprint => Ok(Some(row.result_id)),
        Some(_) => Err(PersistenceError::IdempotencyMismatch(idem.key.clone())),
    }
}

/// Records that the key stands for `result_id` (inside the creating transaction).
pub async fn record<C: ConnectionTrait>(conn: &C, idem: &Idempotency, result_id: &str) -> Result<()> {
    idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        agent_id: Set(idem.agent.to_string()),
        idempotency_key: Set(idem.key.clone()),
        operation: Set(idem.operation.to_owned()),
        request_hash: Set(idem.fingerprint.clone()),
        result_id: Set(result_id.to_owned()),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
