//! Each node, one at a time, turned into the domain record it describes: fields parsed,
//! references resolved, the record's own rules checked. Resources and events keep what they
//! state about the books (balances, created resources) for the replay to compare.

use chrono::{DateTime, Utc};
use ovn_domain::agent::{Agent, AgentProfile, AgentRelationship, AgentRelationshipRole};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit, ValuePerUnit};
use ovn_domain::ledger_books::Stamped;
use ovn_domain::observation::{
    EconomicEvent, EconomicResource, EventDetails, Process, PropertyRegime, ResourceDetails,
};
use ovn_domain::observation::{NewEvent, ResourceState};
use ovn_domain::text::Name;
use ovn_domain::{
    AgentId, AgentRelationshipId, AgentRelationshipRoleId, EconomicEventId, EconomicResourceId, Measure, ProcessId,
    ProcessSpecificationId, ResourceSpecificationId, UnitId,
};
use uuid::Uuid;

use super::fields::{Index, action, name, note, required, time, uri, uri_list};
use super::{FieldResult, Kind, domain};
use crate::node::Node;

/// A resource node, checked, with the state it claims (compared with the replay later).
pub(super) struct ResourceNode {
    pub(super) index: usize,
    /// Its `@id`, for a problem found once the events are in.
    pub(super) iri: String,
    pub(super) record: EconomicResource,
    pub(super) created: Option<DateTime<Utc>>,
    pub(super) accounting: Option<Measure>,
    pub(super) onhand: Option<Measure>,
}

/// An event node, checked (its resources not yet applied).
pub(super) struct EventNode {
    pub(super) event: EconomicEvent,
    /// `ovn:newInventoriedResource`, when stated.
    pub(super) new_resource: Option<EconomicResourceId>,
    /// Whether `vf:triggeredBy` names an event not read yet (it is checked at the end).
    pub(super) trigger_ahead: bool,
}

/// The records of a document, checked one by one.
#[derive(Default)]
pub(super) struct Records {
    pub(super) units: Vec<Stamped<Unit>>,
    pub(super) agents: Vec<Stamped<Agent>>,
    pub(super) roles: Vec<Stamped<AgentRelationshipRole>>,
    pub(super) relationships: Vec<Stamped<AgentRelationship>>,
    pub(super) resource_specifications: Vec<Stamped<ResourceSpecification>>,
    pub(super) process_specifications: Vec<Stamped<ProcessSpecification>>,
    pub(super) processes: Vec<Stamped<Process>>,
    pub(super) resources: Vec<ResourceNode>,
}

pub(super) struct Checker {
    pub(super) index: Index,
    pub(super) now: DateTime<Utc>,
}

impl Checker {
    fn created(&self, node: &Node) -> FieldResult<DateTime<Utc>> {
        Ok(time("ovn:created", node.created.as_ref())?.unwrap_or(self.now))
    }

