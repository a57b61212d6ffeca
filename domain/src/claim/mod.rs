//! Claims and settlements (vf-graphql module `claim`): what is owed in return for an economic
//! event that already happened (a payment for goods received), and the events that settle it.
//!
//! A claim obeys its action's rules of quantities like any flow ([`check_planned_flow`]; it is
//! in no process). Its provider is the one who owes, its receiver the one owed; when neither is
//! given they are the triggering event's receiver and provider (who received the goods owes
//! the payment). How far it is settled is [`crate::tally`] over its [`Settlement`]s.

use chrono::{DateTime, Utc};

use crate::action::fields::{FlowFields, check_planned_flow};
use crate::tally::{Tally, check_units, or_default, tally};
use crate::text::Uri;
use crate::{Action, AgentId, ClaimId, DomainError, EconomicEventId, Measure, ResourceSpecificationId, SettlementId};

/// A claim for a future economic event in reciprocity for one that already occurred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Identity.
    pub id: ClaimId,
    /// Revision.
    pub revision: i64,
    /// `action`: of the event expected in return.
    pub action: Action,
    /// `provider`: who is expected to provide (who owes).
    pub provider: Option<AgentId>,
    /// `receiver`: whom the claim is for (who is owed).
    pub receiver: Option<AgentId>,
    /// `resourceConformsTo`.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Vec<Uri>,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// `triggeredBy`: the event the claim is made against.
    pub triggered_by: EconomicEventId,
    /// `due`.
    pub due: Option<DateTime<Utc>>,
    /// `created`: when the claim was made.
    pub created: DateTime<Utc>,
    /// `finished` as the agents set it (see [`Claim::finished`]).
    pub finished: bool,
    /// `note`.
    pub note: Option<String>,
    /// `agreedIn`.
    pub agreed_in: Option<Uri>,
    /// `inScopeOf`.
    pub in_scope_of: Vec<AgentId>,
}

impl Claim {
    /// The fields its action constrains.
    pub fn flow_fields(&self) -> FlowFields {
        FlowFields {
            what: "claim",
            action: self.action,
            resource_quantity: self.resource_quantity,
            effort_quantity: self.effort_quantity,
            input_of: false,
            output_of: false,
            resource_inventoried_as: false,
            signed: false,
        }
    }

    /// Fills the parties from the triggering event (`trigger_provider` provided it,
    /// `trigger_receiver` received it) when the claim names neither.
    pub fn with_default_parties(mut self, trigger_provider: AgentId, trigger_receiver: AgentId) -> Self {
        if self.provider.is_none() && self.receiver.is_none() {
            self.provider = Some(trigger_receiver);
            self.receiver = Some(trigger_provider);
        }
        self
    }

    /// Checks what a claim's fields say together: a provider or a receiver, and its action's
    /// rules of quantities.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.provider.is_none() && self.receiver.is_none() {
            return Err(DomainError::invalid("provider", "a claim needs a provider, a receiver or both"));
        }
        check_planned_flow(&self.flow_fields())
    }

    /// How far the claim is settled by `settlements` (those that settle it).
    pub fn tally<'s>(&self, settlements: impl IntoIterator<Item = &'s Settlement>) -> Tally {
        tally(
            self.resource_quantity,
            self.effort_quantity,
            settlements.into_iter().map(|s| (s.resource_quantity, s.effort_quantity)),
        )
    }

    /// vf-graphql's `finished`: set by its agents, or fully settled.
    pub fn finished(&self, tally: &Tally) -> bool {
        self.finished || tally.complete()
    }

    /// Its provider, receiver and scopes: the agents whose stewards may write it.
    pub fn agents(&self) -> Vec<AgentId> {
        self.provider.into_iter().chain(self.receiver).chain(self.in_scope_of.iter().copied()).collect()
    }

    /// Whether `agent` is a party to the claim (its provider or its receiver).
    pub fn is_party(&self, agent: AgentId) -> bool {
        self.provider == Some(agent) || self.receiver == Some(agent)
    }
}

/// A settlement: an economic event that settles a claim, fully or in part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Identity.
    pub id: SettlementId,
    /// Revision.
    pub revision: i64,
    /// `settles`: the claim.
    pub settles: ClaimId,
    /// `settledBy`: the event.
    pub settled_by: EconomicEventId,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// `note`.
    pub note: Option<String>,
}

