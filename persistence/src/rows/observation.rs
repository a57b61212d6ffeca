//! Rows of the observation layer: economic events (with their scopes), economic resources,
//! processes (with their scopes), and the slim view of an event that track and trace read.

use ovn_domain::flow::FlowEvent;
use ovn_domain::observation::{
    EconomicEvent, EconomicResource, EventDetails, NewEvent, Process, PropertyRegime, ResourceDetails, ResourceState,
};
use ovn_domain::{
    Action, AgentId, AgreementId, EconomicEventId, EconomicResourceId, Name, PlanId, ProcessId, ProcessSpecificationId,
    ResourceSpecificationId, UnitId, Uri,
};
use sea_orm::ActiveValue::Set;

use super::{Record, Stamps, id, measure, measure_columns, opt, text, uris_from_json, uris_to_json};
use crate::decimal::DbDecimal;
use crate::entity::{economic_event, economic_resource, process};
use crate::error::Result;

/// The columns of an event row that say what it does (a correction's original is read back
/// by these alone during an import).
pub(crate) struct CoreColumns<'r> {
    pub(crate) action: &'r str,
    pub(crate) provider: &'r str,
    pub(crate) receiver: &'r str,
    pub(crate) resource_inventoried_as: Option<&'r str>,
    pub(crate) to_resource_inventoried_as: Option<&'r str>,
    pub(crate) resource_quantity: Option<DbDecimal>,
    pub(crate) resource_quantity_unit: Option<&'r str>,
    pub(crate) effort_quantity: Option<DbDecimal>,
    pub(crate) effort_quantity_unit: Option<&'r str>,
    pub(crate) input_of: Option<&'r str>,
    pub(crate) output_of: Option<&'r str>,
    pub(crate) at_location: Option<&'r str>,
    pub(crate) to_location: Option<&'r str>,
    pub(crate) state: Option<&'r str>,
    pub(crate) corrects: Option<&'r str>,
}

/// What an event says, from its columns.
pub(crate) fn core_from_columns(c: &CoreColumns<'_>) -> Result<NewEvent> {
    let mut core =
        NewEvent::new(id(c.action, Action::parse)?, id(c.provider, AgentId::parse)?, id(c.receiver, AgentId::parse)?);
    core.resource_inventoried_as = opt(c.resource_inventoried_as, EconomicResourceId::parse)?;
    core.to_resource_inventoried_as = opt(c.to_resource_inventoried_as, EconomicResourceId::parse)?;
    core.resource_quantity = measure(c.resource_quantity, c.resource_quantity_unit)?;
    core.effort_quantity = measure(c.effort_quantity, c.effort_quantity_unit)?;
    core.input_of = opt(c.input_of, ProcessId::parse)?;
    core.output_of = opt(c.output_of, ProcessId::parse)?;
    core.at_location = c.at_location.map(str::to_owned);
    core.to_location = c.to_location.map(str::to_owned);
    core.state = c.state.map(str::to_owned);
    core.corrects = opt(c.corrects, EconomicEventId::parse)?;
    Ok(core)
}

/// What an event says, from its row.
pub(crate) fn core_from(row: &economic_event::Model) -> Result<NewEvent> {
    core_from_columns(&CoreColumns {
        action: &row.action,
        provider: &row.provider,
        receiver: &row.receiver,
        resource_inventoried_as: row.resource_inventoried_as.as_deref(),
        to_resource_inventoried_as: row.to_resource_inventoried_as.as_deref(),
        resource_quantity: row.resource_quantity,
        resource_quantity_unit: row.resource_quantity_unit.as_deref(),
        effort_quantity: row.effort_quantity,
        effort_quantity_unit: row.effort_quantity_unit.as_deref(),
        input_of: row.input_of.as_deref(),
        output_of: row.output_of.as_deref(),
        at_location: row.at_location.as_deref(),
        to_location: row.to_location.as_deref(),
        state: row.state.as_deref(),
        corrects: row.corrects.as_deref(),
    })
}

