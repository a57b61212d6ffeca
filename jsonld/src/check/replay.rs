//! The replay: every event applied, in recording order, to the resources it names, as the live
//! service would apply it; then each resource node compared with the state its events give.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ovn_domain::action::CreateResource;
use ovn_domain::ledger::{EconomicEvent, EconomicResource};
use ovn_domain::ledger_books::{Ledger, Stamped};
use ovn_domain::observation::{self, NewEvent, ResourceState};
use ovn_domain::{
    AgentId, EconomicEventId, EconomicResourceId, Measure, ProcessId, ProcessSpecificationId, UnitId, canonical,
};
use uuid::Uuid;

use super::records::{EventNode, Records};
use super::{FieldResult, Problems, domain};
use crate::error::Error;
use crate::node::Node;

/// Applies every event to its resources in document order, then builds the ledger.
pub(super) fn replay(nodes: &[Node], records: Records, problems: &mut Problems) -> Result<Ledger, Error> {
    let based_on: HashMap<ProcessId, Option<ProcessSpecificationId>> =
        records.processes.iter().map(|p| (p.record.id, p.record.based_on)).collect();
    let mut states: HashMap<EconomicResourceId, ResourceState> = HashMap::with_capacity(records.resources.len());
    let mut created_at: HashMap<EconomicResourceId, DateTime<Utc>> = HashMap::with_capacity(records.resources.len());
    let mut position: HashMap<EconomicEventId, usize> = HashMap::with_capacity(records.events.len());
    let mut events: Vec<EconomicEvent> = Vec::with_capacity(records.events.len());
    let mut previous: Option<(DateTime<Utc>, Uuid)> = None;
    for node in records.events {
        let EventNode { index, mut event, new_resource } = node;
        let id = &nodes[index].id;
        let key = (event.created, event.id.uuid());
        if previous.is_some_and(|p| p >= key) {
            problems.push(index, id, "events must be in recording order (ovn:created, then id)");
            return Err(std::mem::take(problems).into_error());
        }
        previous = Some(key);
        if let Err(message) = step(&mut event, new_resource, &events, &position, &based_on, &mut states) {
            problems.push(index, id, message);
            return Err(std::mem::take(problems).into_error());
        }
        for resource in
            [event.core.resource_inventoried_as, event.core.to_resource_inventoried_as].into_iter().flatten()
        {
            created_at.entry(resource).or_insert(event.created);
        }
        position.insert(event.id, events.len());
        events.push(event);
    }
    let mut resources = Vec::with_capacity(records.resources.len());
    for node in records.resources {
        let id = &nodes[node.index].id;
        match settle(node.record, node.accounting, node.onhand, &states) {
            Ok(record) => {
                let created = node.created.or_else(|| created_at.get(&record.id).copied()).unwrap_or_default();
                resources.push(Stamped { record, created });
            }
            Err(message) => problems.push(node.index, id, message),
        }
    }
    if !problems.is_empty() {
        return Err(std::mem::take(problems).into_error());
    }
    let mut ledger = Ledger {
        units: records.units,
        agents: records.agents,
        roles: records.roles,
        relationships: records.relationships,
        resource_specifications: records.resource_specifications,
        process_specifications: records.process_specifications,
        processes: records.processes,
        resources,
        events,
    };
    ledger.units.sort_by_key(|s| s.record.id);
    ledger.agents.sort_by_key(|s| s.record.id);
    ledger.roles.sort_by_key(|s| s.record.id);
    ledger.relationships.sort_by_key(|s| s.record.id);
    ledger.resource_specifications.sort_by_key(|s| s.record.id);
    ledger.process_specifications.sort_by_key(|s| s.record.id);
    ledger.processes.sort_by_key(|s| s.record.id);
    ledger.resources.sort_by_key(|s| s.record.id);
    Ok(ledger)
}

/// Checks one event against what came before and applies it to its resources (the live
/// service's rules, without the database).
fn step(
    event: &mut EconomicEvent,
    new_resource: Option<EconomicResourceId>,
    earlier: &[EconomicEvent],
    position: &HashMap<EconomicEventId, usize>,
    based_on: &HashMap<ProcessId, Option<ProcessSpecificationId>>,
    states: &mut HashMap<EconomicResourceId, ResourceState>,
) -> FieldResult<()> {
    let core = &mut event.core;
    if let Some(original_id) = core.corrects {
        let original = position
            .get(&original_id)
            .and_then(|&p| earlier.get(p))
            .ok_or_else(|| format!("vf:corrects: event <{original_id}> must come before its correction"))?;
        correction_rules(&original.core, core, new_resource)?;
    }
    core.process_based_on = core.output_of.and_then(|p| based_on.get(&p).copied().flatten());
    let created = created_resource(core, states);
    if let Some(stated) = new_resource
        && created.resource() != Some(stated)
    {
        return Err(format!(
            "ovn:newInventoriedResource: the event cannot create <{stated}> (it exists already, or the event's \
             action does not create that side)"
        ));
    }
    core.creates_resource = created.resource().is_some();
    apply_to_states(core, created, states)
}

