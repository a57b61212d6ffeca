//! Corrections. Events are never edited or deleted: a mistake is mended by a new event that
//! `corrects` the original (VF "correcting errors"). The correction sits in the same flows as
//! the original and carries signed deltas of its quantities; the effect rules then re-apply
//! only the quantity effects ([`super::effect::apply`]).

use super::event::NewEvent;
use crate::DomainError;

/// Puts `correction` in the flows of `original` and checks that it may correct it:
/// - only an original can be corrected, never a correction (one level, so the sum of an
///   original and its corrections is the truth);
/// - the action stays the original's;
/// - a correction never creates a resource;
/// - it takes the original's provider, receiver, resources and processes (a client need not
///   repeat them, and cannot move a correction to other flows);
/// - it carries the same quantities as the original (resource and/or effort), as deltas.
///
/// Returns the correction as it will be recorded.
pub fn align(mut correction: NewEvent, original: &NewEvent) -> Result<NewEvent, DomainError> {
    if original.corrects.is_some() {
        return Err(DomainError::invalid("corrects", "correct the original event, not a correction of it"));
    }
    if original.action != correction.action {
        return Err(DomainError::invalid(
            "action",
            format!("a correction keeps the original's action `{}`", original.action.id()),
        ));
    }
    if correction.creates_resource {
        return Err(DomainError::invalid("newInventoriedResource", "a correction never creates a resource"));
    }
    correction.provider = original.provider;
    correction.receiver = original.receiver;
    correction.resource_inventoried_as = original.resource_inventoried_as;
    correction.to_resource_inventoried_as = original.to_resource_inventoried_as;
    correction.input_of = original.input_of;
    correction.output_of = original.output_of;
    if correction.resource_quantity.is_some() != original.resource_quantity.is_some()
        || correction.effort_quantity.is_some() != original.effort_quantity.is_some()
    {
        return Err(DomainError::invalid(
            "resourceQuantity",
            "a correction carries the same quantities as the original, as signed deltas",
        ));
    }
    Ok(correction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, AgentId, EconomicEventId, EconomicResourceId, Measure, ProcessId};
    use rust_decimal::Decimal;

    fn consume() -> NewEvent {
        let mut e = NewEvent::new(Action::Consume, AgentId::new(), AgentId::new());
        e.resource_inventoried_as = Some(EconomicResourceId::new());
        e.input_of = Some(ProcessId::new());
        e.resource_quantity = Some(Measure::new(Decimal::from(5), None));
        e
    }

    fn delta(original: &NewEvent, by: i64) -> NewEvent {
        let mut c = NewEvent::new(original.action, AgentId::new(), AgentId::new());
        c.corrects = Some(EconomicEventId::new());
        c.resource_quantity = Some(Measure::new(Decimal::from(by), None));
        c
    }

    #[test]
    fn a_correction_takes_the_originals_flows() {
        let original = consume();
        let aligned = align(delta(&original, -2), &original);
        let Ok(aligned) = aligned else { panic!("{aligned:?}") };
        assert_eq!(
            (aligned.provider, aligned.receiver, aligned.resource_inventoried_as, aligned.input_of),
            (original.provider, original.receiver, original.resource_inventoried_as, original.input_of)
        );
        assert_eq!(aligned.resource_quantity.map(|m| m.has_numerical_value), Some(Decimal::from(-2)));
    }

    #[test]
    fn a_correction_of_a_correction_is_refused() {
        let mut original = consume();
        original.corrects = Some(EconomicEventId::new());
        let refused = align(delta(&original, 1), &original);
        assert_eq!(
            refused,
            Err(DomainError::invalid("corrects", "correct the original event, not a correction of it"))
        );
    }

    #[test]
    fn a_correction_keeps_the_action_never_creates_and_keeps_the_quantities() {
        let original = consume();
        let mut other_action = delta(&original, 1);
        other_action.action = Action::Use;
        assert!(matches!(align(other_action, &original), Err(DomainError::Invalid { field, .. }) if field == "action"));
        let mut creating = delta(&original, 1);
        creating.creates_resource = true;
        assert!(
            matches!(align(creating, &original), Err(DomainError::Invalid { field, .. }) if field == "newInventoriedResource")
        );
        let mut with_effort = delta(&original, 1);
        with_effort.effort_quantity = Some(Measure::new(Decimal::ONE, None));
        assert!(
            matches!(align(with_effort, &original), Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity")
        );
    }
}
