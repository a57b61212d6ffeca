//! The API's one error type and its mapping to GraphQL errors with a stable
//! `extensions.code`. Internal failures are logged with their detail and returned as
//! `INTERNAL` with a generic message: clients never see SQL, paths or stack traces.

use async_graphql::ErrorExtensions;
use ovn_domain::DomainError;
use ovn_persistence::PersistenceError;
use thiserror::Error;

/// Stable error codes (DESIGN.md section 9). Clients switch on these, never on messages.
pub mod code {
    /// No valid bearer token.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// Authenticated, but not allowed.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// The record does not exist.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The input is malformed or breaks a rule.
    pub const BAD_INPUT: &str = "BAD_INPUT";
    /// The write conflicts with the current state.
    pub const CONFLICT: &str = "CONFLICT";
    /// The idempotency key was used with another input.
    pub const IDEMPOTENCY_MISMATCH: &str = "IDEMPOTENCY_MISMATCH";
    /// A walk met a cycle.
    pub const CYCLE: &str = "CYCLE";
    /// A request bound was exceeded.
    pub const LIMIT_EXCEEDED: &str = "LIMIT_EXCEEDED";
    /// Something failed on our side.
    pub const INTERNAL: &str = "INTERNAL";
    /// A mutation ran past its time budget: it may or may not have been recorded. Retrying
    /// it with the same `idempotencyKey` returns the first result and records it once.
    pub const OUTCOME_UNKNOWN: &str = "OUTCOME_UNKNOWN";
}

/// Why a GraphQL operation failed.
#[derive(Debug, Error)]
pub enum ApiError {
    /// No valid token (the reason is safe to show).
    #[error("authentication required: {0}")]
    Unauthenticated(String),
    /// Not allowed.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// From the domain or the store.
    #[error(transparent)]
    Persistence(#[from] PersistenceError),
    /// A bound was exceeded.
    #[error("{0}")]
    Limit(String),
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        Self::Persistence(PersistenceError::Domain(err))
    }
}

impl ApiError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::Limit(_) => code::LIMIT_EXCEEDED,
            Self::Persistence(err) => match err {
                PersistenceError::Domain(DomainError::Cycle(_)) => code::CYCLE,
                PersistenceError::Domain(DomainError::Forbidden(_)) => code::FORBIDDEN,
                PersistenceError::Domain(_) => code::BAD_INPUT,
                PersistenceError::NotFound { .. } => code::NOT_FOUND,
                PersistenceError::Conflict(_) => code::CONFLICT,
                PersistenceError::IdempotencyMismatch(_) => code::IDEMPOTENCY_MISMATCH,
                PersistenceError::Database(_) | PersistenceError::Corrupt(_) => code::INTERNAL,
            },
        }
    }
}

impl ApiError {
    /// The GraphQL error: message and `extensions.code`; internal detail is logged, not sent.
    pub fn into_graphql(self) -> async_graphql::Error {
        let err = self;
        let code = err.code();
        let message = if code == code::INTERNAL {
            tracing::error!(error = %err, "internal error");
            "internal error".to_owned()
        } else {
            err.to_string()
        };
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
    }
}

/// Resolver result.
pub type Result<T, E = async_graphql::Error> = std::result::Result<T, E>;

/// Converts any layer's error into a GraphQL error.
pub fn gql(err: impl Into<ApiError>) -> async_graphql::Error {
    err.into().into_graphql()
}