    pub(super) fn record(
        &self,
        kind: Kind,
        uuid: Uuid,
        node: &Node,
        records: &mut Records,
        i: usize,
    ) -> FieldResult<()> {
        let ix = &self.index;
        match kind {
            Kind::Unit => records.units.push(Stamped {
                record: Unit {
                    id: UnitId::from_uuid(uuid),
                    revision: 1,
                    label: name("rdfs:label", node.label.as_ref())?,
                    symbol: name("om2:symbol", node.symbol.as_ref())?,
                    om_unit_identifier: node.om_unit_identifier.clone(),
                },
                created: self.created(node)?,
            }),
            Kind::Agent(agent_kind) => records.agents.push(Stamped {
                record: Agent {
                    id: AgentId::from_uuid(uuid),
                    revision: 1,
                    kind: agent_kind,
                    profile: AgentProfile {
                        name: name("vf:name", node.name.as_ref())?,
                        image: uri("vf:image", node.image.as_ref())?,
                        note: note(node.note.as_ref())?,
                        classified_as: uri_list("vf:classifiedAs", &node.classified_as)?,
                    },
                },
                created: self.created(node)?,
            }),
            Kind::Role => records.roles.push(Stamped {
                record: AgentRelationshipRole {
                    id: AgentRelationshipRoleId::from_uuid(uuid),
                    revision: 1,
                    role_label: name("vf:roleLabel", node.role_label.as_ref())?,
                    inverse_role_label: node
                        .inverse_role_label
                        .as_ref()
                        .map(|l| Name::parse("vf:inverseRoleLabel", l))
                        .transpose()
                        .map_err(domain)?,
                    note: note(node.note.as_ref())?,
                },
                created: self.created(node)?,
            }),
            Kind::Relationship => records.relationships.push(Stamped {
                record: AgentRelationship {
                    id: AgentRelationshipId::from_uuid(uuid),
                    revision: 1,
                    subject: ix.agent("vf:subject", node.subject.as_ref())?,
                    object: ix.agent("vf:object", node.object.as_ref())?,
                    relationship: AgentRelationshipRoleId::from_uuid(ix.resolve(
                        "vf:relationship",
                        required("vf:relationship", node.relationship.as_ref())?,
                        Kind::Role,
                    )?),
                    in_scope_of: ix.agents("vf:inScopeOf", &node.in_scope_of)?,
                    note: note(node.note.as_ref())?,
                },
                created: self.created(node)?,
            }),
            Kind::ResourceSpecification => records.resource_specifications.push(Stamped {
                record: ResourceSpecification {
                    id: ResourceSpecificationId::from_uuid(uuid),
                    revision: 1,
                    name: name("vf:name", node.name.as_ref())?,
                    image: uri("vf:image", node.image.as_ref())?,
                    image_list: uri_list("vf:imageList", &node.image_list)?,
                    resource_classified_as: uri_list("vf:resourceClassifiedAs", &node.resource_classified_as)?,
                    note: note(node.note.as_ref())?,
                    default_unit_of_resource: ix
                        .unit("vf:defaultUnitOfResource", node.default_unit_of_resource.as_ref())?,
                    default_unit_of_effort: ix.unit("vf:defaultUnitOfEffort", node.default_unit_of_effort.as_ref())?,
                    substitutable: node.substitutable,
                    medium_of_exchange: node.medium_of_exchange,
                    default_value_per_unit: ix
                        .measure("ovn:defaultValuePerUnit", node.default_value_per_unit.as_ref())?
                        .map(|m| ValuePerUnit { value: m.has_numerical_value, unit: m.has_unit }),
                },
                created: self.created(node)?,
            }),
            Kind::ProcessSpecification => records.process_specifications.push(Stamped {
                record: ProcessSpecification {
                    id: ProcessSpecificationId::from_uuid(uuid),
                    revision: 1,
                    name: name("vf:name", node.name.as_ref())?,
                    note: note(node.note.as_ref())?,
                },
                created: self.created(node)?,
            }),
            Kind::Process => {
                let process = Process {
                    id: ProcessId::from_uuid(uuid),
                    revision: 1,
                    name: name("vf:name", node.name.as_ref())?,
                    has_beginning: time("vf:hasBeginning", node.has_beginning.as_ref())?,
                    has_end: time("vf:hasEnd", node.has_end.as_ref())?,
                    finished: node.finished.unwrap_or(false),
                    classified_as: uri_list("vf:classifiedAs", &node.classified_as)?,
                    note: note(node.note.as_ref())?,
                    based_on: ix.process_specification("vf:basedOn", node.based_on.as_ref())?,
                    in_scope_of: ix.agents("vf:inScopeOf", &node.in_scope_of)?,
                    // Plans are not part of the books' JSON-LD wire yet.
                    planned_within: None,
                };
                process.validate().map_err(domain)?;
                records.processes.push(Stamped { record: process, created: self.created(node)? });
            }
            Kind::Resource => records.resources.push(self.resource(uuid, node, i)?),
            // Events are checked one at a time as they stream by ([`Checker::event`]).
            Kind::Event => {}
        }
        Ok(())
    }

