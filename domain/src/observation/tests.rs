//! Unit tests of the effect rules: one or more per action, worked out by hand.

use rust_decimal::Decimal;

use super::event::validate_container;
use super::*;
use crate::action::{CreateResource, InputOutput};
use crate::{
    Action, AgentId, DomainError, EconomicEventId, EconomicResourceId, Measure, ProcessId, ProcessSpecificationId,
    UnitId,
};

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

    /// The context of an output of a process based on `spec`.
    fn made_in_spec(&self) -> EventContext {
        EventContext { output_process_based_on: Some(self.spec), ..EventContext::default() }
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
    e.state = Some("fresh".into());
    let mut r = ResourceState::empty(None);
    apply(&e, &w.made_in_spec(), Some(&mut r), None)?;
    assert_eq!(balances(&r), (dec(10, 0), dec(10, 0)));
    assert_eq!(r.unit, Some(w.kg), "an empty resource takes the event's unit");
    assert_eq!((r.primary_accountable, r.custodian), (Some(w.bob), Some(w.bob)));
    assert_eq!(r.current_location.as_deref(), Some("lab"));
    assert_eq!((r.stage, r.state.as_deref()), (Some(w.spec), Some("fresh")));
    // 10 + 5.25 = 15.25 on both balances; an existing resource keeps its owner.
    let mut more = w.ev(Action::Produce, 525);
    more.provider = w.bob;
    more.receiver = w.alice;
    apply(&more, &EventContext::default(), Some(&mut r), None)?;
    assert_eq!(balances(&r), (dec(1525, 2), dec(1525, 2)));
    assert_eq!(r.primary_accountable, Some(w.bob));
    Ok(())
}

#[test]
fn raise_increments_both_balances() -> Result<(), DomainError> {
    let w = w();
    let mut r = w.stock(3, w.alice);
    apply(&w.ev(Action::Raise, 450), &EventContext::default(), Some(&mut r), None)?;
    assert_eq!(balances(&r), (dec(75, 1), dec(75, 1))); // 3 + 4.5
    let mut created = ResourceState::empty(Some(w.kg));
    let mut e = w.ev(Action::Raise, 200);
    e.creates_resource = true;
    apply(&e, &EventContext::default(), Some(&mut created), None)?;
    assert_eq!(balances(&created), (dec(2, 0), dec(2, 0)));
    assert_eq!(created.primary_accountable, Some(w.bob));
    Ok(())
}

#[test]
fn lower_decrements_and_never_below_zero() -> Result<(), DomainError> {
    let w = w();
    let mut r = w.stock(10, w.alice);
    apply(&w.ev(Action::Lower, 225), &EventContext::default(), Some(&mut r), None)?;
    assert_eq!(balances(&r), (dec(775, 2), dec(775, 2))); // 10 - 2.25
    let before = r.clone();
    let err = apply(&w.ev(Action::Lower, 800), &EventContext::default(), Some(&mut r), None);
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
    apply(&e, &EventContext::default(), Some(&mut r), None)?;
    assert_eq!(balances(&r), (dec(7, 0), dec(7, 0)));
    assert_eq!(r.state.as_deref(), Some("opened"));
    let before = r.clone();
    let err = apply(&w.ev(Action::Consume, 701), &EventContext::default(), Some(&mut r), None);
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
    apply(&e, &EventContext::default(), Some(&mut r), None)?;
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
    apply(&w.ev(Action::Cite, 100), &EventContext::default(), Some(&mut r), None)?;
    assert_eq!(r, w.stock(1, w.alice));
    Ok(())
}

#[test]
fn work_is_effort_on_no_resource() -> Result<(), DomainError> {
    let w = w();
    let mut e = NewEvent::new(Action::Work, w.alice, w.bob);
    e.input_of = Some(w.p);
    e.effort_quantity = Some(Measure::new(dec(75, 1), None));
    apply(&e, &EventContext::default(), None, None)?;
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
    apply(&e, &EventContext::default(), None, None)?;
    Ok(())
}

#[test]
fn accept_then_modify_moves_custody_there_and_back() -> Result<(), DomainError> {
    // Alice's bike goes to Bob's repair shop and comes back repaired.
    let w = w();
    let mut bike = w.stock(1, w.alice);
    let mut accept = w.ev(Action::Accept, 100);
    accept.at_location = Some("shop".into());
    apply(&accept, &EventContext::default(), Some(&mut bike), None)?;
    assert_eq!(balances(&bike), (dec(1, 0), dec(0, 0)), "accept: onhand only");
    assert_eq!((bike.primary_accountable, bike.custodian), (Some(w.alice), Some(w.bob)));
    assert_eq!(bike.current_location.as_deref(), Some("shop"));
    let mut modify = w.ev(Action::Modify, 100);
    modify.provider = w.bob;
    modify.receiver = w.alice;
    modify.state = Some("repaired".into());
    modify.at_location = Some("home".into());
    apply(&modify, &w.made_in_spec(), Some(&mut bike), None)?;
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
    apply(&w.ev(Action::Pickup, 1000), &EventContext::default(), Some(&mut goods), None)?;
    assert_eq!(balances(&goods), (dec(10, 0), dec(0, 0)));
    assert_eq!(goods.custodian, Some(w.bob));
    let mut drop = w.ev(Action::Dropoff, 1000);
    drop.provider = w.bob;
    drop.receiver = w.alice;
    drop.at_location = Some("warehouse".into());
    apply(&drop, &w.made_in_spec(), Some(&mut goods), None)?;
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
    apply(&e, &EventContext::default(), Some(&mut goods), None)?;
    assert_eq!(goods.custodian, Some(w.alice));
    Ok(())
}

