//! What an event does to the resources it names: one row of the action table
//! ([`crate::action`]) applied to the two sides, atomically, refusing anything that would
//! break the books.

use rust_decimal::Decimal;

use super::event::{EventContext, NewEvent, validate, validate_container};
use super::resource::ResourceState;
use crate::action::{CreateResource, Effect, FieldEffect};
use crate::{Action, AgentId, DomainError, EconomicResourceId, UnitId};

/// Applies `event` to the resource it acts on (`from`, its `resourceInventoriedAs`) and the
/// resource it delivers to (`to`, its `toResourceInventoriedAs`), following the action's VF 1.0
/// row. Either may be `None` when the event names no such resource. A resource the event
/// creates is passed as [`ResourceState::empty`]. When from and to are the same resource (a
/// serialized resource changing hands), pass it once as `from` and `to: None`.
///
/// Atomic: on error neither state has changed. The event is [`validate`]d first.
///
/// Quantities (`q` = `resourceQuantity`): `increment`/`decrement` add/subtract `q` on from;
/// `decrementIncrement` subtracts on from and adds on to (nothing when they are the same
/// resource); `incrementTo` adds on to. A balance may never go below zero
/// ([`DomainError::Conflict`]). Units: a resource with no unit and nothing in it takes the
/// event's unit (or the other side's); otherwise the event's unit (when set) and both
/// resources' units must agree ([`DomainError::Conflict`]).
///
/// Other fields (skipped by corrections):
/// - `primaryAccountable`: `new` sets the created resource's to `receiver`; `updateTo` sets
///   to's to `receiver` (transfer, transferAllRights). A to-resource created by a move or
///   transferCustody inherits from's (else `provider`): custody moved, rights did not.
/// - `custodian` (OVN): `receiver` on a resource created by produce/raise/lower/copy; to's
///   becomes `receiver` on transfer, transferCustody and move; pickup, dropoff, accept and
///   modify with `provider != receiver` are implied custody transfers, so from's becomes
///   `receiver`. A to-resource created by transferAllRights keeps from's custodian (else
///   `provider`): rights moved, the goods did not.
/// - `currentLocation`: `new` → `atLocation` (`toLocation`, else `atLocation`, for copy);
///   `update` → `atLocation` when given; `updateTo` → `toLocation` when given, else a created
///   to-resource inherits from's.
/// - `containedIn`: combine sets the context's [`EventContext::container`] (when known);
///   separate clears it.
/// - `stage`: `update` → the context's [`EventContext::output_process_based_on`] when known.
/// - `state`: `update` → the event's `state` when given; `updateTo` likewise on to, and a
///   created to-resource inherits from's.
pub fn apply(
    event: &NewEvent,
    context: &EventContext,
    from: Option<&mut ResourceState>,
    to: Option<&mut ResourceState>,
) -> Result<(), DomainError> {
    validate(event)?;
    validate_container(event, context)?;
    if event.same_resource() && to.is_some() {
        return Err(DomainError::invalid(
            "toResourceInventoriedAs",
            "the same resource is on both sides: pass it once, as the from side",
        ));
    }
    let mut new_from = from.as_deref().cloned();
    let mut new_to = to.as_deref().cloned();
    reconcile_units(event, new_from.as_mut(), new_to.as_mut())?;
    apply_quantities(event, new_from.as_mut(), new_to.as_mut())?;
    if !event.is_correction() {
        apply_fields(event, context, new_from.as_mut(), new_to.as_mut());
    }
    if let (Some(target), Some(value)) = (from, new_from) {
        *target = value;
    }
    if let (Some(target), Some(value)) = (to, new_to) {
        *target = value;
    }
    Ok(())
}

/// Which sides' balances the action changes: (from, to).
fn quantity_sides(event: &NewEvent) -> (bool, bool) {
    let def = event.action.def();
    let touches_from = |e: Effect| matches!(e, Effect::Increment | Effect::Decrement | Effect::DecrementIncrement);
    let touches_to = |e: Effect| matches!(e, Effect::DecrementIncrement | Effect::IncrementTo);
    (
        touches_from(def.accounting_effect) || touches_from(def.onhand_effect),
        touches_to(def.accounting_effect) || touches_to(def.onhand_effect),
    )
}

