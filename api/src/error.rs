//! The API's one error type and its one mapping to GraphQL errors with a stable
//! `extensions.code`. Internal failures are logged with their detail and returned as
//! `INTERNAL` with a generic message: clients never see SQL, paths or stack traces.
//!
//! Resolvers return [`Result`]: `?` turns a domain or persistence error into an [`ApiError`],
//! and the schema turns that into a GraphQL error through the one `From` below. `ApiError`
//! deliberately does not implement `Display`: async-graphql converts any displayable error
//! into a GraphQL error carrying only its message, and an error that took that path would
//! lose its code without a compile error.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use ovn_domain::DomainError;
use ovn_persistence::PersistenceError;

/// Stable error codes. Clients switch on these, never on messages.
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
    /// A network's product would go to the market through someone other than the network's
    /// exchange firm (DESIGN 7).
    pub const MARKET_EXCHANGE_REQUIRES_EXCHANGE_FIRM: &str = "MARKET_EXCHANGE_REQUIRES_EXCHANGE_FIRM";
    /// A shared resource's access rule refuses the use or booking, or the booking overlaps
    /// another (DESIGN 6); the message names the rule.
    pub const ACCESS_RULE_VIOLATION: &str = "ACCESS_RULE_VIOLATION";
    /// A walk met a cycle.
    pub const CYCLE: &str = "CYCLE";
    /// A request bound was exceeded.
    pub const LIMIT_EXCEEDED: &str = "LIMIT_EXCEEDED";
    /// Something failed on our side.
    pub const INTERNAL: &str = "INTERNAL";
    /// A write cut off by the time budget: it may or may not have landed; retry with the same
    /// `idempotencyKey` to learn which.
    pub const OUTCOME_UNKNOWN: &str = "OUTCOME_UNKNOWN";
}

/// Why a GraphQL operation failed.
#[derive(Debug)]
pub enum ApiError {
    /// No valid token (the reason is safe to show).
    Unauthenticated(String),
    /// A rule of the books was broken, or a value is malformed.
    Domain(DomainError),
    /// The store refused or failed.
    Persistence(PersistenceError),
    /// A batched load failed: the store's error, shared by every field of the batch.
    Load(Arc<PersistenceError>),
    /// An error async-graphql raised itself (missing context data, say); passed on as is.
    Graphql(async_graphql::Error),
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        Self::Domain(err)
    }
}

impl From<PersistenceError> for ApiError {
    fn from(err: PersistenceError) -> Self {
        match err {
            // One code per domain rule, whichever layer reports it.
            PersistenceError::Domain(err) => Self::Domain(err),
            other => Self::Persistence(other),
        }
    }
}

impl From<async_graphql::Error> for ApiError {
    fn from(err: async_graphql::Error) -> Self {
        Self::Graphql(err)
    }
}

fn domain_code(err: &DomainError) -> &'static str {
    match err {
        DomainError::Forbidden(_) => code::FORBIDDEN,
        DomainError::Cycle(_) => code::CYCLE,
        DomainError::MarketExchange(_) => code::MARKET_EXCHANGE_REQUIRES_EXCHANGE_FIRM,
        DomainError::AccessRule(_) => code::ACCESS_RULE_VIOLATION,
        // A balance that would go below zero or mismatched units are the input's fault: the
        // client sent an event the books cannot take.
        DomainError::InvalidId { .. }
        | DomainError::InvalidDecimal { .. }
        | DomainError::Invalid { .. }
        | DomainError::UnknownAction(_)
        | DomainError::Conflict(_) => code::BAD_INPUT,
    }
}

fn persistence_code(err: &PersistenceError) -> &'static str {
    match err {
        PersistenceError::Domain(err) => domain_code(err),
        PersistenceError::NotFound { .. } => code::NOT_FOUND,
        PersistenceError::Conflict(_) => code::CONFLICT,
        PersistenceError::IdempotencyMismatch(_) => code::IDEMPOTENCY_MISMATCH,
        PersistenceError::Database(_) | PersistenceError::Corrupt(_) => code::INTERNAL,
    }
}

