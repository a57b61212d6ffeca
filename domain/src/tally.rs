//! How much of a planned quantity has been done: an intent's satisfied quantity from its
//! satisfactions, a claim's settled quantity from its settlements (and, once commitments are
//! here, a commitment's fulfilled quantity from its fulfilments). One arithmetic for all of
//! them, written once.
//!
//! Which quantity counts: the planned flow's `resourceQuantity` when it has one, otherwise its
//! `effortQuantity` (a `work` intent is planned in hours); a flow with neither has nothing to
//! count against. A part (a satisfaction, a settlement) counts its quantity of the same kind,
//! which must be in the same unit: kilograms never add up to hours. Doing more than planned is
//! allowed and reported (`over`), never refused: a request for 10 kg met by a delivery of 12
//! is over-satisfied, not invalid.
//!
//! Invariant (property-tested): `done + remaining − over = planned`, with `remaining` and
//! `over` never both above zero.

use rust_decimal::Decimal;

use crate::{DomainError, Measure};

/// Which of a flow's two quantities is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityKind {
    /// `resourceQuantity`.
    Resource,
    /// `effortQuantity`.
    Effort,
}

impl QuantityKind {
    /// The vf-graphql field name.
    pub const fn field(self) -> &'static str {
        match self {
            Self::Resource => "resourceQuantity",
            Self::Effort => "effortQuantity",
        }
    }

    /// This kind's quantity out of a flow's two.
    pub fn of(self, resource: Option<Measure>, effort: Option<Measure>) -> Option<Measure> {
        match self {
            Self::Resource => resource,
            Self::Effort => effort,
        }
    }
}

/// The quantity a planned flow is counted against: its resource quantity, else its effort
/// quantity, else nothing.
pub fn planned(resource: Option<Measure>, effort: Option<Measure>) -> Option<(QuantityKind, Measure)> {
    match (resource, effort) {
        (Some(m), _) => Some((QuantityKind::Resource, m)),
        (None, Some(m)) => Some((QuantityKind::Effort, m)),
        (None, None) => None,
    }
}

/// Checks that a part's quantities can be added to the planned flow's: for each kind both
/// carry, the units are the same. A part in another unit is refused naming the part's field.
pub fn check_units(
    planned_resource: Option<Measure>,
    planned_effort: Option<Measure>,
    part_resource: Option<Measure>,
    part_effort: Option<Measure>,
    what: &str,
) -> Result<(), DomainError> {
    for kind in [QuantityKind::Resource, QuantityKind::Effort] {
        if let (Some(planned), Some(part)) =
            (kind.of(planned_resource, planned_effort), kind.of(part_resource, part_effort))
            && planned.has_unit != part.has_unit
        {
            return Err(DomainError::invalid(
                kind.field(),
                format!(
                    "is in another unit than the {what}'s {}: quantities in different units do not add up",
                    kind.field()
                ),
            ));
        }
    }
    Ok(())
}

/// A part's quantity given, or else the quantity of the flow that does it (the satisfying
/// event's, the settling event's), kind by kind.
pub fn or_default(given: Option<Measure>, of_flow: Option<Measure>) -> Option<Measure> {
    given.or(of_flow)
}

/// The progress of a planned quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Which quantity is counted, and how much was planned (`None`: the flow has no quantity).
    pub planned: Option<(QuantityKind, Measure)>,
    /// The sum of the parts (in the planned unit; zero when there are none).
    pub done: Decimal,
    /// What is left to do: `planned − done`, never below zero.
    pub remaining: Decimal,
    /// What was done beyond the plan: `done − planned`, never below zero.
    pub over: Decimal,
}

impl Tally {
    /// Whether the planned quantity has been fully done (false when nothing was planned).
    pub fn complete(&self) -> bool {
        self.planned.is_some() && self.remaining.is_zero()
    }

    /// A measure in the planned unit (`None` when nothing was planned).
    pub fn measure(&self, value: Decimal) -> Option<Measure> {
        self.planned.map(|(_, m)| Measure::new(value, m.has_unit))
    }
}

