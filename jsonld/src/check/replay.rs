//! The replay: each event applied, in recording order, to the resources it names, as the live
//! service would apply it; then each resource node compared with the state its events give.

use std::collections::HashMap;

use ovn_domain::action::CreateResource;
use ovn_domain::observation::{self, Books, EventContext, NewEvent, ResourceState, creation};
use ovn_domain::observation::{EconomicEvent, EconomicResource};
use ovn_domain::{AgentId, EconomicResourceId, Measure, ProcessId, ProcessSpecificationId, canonical};

use super::{FieldResult, domain};

/// Checks one event against what came before and applies it to its resources, through the
/// domain's own rules (the live service's, without the database): [`observation::prepare`]
/// (corrections, fields), [`creation::assign`] and [`Books::record`].
///
/// The document states every side of an event, the one it created included; a side first
/// named by an event whose action can create it is created by it (`ovn:newInventoriedResource`,
/// when stated, must name that side). A correction takes the flows of its original, so the
/// document must state the same ones.
pub(super) fn step(
    event: &mut EconomicEvent,
    new_resource: Option<EconomicResourceId>,
    original: Option<NewEvent>,
    based_on: &HashMap<ProcessId, Option<ProcessSpecificationId>>,
    books: &mut Books,
) -> FieldResult<()> {
    let stated = event.core.clone();
    if let Some(original_id) = stated.corrects
        && original.is_none()
    {
        return Err(format!("vf:corrects: event <{original_id}> must come before its correction"));
    }
    let context = EventContext {
        original,
        output_process_based_on: stated.output_of.and_then(|p| based_on.get(&p).copied().flatten()),
        ..EventContext::default()
    };
    let created = created_side(&stated, books);
    if let Some(named) = new_resource
        && created != Some(named)
    {
        return Err(format!(
            "ovn:newInventoriedResource: the event cannot create <{named}> (it exists already, or the event's \
             action does not create that side)"
        ));
    }
    // Leave the created side to `newInventoriedResource`, as a client does, and give it back
    // its id once the event passed the rules.
    let mut core = stated.clone();
    core.creates_resource = created.is_some();
    if created.is_some() {
        match core.action.def().create_resource {
            CreateResource::Optional => core.resource_inventoried_as = None,
            _ => core.to_resource_inventoried_as = None,
        }
    }
    let mut core = observation::prepare(core, &event.details, &context).map_err(domain)?;
    if let Some(id) = created {
        creation::assign(&mut core, id);
    }
    let flows = |e: &NewEvent| {
        (e.provider, e.receiver, e.resource_inventoried_as, e.to_resource_inventoried_as, e.input_of, e.output_of)
    };
    if flows(&core) != flows(&stated) {
        return Err("vf:corrects: a correction has the same agents, resources and processes as the original".into());
    }
    books.record(&core, &context).map_err(domain)?;
    event.core = core;
    Ok(())
}

/// The side an event of the document creates: a resource the books do not hold yet, on the
/// side its action may create, never by a correction. (A document states every side; this is
/// how it says which one came into being.)
fn created_side(core: &NewEvent, books: &Books) -> Option<EconomicResourceId> {
    let to_side = if core.same_resource() { None } else { core.to_resource_inventoried_as };
    match core.action.def().create_resource {
        _ if core.corrects.is_some() => None,
        CreateResource::Optional => core.resource_inventoried_as.filter(|id| !books.contains(*id)),
        CreateResource::OptionalTo => to_side.filter(|id| !books.contains(*id)),
        CreateResource::NotApplicable => None,
    }
}

/// The resource as its events left it: balances, unit, accountable agent and custodian from
/// the replay (the node must agree when it states them); descriptive fields from the node when
/// stated.
pub(super) fn settle(
    mut record: EconomicResource,
    accounting: Option<Measure>,
    onhand: Option<Measure>,
    states: &Books,
) -> FieldResult<EconomicResource> {
    let replayed = states.get(record.id).ok_or("no event in the file creates this resource")?;
    let stated = &record.state;
    let show = |m: Measure| {
        format!(
            "{}{}",
            canonical(m.has_numerical_value),
            m.has_unit.map(|u| format!(" (unit {u})")).unwrap_or_default()
        )
    };
    for (field, claimed, actual) in [
        ("vf:accountingQuantity", accounting, Measure::new(replayed.accounting_quantity, replayed.unit)),
        ("vf:onhandQuantity", onhand, Measure::new(replayed.onhand_quantity, replayed.unit)),
    ] {
        if let Some(claimed) = claimed
            && claimed != actual
        {
            return Err(format!("{field} is {} but the events give {}", show(claimed), show(actual)));
        }
    }
    for (field, claimed, actual) in [
        ("vf:primaryAccountable", stated.primary_accountable, replayed.primary_accountable),
        ("ovn:custodian", stated.custodian, replayed.custodian),
    ] {
        if claimed.is_some() && claimed != actual {
            let text = |a: Option<AgentId>| a.map_or_else(|| "nobody".to_owned(), |a| a.to_string());
            return Err(format!("{field} is {} but the events give {}", text(claimed), text(actual)));
        }
    }
    let state = ResourceState {
        accounting_quantity: replayed.accounting_quantity,
        onhand_quantity: replayed.onhand_quantity,
        unit: replayed.unit,
        primary_accountable: replayed.primary_accountable,
        custodian: replayed.custodian,
        current_location: stated.current_location.clone().or_else(|| replayed.current_location.clone()),
        contained_in: stated.contained_in.or(replayed.contained_in),
        stage: stated.stage.or(replayed.stage),
        state: stated.state.clone().or_else(|| replayed.state.clone()),
    };
    record.state = state;
    Ok(record)
}