impl ApiError {
    /// The stable code of this error (`None` for async-graphql's own errors, which carry
    /// whatever async-graphql gave them).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Self::Unauthenticated(_) => Some(code::UNAUTHENTICATED),
            Self::Domain(err) => Some(domain_code(err)),
            Self::Persistence(err) => Some(persistence_code(err)),
            Self::Load(err) => Some(persistence_code(err)),
            Self::Graphql(_) => None,
        }
    }

    /// The message a client may see.
    fn message(&self) -> String {
        match self {
            Self::Unauthenticated(reason) => format!("authentication required: {reason}"),
            Self::Domain(err) => err.to_string(),
            Self::Persistence(err) => err.to_string(),
            Self::Load(err) => err.to_string(),
            Self::Graphql(err) => err.message.clone(),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    /// The GraphQL error: message and `extensions.code`; internal detail is logged, not sent.
    fn from(err: ApiError) -> Self {
        let code = match (&err, err.code()) {
            (ApiError::Graphql(_), _) | (_, None) => {
                return match err {
                    ApiError::Graphql(inner) => inner,
                    other => async_graphql::Error::new(other.message()),
                };
            }
            (_, Some(code)) => code,
        };
        let message = if code == code::INTERNAL {
            match &err {
                ApiError::Load(cause) => tracing::error!(error = %cause, "batch load failed"),
                _ => tracing::error!(error = %err.message(), "internal error"),
            }
            "internal error".to_owned()
        } else {
            err.message()
        };
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
    }
}

/// Resolver result: every error converts into an [`ApiError`] with `?`.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(err: impl Into<ApiError>) -> (String, Option<String>) {
        let err = async_graphql::Error::from(err.into());
        let code = err.extensions.as_ref().and_then(|e| e.get("code")).map(|c| c.to_string().replace('"', ""));
        (err.message, code)
    }

    #[test]
    fn a_domain_refusal_is_forbidden_whichever_layer_reports_it() {
        let refusal = DomainError::Forbidden("only a person may change their own profile".into());
        assert_eq!(sent(refusal.clone()).1.as_deref(), Some(code::FORBIDDEN));
        assert_eq!(sent(PersistenceError::Domain(refusal)).1.as_deref(), Some(code::FORBIDDEN));
    }

    #[test]
    fn broken_rules_are_bad_input_and_cycles_cycle() {
        assert_eq!(sent(DomainError::invalid("name", "is empty")).1.as_deref(), Some(code::BAD_INPUT));
        assert_eq!(sent(DomainError::Conflict("below zero".into())).1.as_deref(), Some(code::BAD_INPUT));
        assert_eq!(sent(DomainError::Cycle("a -> a".into())).1.as_deref(), Some(code::CYCLE));
        assert_eq!(
            sent(DomainError::AccessRule("access rule v1 of resource r lets in the agents a".into())).1.as_deref(),
            Some(code::ACCESS_RULE_VIOLATION)
        );
        assert_eq!(
            sent(DomainError::MarketExchange("only the exchange firm sells".into())).1.as_deref(),
            Some("MARKET_EXCHANGE_REQUIRES_EXCHANGE_FIRM"),
            "the code DESIGN 9 names, spelt out: clients switch on it"
        );
        assert_eq!(sent(PersistenceError::Conflict("stale".into())).1.as_deref(), Some(code::CONFLICT));
        assert_eq!(sent(PersistenceError::not_found("unit", "u1")).1.as_deref(), Some(code::NOT_FOUND));
    }

    #[test]
    fn a_failed_batch_load_is_internal_with_the_generic_message() {
        let failure = Arc::new(PersistenceError::Corrupt("row 42 of /var/lib/ovn/ovn.db: bad uuid".into()));
        let (message, code) = sent(ApiError::Load(failure));
        assert_eq!(code.as_deref(), Some(code::INTERNAL));
        assert_eq!(message, "internal error", "internal detail must not reach the client");
    }
}
