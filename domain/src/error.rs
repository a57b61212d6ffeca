//! The one error type of the domain layer: each variant names a broken rule, in words a user
//! can act on. The API layer maps every variant to a stable `extensions.code`.

use thiserror::Error;

/// A rule of the books was broken by the input; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// An id that does not parse as the record kind it should name.
    #[error("`{value}` is not a valid {kind} id")]
    InvalidId {
        /// What kind of record the id should name.
        kind: &'static str,
        /// The offending text (truncated).
        value: String,
    },
    /// A decimal that does not parse, or does not fit in 28 significant digits.
    #[error("`{value}` is not an exact decimal number: {reason}")]
    InvalidDecimal {
        /// The offending text (truncated).
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A field is missing, malformed or out of range.
    #[error("{field}: {message}")]
    Invalid {
        /// The input field (ValueFlows name) at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// An action id that is not in the ValueFlows action table.
    #[error("unknown action `{0}`")]
    UnknownAction(String),
    /// The operation would break an invariant of the ledger (for example a quantity going
    /// below zero, or a unit mismatch between two resources).
    #[error("{0}")]
    Conflict(String),
    /// The agent may not do this (see [`crate::permission`]).
    #[error("{0}")]
    Forbidden(String),
    /// A network's product would leave the network through someone other than its exchange
    /// firm (DESIGN 7, [`crate::exchange::check_market_exchange`]).
    #[error("{0}")]
    MarketExchange(String),
    /// A shared resource's access rule refuses a use or a booking, or the booking overlaps
    /// another (DESIGN 6, [`crate::sharing::access`]); the message names the rule.
    #[error("{0}")]
    AccessRule(String),
    /// A walk over the flow graph met itself.
    #[error("cycle: {0}")]
    Cycle(String),
}

impl DomainError {
    /// Shorthand for [`DomainError::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }
}