/// Adds up `parts` (each a part's resource and effort quantities) against the planned flow's
/// quantities. The parts were checked with [`check_units`] when written; a part that lacks
/// the counted kind counts zero.
pub fn tally(
    planned_resource: Option<Measure>,
    planned_effort: Option<Measure>,
    parts: impl IntoIterator<Item = (Option<Measure>, Option<Measure>)>,
) -> Tally {
    let plan = planned(planned_resource, planned_effort);
    let done: Decimal = match plan {
        Some((kind, _)) => parts.into_iter().filter_map(|(r, e)| kind.of(r, e)).map(|m| m.has_numerical_value).sum(),
        None => Decimal::ZERO,
    };
    let target = plan.map_or(Decimal::ZERO, |(_, m)| m.has_numerical_value);
    let (remaining, over) = match plan {
        Some(_) if done < target => (target - done, Decimal::ZERO),
        Some(_) => (Decimal::ZERO, done - target),
        None => (Decimal::ZERO, Decimal::ZERO),
    };
    Tally { planned: plan, done, remaining, over }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::UnitId;

    fn kg(unit: UnitId, n: i64) -> Option<Measure> {
        Some(Measure::new(Decimal::new(n, 1), Some(unit)))
    }

    #[test]
    fn partly_then_beyond_the_plan() {
        let unit = UnitId::new();
        // 10.0 planned; 4.0 done, then 4.0 + 7.5.
        let first = tally(kg(unit, 100), None, [(kg(unit, 40), None)]);
        assert_eq!((first.done, first.remaining, first.over), (Decimal::new(4, 0), Decimal::new(6, 0), Decimal::ZERO));
        assert!(!first.complete());
        let second = tally(kg(unit, 100), None, [(kg(unit, 40), None), (kg(unit, 75), None)]);
        assert_eq!(
            (second.done, second.remaining, second.over),
            (Decimal::new(115, 1), Decimal::ZERO, Decimal::new(15, 1))
        );
        assert!(second.complete());
    }

    #[test]
    fn effort_counts_when_there_is_no_resource_quantity_and_nothing_planned_is_never_complete() {
        let hour = UnitId::new();
        let work = tally(None, kg(hour, 30), [(None, kg(hour, 30))]);
        assert_eq!(work.planned.map(|(k, _)| k), Some(QuantityKind::Effort));
        assert!(work.complete());
        let unplanned = tally(None, None, [(kg(hour, 30), None)]);
        assert_eq!((unplanned.done, unplanned.complete()), (Decimal::ZERO, false));
    }

    #[test]
    fn a_part_in_another_unit_is_refused() {
        let (kilogram, hour) = (UnitId::new(), UnitId::new());
        assert_eq!(check_units(kg(kilogram, 1), None, kg(kilogram, 2), kg(hour, 1), "intent"), Ok(()));
        let refused = check_units(kg(kilogram, 1), None, kg(hour, 2), None, "intent");
        assert!(matches!(refused, Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
        let refused = check_units(None, kg(hour, 1), None, kg(kilogram, 1), "claim");
        assert!(matches!(refused, Err(DomainError::Invalid { field, .. }) if field == "effortQuantity"));
    }

    proptest! {
        #[test]
        fn done_plus_remaining_minus_over_is_the_plan(
            planned in 0i64..1_000_000,
            parts in prop::collection::vec(0i64..400_000, 0..8),
            scale in 0u32..6,
        ) {
            let unit = Some(UnitId::new());
            let m = |n: i64| Some(Measure::new(Decimal::new(n, scale), unit));
            let t = tally(m(planned), None, parts.iter().map(|n| (m(*n), None)));
            let target = Decimal::new(planned, scale);
            prop_assert_eq!(t.done + t.remaining - t.over, target);
            prop_assert!(t.remaining.is_zero() || t.over.is_zero());
            prop_assert!(!t.remaining.is_sign_negative() && !t.over.is_sign_negative());
            prop_assert_eq!(t.done, parts.iter().map(|n| Decimal::new(*n, scale)).sum::<Decimal>());
            prop_assert_eq!(t.complete(), t.done >= target);
        }
    }
}
