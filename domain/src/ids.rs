//! Typed identifiers. Every record has a UUID (v7, so ids sort by creation time, which keeps
//! B-tree inserts local and gives a stable default order); the type says what it identifies,
//! so an `AgentId` can never be passed where an `EconomicResourceId` is meant.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id (UUID v7: time-ordered).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID (from storage or an import).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn uuid(&self) -> Uuid {
                self.0
            }

            /// Parses the wire form (a UUID string); the error names the kind of record.
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                Uuid::from_str(s.trim()).map(Self).map_err(|_| DomainError::InvalidId {
                    kind: $what,
                    value: s.chars().take(80).collect(),
                })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

typed_id!(
    /// Identifies a `Person` or an `Organization`.
    AgentId, "agent"
);
typed_id!(
    /// Identifies a `Unit` of measure.
    UnitId, "unit"
);
typed_id!(
    /// Identifies a `ResourceSpecification`.
    ResourceSpecificationId, "resource specification"
);
typed_id!(
    /// Identifies a `ProcessSpecification`.
    ProcessSpecificationId, "process specification"
);
typed_id!(
    /// Identifies an `AgentRelationship`.
    AgentRelationshipId, "agent relationship"
);
typed_id!(
    /// Identifies an `AgentRelationshipRole`.
    AgentRelationshipRoleId, "agent relationship role"
);
typed_id!(
    /// Identifies an `EconomicEvent`.
    EconomicEventId, "economic event"
);
typed_id!(
    /// Identifies an `EconomicResource`.
    EconomicResourceId, "economic resource"
);
typed_id!(
    /// Identifies a `Process`.
    ProcessId, "process"
);
typed_id!(
    /// Identifies an `Intent`.
    IntentId, "intent"
);
typed_id!(
    /// Identifies a `Satisfaction`.
    SatisfactionId, "satisfaction"
);
typed_id!(
    /// Identifies a `Proposal`.
    ProposalId, "proposal"
);
typed_id!(
    /// Identifies a `ProposedIntent` (an intent published in a proposal).
    ProposedIntentId, "proposed intent"
);
typed_id!(
    /// Identifies a `ProposedTo` (a proposal published to an agent).
    ProposedToId, "proposed to"
);
typed_id!(
    /// Identifies a `Claim`.
    ClaimId, "claim"
);
typed_id!(
    /// Identifies a `Settlement`.
    SettlementId, "settlement"
);

typed_id!(
    /// Identifies a `Plan`.
    PlanId, "plan"
);
typed_id!(
    /// Identifies an `Agreement`.
    AgreementId, "agreement"
);
typed_id!(
    /// Identifies a `Commitment`.
    CommitmentId, "commitment"
);
typed_id!(
    /// Identifies a `Fulfillment`.
    FulfillmentId, "fulfillment"
);

typed_id!(
    /// Identifies a `ValueEquation` version.
    ValueEquationId, "value equation"
);
typed_id!(
    /// Identifies a bucket of a value equation.
    ValueEquationBucketId, "value equation bucket"
);
typed_id!(
    /// Identifies a rule of a value equation's bucket.
    ValueEquationRuleId, "value equation rule"
);
typed_id!(
    /// Identifies a `GovernanceProposal`.
    GovernanceProposalId, "governance proposal"
);
typed_id!(
    /// Identifies an agent's rate for a skill, from a date.
    AgentRateId, "agent rate"
);
typed_id!(
    /// Identifies a stored distribution of revenue (one level of it: a cascade is its own).
    DistributionId, "distribution"
);
typed_id!(
    /// Identifies one line of a distribution.
    DistributionLineId, "distribution line"
);
typed_id!(
    /// Identifies one version of the access rule of a resource or a resource specification.
    AccessRuleId, "access rule"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_wire_form() {
        let id = AgentId::new();
        assert_eq!(AgentId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn a_bad_id_names_what_it_should_have_been() {
        let err = ProcessId::parse("not-a-uuid").err();
        assert_eq!(err, Some(DomainError::InvalidId { kind: "process", value: "not-a-uuid".into() }));
    }

    #[test]
    fn fresh_ids_sort_by_creation() {
        let a = EconomicEventId::new();
        let b = EconomicEventId::new();
        assert!(a < b);
    }
}
