//! The observation layer (vf-graphql modules `observation` and `process`): the service that
//! records an economic event and applies it to its resources in one transaction, the writes
//! of resources and processes, and the batched reads. Every write is an `…_in(txn, …)`
//! function that composes into a larger transaction, with a thin [`crate::Store`] method that
//! runs it alone.

mod consent;
mod process;
pub(crate) mod read;
pub(crate) mod record;

use chrono::{DateTime, Utc};
use ovn_domain::observation::{EventDetails, NewEvent, PropertyRegime, ResourceDetails};
use ovn_domain::{
    Action, AgentId, AgreementId, EconomicEventId, EconomicResourceId, Measure, Name, Patch, PlanId,
    ProcessSpecificationId, ResourceSpecificationId, UnitId, Uri,
};

pub use consent::{PendingTransfer, accept_transfer_in, reject_transfer_in};
pub use process::{create_process_in, delete_process_in, update_process_in};
pub(crate) use read::{events_with_scopes, scopes_of_processes};
pub(crate) use record::{Consent, Recording, record_all, record_with};
pub use record::{Recorded, record_in, update_event_in, update_resource_in};

/// `createEconomicEvent`, parsed (serialised as is while a transfer awaits its receiver's
/// consent).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RecordEvent {
    /// The economic core. `creates_resource` is set when `newInventoriedResource` was given.
    pub core: NewEvent,
    /// Everything else about the event.
    pub details: EventDetails,
    /// `newInventoriedResource`, when given.
    pub new_resource: Option<ResourceDetails>,
    /// The id the new resource gets (imports keep ids); a fresh one when `None`.
    pub new_resource_id: Option<EconomicResourceId>,
    /// `newInventoriedResource.containedIn`: the resource the new one is packed in. Like
    /// `updateEconomicResource.containedIn`, a fact about the resource, not an economic
    /// effect of the event (a `combine` is that).
    pub new_resource_container: Option<EconomicResourceId>,
}

/// `createProcess` / `updateProcess`, parsed (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct ProcessPatch {
    /// `name`.
    pub name: Patch<Name>,
    /// `hasBeginning`.
    pub has_beginning: Patch<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Patch<DateTime<Utc>>,
    /// `finished`.
    pub finished: Patch<bool>,
    /// `note`.
    pub note: Patch<String>,
    /// `classifiedAs`.
    pub classified_as: Patch<Vec<Uri>>,
    /// `inScopeOf`.
    pub in_scope_of: Patch<Vec<AgentId>>,
    /// `basedOn`.
    pub based_on: Patch<ProcessSpecificationId>,
    /// `plannedWithin`.
    pub planned_within: Patch<PlanId>,
}

/// `updateEconomicEvent`: only notes and links change; the books do not.
#[derive(Debug, Clone, Default)]
pub struct EventPatch {
    /// `note`.
    pub note: Patch<String>,
    /// `agreedIn`.
    pub agreed_in: Patch<Uri>,
    /// `triggeredBy`.
    pub triggered_by: Patch<EconomicEventId>,
    /// `realizationOf`: a link, so it may change after the event is recorded.
    pub realization_of: Patch<AgreementId>,
    /// VF 1.0 `reciprocalRealizationOf`.
    pub reciprocal_realization_of: Patch<AgreementId>,
}

/// `updateEconomicResource`: the non-economic fields.
#[derive(Debug, Clone, Default)]
pub struct ResourcePatch {
    /// `name`.
    pub name: Patch<String>,
    /// `classifiedAs`.
    pub classified_as: Patch<Vec<Uri>>,
    /// `image`.
    pub image: Patch<Uri>,
    /// `imageList`.
    pub image_list: Patch<Vec<Uri>>,
    /// `containedIn`.
    pub contained_in: Patch<EconomicResourceId>,
    /// `unitOfEffort`.
    pub unit_of_effort: Patch<UnitId>,
    /// `note`.
    pub note: Patch<String>,
    /// OVN `propertyRegime`.
    pub property_regime: Patch<PropertyRegime>,
    /// OVN `valuePerUnitOfUse`.
    pub value_per_unit_of_use: Patch<Measure>,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Provided by any of these.
    pub provider: Vec<AgentId>,
    /// Received by any of these.
    pub receiver: Vec<AgentId>,
    /// Provided or received by this agent.
    pub agent: Option<AgentId>,
    /// Of any of these actions.
    pub action: Vec<Action>,
    /// In scope of this agent.
    pub in_scope_of: Option<AgentId>,
    /// Touching this resource (either side).
    pub resource: Option<EconomicResourceId>,
    /// Into this resource as the to side only.
    pub to_resource: Option<EconomicResourceId>,
    /// Triggered by this event.
    pub triggered_by: Option<EconomicEventId>,
    /// About resources of this specification.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// Observed at or after.
    pub start_date: Option<DateTime<Utc>>,
    /// Observed at or before.
    pub end_date: Option<DateTime<Utc>>,
    /// `searchString`: in the note, any case.
    pub search: Option<String>,
    /// `resourceClassifiedAs`: classified as any of these.
    pub resource_classified_as: Vec<Uri>,
}

/// Which resources to list.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    /// Accountable agent or custodian.
    pub agent: Option<AgentId>,
    /// Conforming to.
    pub conforms_to: Option<ResourceSpecificationId>,
    /// At this stage.
    pub stage: Option<ProcessSpecificationId>,
    /// Packed in.
    pub contained_in: Option<EconomicResourceId>,
    /// `searchString`: in the name, note or tracking identifier, any case.
    pub search: Option<String>,
    /// Classified as any of these.
    pub classified_as: Vec<Uri>,
}

/// Which processes to list.
#[derive(Debug, Clone, Default)]
pub struct ProcessFilter {
    /// Finished or not.
    pub finished: Option<bool>,
    /// In scope of.
    pub in_scope_of: Option<AgentId>,
    /// Based on.
    pub based_on: Option<ProcessSpecificationId>,
    /// With an event of this agent.
    pub agent: Option<AgentId>,
    /// `searchString`: in the name or note, any case.
    pub search: Option<String>,
    /// Classified as any of these.
    pub classified_as: Vec<Uri>,
    /// Beginning at or after.
    pub start_date: Option<DateTime<Utc>>,
    /// Ending at or before.
    pub end_date: Option<DateTime<Utc>>,
}
