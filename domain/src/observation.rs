//! Economic events and what they do to economic resources.
//!
//! Why: in ValueFlows a resource's economic fields (its two balances, who is accountable for
//! it, who holds it, where it is, what it is packed in, its stage and state) are never edited
//! directly; they are *derived* from the events that touched it, row by row of the action
//! table ([`crate::action`]). This module is that derivation, as pure functions:
//!
//! - [`validate`] checks which fields an event of each action must, may and must not carry;
//! - [`apply`] applies one event to the resource(s) it names, refusing anything that would
//!   break the books (a balance below zero, mismatched units) without changing anything;
//! - [`replay`] rebuilds every resource from scratch from the events in recording order, so
//!   the cached balances persistence keeps can always be checked against the ledger.
//!
//! Conventions (VF 1.0, with the OVN additions documented on each function):
//! - `resourceInventoriedAs` is the *from* side, `toResourceInventoriedAs` the *to* side.
//! - `accountingQuantity` follows rights (`primaryAccountable`), `onhandQuantity` follows
//!   custody (the OVN `custodian` field).
//! - A correcting event (`corrects` set) carries a **signed delta** in its quantity and only
//!   re-applies the quantity effects of its action (VF "record just the difference"): a
//!   `consume` correction of −3 gives 3 back to the resource. It never moves rights, custody,
//!   location, containment, stage or state, and it never creates a resource.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::action::{CreateResource, Effect, EventQuantity, FieldEffect, InputOutput};
use crate::{
    Action, AgentId, DomainError, EconomicEventId, EconomicResourceId, Measure, ProcessId, ProcessSpecificationId,
    UnitId,
};

/// The economic fields of an `EconomicResource`: everything events change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceState {
    /// `accountingQuantity`: what `primaryAccountable` has rights to.
    pub accounting_quantity: Decimal,
    /// `onhandQuantity`: what the custodian physically holds.
    pub onhand_quantity: Decimal,
    /// The unit of both quantities; `None` until the first quantity sets it.
    pub unit: Option<UnitId>,
    /// `primaryAccountable`: the agent with rights and responsibilities.
    pub primary_accountable: Option<AgentId>,
    /// OVN `custodian`: the agent with custody (who holds it now).
    pub custodian: Option<AgentId>,
    /// `currentLocation` (a SpatialThing id or free text, kept as given).
    pub current_location: Option<String>,
    /// `containedIn`: the resource this one is packed in.
    pub contained_in: Option<EconomicResourceId>,
    /// `stage`: the ProcessSpecification of the last process it came out of.
    pub stage: Option<ProcessSpecificationId>,
    /// `state` (e.g. `pass`, `fail`).
    pub state: Option<String>,
}

impl ResourceState {
    /// A resource with nothing in it yet, in `unit`: the state a `newInventoriedResource`
    /// starts from before its creating event is applied.
    pub fn empty(unit: Option<UnitId>) -> Self {
        Self { unit, ..Self::default() }
    }

    /// Whether both balances are zero.
    pub fn is_empty(&self) -> bool {
        self.accounting_quantity.is_zero() && self.onhand_quantity.is_zero()
    }
}

/// A new economic event, already parsed from the wire: the command [`validate`] and [`apply`]
/// work on. Field names follow VF (`snake_case` of `EconomicEventCreateParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// `action`.
    pub action: Action,
    /// `provider`.
    pub provider: AgentId,
    /// `receiver`.
    pub receiver: AgentId,
    /// `resourceInventoriedAs`: the resource the event acts on (the *from* side). When the
    /// event creates it (`newInventoriedResource` on produce/raise/lower) this is the id
    /// persistence allocated for it, or `None` if not yet allocated.
    pub resource_inventoried_as: Option<EconomicResourceId>,
    /// `toResourceInventoriedAs`: the receiving resource of a transfer, move or copy. May be
    /// the same as `resourceInventoriedAs` (a whole, serialized resource changing hands).
    pub to_resource_inventoried_as: Option<EconomicResourceId>,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// `inputOf`.
    pub input_of: Option<ProcessId>,
    /// `outputOf`.
    pub output_of: Option<ProcessId>,
    /// `atLocation`.
    pub at_location: Option<String>,
    /// `toLocation`.
    pub to_location: Option<String>,
    /// `state` (VF 1.0 event state, e.g. `pass`/`fail` on an accept/modify).
    pub state: Option<String>,
    /// `corrects`: the event this one corrects; its quantities are then signed deltas.
    pub corrects: Option<EconomicEventId>,
    /// Whether the client supplied `newInventoriedResource`: the event creates the side the
    /// action's `createResource` names (from for `optional`, to for `optionalTo`).
    pub creates_resource: bool,
    /// `basedOn` of the process this event is `outputOf`: becomes the resource's `stage`.
    /// Loaded by persistence, not sent by clients.
    pub process_based_on: Option<ProcessSpecificationId>,
    /// The container of a `combine` (the resource the process packs this one into). Clients
    /// of vf-graphql cannot send it; persistence resolves it (e.g. the process's output
    /// resource). When `None`, a combine leaves `containedIn` as it was.
    pub contained_in: Option<EconomicResourceId>,
}

impl NewEvent {
    /// An event of `action` from `provider` to `receiver`, every other field empty.
    pub fn new(action: Action, provider: AgentId, receiver: AgentId) -> Self {
        Self {
            action,
            provider,
            receiver,
            resource_inventoried_as: None,
            to_resource_inventoried_as: None,
            resource_quantity: None,
            effort_quantity: None,
            input_of: None,
            output_of: None,
            at_location: None,
            to_location: None,
            state: None,
            corrects: None,
            creates_resource: false,
            process_based_on: None,
            contained_in: None,
        }
    }

    /// Whether this event corrects another one (its quantities are signed deltas).
    pub fn is_correction(&self) -> bool {
        self.corrects.is_some()
    }

    /// Whether from and to name the same resource (a whole resource changing hands).
    pub fn same_resource(&self) -> bool {
        self.resource_inventoried_as.is_some() && self.resource_inventoried_as == self.to_resource_inventoried_as
    }

    /// Whether the event creates its from side (`createResource: optional`).
    pub fn creates_from(&self) -> bool {
        self.creates_resource
            && self.corrects.is_none()
            && self.action.def().create_resource == CreateResource::Optional
    }

