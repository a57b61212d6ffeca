//! The observation layer's inputs, each converted into the store's command in one
//! conversion: `createEconomicEvent`'s two inputs with [`record_command`], every other input
//! with `TryFrom`.

use async_graphql::{ID, InputObject, MaybeUndefined};
use ovn_domain::observation::{EventDetails, NewEvent, ResourceDetails};
use ovn_domain::revision::Patch;
use ovn_domain::text::{Name, parse_note};
use ovn_domain::{
    Action as DomainAction, AgentId, DomainError, EconomicEventId, EconomicResourceId, Measure, ProcessId,
    ProcessSpecificationId, ResourceSpecificationId, UnitId,
};
use ovn_persistence::observation::{
    EventFilter, EventPatch, ProcessFilter, ProcessPatch, RecordEvent, ResourceFilter, ResourcePatch,
};

use super::objects::PropertyRegime;
use crate::convert::{Update, given, id_list, name, note, opt_id, parse_id, patch, revision, uri, uris};
use crate::knowledge::inputs::{IMeasure, measure};
use crate::scalars::{DateTime, Uri};

/// A new economic event.
#[derive(InputObject)]
pub struct EconomicEventCreateParams {
    /// (`Action`) The kind of event, by either spelling of its id.
    pub action: ID,
    /// (`EconomicResource`) The resource the event acts on.
    pub resource_inventoried_as: Option<ID>,
    /// Classifications of the resource.
    pub resource_classified_as: Option<Vec<Uri>>,
    /// The amount and unit of the resource.
    pub resource_quantity: Option<IMeasure>,
    /// The amount and unit of the effort (work, use, cite).
    pub effort_quantity: Option<IMeasure>,
    /// The beginning of the event.
    pub has_beginning: Option<DateTime>,
    /// The end of the event.
    pub has_end: Option<DateTime>,
    /// The time at which the event occurred.
    pub has_point_in_time: Option<DateTime>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// Reference to an agreement.
    pub agreed_in: Option<Uri>,
    /// (`EconomicEvent`) The event that implied this one.
    pub triggered_by: Option<ID>,
    /// (`EconomicResource`) The resource the event moves things into.
    pub to_resource_inventoried_as: Option<ID>,
    /// (`Agent`) Who provides.
    pub provider: ID,
    /// (`Agent`) Who receives.
    pub receiver: ID,
    /// (`Process`) The process it is an input of.
    pub input_of: Option<ID>,
    /// (`Process`) The process it is an output of.
    pub output_of: Option<ID>,
    /// (`ResourceSpecification`) The kind of resource.
    pub resource_conforms_to: Option<ID>,
    /// OVN (`AccountingScope`): the projects or networks the event counts in.
    pub in_scope_of: Option<Vec<ID>>,
    /// OVN: what the contribution is declared to be worth.
    pub declared_value: Option<IMeasure>,
    /// OVN (VF 1.0): the event this one corrects; quantities are then signed deltas.
    pub corrects: Option<ID>,
    /// OVN: where the event happened.
    pub at_location: Option<String>,
    /// OVN: where the event moves the resource to.
    pub to_location: Option<String>,
    /// OVN: the state the event leaves the resource in (e.g. `pass`, `fail`).
    pub state: Option<String>,
}

/// Changes to an event: notes and links only.
#[derive(InputObject)]
pub struct EconomicEventUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// Reference to an agreement.
    pub agreed_in: MaybeUndefined<Uri>,
    /// (`EconomicEvent`) The event that implied this one.
    pub triggered_by: MaybeUndefined<ID>,
}

/// The resource an event brings into being.
#[derive(InputObject)]
pub struct EconomicResourceCreateParams {
    /// An informal or formal textual identifier for an item.
    pub name: Option<String>,
    /// Serial number or other traceable identifier.
    pub tracking_identifier: Option<String>,
    /// The uri to an image.
    pub image: Option<Uri>,
    /// URI addresses to images.
    pub image_list: Option<Vec<Uri>>,
    /// (`EconomicResource`) The resource it is packed in.
    pub contained_in: Option<ID>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// (`ResourceSpecification`) The kind of resource.
    pub conforms_to: Option<ID>,
    /// Classifications.
    pub classified_as: Option<Vec<Uri>>,
    /// OVN: how the resource is held (default `PRIVATE`).
    pub property_regime: Option<PropertyRegime>,
    /// OVN: what one unit of use is worth.
    pub value_per_unit_of_use: Option<IMeasure>,
}