/// An event from its row and its scopes.
pub(crate) fn event_from(row: economic_event::Model, in_scope_of: Vec<AgentId>) -> Result<EconomicEvent> {
    let core = core_from(&row)?;
    Ok(EconomicEvent {
        id: id(&row.id, EconomicEventId::parse)?,
        revision: row.revision,
        core,
        details: EventDetails {
            resource_classified_as: uris_from_json("resourceClassifiedAs", row.resource_classified_as.as_deref())?,
            resource_conforms_to: opt(row.resource_conforms_to.as_deref(), ResourceSpecificationId::parse)?,
            has_beginning: row.has_beginning,
            has_end: row.has_end,
            has_point_in_time: row.has_point_in_time,
            note: row.note,
            agreed_in: opt(row.agreed_in.as_deref(), |t| Uri::parse("agreedIn", t))?,
            triggered_by: opt(row.triggered_by.as_deref(), EconomicEventId::parse)?,
            declared_value: measure(row.declared_value, row.declared_value_unit.as_deref())?,
            in_scope_of,
            realization_of: opt(row.realization_of.as_deref(), AgreementId::parse)?,
            reciprocal_realization_of: opt(row.reciprocal_realization_of.as_deref(), AgreementId::parse)?,
        },
        created: row.created_at,
    })
}

/// An event's row (its scopes are rows of their own); created at `event.created`.
pub(crate) fn event_row(event: &EconomicEvent, stamps: Stamps) -> economic_event::ActiveModel {
    let (core, details) = (&event.core, &event.details);
    let (resource_quantity, resource_quantity_unit) = measure_columns(core.resource_quantity);
    let (effort_quantity, effort_quantity_unit) = measure_columns(core.effort_quantity);
    let (declared_value, declared_value_unit) = measure_columns(details.declared_value);
    economic_event::ActiveModel {
        id: Set(event.id.to_string()),
        action: Set(core.action.id().to_owned()),
        provider: Set(core.provider.to_string()),
        receiver: Set(core.receiver.to_string()),
        resource_inventoried_as: Set(text(core.resource_inventoried_as)),
        to_resource_inventoried_as: Set(text(core.to_resource_inventoried_as)),
        resource_classified_as: Set(uris_to_json(&details.resource_classified_as)),
        resource_conforms_to: Set(text(details.resource_conforms_to)),
        resource_quantity: Set(resource_quantity),
        resource_quantity_unit: Set(resource_quantity_unit),
        effort_quantity: Set(effort_quantity),
        effort_quantity_unit: Set(effort_quantity_unit),
        has_beginning: Set(details.has_beginning),
        has_end: Set(details.has_end),
        has_point_in_time: Set(details.has_point_in_time),
        note: Set(details.note.clone()),
        agreed_in: Set(details.agreed_in.as_ref().map(|u| u.as_str().to_owned())),
        triggered_by: Set(text(details.triggered_by)),
        input_of: Set(text(core.input_of)),
        output_of: Set(text(core.output_of)),
        at_location: Set(core.at_location.clone()),
        to_location: Set(core.to_location.clone()),
        state: Set(core.state.clone()),
        corrects: Set(text(core.corrects)),
        declared_value: Set(declared_value),
        declared_value_unit: Set(declared_value_unit),
        realization_of: Set(text(details.realization_of)),
        reciprocal_realization_of: Set(text(details.reciprocal_realization_of)),
        revision: Set(event.revision),
        created_at: stamps.created_at(),
        updated_at: stamps.updated_at(),
    }
}

/// The fields of an event that track and trace need.
pub(crate) fn flow_event_from(row: &economic_event::Model) -> Result<FlowEvent> {
    let core = core_from(row)?;
    Ok(FlowEvent {
        id: id(&row.id, EconomicEventId::parse)?,
        action: core.action,
        resource_inventoried_as: core.resource_inventoried_as,
        to_resource_inventoried_as: core.to_resource_inventoried_as,
        input_of: core.input_of,
        output_of: core.output_of,
        resource_quantity: core.resource_quantity,
        effort_quantity: core.effort_quantity,
        has_point_in_time: row.has_point_in_time.or(row.has_end).or(row.has_beginning).unwrap_or(row.created_at),
        created: row.created_at,
        corrects: core.corrects,
    })
}

impl Record for EconomicResource {
    type Entity = economic_resource::Entity;
    type Row = economic_resource::ActiveModel;
    type Id = EconomicResourceId;
    const KIND: &'static str = "economic resource";