fn unit_conflict(what: &str, a: UnitId, b: UnitId) -> DomainError {
    DomainError::Conflict(format!("unit mismatch: {what} (unit {a} vs unit {b})"))
}

/// Checks and settles units: an empty resource with no unit adopts the event's (or the other
/// side's); otherwise units that are set must agree.
fn reconcile_units(
    event: &NewEvent,
    mut from: Option<&mut ResourceState>,
    mut to: Option<&mut ResourceState>,
) -> Result<(), DomainError> {
    let (from_q, to_q) = quantity_sides(event);
    let two_sided = event.action.def().create_resource == CreateResource::OptionalTo;
    let event_unit = event.resource_quantity.and_then(|m| m.has_unit);
    let sides = [
        (from_q || two_sided, from.as_deref_mut(), "resourceInventoriedAs"),
        (to_q, to.as_deref_mut(), "toResourceInventoriedAs"),
    ];
    for (touched, side, name) in sides {
        let (true, Some(state), Some(unit)) = (touched, side, event_unit) else {
            continue;
        };
        match state.unit {
            None if state.is_empty() => state.unit = Some(unit),
            None => {
                return Err(DomainError::Conflict(format!(
                    "unit mismatch: {name} holds a quantity with no unit and the event is in unit {unit}"
                )));
            }
            Some(own) if own != unit => {
                return Err(unit_conflict(&format!("the event and {name}"), unit, own));
            }
            Some(_) => {}
        }
    }
    if let (true, Some(f), Some(t)) = (two_sided, from, to) {
        match (f.unit, t.unit) {
            (Some(a), None) if t.is_empty() => t.unit = Some(a),
            (Some(a), Some(b)) if a != b => {
                return Err(unit_conflict("resourceInventoriedAs and toResourceInventoriedAs", a, b));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The two balances of a resource.
#[derive(Clone, Copy)]
enum Balance {
    Accounting,
    Onhand,
}

impl Balance {
    fn name(self) -> &'static str {
        match self {
            Balance::Accounting => "accountingQuantity",
            Balance::Onhand => "onhandQuantity",
        }
    }

    fn get(self, state: &mut ResourceState) -> &mut Decimal {
        match self {
            Balance::Accounting => &mut state.accounting_quantity,
            Balance::Onhand => &mut state.onhand_quantity,
        }
    }
}

/// Adds `delta` (signed) to one balance of one side, refusing to go below zero or overflow.
fn add(
    state: Option<&mut ResourceState>,
    balance: Balance,
    delta: Decimal,
    event: &NewEvent,
    side: Option<EconomicResourceId>,
) -> Result<(), DomainError> {
    let Some(state) = state else { return Ok(()) };
    let value = balance.get(state);
    let next =
        value.checked_add(delta).ok_or_else(|| DomainError::Conflict(format!("{} would overflow", balance.name())))?;
    if next.is_sign_negative() && !next.is_zero() {
        let who = side.map_or_else(|| "the resource".to_owned(), |id| format!("resource {id}"));
        return Err(DomainError::Conflict(format!(
            "{} of {} would take the {} of {who} below zero (it is {})",
            event.action,
            crate::canonical(delta.abs()),
            balance.name(),
            crate::canonical(*value),
        )));
    }
    *value = next;
    Ok(())
}

fn apply_quantities(
    event: &NewEvent,
    mut from: Option<&mut ResourceState>,
    mut to: Option<&mut ResourceState>,
) -> Result<(), DomainError> {
    let q = event.quantity();
    let def = event.action.def();
    let (from_id, to_id) = (event.resource_inventoried_as, event.to_resource_inventoried_as);
    for (balance, effect) in [(Balance::Accounting, def.accounting_effect), (Balance::Onhand, def.onhand_effect)] {
        match effect {
            Effect::Increment => add(from.as_deref_mut(), balance, q, event, from_id)?,
            Effect::Decrement => add(from.as_deref_mut(), balance, -q, event, from_id)?,
            Effect::DecrementIncrement if event.same_resource() => {}
            Effect::DecrementIncrement => {
                add(from.as_deref_mut(), balance, -q, event, from_id)?;
                add(to.as_deref_mut(), balance, q, event, to_id)?;
            }
            Effect::IncrementTo => add(to.as_deref_mut(), balance, q, event, to_id)?,
            Effect::NotApplicable => {}
        }
    }
    Ok(())
}

/// Applies every non-quantity effect: rights, custody, location, containment, stage, state.
fn apply_fields(
    event: &NewEvent,
    context: &EventContext,
    mut from: Option<&mut ResourceState>,
    to: Option<&mut ResourceState>,
) {
    let inherited = from.as_deref().cloned();
    if let Some(f) = from.as_deref_mut() {
        apply_from_fields(event, context, f);
    }
    let target = if event.same_resource() { from } else { to };
    if let Some(t) = target {
        apply_to_fields(event, t, inherited.as_ref());
    }
}

/// Effects on `resourceInventoriedAs`.
fn apply_from_fields(event: &NewEvent, context: &EventContext, f: &mut ResourceState) {
    let def = event.action.def();
    if event.creates_from() {
        if def.accountable_effect == FieldEffect::New {
            f.primary_accountable = Some(event.receiver);
            f.custodian = Some(event.receiver);
        }
        if def.location_effect == FieldEffect::New && event.at_location.is_some() {
            f.current_location.clone_from(&event.at_location);
        }
    }
    let implied_custody = matches!(event.action, Action::Pickup | Action::Dropoff | Action::Accept | Action::Modify);
    if implied_custody && event.provider != event.receiver {
        f.custodian = Some(event.receiver);
    }
    if def.location_effect == FieldEffect::Update && event.at_location.is_some() {
        f.current_location.clone_from(&event.at_location);
    }
    match def.contained_effect {
        FieldEffect::Update if context.container.is_some() => f.contained_in = context.container,
        FieldEffect::Remove => f.contained_in = None,
        _ => {}
    }
    if def.stage_effect == FieldEffect::Update && context.output_process_based_on.is_some() {
        f.stage = context.output_process_based_on;
    }
    if def.state_effect == FieldEffect::Update && event.state.is_some() {
        f.state.clone_from(&event.state);
    }
}

/// Effects on `toResourceInventoriedAs` (or on the one resource when both sides are the same).
/// `source` is the from side as it was before the event, for a created to-resource to inherit.
fn apply_to_fields(event: &NewEvent, t: &mut ResourceState, source: Option<&ResourceState>) {
    let def = event.action.def();
    let created = event.creates_to();
    let inherit = |pick: fn(&ResourceState) -> Option<AgentId>| source.and_then(pick).or(Some(event.provider));
    match (def.accountable_effect, created) {
        (FieldEffect::UpdateTo, _) | (FieldEffect::New, true) => t.primary_accountable = Some(event.receiver),
        (_, true) => t.primary_accountable = inherit(|s| s.primary_accountable),
        _ => {}
    }
    match event.action {
        Action::Transfer | Action::TransferCustody | Action::Move => t.custodian = Some(event.receiver),
        Action::Copy if created => t.custodian = Some(event.receiver),
        Action::TransferAllRights if created => t.custodian = inherit(|s| s.custodian),
        _ => {}
    }
    match def.location_effect {
        FieldEffect::New if created => {
            t.current_location = event.to_location.clone().or_else(|| event.at_location.clone());
        }
        FieldEffect::UpdateTo if event.to_location.is_some() => t.current_location.clone_from(&event.to_location),
        FieldEffect::UpdateTo if created => t.current_location = source.and_then(|s| s.current_location.clone()),
        _ => {}
    }
    if def.state_effect == FieldEffect::UpdateTo {
        if event.state.is_some() {
            t.state.clone_from(&event.state);
        } else if created {
            t.state = source.and_then(|s| s.state.clone());
        }
    }
}