/// Changes to a resource's non-economic fields.
#[derive(InputObject)]
pub struct EconomicResourceUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// Classifications.
    pub classified_as: MaybeUndefined<Vec<Uri>>,
    /// The uri to an image.
    pub image: MaybeUndefined<Uri>,
    /// URI addresses to images.
    pub image_list: MaybeUndefined<Vec<Uri>>,
    /// (`EconomicResource`) The resource it is packed in.
    pub contained_in: MaybeUndefined<ID>,
    /// (`Unit`) The unit of use or work effort.
    pub unit_of_effort: MaybeUndefined<ID>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// OVN: a name for the resource.
    pub name: MaybeUndefined<String>,
    /// OVN: how the resource is held.
    pub property_regime: MaybeUndefined<PropertyRegime>,
    /// OVN: what one unit of use is worth.
    pub value_per_unit_of_use: MaybeUndefined<IMeasure>,
}

/// A new process.
#[derive(InputObject)]
pub struct ProcessCreateParams {
    /// An informal or formal textual identifier for a process.
    pub name: String,
    /// The planned beginning.
    pub has_beginning: Option<DateTime>,
    /// The planned end.
    pub has_end: Option<DateTime>,
    /// Whether it is complete.
    pub finished: Option<bool>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// Classifications.
    pub classified_as: Option<Vec<Uri>>,
    /// (`AccountingScope`) The projects or networks it is part of.
    pub in_scope_of: Option<Vec<ID>>,
    /// (`ProcessSpecification`) What kind of process it is.
    pub based_on: Option<ID>,
}

/// Changes to a process.
#[derive(InputObject)]
pub struct ProcessUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// Name.
    pub name: MaybeUndefined<String>,
    /// The planned beginning.
    pub has_beginning: MaybeUndefined<DateTime>,
    /// The planned end.
    pub has_end: MaybeUndefined<DateTime>,
    /// Whether it is complete.
    pub finished: MaybeUndefined<bool>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// Classifications.
    pub classified_as: MaybeUndefined<Vec<Uri>>,
    /// (`AccountingScope`) Scopes.
    pub in_scope_of: MaybeUndefined<Vec<ID>>,
    /// (`ProcessSpecification`) What kind of process it is.
    pub based_on: MaybeUndefined<ID>,
}

/// Filters on `economicEvents` (vf-graphql `filtering` module's names).
#[derive(InputObject, Default)]
pub struct EconomicEventFilterParams {
    /// Text in the event's note (any case).
    pub search_string: Option<String>,
    /// Provided by any of these agents.
    pub provider_id: Option<Vec<ID>>,
    /// Received by any of these agents.
    pub receiver_id: Option<Vec<ID>>,
    /// Classified (`resourceClassifiedAs`) as any of these.
    pub resource_classified_as: Option<Vec<Uri>>,
    /// Of any of these actions.
    pub action: Option<Vec<ID>>,
    /// Observed at or after.
    pub start_date: Option<DateTime>,
    /// Observed at or before.
    pub end_date: Option<DateTime>,
    /// OVN: in scope of this agent.
    pub in_scope_of: Option<ID>,
}

/// Filters on `processes`.
#[derive(InputObject, Default)]
pub struct ProcessFilterParams {
    /// Text in the process's name or note (any case).
    pub search_string: Option<String>,
    /// Finished or not.
    pub finished: Option<bool>,
    /// In scope of any of these (only the first is used).
    pub in_scope_of: Option<Vec<ID>>,
    /// Classified as any of these.
    pub classified_as: Option<Vec<Uri>>,
    /// Beginning at or after.
    pub start_date: Option<DateTime>,
    /// Ending at or before.
    pub end_date: Option<DateTime>,
}

/// OVN: filters on `economicResources`.
#[derive(InputObject, Default)]
pub struct EconomicResourceFilterParams {
    /// Text in the resource's name, note or tracking identifier (any case).
    pub search_string: Option<String>,
    /// Classified as any of these.
    pub classified_as: Option<Vec<Uri>>,
    /// (`ResourceSpecification`) Conforming to this specification.
    pub conforms_to: Option<ID>,
}