    fn resource(&self, uuid: Uuid, node: &Node, index: usize) -> FieldResult<ResourceNode> {
        let ix = &self.index;
        let conforms_to = ix
            .resource_specification("vf:conformsTo", node.conforms_to.as_ref())?
            .ok_or("vf:conformsTo is required")?;
        let accounting = ix.measure("vf:accountingQuantity", node.accounting_quantity.as_ref())?;
        let onhand = ix.measure("vf:onhandQuantity", node.onhand_quantity.as_ref())?;
        let property_regime =
            node.property_regime.as_deref().map(PropertyRegime::parse).transpose().map_err(domain)?.unwrap_or_default();
        let value_per_unit_of_use = ix.measure("ovn:valuePerUnitOfUse", node.value_per_unit_of_use.as_ref())?;
        let state = ResourceState {
            accounting_quantity: accounting.map(|m| m.has_numerical_value).unwrap_or_default(),
            onhand_quantity: onhand.map(|m| m.has_numerical_value).unwrap_or_default(),
            unit: accounting.and_then(|m| m.has_unit).or(onhand.and_then(|m| m.has_unit)),
            primary_accountable: ix.opt_agent("vf:primaryAccountable", node.primary_accountable.as_ref())?,
            custodian: ix.opt_agent("ovn:custodian", node.custodian.as_ref())?,
            current_location: node.current_location.clone(),
            contained_in: ix.resource("vf:containedIn", node.contained_in.as_ref())?,
            stage: ix.process_specification("vf:stage", node.stage.as_ref())?,
            state: node.state.clone(),
        };
        if state.contained_in == Some(EconomicResourceId::from_uuid(uuid)) {
            return Err("vf:containedIn: a resource cannot contain itself".into());
        }
        let details = ResourceDetails {
            name: node.name.clone(),
            conforms_to: Some(conforms_to),
            classified_as: uri_list("vf:classifiedAs", &node.classified_as)?,
            tracking_identifier: node.tracking_identifier.clone(),
            image: uri("vf:image", node.image.as_ref())?,
            image_list: uri_list("vf:imageList", &node.image_list)?,
            note: note(node.note.as_ref())?,
            unit_of_effort: ix.unit("vf:unitOfEffort", node.unit_of_effort.as_ref())?,
            property_regime,
            value_per_unit_of_use,
        };
        details.validate().map_err(domain)?;
        Ok(ResourceNode {
            index,
            iri: node.id.clone(),
            record: EconomicResource {
                id: EconomicResourceId::from_uuid(uuid),
                revision: 1,
                state,
                details,
                conforms_to,
            },
            created: time("ovn:created", node.created.as_ref())?,
            accounting,
            onhand,
        })
    }

    pub(super) fn event(&self, uuid: Uuid, node: &Node, index: usize) -> FieldResult<EventNode> {
        let ix = &self.index;
        let mut core = NewEvent::new(
            action(node.action.as_ref())?,
            ix.agent("vf:provider", node.provider.as_ref())?,
            ix.agent("vf:receiver", node.receiver.as_ref())?,
        );
        core.resource_inventoried_as =
            ix.resource("vf:resourceInventoriedAs", node.resource_inventoried_as.as_ref())?;
        core.to_resource_inventoried_as =
            ix.resource("vf:toResourceInventoriedAs", node.to_resource_inventoried_as.as_ref())?;
        core.resource_quantity = ix.measure("vf:resourceQuantity", node.resource_quantity.as_ref())?;
        core.effort_quantity = ix.measure("vf:effortQuantity", node.effort_quantity.as_ref())?;
        core.input_of = ix.process("vf:inputOf", node.input_of.as_ref())?;
        core.output_of = ix.process("vf:outputOf", node.output_of.as_ref())?;
        core.at_location = node.at_location.clone();
        core.to_location = node.to_location.clone();
        core.state = node.state.clone();
        core.corrects = ix.event("vf:corrects", node.corrects.as_ref())?;
        let trigger = ix.trigger(node.triggered_by.as_ref())?;
        let details = EventDetails {
            resource_classified_as: uri_list("vf:resourceClassifiedAs", &node.resource_classified_as)?,
            resource_conforms_to: ix
                .resource_specification("vf:resourceConformsTo", node.resource_conforms_to.as_ref())?,
            has_beginning: time("vf:hasBeginning", node.has_beginning.as_ref())?,
            has_end: time("vf:hasEnd", node.has_end.as_ref())?,
            has_point_in_time: time("vf:hasPointInTime", node.has_point_in_time.as_ref())?,
            note: note(node.note.as_ref())?,
            agreed_in: uri("vf:agreedIn", node.agreed_in.as_ref())?,
            triggered_by: trigger.map(|(id, _)| id),
            declared_value: ix.measure("ovn:declaredValue", node.declared_value.as_ref())?,
            in_scope_of: ix.agents("vf:inScopeOf", &node.in_scope_of)?,
            // Agreements are not part of the books' JSON-LD wire yet.
            realization_of: None,
            reciprocal_realization_of: None,
        };
        details.validate().map_err(domain)?;
        let created = match time("ovn:created", node.created.as_ref())? {
            Some(created) => created,
            None => {
                // Keep the document's order as the recording order.
                let offset = i64::try_from(index).unwrap_or(i64::MAX);
                self.now + chrono::Duration::microseconds(offset)
            }
        };
        Ok(EventNode {
            event: EconomicEvent { id: EconomicEventId::from_uuid(uuid), revision: 1, core, details, created },
            new_resource: ix.resource("ovn:newInventoriedResource", node.new_inventoried_resource.as_ref())?,
            trigger_ahead: trigger.is_some_and(|(_, read)| !read),
        })
    }
}
