//! An economic event: what it says ([`NewEvent`], as a client or an import sends it), the
//! facts persistence loads for it ([`EventContext`]), its non-economic details and the
//! recorded record ([`EconomicEvent`]); and [`validate`], which fields each action needs.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::process::check_interval;
use crate::action::{CreateResource, EventQuantity, InputOutput};
use crate::agent::network::Ties;
use crate::text::Uri;
use crate::{
    Action, AgentId, DomainError, EconomicEventId, EconomicResourceId, Measure, ProcessId, ProcessSpecificationId,
    ResourceSpecificationId,
};

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
    pub(crate) fn quantity(&self) -> Decimal {
        self.resource_quantity.map_or(Decimal::ZERO, |m| m.has_numerical_value)
    }
}

/// The facts an event's rules need that the event does not carry itself: persistence loads
/// them (the live service from the database, an import from the document) before any rule
/// runs. New context (the scope's stewards, affiliation, the exchange firm, access rules) is
/// added here, and every rule that needs it reads it from here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventContext {
    /// The event this one `corrects`, as recorded (`None` when it corrects nothing).
    pub original: Option<NewEvent>,
    /// `basedOn` of the process the event is `outputOf`: becomes the resource's `stage`.
    pub output_process_based_on: Option<ProcessSpecificationId>,
    /// The container of a `combine` (the resource the process packs this one into). Clients of
    /// vf-graphql cannot send it; when `None`, a combine leaves `containedIn` as it was.
    pub container: Option<EconomicResourceId>,
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
    check_flow_fields(&event.flow_fields(), ProcessLink::Required)?;
    validate_resources(event)
}

/// Whether a flow must name the process its action puts it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessLink {
    /// An economic event: what happened happened in a process (or outside any, by its action).
    Required,
    /// A planned flow (an intent, a claim): an offer or a request comes before the process it
    /// may end up in, so the link may be missing; when given it must still point the right way.
    Optional,
}

/// The fields of an economic flow (an event, an intent, a claim; a commitment later) that its
/// action constrains, whatever kind of flow it is: the rules of [`check_flow_fields`] are
/// written once for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowFields {
    /// What kind of flow this is, for messages ("event", "intent", "claim").
    pub noun: &'static str,
    /// `action`.
    pub action: Action,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// Whether `inputOf` is set.
    pub input_of: bool,
    /// Whether `outputOf` is set.
    pub output_of: bool,
    /// Whether `resourceInventoriedAs` is set.
    pub resource_inventoried_as: bool,
    /// Whether the quantities are signed deltas (a correcting event).
    pub signed: bool,
}

impl NewEvent {
    /// The fields of this event that [`check_flow_fields`] checks.
    pub fn flow_fields(&self) -> FlowFields {
        FlowFields {
            noun: "event",
            action: self.action,
            resource_quantity: self.resource_quantity,
            effort_quantity: self.effort_quantity,
            input_of: self.input_of.is_some(),
            output_of: self.output_of.is_some(),
            resource_inventoried_as: self.resource_inventoried_as.is_some(),
            signed: self.is_correction(),
        }
    }
}

/// The rules of the action table every economic flow obeys, event or plan (VF 1.0; field
/// names in errors are the vf-graphql ones):
///
/// - **process links** (`inputOutput`): an input action (`accept`, `cite`, `combine`,
///   `consume`, `pickup`, `use`, `work`) is never `outputOf`, an output action (`dropoff`,
///   `modify`, `produce`, `separate`) never `inputOf`, and `copy`, `lower`, `move`, `raise` and
///   the three transfers are in no process; only `deliverService` may have both. With
///   [`ProcessLink::Required`] (events) the link an input or output action implies must be
///   there.
/// - **quantities** (`eventQuantity`): `resource` actions need `resourceQuantity`; `work`
///   needs `effortQuantity` and must have no `resourceQuantity` nor `resourceInventoriedAs`;
///   `use` needs at least one of the two. Quantities must not be negative unless `signed`.
pub fn check_flow_fields(flow: &FlowFields, link: ProcessLink) -> Result<(), DomainError> {
    check_process_links(flow, link)?;
    check_quantities(flow)?;
    let action = flow.action;
    if action.def().event_quantity == EventQuantity::Effort && flow.resource_inventoried_as {
        return Err(DomainError::invalid(
            "resourceInventoriedAs",
            format!("a {action} {} is effort and acts on no resource", flow.noun),
        ));
    }
    Ok(())
}

fn check_process_links(flow: &FlowFields, link: ProcessLink) -> Result<(), DomainError> {
    let (action, noun) = (flow.action, flow.noun);
    let (input, output) = (flow.input_of, flow.output_of);
    let required = link == ProcessLink::Required;
    match action.def().input_output {
        InputOutput::Input if required && !input => {
            Err(DomainError::invalid("inputOf", format!("a {action} {noun} is a process input and needs inputOf")))
        }
        InputOutput::Input if output => {
            Err(DomainError::invalid("outputOf", format!("a {action} {noun} is a process input, not an output")))
        }
        InputOutput::Output if required && !output => {
            Err(DomainError::invalid("outputOf", format!("a {action} {noun} is a process output and needs outputOf")))
        }
        InputOutput::Output if input => {
            Err(DomainError::invalid("inputOf", format!("a {action} {noun} is a process output, not an input")))
        }
        InputOutput::NotApplicable if input || output => Err(DomainError::invalid(
            if input { "inputOf" } else { "outputOf" },
            format!("a {action} {noun} happens outside processes: it can have neither inputOf nor outputOf"),
        )),
        _ => Ok(()),
    }
}