// Rules of the books that the domain owns; until it states them as functions of its own, each
// is kept here in one small function, so that it can be swapped for the domain's call.

/// The correction rules: a correction corrects an original, never a correction; it keeps the
/// original's action, agents, resources and processes, carries the same quantities, and never
/// creates a resource.
fn correction_rules(original: &NewEvent, core: &NewEvent, new_resource: Option<EconomicResourceId>) -> FieldResult<()> {
    let o = original;
    if o.corrects.is_some() {
        return Err("vf:corrects: correct the original event, not a correction of it".into());
    }
    if o.action != core.action {
        return Err(format!("vf:action: a correction keeps the original's action `{}`", o.action.vf_id()));
    }
    let same_flows = (o.provider, o.receiver, o.resource_inventoried_as, o.to_resource_inventoried_as)
        == (core.provider, core.receiver, core.resource_inventoried_as, core.to_resource_inventoried_as)
        && (o.input_of, o.output_of) == (core.input_of, core.output_of);
    if !same_flows {
        return Err("vf:corrects: a correction has the same agents, resources and processes as the original".into());
    }
    if o.resource_quantity.is_some() != core.resource_quantity.is_some()
        || o.effort_quantity.is_some() != core.effort_quantity.is_some()
    {
        return Err("vf:resourceQuantity: a correction carries the same quantities as the original".into());
    }
    if new_resource.is_some() {
        return Err("ovn:newInventoriedResource: a correction never creates a resource".into());
    }
    Ok(())
}

/// Which resource an event brings into being, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Created {
    /// None.
    Nothing,
    /// `resourceInventoriedAs`.
    From(EconomicResourceId),
    /// `toResourceInventoriedAs`.
    To(EconomicResourceId),
}

impl Created {
    fn resource(self) -> Option<EconomicResourceId> {
        match self {
            Self::Nothing => None,
            Self::From(id) | Self::To(id) => Some(id),
        }
    }
}

/// What `newInventoriedResource` creates for an event: a resource the books do not hold yet,
/// on the side the event's action may create (`createResource`), never by a correction.
fn created_resource(core: &NewEvent, states: &HashMap<EconomicResourceId, ResourceState>) -> Created {
    let from_id = core.resource_inventoried_as;
    let to_id = if core.same_resource() { None } else { core.to_resource_inventoried_as };
    let creates = core.action.def().create_resource;
    let creates_from = core.corrects.is_none()
        && creates == CreateResource::Optional
        && from_id.is_some_and(|id| !states.contains_key(&id));
    let creates_to = core.corrects.is_none()
        && creates == CreateResource::OptionalTo
        && to_id.is_some_and(|id| !states.contains_key(&id));
    match (from_id, to_id) {
        (Some(id), _) if creates_from => Created::From(id),
        (_, Some(id)) if creates_to => Created::To(id),
        _ => Created::Nothing,
    }
}

/// The resource book's loop: takes the states of the event's resources out of the books (an
/// empty state for a resource the event creates), applies the event with the domain's
/// [`observation::apply`], and puts the states back, whether it was refused or not.
fn apply_to_states(
    core: &NewEvent,
    created: Created,
    states: &mut HashMap<EconomicResourceId, ResourceState>,
) -> FieldResult<()> {
    let from_id = core.resource_inventoried_as;
    let to_id = if core.same_resource() { None } else { core.to_resource_inventoried_as };
    let creates_from = matches!(created, Created::From(_));
    let creates_to = matches!(created, Created::To(_));
    let unit = core.resource_quantity.and_then(|m| m.has_unit);
    let take = |states: &mut HashMap<EconomicResourceId, ResourceState>,
                id: Option<EconomicResourceId>,
                creating: bool,
                unit: Option<UnitId>|
     -> FieldResult<Option<ResourceState>> {
        match id {
            None => Ok(None),
            Some(_) if creating => Ok(Some(ResourceState::empty(unit))),
            Some(id) => states
                .remove(&id)
                .map(Some)
                .ok_or_else(|| format!("economic resource <{id}> is used before an event created it")),
        }
    };
    let mut from = take(states, from_id, creates_from, unit)?;
    let to_unit = unit.or(from.as_ref().and_then(|f| f.unit));
    let mut to = match take(states, to_id, creates_to, to_unit) {
        Ok(to) => to,
        Err(message) => {
            if let (Some(id), Some(state)) = (from_id, from) {
                states.insert(id, state);
            }
            return Err(message);
        }
    };
    let applied = observation::apply(core, from.as_mut(), to.as_mut()).map_err(domain);
    for (id, state) in [(from_id, from), (to_id, to)] {
        if let (Some(id), Some(state)) = (id, state) {
            states.insert(id, state);
        }
    }
    applied
}

/// The resource as its events left it: balances, unit, accountable agent and custodian from
/// the replay (the node must agree when it states them); descriptive fields from the node when
/// stated.
fn settle(
    mut record: EconomicResource,
    accounting: Option<Measure>,
    onhand: Option<Measure>,
    states: &HashMap<EconomicResourceId, ResourceState>,
) -> FieldResult<EconomicResource> {
    let replayed = states.get(&record.id).ok_or("no event in the file creates this resource")?;
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
