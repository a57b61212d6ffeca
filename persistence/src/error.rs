//! The one error type of the persistence layer.

use ovn_domain::DomainError;
use sea_orm::DbErr;
use thiserror::Error;

/// Why a read or a write did not happen. Only [`PersistenceError::Database`] is internal; the
/// others are the caller's to see.
#[derive(Debug, Error)]
pub enum PersistenceError {
    /// The input broke a rule of the domain.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A record the request names does not exist.
    #[error("{kind} `{id}` not found")]
    NotFound {
        /// Kind of record.
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The write conflicts with the current state (a stale `revisionId`, a record still
    /// referenced by others).
    #[error("{0}")]
    Conflict(String),
    /// The idempotency key was used before with another input.
    #[error("idempotency key `{0}` was already used with a different input")]
    IdempotencyMismatch(String),
    /// The database failed; the detail is logged, never shown to clients.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// A stored row could not be turned back into a domain value (corruption or a bug).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl PersistenceError {
    /// A domain rule that the records as they stand break, not the input alone (a second
    /// exchange firm, a decision already taken): a [`DomainError::Conflict`] becomes a
    /// `CONFLICT` to retry against the current state; other errors pass unchanged. (The domain's
    /// `Conflict` is otherwise a ledger invariant the input breaks, such as a quantity going
    /// below zero: bad input.)
    pub fn from_state(err: DomainError) -> Self {
        match err {
            DomainError::Conflict(message) => Self::Conflict(message),
            other => Self::Domain(other),
        }
    }

    /// Shorthand for [`PersistenceError::NotFound`].
    pub fn not_found(kind: &'static str, id: impl ToString) -> Self {
        Self::NotFound { kind, id: id.to_string() }
    }

    /// Whether the database refused the write for a unique-constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Self::Database(err) => matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))),
            _ => false,
        }
    }

    /// Whether the database refused the write for a foreign-key violation.
    pub fn is_foreign_key_violation(&self) -> bool {
        match self {
            Self::Database(err) => matches!(err.sql_err(), Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))),
            _ => false,
        }
    }
}

/// The crate-wide result type.
pub type Result<T, E = PersistenceError> = std::result::Result<T, E>;
