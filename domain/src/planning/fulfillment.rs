//! A fulfilment (vf-graphql module `fulfillment`): an economic event that fulfils a
//! commitment, in whole or in part; and the arithmetic of a commitment's progress.
//!
//! Why here: "how much of this promise is kept" is a rule of the books that the API, the
//! value engine and consent for transfers all ask; it is one pure function over the
//! commitment and its fulfilments, never a column kept up to date by hand.

use rust_decimal::Decimal;

use crate::observation::NewEvent;
use crate::{CommitmentId, DomainError, EconomicEventId, FulfillmentId, Measure, ResourceSpecificationId, UnitId};

use super::Commitment;

/// A fulfilment: `fulfilledBy` event fulfils `fulfills` commitment by a quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfillment {
    /// Identity.
    pub id: FulfillmentId,
    /// Revision.
    pub revision: i64,
    /// `fulfilledBy`.
    pub fulfilled_by: EconomicEventId,
    /// `fulfills`.
    pub fulfills: CommitmentId,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// `note`.
    pub note: Option<String>,
}

impl Fulfillment {
    /// The fulfilment's quantity in the dimension the commitment is measured in.
    fn quantity(&self, effort: bool) -> Option<Measure> {
        if effort { self.effort_quantity } else { self.resource_quantity }
    }
}

/// Checks a fulfilment against the commitment it fulfils and the event that fulfils it, and
/// fills in its quantities: omitted ones default to the event's. Refused (`BAD_INPUT`, each
/// with its own message): an event of another action than the commitment's; an event about
/// another resource specification (`event_conforms_to`: the event's `resourceConformsTo`, else
/// its resource's `conformsTo`), when both name one; a quantity in another unit than the
/// commitment's; a negative quantity.
pub fn check(
    mut fulfillment: Fulfillment,
    commitment: &Commitment,
    event: &NewEvent,
    event_conforms_to: Option<ResourceSpecificationId>,
) -> Result<Fulfillment, DomainError> {
    if event.action != commitment.action {
        return Err(DomainError::invalid(
            "fulfilledBy",
            format!(
                "the event is a {} and the commitment a {}: an event fulfils only a commitment of its own action",
                event.action, commitment.action
            ),
        ));
    }
    if let (Some(promised), Some(delivered)) = (commitment.resource_conforms_to, event_conforms_to)
        && promised != delivered
    {
        return Err(DomainError::invalid(
            "fulfilledBy",
            format!("the event is about resource specification `{delivered}` and the commitment about `{promised}`"),
        ));
    }
    if fulfillment.resource_quantity.is_none() {
        fulfillment.resource_quantity = event.resource_quantity;
    }
    if fulfillment.effort_quantity.is_none() {
        fulfillment.effort_quantity = event.effort_quantity;
    }
    for (field, quantity) in
        [("resourceQuantity", fulfillment.resource_quantity), ("effortQuantity", fulfillment.effort_quantity)]
    {
        if let Some(q) = quantity {
            q.non_negative(field)?;
        }
    }
    if let Some((committed, effort)) = commitment.measure() {
        let field = if effort { "effortQuantity" } else { "resourceQuantity" };
        match fulfillment.quantity(effort) {
            Some(q) if q.has_unit != committed.has_unit => {
                return Err(DomainError::invalid(
                    field,
                    format!(
                        "is in {} and the commitment in {}: a fulfilment counts in the commitment's unit",
                        unit_name(q.has_unit),
                        unit_name(committed.has_unit)
                    ),
                ));
            }
            Some(_) => {}
            None => {
                return Err(DomainError::invalid(
                    field,
                    "is needed: the commitment is measured in it and the event does not give it",
                ));
            }
        }
    }
    Ok(fulfillment)
}

fn unit_name(unit: Option<UnitId>) -> String {
    unit.map_or_else(|| "no unit".to_owned(), |u| format!("unit `{u}`"))
}

/// Refuses to change the unit or the dimension (resource or effort) a commitment is measured
/// in once events fulfil it: its fulfilments count in the old one, and its progress would
/// add up figures of two units.
pub fn check_remeasure(before: &Commitment, after: &Commitment, fulfilled: bool) -> Result<(), DomainError> {
    let shape = |c: &Commitment| c.measure().map(|(m, effort)| (m.has_unit, effort));
    if fulfilled && shape(before) != shape(after) {
        return Err(DomainError::invalid(
            "resourceQuantity",
            "events already fulfil the commitment: the unit it is measured in cannot change",
        ));
    }
    Ok(())
}

