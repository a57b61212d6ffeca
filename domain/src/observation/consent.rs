//! Consent for transfers. A transfer gives the receiver rights, custody or both, so it needs
//! both agents: the provider records it, and the receiver consents, either beforehand (by a
//! commitment to receive it, or by recording it themself or through a steward) or afterwards
//! by accepting it. Until then the transfer waits outside the books, changing nothing; who
//! may consent and when a transfer waits are [`crate::permission`]'s rules.

use crate::DomainError;

/// Where a transfer waiting for consent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferConsent {
    /// Waiting for the receiver; not in the books.
    Pending,
    /// Accepted: recorded as an economic event, under the id it waited with.
    Accepted,
    /// Rejected: never recorded.
    Rejected,
}

impl TransferConsent {
    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    /// Parses [`TransferConsent::as_str`].
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text {
            "pending" => Ok(Self::Pending),
            "accepted" => Ok(Self::Accepted),
            "rejected" => Ok(Self::Rejected),
            other => Err(DomainError::invalid("consent", format!("unknown consent state `{other}`"))),
        }
    }

    /// Moves a pending transfer to `next` (accepted or rejected); a decided one stays decided.
    pub fn decide(self, next: Self) -> Result<Self, DomainError> {
        match (self, next) {
            (Self::Pending, Self::Accepted | Self::Rejected) => Ok(next),
            (Self::Pending, Self::Pending) => Err(DomainError::invalid("consent", "a decision accepts or rejects")),
            (decided, _) => Err(DomainError::Conflict(format!(
                "this transfer was already {}; a decision is final",
                decided.as_str()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_transfer_is_decided_once() {
        use TransferConsent::{Accepted, Pending, Rejected};
        assert_eq!(Pending.decide(Accepted), Ok(Accepted));
        assert_eq!(Pending.decide(Rejected), Ok(Rejected));
        assert!(matches!(Accepted.decide(Rejected), Err(DomainError::Conflict(_))));
        assert!(matches!(Rejected.decide(Accepted), Err(DomainError::Conflict(_))));
        for state in [Pending, Accepted, Rejected] {
            assert_eq!(TransferConsent::parse(state.as_str()), Ok(state));
        }
    }
}
