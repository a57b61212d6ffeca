//! What `newInventoriedResource` brings into being. A resource is never created directly:
//! an event creates it. Which side it becomes is the action's `createResource` (VF 1.0):
//! the resource the event acts on for produce, raise and lower (`optional`), the receiving
//! resource (`toResourceInventoriedAs`) for the transfers, move and copy (`optionalTo`), as
//! hREA does.

use super::event::{EventDetails, NewEvent};
use super::resource::{EconomicResource, ResourceDetails, ResourceState};
use crate::action::CreateResource;
use crate::{DomainError, EconomicResourceId, UnitId};

/// Checks that the event leaves the side it creates to `newInventoriedResource`: naming an
/// existing resource there too would be ambiguous.
pub fn check_sides(event: &NewEvent) -> Result<(), DomainError> {
    if !event.creates_resource {
        return Ok(());
    }
    let leave_out =
        |field: &str| Err(DomainError::invalid(field, "leave it out when newInventoriedResource creates the resource"));
    match event.action.def().create_resource {
        CreateResource::Optional if event.resource_inventoried_as.is_some() => leave_out("resourceInventoriedAs"),
        CreateResource::OptionalTo if event.to_resource_inventoried_as.is_some() => {
            leave_out("toResourceInventoriedAs")
        }
        _ => Ok(()),
    }
}

/// Gives the side the event creates the id `id`; `false` when the event creates nothing.
pub fn assign(event: &mut NewEvent, id: EconomicResourceId) -> bool {
    if event.creates_from() {
        event.resource_inventoried_as = Some(id);
        true
    } else if event.creates_to() {
        event.to_resource_inventoried_as = Some(id);
        true
    } else {
        false
    }
}

/// The unit a created resource starts in: the event's quantity's, else (a receiving resource)
/// the unit of the resource it comes from.
pub fn starting_unit(event: &NewEvent, from: Option<&ResourceState>) -> Option<UnitId> {
    event.resource_quantity.and_then(|m| m.has_unit).or_else(|| from.and_then(|f| f.unit))
}

/// The resource record a creating event starts: the stated details, conforming to the stated
/// `conformsTo`, else the event's `resourceConformsTo`, else the specification of the resource
/// it comes from; empty, in [`starting_unit`], until the event is applied to it.
pub fn new_resource(
    id: EconomicResourceId,
    event: &NewEvent,
    event_details: &EventDetails,
    stated: ResourceDetails,
    from: Option<&EconomicResource>,
) -> Result<EconomicResource, DomainError> {
    stated.validate()?;
    let conforms_to =
        stated.conforms_to.or(event_details.resource_conforms_to).or(from.map(|r| r.conforms_to)).ok_or_else(|| {
            DomainError::invalid(
                "newInventoriedResource.conformsTo",
                "a new resource needs conformsTo (or the event's resourceConformsTo)",
            )
        })?;
    Ok(EconomicResource {
        id,
        revision: 1,
        state: ResourceState::empty(starting_unit(event, from.map(|r| &r.state))),
        details: ResourceDetails { conforms_to: Some(conforms_to), ..stated },
        conforms_to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, AgentId, Measure, ResourceSpecificationId};
    use rust_decimal::Decimal;

    #[test]
    fn produce_creates_the_resource_it_acts_on_and_transfer_the_receiving_one() {
        let (a, b) = (AgentId::new(), AgentId::new());
        let id = EconomicResourceId::new();
        let mut produce = NewEvent::new(Action::Produce, a, a);
        produce.creates_resource = true;
        assert!(assign(&mut produce, id));
        assert_eq!((produce.resource_inventoried_as, produce.to_resource_inventoried_as), (Some(id), None));
        let mut transfer = NewEvent::new(Action::Transfer, a, b);
        transfer.creates_resource = true;
        transfer.resource_inventoried_as = Some(EconomicResourceId::new());
        assert_eq!(check_sides(&transfer), Ok(()));
        assert!(assign(&mut transfer, id));
        assert_eq!(transfer.to_resource_inventoried_as, Some(id));
        let mut work = NewEvent::new(Action::Work, a, b);
        work.creates_resource = true;
        assert!(!assign(&mut work, id), "work creates nothing");
    }

    #[test]
    fn the_created_side_must_be_left_out() {
        let a = AgentId::new();
        let mut raise = NewEvent::new(Action::Raise, a, a);
        raise.creates_resource = true;
        raise.resource_inventoried_as = Some(EconomicResourceId::new());
        assert_eq!(
            check_sides(&raise),
            Err(DomainError::invalid(
                "resourceInventoriedAs",
                "leave it out when newInventoriedResource creates the resource"
            ))
        );
    }

    #[test]
    fn a_new_resource_conforms_to_what_is_stated_else_the_event_else_its_source() {
        let a = AgentId::new();
        let (stated, of_event, of_source) =
            (ResourceSpecificationId::new(), ResourceSpecificationId::new(), ResourceSpecificationId::new());
        let unit = UnitId::new();
        let mut transfer = NewEvent::new(Action::Transfer, a, a);
        transfer.resource_quantity = Some(Measure::new(Decimal::ONE, None));
        let source = EconomicResource {
            id: EconomicResourceId::new(),
            revision: 1,
            state: ResourceState { unit: Some(unit), ..ResourceState::default() },
            details: ResourceDetails::default(),
            conforms_to: of_source,
        };
        let details = EventDetails { resource_conforms_to: Some(of_event), ..EventDetails::default() };
        let id = EconomicResourceId::new();
        let with = |conforms_to| ResourceDetails { conforms_to, ..ResourceDetails::default() };
        let made = new_resource(id, &transfer, &details, with(Some(stated)), Some(&source));
        assert_eq!(made.as_ref().map(|r| (r.conforms_to, r.state.unit)), Ok((stated, Some(unit))));
        let made = new_resource(id, &transfer, &details, with(None), Some(&source));
        assert_eq!(made.map(|r| r.conforms_to), Ok(of_event));
        let made = new_resource(id, &transfer, &EventDetails::default(), with(None), Some(&source));
        assert_eq!(made.map(|r| r.conforms_to), Ok(of_source));
        let made = new_resource(id, &transfer, &EventDetails::default(), with(None), None);
        assert!(
            matches!(made, Err(DomainError::Invalid { field, .. }) if field == "newInventoriedResource.conformsTo")
        );
    }
}