/// How far a commitment is kept. Every figure is in the commitment's unit, and
/// `fulfilled + remaining - over_fulfilled = committed` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What was promised.
    pub committed: Measure,
    /// The sum of the fulfilments' quantities.
    pub fulfilled: Measure,
    /// What is still to deliver: `committed - fulfilled`, never below zero.
    pub remaining: Measure,
    /// What was delivered beyond the promise: `fulfilled - committed`, never below zero.
    pub over_fulfilled: Measure,
    /// Whether the commitment is done: fully fulfilled, or set finished by a client.
    pub finished: bool,
}

/// A commitment's progress from its fulfilments (those of other commitments are ignored).
/// `None` when the commitment has no quantity to measure against; it is then finished only
/// when set so.
pub fn progress(commitment: &Commitment, fulfillments: &[Fulfillment]) -> Option<Progress> {
    let (committed, effort) = commitment.measure()?;
    let fulfilled: Decimal = fulfillments
        .iter()
        .filter(|f| f.fulfills == commitment.id)
        .filter_map(|f| f.quantity(effort))
        .map(|q| q.has_numerical_value)
        .sum();
    let promised = committed.has_numerical_value;
    let unit = committed.has_unit;
    let remaining = (promised - fulfilled).max(Decimal::ZERO);
    let over = (fulfilled - promised).max(Decimal::ZERO);
    Some(Progress {
        committed,
        fulfilled: Measure::new(fulfilled, unit),
        remaining: Measure::new(remaining, unit),
        over_fulfilled: Measure::new(over, unit),
        finished: commitment.finished || fulfilled >= promised,
    })
}