    fn id(&self) -> EconomicResourceId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &economic_resource::Model) -> i64 {
        row.revision
    }

    fn from_row(row: economic_resource::Model) -> Result<Self> {
        let conforms_to = id(&row.conforms_to, ResourceSpecificationId::parse)?;
        Ok(EconomicResource {
            id: id(&row.id, EconomicResourceId::parse)?,
            revision: row.revision,
            state: ResourceState {
                accounting_quantity: row.accounting_quantity.0,
                onhand_quantity: row.onhand_quantity.0,
                unit: opt(row.unit.as_deref(), UnitId::parse)?,
                primary_accountable: opt(row.primary_accountable.as_deref(), AgentId::parse)?,
                custodian: opt(row.custodian.as_deref(), AgentId::parse)?,
                current_location: row.current_location,
                contained_in: opt(row.contained_in.as_deref(), EconomicResourceId::parse)?,
                stage: opt(row.stage.as_deref(), ProcessSpecificationId::parse)?,
                state: row.state,
            },
            details: ResourceDetails {
                name: row.name,
                conforms_to: Some(conforms_to),
                classified_as: uris_from_json("classifiedAs", row.classified_as.as_deref())?,
                tracking_identifier: row.tracking_identifier,
                image: opt(row.image.as_deref(), |t| Uri::parse("image", t))?,
                image_list: uris_from_json("imageList", row.image_list.as_deref())?,
                note: row.note,
                unit_of_effort: opt(row.unit_of_effort.as_deref(), UnitId::parse)?,
                property_regime: id(&row.property_regime, PropertyRegime::parse)?,
                value_per_unit_of_use: measure(row.value_per_unit_of_use, row.value_per_unit_of_use_unit.as_deref())?,
            },
            conforms_to,
        })
    }

    fn to_row(&self, stamps: Stamps) -> economic_resource::ActiveModel {
        let (s, d) = (&self.state, &self.details);
        let (value_per_unit_of_use, value_per_unit_of_use_unit) = measure_columns(d.value_per_unit_of_use);
        economic_resource::ActiveModel {
            id: Set(self.id.to_string()),
            name: Set(d.name.clone()),
            conforms_to: Set(self.conforms_to.to_string()),
            classified_as: Set(uris_to_json(&d.classified_as)),
            tracking_identifier: Set(d.tracking_identifier.clone()),
            image: Set(d.image.as_ref().map(|u| u.as_str().to_owned())),
            image_list: Set(uris_to_json(&d.image_list)),
            unit: Set(text(s.unit)),
            accounting_quantity: Set(DbDecimal(s.accounting_quantity)),
            onhand_quantity: Set(DbDecimal(s.onhand_quantity)),
            unit_of_effort: Set(text(d.unit_of_effort)),
            primary_accountable: Set(text(s.primary_accountable)),
            custodian: Set(text(s.custodian)),
            current_location: Set(s.current_location.clone()),
            contained_in: Set(text(s.contained_in)),
            stage: Set(text(s.stage)),
            state: Set(s.state.clone()),
            property_regime: Set(d.property_regime.as_str().to_owned()),
            value_per_unit_of_use: Set(value_per_unit_of_use),
            value_per_unit_of_use_unit: Set(value_per_unit_of_use_unit),
            note: Set(d.note.clone()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

/// A process from its row and its scopes.
pub(crate) fn process_from(row: process::Model, in_scope_of: Vec<AgentId>) -> Result<Process> {
    Ok(Process {
        id: id(&row.id, ProcessId::parse)?,
        revision: row.revision,
        name: id(&row.name, |t| Name::parse("name", t))?,
        has_beginning: row.has_beginning,
        has_end: row.has_end,
        finished: row.finished,
        classified_as: uris_from_json("classifiedAs", row.classified_as.as_deref())?,
        note: row.note,
        based_on: opt(row.based_on.as_deref(), ProcessSpecificationId::parse)?,
        in_scope_of,
        planned_within: opt(row.planned_within.as_deref(), PlanId::parse)?,
    })
}

/// A process's row (its scopes are rows of their own).
pub(crate) fn process_row(process: &Process, stamps: Stamps) -> process::ActiveModel {
    process::ActiveModel {
        id: Set(process.id.to_string()),
        name: Set(process.name.as_str().to_owned()),
        has_beginning: Set(process.has_beginning),
        has_end: Set(process.has_end),
        finished: Set(process.finished),
        classified_as: Set(uris_to_json(&process.classified_as)),
        note: Set(process.note.clone()),
        based_on: Set(text(process.based_on)),
        planned_within: Set(text(process.planned_within)),
        revision: Set(process.revision),
        created_at: stamps.created_at(),
        updated_at: stamps.updated_at(),
    }
}