/// Turns the vf-graphql inputs of `createEconomicEvent` into the store's command. The rules
/// an event must pass (corrections, what it may create, who may record it) are the domain's,
/// applied when the store records it; only the values are checked here.
pub fn record_command(
    event: &EconomicEventCreateParams,
    new_resource: Option<&EconomicResourceCreateParams>,
) -> Result<RecordEvent, DomainError> {
    let mut core = NewEvent::new(
        DomainAction::parse(event.action.as_str())?,
        AgentId::parse(&event.provider)?,
        AgentId::parse(&event.receiver)?,
    );
    core.resource_inventoried_as = opt_id(&event.resource_inventoried_as, EconomicResourceId::parse)?;
    core.to_resource_inventoried_as = opt_id(&event.to_resource_inventoried_as, EconomicResourceId::parse)?;
    core.resource_quantity = measure(&event.resource_quantity)?;
    core.effort_quantity = measure(&event.effort_quantity)?;
    core.input_of = opt_id(&event.input_of, ProcessId::parse)?;
    core.output_of = opt_id(&event.output_of, ProcessId::parse)?;
    core.at_location = event.at_location.clone();
    core.to_location = event.to_location.clone();
    core.state = event.state.clone();
    core.corrects = opt_id(&event.corrects, EconomicEventId::parse)?;
    core.creates_resource = new_resource.is_some();
    let details = EventDetails {
        resource_classified_as: uris("resourceClassifiedAs", &event.resource_classified_as)?,
        resource_conforms_to: opt_id(&event.resource_conforms_to, ResourceSpecificationId::parse)?,
        has_beginning: event.has_beginning,
        has_end: event.has_end,
        has_point_in_time: event.has_point_in_time,
        note: note(&event.note)?,
        agreed_in: uri("agreedIn", &event.agreed_in)?,
        triggered_by: opt_id(&event.triggered_by, EconomicEventId::parse)?,
        declared_value: measure(&event.declared_value)?,
        in_scope_of: id_list(&event.in_scope_of, AgentId::parse)?,
    };
    let new_resource_container = match new_resource {
        Some(r) => opt_id(&r.contained_in, EconomicResourceId::parse)?,
        None => None,
    };
    let new_resource = new_resource.map(ResourceDetails::try_from).transpose()?;
    Ok(RecordEvent { core, details, new_resource, new_resource_id: None, new_resource_container })
}

impl TryFrom<&EconomicResourceCreateParams> for ResourceDetails {
    type Error = DomainError;

    fn try_from(r: &EconomicResourceCreateParams) -> Result<Self, DomainError> {
        let details = Self {
            name: r.name.clone(),
            conforms_to: opt_id(&r.conforms_to, ResourceSpecificationId::parse)?,
            classified_as: uris("classifiedAs", &r.classified_as)?,
            tracking_identifier: r.tracking_identifier.clone(),
            image: uri("image", &r.image)?,
            image_list: uris("imageList", &r.image_list)?,
            note: note(&r.note)?,
            unit_of_effort: None,
            property_regime: r.property_regime.map(Into::into).unwrap_or_default(),
            value_per_unit_of_use: measure(&r.value_per_unit_of_use)?,
        };
        details.validate()?;
        Ok(details)
    }
}

impl TryFrom<EconomicEventUpdateParams> for Update<EconomicEventId, EventPatch> {
    type Error = DomainError;

    fn try_from(event: EconomicEventUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&event.revision_id, EconomicEventId::parse)?,
            changes: EventPatch {
                note: patch(&event.note).try_map(|n| parse_note("note", &n))?,
                agreed_in: patch(&event.agreed_in).try_map(|u| u.to_domain("agreedIn"))?,
                triggered_by: patch(&event.triggered_by).try_map(|id| EconomicEventId::parse(&id))?,
            },
        })
    }
}

/// A new `valuePerUnitOfUse`, checked by the rule the resource's details obey.
fn value_per_unit_of_use(m: &IMeasure) -> Result<Measure, DomainError> {
    let value = Measure::try_from(m)?;
    ResourceDetails { value_per_unit_of_use: Some(value), ..ResourceDetails::default() }.validate()?;
    Ok(value)
}

impl TryFrom<EconomicResourceUpdateParams> for Update<EconomicResourceId, ResourcePatch> {
    type Error = DomainError;