#[test]
fn combine_then_separate_packs_and_unpacks() -> Result<(), DomainError> {
    let w = w();
    let kit = EconomicResourceId::new();
    let mut part = w.stock(1, w.alice);
    let combine = w.ev(Action::Combine, 100);
    let into_kit = EventContext { container: Some(kit), ..EventContext::default() };
    apply(&combine, &into_kit, Some(&mut part), None)?;
    assert_eq!(balances(&part), (dec(1, 0), dec(0, 0)));
    assert_eq!(part.contained_in, Some(kit));
    let separate = w.ev(Action::Separate, 100);
    apply(&separate, &w.made_in_spec(), Some(&mut part), None)?;
    assert_eq!(balances(&part), (dec(1, 0), dec(1, 0)));
    assert_eq!((part.contained_in, part.stage), (None, Some(w.spec)));
    let into_itself = EventContext { container: Some(w.r1), ..EventContext::default() };
    assert!(validate_container(&combine, &into_itself).is_err(), "a resource cannot contain itself");
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
    apply(&e, &EventContext::default(), Some(&mut from), Some(&mut to))?;
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
    apply(&e, &EventContext::default(), Some(&mut from), Some(&mut to))?;
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
    let err = apply(&e, &EventContext::default(), Some(&mut from), Some(&mut to));
    assert!(matches!(&err, Err(DomainError::Conflict(m)) if m.contains("unit")), "{err:?}");
    assert_eq!((from, to), before);
    let mut r = w.stock(5, w.alice);
    let mut consume = w.ev(Action::Consume, 100);
    consume.resource_quantity = Some(Measure::new(dec(1, 0), Some(w.lb)));
    assert!(matches!(apply(&consume, &EventContext::default(), Some(&mut r), None), Err(DomainError::Conflict(_))));
}

#[test]
fn transfer_all_rights_moves_accounting_only() -> Result<(), DomainError> {
    let w = w();
    let mut from = w.stock(10, w.alice);
    let mut to = ResourceState::empty(Some(w.kg));
    let mut e = w.ev(Action::TransferAllRights, 300);
    e.creates_resource = true;
    apply(&e, &EventContext::default(), Some(&mut from), Some(&mut to))?;
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
    apply(&e, &EventContext::default(), Some(&mut from), Some(&mut to))?;
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
    assert!(
        apply(&e, &EventContext::default(), Some(&mut tool.clone()), Some(&mut tool.clone())).is_err(),
        "pass it once"
    );
    apply(&e, &EventContext::default(), Some(&mut tool), None)?;
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
    apply(&e, &EventContext::default(), Some(&mut from), Some(&mut to))?;
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
    apply(&e, &EventContext::default(), Some(&mut original), Some(&mut copy))?;
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
    apply(&w.ev(Action::Consume, 300), &EventContext::default(), Some(&mut r), None)?; // 7
    let mut fix = w.ev(Action::Consume, -100); // it was 2, not 3
    fix.corrects = Some(EconomicEventId::new());
    fix.state = Some("ignored".into());
    apply(&fix, &EventContext::default(), Some(&mut r), None)?;
    assert_eq!(balances(&r), (dec(8, 0), dec(8, 0)));
    assert_eq!(r.state, None, "corrections move quantities only");
    let mut too_much = w.ev(Action::Produce, -900);
    too_much.corrects = Some(EconomicEventId::new());
    assert!(matches!(apply(&too_much, &EventContext::default(), Some(&mut r), None), Err(DomainError::Conflict(_))));
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
    apply(&fix, &EventContext::default(), Some(&mut from), Some(&mut to))?;
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
    let e = w.ev(Action::Produce, 100);
    let contained = EventContext { container: Some(w.r2), ..EventContext::default() };
    assert!(
        matches!(validate_container(&e, &contained), Err(DomainError::Invalid { field, .. }) if field == "containedIn")
    );
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
    let record = |event| ReplayEvent {
        id: EconomicEventId::new(),
        event,
        context: EventContext::default(),
        new_resource_unit: None,
    };
    let states = replay(&[record(produce.clone()), record(transfer), record(consume)])?;
    assert_eq!(states.get(&w.r1).map(balances), Some((dec(6, 0), dec(6, 0))));
    assert_eq!(states.get(&w.r2).map(balances), Some((dec(3, 0), dec(3, 0))));
    let twice = replay(&[record(produce.clone()), record(produce)]);
    assert!(matches!(&twice, Err(DomainError::Conflict(m)) if m.contains("created twice")), "{twice:?}");
    let orphan = replay(&[record(w.ev(Action::Consume, 100))]);
    assert!(matches!(&orphan, Err(DomainError::Conflict(m)) if m.contains("before")), "{orphan:?}");
    Ok(())
}
