//! Proposals (vf-graphql module `proposal`): published offers and requests, each a group of
//! intents (the primary ones, and the reciprocal ones expected in return), published to
//! agents.
//!
//! Whether a proposal is an offer or a request is read off its primary intents
//! ([`purpose_of`]): an offer when every primary intent has a provider and no receiver (the
//! offerer gives, anyone may take), a request when every one has a receiver and no provider.

use chrono::{DateTime, Utc};

use crate::observation::check_interval;
use crate::text::Name;
use crate::{AgentId, DomainError, IntentId, ProposalId, ProposedIntentId, ProposedToId};

/// VF 1.0 `purpose` of a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProposalPurpose {
    /// Something is offered.
    Offer,
    /// Something is requested.
    Request,
}

impl ProposalPurpose {
    /// The stored and wire form (VF 1.0's `vf:offer`, `vf:request`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Request => "request",
        }
    }

    /// Parses the stored form.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text {
            "offer" => Ok(Self::Offer),
            "request" => Ok(Self::Request),
            other => Err(DomainError::invalid("purpose", format!("`{other}` is neither offer nor request"))),
        }
    }
}

/// A proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Identity.
    pub id: ProposalId,
    /// Revision.
    pub revision: i64,
    /// `name`.
    pub name: Option<Name>,
    /// `hasBeginning`: when publication begins.
    pub has_beginning: Option<DateTime<Utc>>,
    /// `hasEnd`: when publication ends.
    pub has_end: Option<DateTime<Utc>>,
    /// `unitBased`.
    pub unit_based: bool,
    /// `created`: as the client says, or when ovn recorded it.
    pub created: DateTime<Utc>,
    /// `note`.
    pub note: Option<String>,
    /// `inScopeOf`.
    pub in_scope_of: Vec<AgentId>,
    /// VF 1.0 `purpose`, when the proposer states it.
    pub purpose: Option<ProposalPurpose>,
    /// OVN: the agent who created it, the only one who may change it (and what it publishes,
    /// and to whom).
    pub recorded_by: AgentId,
}

impl Proposal {
    /// Checks its interval.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_interval(self.has_beginning, self.has_end)
    }
}

/// An intent published in a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedIntent {
    /// Identity.
    pub id: ProposedIntentId,
    /// Revision.
    pub revision: i64,
    /// `publishedIn`.
    pub published_in: ProposalId,
    /// `publishes`.
    pub publishes: IntentId,
    /// `reciprocal`: expected in return, not what is proposed.
    pub reciprocal: bool,
}

/// A proposal published to an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedTo {
    /// Identity.
    pub id: ProposedToId,
    /// Revision.
    pub revision: i64,
    /// `proposed`.
    pub proposed: ProposalId,
    /// `proposedTo`.
    pub proposed_to: AgentId,
}

/// The purpose a proposal's primary intents give it, each intent as its (provider,
/// receiver): an offer when every one has a provider and no receiver, a request when every
/// one has a receiver and no provider, neither otherwise (and with no primary intent). The
/// `offers` and `requests` queries select by this rule.
pub fn purpose_of(primary: &[(Option<AgentId>, Option<AgentId>)]) -> Option<ProposalPurpose> {
    if primary.is_empty() {
        None
    } else if primary.iter().all(|(p, r)| p.is_some() && r.is_none()) {
        Some(ProposalPurpose::Offer)
    } else if primary.iter().all(|(p, r)| p.is_none() && r.is_some()) {
        Some(ProposalPurpose::Request)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_intents_make_an_offer_or_a_request() {
        let (a, b) = (Some(AgentId::new()), Some(AgentId::new()));
        assert_eq!(purpose_of(&[(a, None), (b, None)]), Some(ProposalPurpose::Offer));
        assert_eq!(purpose_of(&[(None, a)]), Some(ProposalPurpose::Request));
        assert_eq!(purpose_of(&[(a, None), (None, b)]), None, "mixed");
        assert_eq!(purpose_of(&[(a, b)]), None, "agreed on both sides");
        assert_eq!(purpose_of(&[]), None);
    }

    #[test]
    fn purposes_round_trip() {
        for purpose in [ProposalPurpose::Offer, ProposalPurpose::Request] {
            assert_eq!(ProposalPurpose::parse(purpose.as_str()), Ok(purpose));
        }
        assert!(ProposalPurpose::parse("gift").is_err());
    }
}