/// Whether a commitment is still open: neither set finished nor fully fulfilled by
/// `fulfillments` (a commitment with no quantity stays open until set finished). Consent for
/// a transfer asks this of the receiver's commitment.
pub fn is_open(commitment: &Commitment, fulfillments: &[Fulfillment]) -> bool {
    !commitment.finished && progress(commitment, fulfillments).is_none_or(|p| !p.finished)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::planning::commitment::tests::commitment;
    use crate::{Action, AgentId, ProcessId};

    fn kg() -> UnitId {
        UnitId::from_uuid(uuid::Uuid::from_u128(1))
    }

    fn consume(quantity: i64) -> Commitment {
        Commitment {
            input_of: Some(ProcessId::new()),
            resource_quantity: Some(Measure::new(Decimal::new(quantity, 0), Some(kg()))),
            ..commitment(Action::Consume)
        }
    }

    fn fulfilling(c: &Commitment, quantity: Decimal) -> Fulfillment {
        Fulfillment {
            id: FulfillmentId::new(),
            revision: 1,
            fulfilled_by: EconomicEventId::new(),
            fulfills: c.id,
            resource_quantity: Some(Measure::new(quantity, Some(kg()))),
            effort_quantity: None,
            note: None,
        }
    }

    fn event(action: Action, quantity: Option<Measure>) -> NewEvent {
        let mut e = NewEvent::new(action, AgentId::new(), AgentId::new());
        e.resource_quantity = quantity;
        e
    }

    #[test]
    fn partly_then_beyond_remaining_and_over_fulfilled_are_exact() {
        let c = consume(10);
        let first = fulfilling(&c, Decimal::new(4, 0));
        let p = progress(&c, std::slice::from_ref(&first));
        assert_eq!(
            p.map(|p| (p.fulfilled.has_numerical_value, p.remaining.has_numerical_value)),
            Some((Decimal::new(4, 0), Decimal::new(6, 0)))
        );
        assert_eq!(p.map(|p| p.finished), Some(false));
        let second = fulfilling(&c, Decimal::new(75, 1));
        let p = progress(&c, &[first, second]);
        assert_eq!(p.map(|p| p.remaining.has_numerical_value), Some(Decimal::ZERO));
        assert_eq!(p.map(|p| p.over_fulfilled.has_numerical_value), Some(Decimal::new(15, 1)));
        assert_eq!(p.map(|p| p.finished), Some(true));
    }

    #[test]
    fn finished_when_set_so_and_nothing_to_measure_without_a_quantity() {
        let c = Commitment { finished: true, ..consume(3) };
        assert_eq!(progress(&c, &[]).map(|p| p.finished), Some(true));
        assert!(!is_open(&c, &[]));
        let transfer = commitment(Action::Transfer);
        assert_eq!(progress(&transfer, &[]), None);
        assert!(is_open(&transfer, &[]), "no quantity: open until set finished");
        let open = consume(3);
        assert!(is_open(&open, &[fulfilling(&open, Decimal::TWO)]));
        assert!(!is_open(&open, &[fulfilling(&open, Decimal::new(3, 0))]));
    }

    #[test]
    fn a_fulfilment_defaults_to_the_events_quantity() {
        let c = consume(10);
        let three = Measure::new(Decimal::new(3, 0), Some(kg()));
        let draft = Fulfillment { resource_quantity: None, ..fulfilling(&c, Decimal::ONE) };
        let checked = check(draft, &c, &event(Action::Consume, Some(three)), None);
        assert_eq!(checked.map(|f| f.resource_quantity), Ok(Some(three)));
    }

    #[test]
    fn a_fulfilled_commitment_keeps_its_unit() {
        let before = consume(10);
        let twelve =
            Commitment { resource_quantity: Some(Measure::new(Decimal::new(12, 0), Some(kg()))), ..before.clone() };
        assert_eq!(check_remeasure(&before, &twelve, true), Ok(()), "the number may change");
        let litres = Commitment {
            resource_quantity: Some(Measure::new(Decimal::new(10, 0), Some(UnitId::new()))),
            ..before.clone()
        };
        assert!(check_remeasure(&before, &litres, true).is_err());
        assert_eq!(check_remeasure(&before, &litres, false), Ok(()), "nothing counts in the old unit yet");
    }

    #[test]
    fn another_action_spec_or_unit_is_refused() {
        let spec = ResourceSpecificationId::new();
        let c = Commitment { resource_conforms_to: Some(spec), ..consume(10) };
        let three = Measure::new(Decimal::new(3, 0), Some(kg()));
        let draft = || Fulfillment { resource_quantity: None, ..fulfilling(&c, Decimal::ONE) };
        let other_action = check(draft(), &c, &event(Action::Use, Some(three)), Some(spec));
        assert!(matches!(other_action, Err(DomainError::Invalid { message, .. }) if message.contains("own action")));
        let other_spec = check(draft(), &c, &event(Action::Consume, Some(three)), Some(ResourceSpecificationId::new()));
        assert!(matches!(other_spec, Err(DomainError::Invalid { message, .. }) if message.contains("specification")));
        let litres = Measure::new(Decimal::new(3, 0), Some(UnitId::new()));
        let other_unit = check(draft(), &c, &event(Action::Consume, Some(litres)), Some(spec));
        assert!(matches!(other_unit, Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
        assert!(check(draft(), &c, &event(Action::Consume, Some(three)), None).is_ok(), "no spec on the event");
    }

    proptest! {
        #[test]
        fn fulfilled_plus_remaining_minus_over_is_committed(
            committed in 0i64..1_000_000,
            quantities in prop::collection::vec(0i64..500_000, 0..12),
            scale in 0u32..4,
        ) {
            let c = Commitment {
                resource_quantity: Some(Measure::new(Decimal::new(committed, scale), Some(kg()))),
                ..consume(0)
            };
            let fulfillments: Vec<Fulfillment> =
                quantities.iter().map(|q| fulfilling(&c, Decimal::new(*q, scale))).collect();
            let p = progress(&c, &fulfillments);
            prop_assert!(p.is_some());
            if let Some(p) = p {
                let sum: Decimal = quantities.iter().map(|q| Decimal::new(*q, scale)).sum();
                prop_assert_eq!(p.fulfilled.has_numerical_value, sum);
                prop_assert_eq!(
                    p.fulfilled.has_numerical_value + p.remaining.has_numerical_value - p.over_fulfilled.has_numerical_value,
                    p.committed.has_numerical_value
                );
                prop_assert!(p.remaining.has_numerical_value >= Decimal::ZERO);
                prop_assert!(p.over_fulfilled.has_numerical_value >= Decimal::ZERO);
                prop_assert!(p.remaining.has_numerical_value.is_zero() || p.over_fulfilled.has_numerical_value.is_zero());
                prop_assert_eq!(p.finished, sum >= p.committed.has_numerical_value);
            }
        }
    }
}
