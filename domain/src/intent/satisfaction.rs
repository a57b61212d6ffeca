//! A satisfaction: an economic event or a commitment that satisfies an intent, fully or in
//! part (vf-graphql module `satisfaction`).

use super::Intent;
use crate::tally::{check_units, or_default};
use crate::{CommitmentId, DomainError, EconomicEventId, IntentId, Measure, SatisfactionId};

/// What satisfies an intent: vf-graphql's `EventOrCommitment`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SatisfiedBy {
    /// An economic event that happened.
    Event(EconomicEventId),
    /// A commitment someone made.
    Commitment(CommitmentId),
}

/// A satisfaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Satisfaction {
    /// Identity.
    pub id: SatisfactionId,
    /// Revision.
    pub revision: i64,
    /// `satisfies`: the intent.
    pub satisfies: IntentId,
    /// `satisfiedBy`.
    pub satisfied_by: SatisfiedBy,
    /// `resourceQuantity`: how much of the intent's resource quantity this satisfies.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`: how much of the intent's effort quantity this satisfies.
    pub effort_quantity: Option<Measure>,
    /// `note`.
    pub note: Option<String>,
}

/// The quantities of the flow (event or commitment) that satisfies an intent, which a
/// satisfaction's missing quantities default to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowQuantities {
    /// Its `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// Its `effortQuantity`.
    pub effort_quantity: Option<Measure>,
}

impl Satisfaction {
    /// Completes and checks a satisfaction of `intent` by a flow with quantities `flow`
    /// (events and commitments alike):
    /// - a quantity not given is the satisfying flow's (a delivery of 4 kg satisfies 4 kg of
    ///   a request unless the satisfaction says less);
    /// - quantities are not negative;
    /// - each quantity is in the unit of the intent's quantity of the same kind: kilograms do
    ///   not satisfy a request for hours (`BAD_INPUT`, nothing written).
    pub fn prepare(mut self, intent: &Intent, flow: FlowQuantities) -> Result<Self, DomainError> {
        if self.satisfies != intent.id {
            return Err(DomainError::invalid("satisfies", "names another intent than the one loaded"));
        }
        self.resource_quantity = or_default(self.resource_quantity, flow.resource_quantity);
        self.effort_quantity = or_default(self.effort_quantity, flow.effort_quantity);
        if let Some(m) = self.resource_quantity {
            m.non_negative("resourceQuantity")?;
        }
        if let Some(m) = self.effort_quantity {
            m.non_negative("effortQuantity")?;
        }
        check_units(
            intent.resource_quantity,
            intent.effort_quantity,
            self.resource_quantity,
            self.effort_quantity,
            "intent",
        )?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::*;
    use crate::{Action, AgentId, UnitId};

    fn request_for(quantity: Measure) -> Intent {
        Intent {
            id: IntentId::new(),
            revision: 1,
            action: Action::Transfer,
            name: None,
            provider: None,
            receiver: Some(AgentId::new()),
            input_of: None,
            output_of: None,
            resource_inventoried_as: None,
            resource_conforms_to: None,
            resource_classified_as: Vec::new(),
            resource_quantity: Some(quantity),
            effort_quantity: None,
            available_quantity: None,
            has_beginning: None,
            has_end: None,
            has_point_in_time: None,
            due: None,
            finished: false,
            image: None,
            image_list: Vec::new(),
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
        }
    }

    fn by(intent: &Intent, satisfied_by: SatisfiedBy, quantity: Option<Measure>) -> Satisfaction {
        Satisfaction {
            id: SatisfactionId::new(),
            revision: 1,
            satisfies: intent.id,
            satisfied_by,
            resource_quantity: quantity,
            effort_quantity: None,
            note: None,
        }
    }

    #[test]
    fn events_and_commitments_count_alike_and_default_to_their_flow() {
        let kg = Some(UnitId::new());
        let intent = request_for(Measure::new(Decimal::new(10, 0), kg));
        let delivered =
            FlowQuantities { resource_quantity: Some(Measure::new(Decimal::new(4, 0), kg)), ..Default::default() };
        let by_event = by(&intent, SatisfiedBy::Event(EconomicEventId::new()), None).prepare(&intent, delivered);
        let Ok(by_event) = by_event else { panic!("{by_event:?}") };
        assert_eq!(by_event.resource_quantity, Some(Measure::new(Decimal::new(4, 0), kg)));
        let promised = Measure::new(Decimal::new(75, 1), kg);
        let by_commitment = by(&intent, SatisfiedBy::Commitment(CommitmentId::new()), Some(promised))
            .prepare(&intent, FlowQuantities::default());
        let Ok(by_commitment) = by_commitment else { panic!("{by_commitment:?}") };
        let tally = intent.tally([&by_event, &by_commitment]);
        assert_eq!(
            (tally.done, tally.remaining, tally.over),
            (Decimal::new(115, 1), Decimal::ZERO, Decimal::new(15, 1))
        );
        assert!(intent.finished(&tally));
    }

    #[test]
    fn a_satisfaction_in_another_unit_is_refused() {
        let intent = request_for(Measure::new(Decimal::new(10, 0), Some(UnitId::new())));
        let other = Measure::new(Decimal::new(1, 0), Some(UnitId::new()));
        let refused = by(&intent, SatisfiedBy::Event(EconomicEventId::new()), Some(other))
            .prepare(&intent, FlowQuantities::default());
        assert!(matches!(refused, Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
        // Defaulted from an event in another unit: refused too.
        let event = FlowQuantities { resource_quantity: Some(other), ..Default::default() };
        let refused = by(&intent, SatisfiedBy::Event(EconomicEventId::new()), None).prepare(&intent, event);
        assert!(matches!(refused, Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
    }

    proptest! {
        #[test]
        fn satisfied_plus_remaining_minus_over_is_intended(
            intended in 0i64..10_000_000,
            parts in prop::collection::vec((0i64..3_000_000, any::<bool>(), any::<bool>()), 0..8),
        ) {
            let kg = Some(UnitId::new());
            let m = |n: i64| Measure::new(Decimal::new(n, 3), kg);
            let intent = request_for(m(intended));
            let mut satisfactions = Vec::new();
            for (n, by_event, defaulted) in &parts {
                let satisfied_by = if *by_event {
                    SatisfiedBy::Event(EconomicEventId::new())
                } else {
                    SatisfiedBy::Commitment(CommitmentId::new())
                };
                // Given, or taken from the satisfying flow: the same count either way.
                let (given, flow) = if *defaulted {
                    (None, FlowQuantities { resource_quantity: Some(m(*n)), effort_quantity: None })
                } else {
                    (Some(m(*n)), FlowQuantities::default())
                };
                let prepared = by(&intent, satisfied_by, given).prepare(&intent, flow);
                prop_assert!(prepared.is_ok(), "{:?}", prepared);
                if let Ok(satisfaction) = prepared {
                    satisfactions.push(satisfaction);
                }
            }
            let t = intent.tally(&satisfactions);
            let total: Decimal = parts.iter().map(|(n, _, _)| Decimal::new(*n, 3)).sum();
            prop_assert_eq!(t.done, total);
            prop_assert_eq!(t.done + t.remaining - t.over, Decimal::new(intended, 3));
            prop_assert_eq!(intent.finished(&t), total >= Decimal::new(intended, 3));
        }
    }
}