    fn try_from(resource: EconomicResourceUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&resource.revision_id, EconomicResourceId::parse)?,
            changes: ResourcePatch {
                name: patch(&resource.name),
                classified_as: patch(&resource.classified_as).try_map(|l| Uri::list("classifiedAs", &l))?,
                image: patch(&resource.image).try_map(|u| u.to_domain("image"))?,
                image_list: patch(&resource.image_list).try_map(|l| Uri::list("imageList", &l))?,
                contained_in: patch(&resource.contained_in).try_map(|id| EconomicResourceId::parse(&id))?,
                unit_of_effort: patch(&resource.unit_of_effort).try_map(|id| UnitId::parse(&id))?,
                note: patch(&resource.note).try_map(|n| parse_note("note", &n))?,
                property_regime: patch(&resource.property_regime).try_map(|r| Ok(r.into()))?,
                value_per_unit_of_use: patch(&resource.value_per_unit_of_use).try_map(|m| value_per_unit_of_use(&m))?,
            },
        })
    }
}

impl TryFrom<ProcessCreateParams> for ProcessPatch {
    type Error = DomainError;

    fn try_from(process: ProcessCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            name: Patch::Set(name("name", &process.name)?),
            has_beginning: given(&process.has_beginning),
            has_end: given(&process.has_end),
            finished: given(&process.finished),
            note: given(&note(&process.note)?),
            classified_as: given(&process.classified_as).try_map(|l| Uri::list("classifiedAs", &l))?,
            in_scope_of: Patch::Set(id_list(&process.in_scope_of, AgentId::parse)?),
            based_on: given(&opt_id(&process.based_on, ProcessSpecificationId::parse)?),
        })
    }
}

impl TryFrom<ProcessUpdateParams> for Update<ProcessId, ProcessPatch> {
    type Error = DomainError;

    fn try_from(process: ProcessUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&process.revision_id, ProcessId::parse)?,
            changes: ProcessPatch {
                name: patch(&process.name).try_map(|n| Name::parse("name", &n))?,
                has_beginning: patch(&process.has_beginning),
                has_end: patch(&process.has_end),
                finished: patch(&process.finished),
                note: patch(&process.note).try_map(|n| parse_note("note", &n))?,
                classified_as: patch(&process.classified_as).try_map(|l| Uri::list("classifiedAs", &l))?,
                in_scope_of: patch(&process.in_scope_of)
                    .try_map(|l| l.iter().map(|id| AgentId::parse(id)).collect())?,
                based_on: patch(&process.based_on).try_map(|id| ProcessSpecificationId::parse(&id))?,
            },
        })
    }
}

impl TryFrom<EconomicEventFilterParams> for EventFilter {
    type Error = DomainError;

    fn try_from(filter: EconomicEventFilterParams) -> Result<Self, DomainError> {
        Ok(Self {
            search: filter.search_string,
            resource_classified_as: uris("resourceClassifiedAs", &filter.resource_classified_as)?,
            provider: id_list(&filter.provider_id, AgentId::parse)?,
            receiver: id_list(&filter.receiver_id, AgentId::parse)?,
            action: filter
                .action
                .iter()
                .flatten()
                .map(|id| DomainAction::parse(id.as_str()))
                .collect::<Result<_, _>>()?,
            in_scope_of: opt_id(&filter.in_scope_of, AgentId::parse)?,
            start_date: filter.start_date,
            end_date: filter.end_date,
            ..Self::default()
        })
    }
}

impl TryFrom<ProcessFilterParams> for ProcessFilter {
    type Error = DomainError;

    fn try_from(filter: ProcessFilterParams) -> Result<Self, DomainError> {
        let in_scope_of = match filter.in_scope_of.as_deref() {
            Some([one]) => Some(parse_id(one, AgentId::parse)?),
            Some([]) | None => None,
            Some(_) => return Err(DomainError::invalid("inScopeOf", "give one scope")),
        };
        Ok(Self {
            finished: filter.finished,
            in_scope_of,
            search: filter.search_string,
            classified_as: uris("classifiedAs", &filter.classified_as)?,
            start_date: filter.start_date,
            end_date: filter.end_date,
            ..Self::default()
        })
    }
}

impl TryFrom<EconomicResourceFilterParams> for ResourceFilter {
    type Error = DomainError;

    fn try_from(filter: EconomicResourceFilterParams) -> Result<Self, DomainError> {
        Ok(Self {
            search: filter.search_string,
            classified_as: uris("classifiedAs", &filter.classified_as)?,
            conforms_to: opt_id(&filter.conforms_to, ResourceSpecificationId::parse)?,
            ..Self::default()
        })
    }
}