impl Settlement {
    /// Completes and checks a settlement of `claim` by an event with quantities
    /// `event_resource` and `event_effort`: a quantity not given is the event's; quantities are
    /// not negative and are in the claim's units.
    pub fn prepare(
        mut self,
        claim: &Claim,
        event_resource: Option<Measure>,
        event_effort: Option<Measure>,
    ) -> Result<Self, DomainError> {
        if self.settles != claim.id {
            return Err(DomainError::invalid("settles", "names another claim than the one loaded"));
        }
        self.resource_quantity = or_default(self.resource_quantity, event_resource);
        self.effort_quantity = or_default(self.effort_quantity, event_effort);
        if let Some(m) = self.resource_quantity {
            m.non_negative("resourceQuantity")?;
        }
        if let Some(m) = self.effort_quantity {
            m.non_negative("effortQuantity")?;
        }
        check_units(
            claim.resource_quantity,
            claim.effort_quantity,
            self.resource_quantity,
            self.effort_quantity,
            "claim",
        )?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::*;
    use crate::UnitId;

    fn payment_claim(amount: Measure) -> Claim {
        Claim {
            id: ClaimId::new(),
            revision: 1,
            action: Action::Transfer,
            provider: None,
            receiver: None,
            resource_conforms_to: None,
            resource_classified_as: Vec::new(),
            resource_quantity: Some(amount),
            effort_quantity: None,
            triggered_by: EconomicEventId::new(),
            due: None,
            created: Utc::now(),
            finished: false,
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
        }
    }

    fn settlement(claim: &Claim, quantity: Option<Measure>) -> Settlement {
        Settlement {
            id: SettlementId::new(),
            revision: 1,
            settles: claim.id,
            settled_by: EconomicEventId::new(),
            resource_quantity: quantity,
            effort_quantity: None,
            note: None,
        }
    }

    #[test]
    fn who_received_owes_who_provided_unless_the_claim_says_otherwise() {
        let (maker, buyer) = (AgentId::new(), AgentId::new());
        let claim = payment_claim(Measure::new(Decimal::ONE, None)).with_default_parties(maker, buyer);
        assert_eq!((claim.provider, claim.receiver), (Some(buyer), Some(maker)));
        assert_eq!(claim.validate(), Ok(()));
        let mut named = payment_claim(Measure::new(Decimal::ONE, None));
        named.receiver = Some(maker);
        let named = named.with_default_parties(maker, buyer);
        assert_eq!((named.provider, named.receiver), (None, Some(maker)));
        let nobody = payment_claim(Measure::new(Decimal::ONE, None));
        assert!(matches!(nobody.validate(), Err(DomainError::Invalid { field, .. }) if field == "provider"));
    }

    #[test]
    fn two_settlements_settle_part_then_all() {
        let eur = Some(UnitId::new());
        let claim = payment_claim(Measure::new(Decimal::new(12000, 2), eur));
        let first = settlement(&claim, None).prepare(&claim, Some(Measure::new(Decimal::new(5000, 2), eur)), None);
        let Ok(first) = first else { panic!("{first:?}") };
        let tally = claim.tally([&first]);
        assert_eq!((tally.done, tally.remaining), (Decimal::new(50, 0), Decimal::new(70, 0)));
        assert!(!claim.finished(&tally));
        let second = settlement(&claim, Some(Measure::new(Decimal::new(70, 0), eur))).prepare(&claim, None, None);
        let Ok(second) = second else { panic!("{second:?}") };
        let tally = claim.tally([&first, &second]);
        assert_eq!((tally.done, tally.remaining, tally.over), (Decimal::new(120, 0), Decimal::ZERO, Decimal::ZERO));
        assert!(claim.finished(&tally));
    }

    #[test]
    fn a_settlement_in_another_unit_or_negative_is_refused() {
        let claim = payment_claim(Measure::new(Decimal::new(120, 0), Some(UnitId::new())));
        let other =
            settlement(&claim, Some(Measure::new(Decimal::ONE, Some(UnitId::new())))).prepare(&claim, None, None);
        assert!(matches!(other, Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
        let negative = settlement(
            &claim,
            Some(Measure::new(Decimal::NEGATIVE_ONE, claim.resource_quantity.and_then(|m| m.has_unit))),
        )
        .prepare(&claim, None, None);
        assert_eq!(negative, Err(DomainError::invalid("resourceQuantity", "must not be negative")));
    }

    proptest! {
        #[test]
        fn settled_plus_remaining_minus_over_is_the_claimed_amount(
            claimed in 0i64..10_000_000,
            paid in prop::collection::vec(0i64..5_000_000, 0..6),
        ) {
            let unit = Some(UnitId::new());
            let claim = payment_claim(Measure::new(Decimal::new(claimed, 2), unit));
            let settlements: Vec<Settlement> = paid
                .iter()
                .map(|p| settlement(&claim, Some(Measure::new(Decimal::new(*p, 2), unit))))
                .collect();
            let t = claim.tally(&settlements);
            prop_assert_eq!(t.done + t.remaining - t.over, Decimal::new(claimed, 2));
            prop_assert_eq!(claim.finished(&t), t.done >= Decimal::new(claimed, 2));
        }
    }
}