    /// Whether the event creates its to side (`createResource: optionalTo`).
    pub fn creates_to(&self) -> bool {
        self.creates_resource
            && self.corrects.is_none()
            && self.action.def().create_resource == CreateResource::OptionalTo
    }

    /// The resource quantity's number, zero when there is none.
    fn quantity(&self) -> Decimal {
        self.resource_quantity.map_or(Decimal::ZERO, |m| m.has_numerical_value)
    }
}

/// Checks which fields an event of its action must, may and must not carry (VF 1.0 action
/// table; field names in errors are the VF/vf-graphql ones):
///
/// - **process links** (`inputOutput`): `accept`, `cite`, `combine`, `consume`, `pickup`,
///   `use`, `work` are process inputs and need `inputOf` (and no `outputOf`); `dropoff`,
///   `modify`, `produce`, `separate` are outputs and need `outputOf` (and no `inputOf`);
///   `deliverService` may have either, both, or neither (a service sold in an exchange);
///   `copy`, `lower`, `move`, `raise` and the three transfers happen outside processes and
///   must have neither. Only `deliverService` may have both.
/// - **quantities** (`eventQuantity`): `resource` actions need `resourceQuantity`; `work`
///   needs `effortQuantity` and must have no `resourceQuantity`, `resourceInventoriedAs` or
///   `toResourceInventoriedAs`; `use` needs at least one of the two. Quantities must not be
///   negative, except in a correction, where they are signed deltas.
/// - **resources**: `toResourceInventoriedAs` only on actions with a to side (`optionalTo`:
///   transfers, move, copy); a copy cannot copy a resource onto itself. `combine` and
///   `separate` need `resourceInventoriedAs` (the resource packed or unpacked); only a
///   combine may name a container, which must differ from the resource.
/// - **creation**: `newInventoriedResource` only on actions whose `createResource` is not
///   `notApplicable`, and never on a correction.
pub fn validate(event: &NewEvent) -> Result<(), DomainError> {
    validate_process_links(event)?;
    validate_quantities(event)?;
    validate_resources(event)
}

fn validate_process_links(event: &NewEvent) -> Result<(), DomainError> {
    let action = event.action;
    let (input, output) = (event.input_of.is_some(), event.output_of.is_some());
    match action.def().input_output {
        InputOutput::Input if !input => {
            Err(DomainError::invalid("inputOf", format!("a {action} event is a process input and needs inputOf")))
        }
        InputOutput::Input if output => {
            Err(DomainError::invalid("outputOf", format!("a {action} event is a process input, not an output")))
        }
        InputOutput::Output if !output => {
            Err(DomainError::invalid("outputOf", format!("a {action} event is a process output and needs outputOf")))
        }
        InputOutput::Output if input => {
            Err(DomainError::invalid("inputOf", format!("a {action} event is a process output, not an input")))
        }
        InputOutput::NotApplicable if input || output => Err(DomainError::invalid(
            if input { "inputOf" } else { "outputOf" },
            format!("a {action} event happens outside processes: it can have neither inputOf nor outputOf"),
        )),
        _ => Ok(()),
    }
}

fn validate_quantities(event: &NewEvent) -> Result<(), DomainError> {
    let action = event.action;
    if !event.is_correction() {
        if let Some(m) = event.resource_quantity {
            m.non_negative("resourceQuantity")?;
        }
        if let Some(m) = event.effort_quantity {
            m.non_negative("effortQuantity")?;
        }
    }
    match action.def().event_quantity {
        EventQuantity::Resource if event.resource_quantity.is_none() => {
            Err(DomainError::invalid("resourceQuantity", format!("a {action} event needs resourceQuantity")))
        }
        EventQuantity::Effort if event.effort_quantity.is_none() => {
            Err(DomainError::invalid("effortQuantity", format!("a {action} event needs effortQuantity")))
        }
        EventQuantity::Effort if event.resource_quantity.is_some() => Err(DomainError::invalid(
            "resourceQuantity",
            format!("a {action} event records effort only: use effortQuantity"),
        )),
        EventQuantity::Both if event.resource_quantity.is_none() && event.effort_quantity.is_none() => {
            Err(DomainError::invalid(
                "resourceQuantity",
                format!("a {action} event needs resourceQuantity, effortQuantity or both"),
            ))
        }
        _ => Ok(()),
    }
}

fn validate_resources(event: &NewEvent) -> Result<(), DomainError> {
    let action = event.action;
    let def = action.def();
    if def.event_quantity == EventQuantity::Effort && event.resource_inventoried_as.is_some() {
        return Err(DomainError::invalid(
            "resourceInventoriedAs",
            format!("a {action} event is effort and acts on no resource"),
        ));
    }
    if event.to_resource_inventoried_as.is_some() && def.create_resource != CreateResource::OptionalTo {
        return Err(DomainError::invalid(
            "toResourceInventoriedAs",
            format!("a {action} event has no receiving resource; only transfers, move and copy do"),
        ));
    }
    if action == Action::Copy && event.same_resource() {
        return Err(DomainError::invalid("toResourceInventoriedAs", "a copy must go to another resource"));
    }
    if matches!(action, Action::Combine | Action::Separate) && event.resource_inventoried_as.is_none() {
        return Err(DomainError::invalid(
            "resourceInventoriedAs",
            format!("a {action} event needs the resource it packs or unpacks"),
        ));
    }
    if let Some(container) = event.contained_in {
        if action != Action::Combine {
            return Err(DomainError::invalid("containedIn", "only a combine event puts a resource in a container"));
        }
        if event.resource_inventoried_as == Some(container) {
            return Err(DomainError::invalid("containedIn", "a resource cannot contain itself"));
        }
    }
    validate_creation(event)
}