fn check_quantities(flow: &FlowFields) -> Result<(), DomainError> {
    let (action, noun) = (flow.action, flow.noun);
    if !flow.signed {
        if let Some(m) = flow.resource_quantity {
            m.non_negative("resourceQuantity")?;
        }
        if let Some(m) = flow.effort_quantity {
            m.non_negative("effortQuantity")?;
        }
    }
    match action.def().event_quantity {
        EventQuantity::Resource if flow.resource_quantity.is_none() => {
            Err(DomainError::invalid("resourceQuantity", format!("a {action} {noun} needs resourceQuantity")))
        }
        EventQuantity::Effort if flow.effort_quantity.is_none() => {
            Err(DomainError::invalid("effortQuantity", format!("a {action} {noun} needs effortQuantity")))
        }
        EventQuantity::Effort if flow.resource_quantity.is_some() => Err(DomainError::invalid(
            "resourceQuantity",
            format!("a {action} {noun} records effort only: use effortQuantity"),
        )),
        EventQuantity::Both if flow.resource_quantity.is_none() && flow.effort_quantity.is_none() => {
            Err(DomainError::invalid(
                "resourceQuantity",
                format!("a {action} {noun} needs resourceQuantity, effortQuantity or both"),
            ))
        }
        _ => Ok(()),
    }
}

fn validate_resources(event: &NewEvent) -> Result<(), DomainError> {
    let action = event.action;
    let def = action.def();
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
    validate_creation(event)
}

/// Checks the container the context gives an event: only a combine puts a resource in a
/// container, and never in itself.
pub fn validate_container(event: &NewEvent, context: &EventContext) -> Result<(), DomainError> {
    if let Some(container) = context.container {
        if event.action != Action::Combine {
            return Err(DomainError::invalid("containedIn", "only a combine event puts a resource in a container"));
        }
        if event.resource_inventoried_as == Some(container) {
            return Err(DomainError::invalid("containedIn", "a resource cannot contain itself"));
        }
    }
    Ok(())
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

/// The details of an event beyond its economic core.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventDetails {
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Vec<Uri>,
    /// `resourceConformsTo`.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// `hasBeginning`.
    pub has_beginning: Option<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Option<DateTime<Utc>>,
    /// `hasPointInTime`.
    pub has_point_in_time: Option<DateTime<Utc>>,
    /// `note`.
    pub note: Option<String>,
    /// `agreedIn`.
    pub agreed_in: Option<Uri>,
    /// `triggeredBy`.
    pub triggered_by: Option<EconomicEventId>,
    /// OVN `declaredValue`: what the contributor says the contribution is worth.
    pub declared_value: Option<Measure>,
    /// OVN `inScopeOf`: the projects (or networks) the event counts in.
    pub in_scope_of: Vec<AgentId>,
}

impl EventDetails {
    /// Checks what the economic core does not: the time interval is ordered and the
    /// declared value is not negative.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_interval(self.has_beginning, self.has_end)?;
        if let Some(value) = self.declared_value {
            value.non_negative("declaredValue")?;
        }
        Ok(())
    }
}

/// A recorded economic event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EconomicEvent {
    /// Identity.
    pub id: EconomicEventId,
    /// Revision (only notes and links change).
    pub revision: i64,
    /// The economic core, with the resources it touched filled in.
    pub core: NewEvent,
    /// Everything else.
    pub details: EventDetails,
    /// When ovn recorded it (system time, distinct from the observed times).
    pub created: DateTime<Utc>,
}

impl EconomicEvent {
    /// An event counts as a contribution when it is in scope of an organization (a project or
    /// a network), its provider is someone else, and that provider is an affiliate of the scope
    /// or of a network the scope is part of. `organization_scopes` are the event's scopes that
    /// are organizations; `ties` hold the provider's affiliations and the scopes' `partOf`
    /// chains.
    pub fn is_contribution(&self, organization_scopes: &[AgentId], ties: &Ties) -> bool {
        let provider = self.core.provider;
        organization_scopes.iter().any(|scope| {
            self.details.in_scope_of.contains(scope) && *scope != provider && ties.is_affiliate(provider, *scope)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::network::{OvnRole, Tie};

    #[test]
    fn a_contribution_is_in_scope_of_an_organization_and_provided_by_an_affiliate() {
        let (alice, project, network) = (AgentId::new(), AgentId::new(), AgentId::new());
        let mut event = EconomicEvent {
            id: EconomicEventId::new(),
            revision: 1,
            core: NewEvent::new(Action::Work, alice, project),
            details: EventDetails { in_scope_of: vec![project], ..EventDetails::default() },
            created: Utc::now(),
        };
        let tie = |subject, role, object| Tie { subject, role, object };
        let affiliated = Ties::new([
            tie(project, OvnRole::PartOf, network),
            tie(alice, OvnRole::AffiliateOf, network),
            tie(project, OvnRole::AffiliateOf, network),
        ]);
        assert!(event.is_contribution(&[project], &affiliated));
        assert!(!event.is_contribution(&[project], &Ties::default()), "a stranger's work is no contribution");
        assert!(!event.is_contribution(&[], &affiliated), "a scope that is not an organization does not count");
        event.core.provider = project;
        assert!(!event.is_contribution(&[project], &affiliated), "a project does not contribute to itself");
    }

    #[test]
    fn details_refuse_a_negative_declared_value_and_a_reversed_interval() {
        let now = Utc::now();
        let reversed = EventDetails {
            has_beginning: Some(now),
            has_end: Some(now - chrono::Duration::hours(1)),
            ..EventDetails::default()
        };
        assert_eq!(reversed.validate(), Err(DomainError::invalid("hasEnd", "is before hasBeginning")));
        let negative =
            EventDetails { declared_value: Some(Measure::new(Decimal::new(-1, 2), None)), ..EventDetails::default() };
        assert_eq!(negative.validate(), Err(DomainError::invalid("declaredValue", "must not be negative")));
    }
}