fn validate_creation(event: &NewEvent) -> Result<(), DomainError> {
    if !event.creates_resource {
        return Ok(());
    }
    if event.is_correction() {
        return Err(DomainError::invalid("newInventoriedResource", "a correction never creates a resource"));
    }
    if event.action.def().create_resource == CreateResource::NotApplicable {
        return Err(DomainError::invalid(
            "newInventoriedResource",
            format!(
                "a {} event cannot create a resource; only produce, raise, lower, transfers, move and copy can",
                event.action
            ),
        ));
    }
    Ok(())
}

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
/// - `containedIn`: combine sets [`NewEvent::contained_in`] (when known); separate clears it.
/// - `stage`: `update` → [`NewEvent::process_based_on`] when known.
/// - `state`: `update` → the event's `state` when given; `updateTo` likewise on to, and a
///   created to-resource inherits from's.
pub fn apply(
    event: &NewEvent,
    from: Option<&mut ResourceState>,
    to: Option<&mut ResourceState>,
) -> Result<(), DomainError> {
    validate(event)?;
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
        apply_fields(event, new_from.as_mut(), new_to.as_mut());
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
fn apply_fields(event: &NewEvent, mut from: Option<&mut ResourceState>, to: Option<&mut ResourceState>) {
    let inherited = from.as_deref().cloned();
    if let Some(f) = from.as_deref_mut() {
        apply_from_fields(event, f);
    }
    let target = if event.same_resource() { from } else { to };
    if let Some(t) = target {
        apply_to_fields(event, t, inherited.as_ref());
    }
}

/// Effects on `resourceInventoriedAs`.
fn apply_from_fields(event: &NewEvent, f: &mut ResourceState) {
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
        FieldEffect::Update if event.contained_in.is_some() => f.contained_in = event.contained_in,
        FieldEffect::Remove => f.contained_in = None,
        _ => {}
    }
    if def.stage_effect == FieldEffect::Update && event.process_based_on.is_some() {
        f.stage = event.process_based_on;
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

/// One recorded event as [`replay`] needs it: the event as it was applied (with the ids of the
/// resources it touched, including any it created) and the unit the created resource started
/// with (`newInventoriedResource`'s unit, else the event's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayEvent {
    /// The event's id (for error messages).
    pub id: EconomicEventId,
    /// The event, with `resource_inventoried_as` / `to_resource_inventoried_as` filled in.
    pub event: NewEvent,
    /// The unit of the resource the event created, if it created one.
    pub new_resource_unit: Option<UnitId>,
}

/// Rebuilds every resource from scratch from `events` in recording order, with [`apply`].
///
/// Every resource must be created (`creates_resource`) by an event before any other event
/// touches it; a resource created twice, or touched before its creation, is a
/// [`DomainError::Conflict`]. The first error stops the replay and names the event.
pub fn replay(events: &[ReplayEvent]) -> Result<BTreeMap<EconomicResourceId, ResourceState>, DomainError> {
    let mut states = BTreeMap::new();
    for record in events {
        replay_one(&mut states, record).map_err(|e| match e {
            DomainError::Conflict(m) => DomainError::Conflict(format!("event {}: {m}", record.id)),
            other => other,
        })?;
    }
    Ok(states)
}

/// Applies one recorded event to the map of states.
fn replay_one(
    states: &mut BTreeMap<EconomicResourceId, ResourceState>,
    record: &ReplayEvent,
) -> Result<(), DomainError> {
    let event = &record.event;
    let from_id = event.resource_inventoried_as;
    let to_id = if event.same_resource() { None } else { event.to_resource_inventoried_as };
    let mut from = take(states, from_id, event.creates_from(), record.new_resource_unit)?;
    let mut to = match take(states, to_id, event.creates_to(), record.new_resource_unit) {
        Ok(to) => to,
        Err(e) => {
            put_back(states, from_id, from);
            return Err(e);
        }
    };
    let result = apply(event, from.as_mut(), to.as_mut());
    put_back(states, from_id, from);
    put_back(states, to_id, to);
    result
}

/// Takes a resource's state out of the map (or a fresh one when the event creates it).
fn take(
    states: &mut BTreeMap<EconomicResourceId, ResourceState>,
    id: Option<EconomicResourceId>,
    creates: bool,
    unit: Option<UnitId>,
) -> Result<Option<ResourceState>, DomainError> {
    let Some(id) = id else { return Ok(None) };
    match (states.remove(&id), creates) {
        (None, true) => Ok(Some(ResourceState::empty(unit))),
        (Some(state), false) => Ok(Some(state)),
        (Some(state), true) => {
            states.insert(id, state);
            Err(DomainError::Conflict(format!("resource {id} is created twice")))
        }
        (None, false) => Err(DomainError::Conflict(format!("resource {id} is used before an event created it"))),
    }
}

fn put_back(
    states: &mut BTreeMap<EconomicResourceId, ResourceState>,
    id: Option<EconomicResourceId>,
    state: Option<ResourceState>,
) {
    if let (Some(id), Some(state)) = (id, state) {
        states.insert(id, state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small world: two agents, two units, two resources, one process.
    struct W {
        alice: AgentId,
        bob: AgentId,
        kg: UnitId,
        lb: UnitId,
        r1: EconomicResourceId,
        r2: EconomicResourceId,
        p: ProcessId,
        spec: ProcessSpecificationId,
    }

    fn w() -> W {
        W {
            alice: AgentId::new(),
            bob: AgentId::new(),
            kg: UnitId::new(),
            lb: UnitId::new(),
            r1: EconomicResourceId::new(),
            r2: EconomicResourceId::new(),
            p: ProcessId::new(),
            spec: ProcessSpecificationId::new(),
        }
    }

    fn dec(units: i64, scale: u32) -> Decimal {
        Decimal::new(units, scale)
    }

    impl W {
        /// `qty` (in hundredths) of `action` from alice to bob on r1, in kg, linked to the
        /// process the way the action needs.
        fn ev(&self, action: Action, hundredths: i64) -> NewEvent {
            let mut e = NewEvent::new(action, self.alice, self.bob);
            e.resource_inventoried_as = Some(self.r1);
            e.resource_quantity = Some(Measure::new(dec(hundredths, 2), Some(self.kg)));
            match action.def().input_output {
                InputOutput::Input => e.input_of = Some(self.p),
                InputOutput::Output => e.output_of = Some(self.p),
                _ => {}
            }
            if action.def().create_resource == CreateResource::OptionalTo {
                e.to_resource_inventoried_as = Some(self.r2);
            }
            e
        }

        /// A resource holding `whole` kg on both balances, owned and held by `owner`.
        fn stock(&self, whole: i64, owner: AgentId) -> ResourceState {
            ResourceState {
                accounting_quantity: Decimal::from(whole),
                onhand_quantity: Decimal::from(whole),
                unit: Some(self.kg),
                primary_accountable: Some(owner),
                custodian: Some(owner),
                ..ResourceState::default()
            }
        }
    }

    fn balances(s: &ResourceState) -> (Decimal, Decimal) {
        (s.accounting_quantity, s.onhand_quantity)
    }

    // ---- one test per action -------------------------------------------------------------

    #[test]
    fn produce_creates_then_increments() -> Result<(), DomainError> {
        let w = w();
        let mut e = w.ev(Action::Produce, 1000);
        e.creates_resource = true;
        e.at_location = Some("lab".into());
        e.process_based_on = Some(w.spec);
        e.state = Some("fresh".into());
        let mut r = ResourceState::empty(None);
        apply(&e, Some(&mut r), None)?;
        assert_eq!(balances(&r), (dec(10, 0), dec(10, 0)));
        assert_eq!(r.unit, Some(w.kg), "an empty resource takes the event's unit");
        assert_eq!((r.primary_accountable, r.custodian), (Some(w.bob), Some(w.bob)));
        assert_eq!(r.current_location.as_deref(), Some("lab"));
        assert_eq!((r.stage, r.state.as_deref()), (Some(w.spec), Some("fresh")));
        // 10 + 5.25 = 15.25 on both balances; an existing resource keeps its owner.
        let mut more = w.ev(Action::Produce, 525);
        more.provider = w.bob;
        more.receiver = w.alice;
        apply(&more, Some(&mut r), None)?;
        assert_eq!(balances(&r), (dec(1525, 2), dec(1525, 2)));
        assert_eq!(r.primary_accountable, Some(w.bob));
        Ok(())
    }

    #[test]
    fn raise_increments_both_balances() -> Result<(), DomainError> {
        let w = w();
        let mut r = w.stock(3, w.alice);
        apply(&w.ev(Action::Raise, 450), Some(&mut r), None)?;
        assert_eq!(balances(&r), (dec(75, 1), dec(75, 1))); // 3 + 4.5
        let mut created = ResourceState::empty(Some(w.kg));
        let mut e = w.ev(Action::Raise, 200);
        e.creates_resource = true;
        apply(&e, Some(&mut created), None)?;
        assert_eq!(balances(&created), (dec(2, 0), dec(2, 0)));
        assert_eq!(created.primary_accountable, Some(w.bob));
        Ok(())
    }

    #[test]
    fn lower_decrements_and_never_below_zero() -> Result<(), DomainError> {
        let w = w();
        let mut r = w.stock(10, w.alice);
        apply(&w.ev(Action::Lower, 225), Some(&mut r), None)?;
        assert_eq!(balances(&r), (dec(775, 2), dec(775, 2))); // 10 - 2.25
        let before = r.clone();
        let err = apply(&w.ev(Action::Lower, 800), Some(&mut r), None);
        assert!(matches!(err, Err(DomainError::Conflict(_))), "{err:?}");
        assert_eq!(r, before, "a refused event changes nothing");
        Ok(())
    }

    #[test]
    fn consume_decrements_and_refuses_more_than_on_hand() -> Result<(), DomainError> {
        let w = w();
        let mut r = w.stock(10, w.alice);
        let mut e = w.ev(Action::Consume, 300);
        e.state = Some("opened".into());
        apply(&e, Some(&mut r), None)?;
        assert_eq!(balances(&r), (dec(7, 0), dec(7, 0)));
        assert_eq!(r.state.as_deref(), Some("opened"));
        let before = r.clone();
        let err = apply(&w.ev(Action::Consume, 701), Some(&mut r), None);
        assert!(matches!(&err, Err(DomainError::Conflict(m)) if m.contains("below zero")), "{err:?}");
        assert_eq!(r, before);
        Ok(())
    }

    #[test]
    fn use_changes_no_balance_and_may_carry_effort_only() -> Result<(), DomainError> {
        let w = w();
        let mut r = w.stock(1, w.alice);
        let mut e = w.ev(Action::Use, 0);
        e.resource_quantity = None;
        e.effort_quantity = Some(Measure::new(dec(2, 0), None));
        e.state = Some("worn".into());
        apply(&e, Some(&mut r), None)?;
        assert_eq!(balances(&r), (dec(1, 0), dec(1, 0)));
        assert_eq!(r.state.as_deref(), Some("worn"));
        assert_eq!(r.custodian, Some(w.alice), "use moves no custody");
        e.effort_quantity = None;
        assert!(matches!(validate(&e), Err(DomainError::Invalid { .. })));
        Ok(())
    }

    #[test]
    fn cite_changes_no_balance() -> Result<(), DomainError> {
        let w = w();
        let mut r = w.stock(1, w.alice);
        apply(&w.ev(Action::Cite, 100), Some(&mut r), None)?;
        assert_eq!(r, w.stock(1, w.alice));
        Ok(())
    }

    #[test]
    fn work_is_effort_on_no_resource() -> Result<(), DomainError> {
        let w = w();
        let mut e = NewEvent::new(Action::Work, w.alice, w.bob);
        e.input_of = Some(w.p);
        e.effort_quantity = Some(Measure::new(dec(75, 1), None));
        apply(&e, None, None)?;
        e.resource_inventoried_as = Some(w.r1);
        assert!(matches!(validate(&e), Err(DomainError::Invalid { field, .. }) if field == "resourceInventoriedAs"));
        e.resource_inventoried_as = None;
        e.effort_quantity = None;
        assert!(matches!(validate(&e), Err(DomainError::Invalid { field, .. }) if field == "effortQuantity"));
        Ok(())
    }

    #[test]
    fn deliver_service_may_be_output_and_input_and_changes_nothing() -> Result<(), DomainError> {
        let w = w();
        let mut e = NewEvent::new(Action::DeliverService, w.alice, w.bob);
        e.resource_quantity = Some(Measure::new(dec(1, 0), None));
        validate(&e)?;
        e.output_of = Some(w.p);
        e.input_of = Some(ProcessId::new());
        apply(&e, None, None)?;
        Ok(())
    }

    #[test]
    fn accept_then_modify_moves_custody_there_and_back() -> Result<(), DomainError> {
        // Alice's bike goes to Bob's repair shop and comes back repaired.
        let w = w();
        let mut bike = w.stock(1, w.alice);
        let mut accept = w.ev(Action::Accept, 100);
        accept.at_location = Some("shop".into());
        apply(&accept, Some(&mut bike), None)?;
        assert_eq!(balances(&bike), (dec(1, 0), dec(0, 0)), "accept: onhand only");
        assert_eq!((bike.primary_accountable, bike.custodian), (Some(w.alice), Some(w.bob)));
        assert_eq!(bike.current_location.as_deref(), Some("shop"));
        let mut modify = w.ev(Action::Modify, 100);
        modify.provider = w.bob;
        modify.receiver = w.alice;
        modify.process_based_on = Some(w.spec);
        modify.state = Some("repaired".into());
        modify.at_location = Some("home".into());
        apply(&modify, Some(&mut bike), None)?;
        assert_eq!(balances(&bike), (dec(1, 0), dec(1, 0)));
        assert_eq!(bike.custodian, Some(w.alice));
        assert_eq!((bike.stage, bike.state.as_deref()), (Some(w.spec), Some("repaired")));
        assert_eq!(bike.current_location.as_deref(), Some("home"));
        Ok(())
    }

    #[test]
    fn pickup_then_dropoff_is_a_custody_round() -> Result<(), DomainError> {
        // Alice ships 10 kg; carrier Bob picks up, then drops off to Alice's warehouse.
        let w = w();
        let mut goods = w.stock(10, w.alice);
        apply(&w.ev(Action::Pickup, 1000), Some(&mut goods), None)?;
        assert_eq!(balances(&goods), (dec(10, 0), dec(0, 0)));
        assert_eq!(goods.custodian, Some(w.bob));
        let mut drop = w.ev(Action::Dropoff, 1000);
        drop.provider = w.bob;
        drop.receiver = w.alice;
        drop.at_location = Some("warehouse".into());
        drop.process_based_on = Some(w.spec);
        apply(&drop, Some(&mut goods), None)?;
        assert_eq!(balances(&goods), (dec(10, 0), dec(10, 0)));
        assert_eq!(goods.custodian, Some(w.alice));
        assert_eq!(goods.current_location.as_deref(), Some("warehouse"));
        assert_eq!(goods.stage, Some(w.spec));
        Ok(())
    }

    #[test]
    fn same_agent_pickup_keeps_custodian() -> Result<(), DomainError> {
        let w = w();
        let mut goods = w.stock(2, w.alice);
        let mut e = w.ev(Action::Pickup, 200);
        e.receiver = w.alice;
        apply(&e, Some(&mut goods), None)?;
        assert_eq!(goods.custodian, Some(w.alice));
        Ok(())
    }

    #[test]
    fn combine_then_separate_packs_and_unpacks() -> Result<(), DomainError> {
        let w = w();
        let kit = EconomicResourceId::new();
        let mut part = w.stock(1, w.alice);
        let mut combine = w.ev(Action::Combine, 100);
        combine.contained_in = Some(kit);
        apply(&combine, Some(&mut part), None)?;
        assert_eq!(balances(&part), (dec(1, 0), dec(0, 0)));
        assert_eq!(part.contained_in, Some(kit));
        let mut separate = w.ev(Action::Separate, 100);
        separate.process_based_on = Some(w.spec);
        apply(&separate, Some(&mut part), None)?;
        assert_eq!(balances(&part), (dec(1, 0), dec(1, 0)));
        assert_eq!((part.contained_in, part.stage), (None, Some(w.spec)));
        combine.contained_in = Some(w.r1);
        assert!(validate(&combine).is_err(), "a resource cannot contain itself");
        Ok(())
    }

    #[test]
    fn transfer_moves_both_balances_rights_and_custody() -> Result<(), DomainError> {
        let w = w();
        let mut from = w.stock(10, w.alice);
        let mut to = w.stock(2, w.bob);
        to.custodian = Some(w.alice);
        let mut e = w.ev(Action::Transfer, 400);
        e.to_location = Some("bob's shed".into());
        apply(&e, Some(&mut from), Some(&mut to))?;
        assert_eq!(balances(&from), (dec(6, 0), dec(6, 0)));
        assert_eq!(balances(&to), (dec(6, 0), dec(6, 0)));
        assert_eq!((to.primary_accountable, to.custodian), (Some(w.bob), Some(w.bob)));
        assert_eq!(from.primary_accountable, Some(w.alice));
        assert_eq!(to.current_location.as_deref(), Some("bob's shed"));
        Ok(())
    }

    #[test]
    fn transfer_into_a_new_resource_inherits_where_and_what() -> Result<(), DomainError> {
        let w = w();
        let mut from = w.stock(5, w.alice);
        from.current_location = Some("depot".into());
        from.state = Some("pass".into());
        let mut to = ResourceState::empty(None);
        let mut e = w.ev(Action::Transfer, 500);
        e.creates_resource = true;
        apply(&e, Some(&mut from), Some(&mut to))?;
        assert_eq!(balances(&from), (dec(0, 0), dec(0, 0)));
        assert_eq!(balances(&to), (dec(5, 0), dec(5, 0)));
        assert_eq!(to.unit, Some(w.kg));
        assert_eq!((to.current_location.as_deref(), to.state.as_deref()), (Some("depot"), Some("pass")));
        assert_eq!((to.primary_accountable, to.custodian), (Some(w.bob), Some(w.bob)));
        Ok(())
    }

    #[test]
    fn transfer_refuses_mismatched_units() {
        let w = w();
        let mut from = w.stock(5, w.alice);
        let mut to = w.stock(1, w.bob);
        to.unit = Some(w.lb);
        let mut e = w.ev(Action::Transfer, 100);
        e.resource_quantity = Some(Measure::new(dec(1, 0), None));
        let before = (from.clone(), to.clone());
        let err = apply(&e, Some(&mut from), Some(&mut to));
        assert!(matches!(&err, Err(DomainError::Conflict(m)) if m.contains("unit")), "{err:?}");
        assert_eq!((from, to), before);
        let mut r = w.stock(5, w.alice);
        let mut consume = w.ev(Action::Consume, 100);
        consume.resource_quantity = Some(Measure::new(dec(1, 0), Some(w.lb)));
        assert!(matches!(apply(&consume, Some(&mut r), None), Err(DomainError::Conflict(_))));
    }

    #[test]
    fn transfer_all_rights_moves_accounting_only() -> Result<(), DomainError> {
        let w = w();
        let mut from = w.stock(10, w.alice);
        let mut to = ResourceState::empty(Some(w.kg));
        let mut e = w.ev(Action::TransferAllRights, 300);
        e.creates_resource = true;
        apply(&e, Some(&mut from), Some(&mut to))?;
        assert_eq!(balances(&from), (dec(7, 0), dec(10, 0)));
        assert_eq!(balances(&to), (dec(3, 0), dec(0, 0)));
        assert_eq!(to.primary_accountable, Some(w.bob));
        assert_eq!(to.custodian, Some(w.alice), "the goods stay with alice");
        Ok(())
    }

    #[test]
    fn transfer_custody_moves_onhand_only() -> Result<(), DomainError> {
        let w = w();
        let mut from = w.stock(10, w.alice);
        let mut to = ResourceState::empty(Some(w.kg));
        let mut e = w.ev(Action::TransferCustody, 400);
        e.creates_resource = true;
        e.to_location = Some("bob's".into());
        apply(&e, Some(&mut from), Some(&mut to))?;
        assert_eq!(balances(&from), (dec(10, 0), dec(6, 0)));
        assert_eq!(balances(&to), (dec(0, 0), dec(4, 0)));
        assert_eq!((to.primary_accountable, to.custodian), (Some(w.alice), Some(w.bob)));
        assert_eq!(to.current_location.as_deref(), Some("bob's"));
        Ok(())
    }

    #[test]
    fn lending_a_whole_tool_changes_custodian_not_quantities() -> Result<(), DomainError> {
        let w = w();
        let mut tool = w.stock(1, w.alice);
        let mut e = w.ev(Action::TransferCustody, 100);
        e.to_resource_inventoried_as = Some(w.r1);
        assert!(apply(&e, Some(&mut tool.clone()), Some(&mut tool.clone())).is_err(), "pass it once");
        apply(&e, Some(&mut tool), None)?;
        assert_eq!(balances(&tool), (dec(1, 0), dec(1, 0)));
        assert_eq!((tool.primary_accountable, tool.custodian), (Some(w.alice), Some(w.bob)));
        Ok(())
    }

    #[test]
    fn move_relocates_between_resources() -> Result<(), DomainError> {
        let w = w();
        let mut from = w.stock(8, w.alice);
        let mut to = ResourceState::empty(None);
        let mut e = w.ev(Action::Move, 250);
        e.receiver = w.alice;
        e.creates_resource = true;
        e.to_location = Some("shelf B".into());
        apply(&e, Some(&mut from), Some(&mut to))?;
        assert_eq!(balances(&from), (dec(55, 1), dec(55, 1))); // 8 - 2.5
        assert_eq!(balances(&to), (dec(25, 1), dec(25, 1)));
        assert_eq!((to.primary_accountable, to.custodian), (Some(w.alice), Some(w.alice)));
        assert_eq!(to.current_location.as_deref(), Some("shelf B"));
        Ok(())
    }

    #[test]
    fn copy_increments_only_the_copy() -> Result<(), DomainError> {
        let w = w();
        let mut original = w.stock(1, w.alice);
        let mut copy = ResourceState::empty(None);
        let mut e = w.ev(Action::Copy, 100);
        e.creates_resource = true;
        e.to_location = Some("bob's drive".into());
        apply(&e, Some(&mut original), Some(&mut copy))?;
        assert_eq!(original, w.stock(1, w.alice));
        assert_eq!(balances(&copy), (dec(1, 0), dec(1, 0)));
        assert_eq!((copy.primary_accountable, copy.custodian), (Some(w.bob), Some(w.bob)));
        assert_eq!(copy.current_location.as_deref(), Some("bob's drive"));
        e.to_resource_inventoried_as = Some(w.r1);
        assert!(validate(&e).is_err(), "a copy onto itself");
        Ok(())
    }

    // ---- corrections -----------------------------------------------------------------------

    #[test]
    fn a_correction_reapplies_only_the_signed_delta() -> Result<(), DomainError> {
        let w = w();
        let mut r = w.stock(10, w.alice);
        apply(&w.ev(Action::Consume, 300), Some(&mut r), None)?; // 7
        let mut fix = w.ev(Action::Consume, -100); // it was 2, not 3
        fix.corrects = Some(EconomicEventId::new());
        fix.state = Some("ignored".into());
        apply(&fix, Some(&mut r), None)?;
        assert_eq!(balances(&r), (dec(8, 0), dec(8, 0)));
        assert_eq!(r.state, None, "corrections move quantities only");
        let mut too_much = w.ev(Action::Produce, -900);
        too_much.corrects = Some(EconomicEventId::new());
        assert!(matches!(apply(&too_much, Some(&mut r), None), Err(DomainError::Conflict(_))));
        fix.corrects = None;
        assert!(matches!(validate(&fix), Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
        Ok(())
    }

    #[test]
    fn a_transfer_correction_moves_back() -> Result<(), DomainError> {
        let w = w();
        let (mut from, mut to) = (w.stock(6, w.alice), w.stock(4, w.bob));
        let mut fix = w.ev(Action::Transfer, -150);
        fix.corrects = Some(EconomicEventId::new());
        apply(&fix, Some(&mut from), Some(&mut to))?;
        assert_eq!(balances(&from), (dec(75, 1), dec(75, 1)));
        assert_eq!(balances(&to), (dec(25, 1), dec(25, 1)));
        fix.creates_resource = true;
        assert!(validate(&fix).is_err(), "a correction never creates");
        Ok(())
    }

    // ---- validation --------------------------------------------------------------------------

    #[test]
    fn process_links_follow_input_output() {
        let w = w();
        let field_of = |e: &NewEvent| match validate(e) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => format!("{other:?}"),
        };
        for action in [Action::Consume, Action::Use, Action::Cite, Action::Accept, Action::Pickup, Action::Combine] {
            let mut e = w.ev(action, 100);
            e.input_of = None;
            assert_eq!(field_of(&e), "inputOf", "{action}");
            e.input_of = Some(w.p);
            e.output_of = Some(w.p);
            assert_eq!(field_of(&e), "outputOf", "{action}");
        }
        for action in [Action::Produce, Action::Modify, Action::Dropoff, Action::Separate] {
            let mut e = w.ev(action, 100);
            e.output_of = None;
            assert_eq!(field_of(&e), "outputOf", "{action}");
            e.output_of = Some(w.p);
            e.input_of = Some(w.p);
            assert_eq!(field_of(&e), "inputOf", "{action}");
        }
        for action in [
            Action::Transfer,
            Action::TransferAllRights,
            Action::TransferCustody,
            Action::Move,
            Action::Copy,
            Action::Raise,
            Action::Lower,
        ] {
            let mut e = w.ev(action, 100);
            assert_eq!(validate(&e), Ok(()), "{action}");
            e.input_of = Some(w.p);
            assert_eq!(field_of(&e), "inputOf", "{action}");
            e.input_of = None;
            e.output_of = Some(w.p);
            assert_eq!(field_of(&e), "outputOf", "{action}");
        }
    }

    #[test]
    fn field_rules() {
        let w = w();
        let mut e = w.ev(Action::Consume, 100);
        e.resource_quantity = None;
        assert!(matches!(validate(&e), Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
        let mut e = w.ev(Action::Consume, 100);
        e.to_resource_inventoried_as = Some(w.r2);
        assert!(matches!(validate(&e), Err(DomainError::Invalid { field, .. }) if field == "toResourceInventoriedAs"));
        let mut e = w.ev(Action::Consume, 100);
        e.creates_resource = true;
        assert!(matches!(validate(&e), Err(DomainError::Invalid { field, .. }) if field == "newInventoriedResource"));
        let mut e = w.ev(Action::Separate, 100);
        e.resource_inventoried_as = None;
        assert!(matches!(validate(&e), Err(DomainError::Invalid { field, .. }) if field == "resourceInventoriedAs"));
        let mut e = w.ev(Action::Produce, 100);
        e.contained_in = Some(w.r2);
        assert!(matches!(validate(&e), Err(DomainError::Invalid { field, .. }) if field == "containedIn"));
        let mut e = w.ev(Action::Work, 0);
        e.resource_inventoried_as = None;
        e.effort_quantity = Some(Measure::new(dec(-1, 0), None));
        assert!(matches!(validate(&e), Err(DomainError::Invalid { field, .. }) if field == "effortQuantity"));
    }

    // ---- replay ------------------------------------------------------------------------------

    #[test]
    fn replay_rebuilds_a_small_history() -> Result<(), DomainError> {
        let w = w();
        let mut produce = w.ev(Action::Produce, 1000);
        produce.creates_resource = true;
        let mut transfer = w.ev(Action::Transfer, 400);
        transfer.creates_resource = true;
        let mut consume = w.ev(Action::Consume, 100);
        consume.resource_inventoried_as = Some(w.r2);
        let record = |event| ReplayEvent { id: EconomicEventId::new(), event, new_resource_unit: None };
        let states = replay(&[record(produce.clone()), record(transfer), record(consume)])?;
        assert_eq!(states.get(&w.r1).map(balances), Some((dec(6, 0), dec(6, 0))));
        assert_eq!(states.get(&w.r2).map(balances), Some((dec(3, 0), dec(3, 0))));
        let twice = replay(&[record(produce.clone()), record(produce)]);
        assert!(matches!(&twice, Err(DomainError::Conflict(m)) if m.contains("created twice")), "{twice:?}");
        let orphan = replay(&[record(w.ev(Action::Consume, 100))]);
        assert!(matches!(&orphan, Err(DomainError::Conflict(m)) if m.contains("before")), "{orphan:?}");
        Ok(())
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const RESOURCES: usize = 4;

    /// A random operation on a small pool of resources (indexes into the pool).
    #[derive(Debug, Clone)]
    enum Op {
        /// produce (kind 0) or raise (kind 1), creating the resource if it does not exist.
        Make { kind: u8, res: usize, qty: i64, unit: usize },
        /// consume (kind 0) or lower (kind 1).
        Take { kind: u8, res: usize, qty: i64 },
        /// transfer, transferAllRights, transferCustody or move (kind 0..4).
        Give { kind: u8, from: usize, to: usize, qty: i64 },
        /// corrects the n-th accepted event (mod count) by a signed delta.
        Fix { nth: usize, delta: i64 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..2u8, 0..RESOURCES, 0..1000i64, 0..2usize)
                .prop_map(|(kind, res, qty, unit)| { Op::Make { kind, res, qty, unit } }),
            (0..2u8, 0..RESOURCES, 0..500i64).prop_map(|(kind, res, qty)| Op::Take { kind, res, qty }),
            (0..4u8, 0..RESOURCES, 0..RESOURCES, 0..500i64)
                .prop_map(|(kind, from, to, qty)| { Op::Give { kind, from, to, qty } }),
            (0..64usize, -300..300i64).prop_map(|(nth, delta)| Op::Fix { nth, delta }),
        ]
    }

    struct Harness {
        agents: [AgentId; 2],
        units: [UnitId; 2],
        ids: [EconomicResourceId; RESOURCES],
        process: ProcessId,
        /// The states as persistence would keep them, updated event by event.
        stored: BTreeMap<EconomicResourceId, ResourceState>,
        accepted: Vec<ReplayEvent>,
        /// Expected Σ accounting and Σ onhand: changed only by produce/raise/consume/lower.
        expected_sum: (Decimal, Decimal),
    }

    impl Harness {
        fn new() -> Self {
            Self {
                agents: [AgentId::new(), AgentId::new()],
                units: [UnitId::new(), UnitId::new()],
                ids: std::array::from_fn(|_| EconomicResourceId::new()),
                process: ProcessId::new(),
                stored: BTreeMap::new(),
                accepted: Vec::new(),
                expected_sum: (Decimal::ZERO, Decimal::ZERO),
            }
        }

        fn event(&self, op: &Op) -> Option<(NewEvent, Option<UnitId>)> {
            let cents = |n: i64| Decimal::new(n, 2);
            let [a, b] = self.agents;
            let unit_of = |id| self.stored.get(&id).and_then(|s: &ResourceState| s.unit);
            match *op {
                Op::Make { kind, res, qty, unit } => {
                    let action = if kind == 0 { Action::Produce } else { Action::Raise };
                    let id = self.ids[res];
                    let mut e = NewEvent::new(action, a, a);
                    e.resource_inventoried_as = Some(id);
                    e.creates_resource = !self.stored.contains_key(&id);
                    let unit = unit_of(id).unwrap_or(self.units[unit]);
                    e.resource_quantity = Some(Measure::new(cents(qty), Some(unit)));
                    if action == Action::Produce {
                        e.output_of = Some(self.process);
                    }
                    Some((e, Some(unit)))
                }
                Op::Take { kind, res, qty } => {
                    let action = if kind == 0 { Action::Consume } else { Action::Lower };
                    let id = self.ids[res];
                    let mut e = NewEvent::new(action, a, a);
                    e.resource_inventoried_as = Some(id);
                    e.resource_quantity = Some(Measure::new(cents(qty), unit_of(id)));
                    if action == Action::Consume {
                        e.input_of = Some(self.process);
                    }
                    self.stored.contains_key(&id).then_some((e, None))
                }
                Op::Give { kind, from, to, qty } => {
                    let action = [Action::Transfer, Action::TransferAllRights, Action::TransferCustody, Action::Move]
                        [usize::from(kind)];
                    let (from, to) = (self.ids[from], self.ids[to]);
                    let mut e = NewEvent::new(action, a, b);
                    e.resource_inventoried_as = Some(from);
                    e.to_resource_inventoried_as = Some(to);
                    e.creates_resource = !self.stored.contains_key(&to);
                    e.resource_quantity = Some(Measure::new(cents(qty), unit_of(from)));
                    self.stored.contains_key(&from).then_some((e, unit_of(from)))
                }
                Op::Fix { nth, delta } => {
                    let original = self.accepted.get(nth % self.accepted.len().max(1))?;
                    let mut e = original.event.clone();
                    e.corrects = Some(original.id);
                    e.creates_resource = false;
                    e.resource_quantity = e.resource_quantity.map(|m| Measure::new(cents(delta), m.has_unit));
                    Some((e, None))
                }
            }
        }

        /// Applies one event to the stored states the way persistence does: load, apply,
        /// save. Checks atomicity on refusal and the exact movement of transfers.
        fn record(&mut self, event: NewEvent, unit: Option<UnitId>) -> Result<(), TestCaseError> {
            let from_id = event.resource_inventoried_as;
            let to_id = if event.same_resource() { None } else { event.to_resource_inventoried_as };
            let load = |id: Option<EconomicResourceId>, creates: bool| {
                id.map(|id| {
                    if creates { ResourceState::empty(unit) } else { self.stored.get(&id).cloned().unwrap_or_default() }
                })
            };
            let mut from = load(from_id, event.creates_from());
            let mut to = load(to_id, event.creates_to());
            let before = (from.clone(), to.clone());
            match apply(&event, from.as_mut(), to.as_mut()) {
                Err(_) => prop_assert_eq!((from, to), before, "a refused event changes nothing"),
                Ok(()) => {
                    let q = event.resource_quantity.map_or(Decimal::ZERO, |m| m.has_numerical_value);
                    self.check_movement(&event, q, &before, (&from, &to))?;
                    self.track_sums(&event, q);
                    for (id, state) in [(from_id, from), (to_id, to)] {
                        if let (Some(id), Some(state)) = (id, state) {
                            self.stored.insert(id, state);
                        }
                    }
                    self.accepted.push(ReplayEvent { id: EconomicEventId::new(), event, new_resource_unit: unit });
                }
            }
            Ok(())
        }

        fn check_movement(
            &self,
            event: &NewEvent,
            q: Decimal,
            before: &(Option<ResourceState>, Option<ResourceState>),
            after: (&Option<ResourceState>, &Option<ResourceState>),
        ) -> Result<(), TestCaseError> {
            let def = event.action.def();
            if let (Some(b), Some(a)) = (&before.0, after.0) {
                let sign = |e: Effect| match e {
                    Effect::Increment => q,
                    Effect::Decrement | Effect::DecrementIncrement if !event.same_resource() => -q,
                    _ => Decimal::ZERO,
                };
                prop_assert_eq!(a.accounting_quantity - b.accounting_quantity, sign(def.accounting_effect));
                prop_assert_eq!(a.onhand_quantity - b.onhand_quantity, sign(def.onhand_effect));
            }
            if let (Some(b), Some(a)) = (&before.1, after.1) {
                let gain = |e: Effect| {
                    if e == Effect::DecrementIncrement { q } else { Decimal::ZERO }
                };
                prop_assert_eq!(a.accounting_quantity - b.accounting_quantity, gain(def.accounting_effect));
                prop_assert_eq!(a.onhand_quantity - b.onhand_quantity, gain(def.onhand_effect));
            }
            Ok(())
        }

        fn track_sums(&mut self, event: &NewEvent, q: Decimal) {
            let (acc, onhand) = &mut self.expected_sum;
            match event.action {
                Action::Produce | Action::Raise => {
                    *acc += q;
                    *onhand += q;
                }
                Action::Consume | Action::Lower => {
                    *acc -= q;
                    *onhand -= q;
                }
                _ => {}
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn incremental_states_equal_replay_and_quantities_balance(ops in prop::collection::vec(op(), 0..60)) {
            let mut h = Harness::new();
            for op in &ops {
                if let Some((event, unit)) = h.event(op) {
                    h.record(event, unit)?;
                }
            }
            let replayed = replay(&h.accepted);
            prop_assert_eq!(replayed.as_ref(), Ok(&h.stored));
            let sum = |f: fn(&ResourceState) -> Decimal| h.stored.values().map(f).sum::<Decimal>();
            prop_assert_eq!(sum(|s| s.accounting_quantity), h.expected_sum.0);
            prop_assert_eq!(sum(|s| s.onhand_quantity), h.expected_sum.1);
            for s in h.stored.values() {
                prop_assert!(!s.accounting_quantity.is_sign_negative() || s.accounting_quantity.is_zero());
                prop_assert!(!s.onhand_quantity.is_sign_negative() || s.onhand_quantity.is_zero());
            }
        }
    }
}
