//! Rows of the planning layer: plans, agreements, commitments, fulfilments.

use ovn_domain::planning::{Agreement, Commitment, Fulfillment, Plan};
use ovn_domain::{
    Action, AgentId, AgreementId, CommitmentId, EconomicEventId, EconomicResourceId, FulfillmentId, Name, PlanId,
    ProcessId, ProcessSpecificationId, ResourceSpecificationId, Uri,
};
use sea_orm::ActiveValue::Set;

use super::{
    Record, Stamps, id, ids_from_json, ids_to_json, measure, measure_columns, opt, text, uris_from_json, uris_to_json,
};
use crate::entity::{agreement, commitment, fulfillment, plan};
use crate::error::Result;

impl Record for Plan {
    type Entity = plan::Entity;
    type Row = plan::ActiveModel;
    type Id = PlanId;
    const KIND: &'static str = "plan";

    fn id(&self) -> PlanId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &plan::Model) -> i64 {
        row.revision
    }

    fn from_row(row: plan::Model) -> Result<Self> {
        Ok(Plan {
            id: id(&row.id, PlanId::parse)?,
            revision: row.revision,
            name: id(&row.name, |t| Name::parse("name", t))?,
            created: row.created,
            due: row.due,
            note: row.note,
            in_scope_of: ids_from_json(row.in_scope_of.as_deref(), AgentId::parse)?,
            recorded_by: id(&row.recorded_by, AgentId::parse)?,
        })
    }

    fn to_row(&self, stamps: Stamps) -> plan::ActiveModel {
        plan::ActiveModel {
            id: Set(self.id.to_string()),
            name: Set(self.name.as_str().to_owned()),
            created: Set(self.created),
            due: Set(self.due),
            note: Set(self.note.clone()),
            in_scope_of: Set(ids_to_json(&self.in_scope_of)),
            recorded_by: Set(self.recorded_by.to_string()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for Agreement {
    type Entity = agreement::Entity;
    type Row = agreement::ActiveModel;
    type Id = AgreementId;
    const KIND: &'static str = "agreement";

    fn id(&self) -> AgreementId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &agreement::Model) -> i64 {
        row.revision
    }

    fn from_row(row: agreement::Model) -> Result<Self> {
        Ok(Agreement {
            id: id(&row.id, AgreementId::parse)?,
            revision: row.revision,
            name: row.name,
            created: row.created,
            note: row.note,
            recorded_by: id(&row.recorded_by, AgentId::parse)?,
        })
    }

    fn to_row(&self, stamps: Stamps) -> agreement::ActiveModel {
        agreement::ActiveModel {
            id: Set(self.id.to_string()),
            name: Set(self.name.clone()),
            created: Set(self.created),
            note: Set(self.note.clone()),
            recorded_by: Set(self.recorded_by.to_string()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for Commitment {
    type Entity = commitment::Entity;
    type Row = commitment::ActiveModel;
    type Id = CommitmentId;
    const KIND: &'static str = "commitment";

    fn id(&self) -> CommitmentId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &commitment::Model) -> i64 {
        row.revision
    }

    fn from_row(row: commitment::Model) -> Result<Self> {
        Ok(Commitment {
            id: id(&row.id, CommitmentId::parse)?,
            revision: row.revision,
            action: id(&row.action, Action::parse)?,
            provider: id(&row.provider, AgentId::parse)?,
            receiver: id(&row.receiver, AgentId::parse)?,
            resource_classified_as: uris_from_json("resourceClassifiedAs", row.resource_classified_as.as_deref())?,
            resource_conforms_to: opt(row.resource_conforms_to.as_deref(), ResourceSpecificationId::parse)?,
            resource_inventoried_as: opt(row.resource_inventoried_as.as_deref(), EconomicResourceId::parse)?,
            resource_quantity: measure(row.resource_quantity, row.resource_quantity_unit.as_deref())?,
            effort_quantity: measure(row.effort_quantity, row.effort_quantity_unit.as_deref())?,
            has_beginning: row.has_beginning,
            has_end: row.has_end,
            has_point_in_time: row.has_point_in_time,
            due: row.due,
            finished: row.finished,
            note: row.note,
            agreed_in: opt(row.agreed_in.as_deref(), |t| Uri::parse("agreedIn", t))?,
            in_scope_of: ids_from_json(row.in_scope_of.as_deref(), AgentId::parse)?,
            clause_of: opt(row.clause_of.as_deref(), AgreementId::parse)?,
            reciprocal_clause_of: opt(row.reciprocal_clause_of.as_deref(), AgreementId::parse)?,
            independent_demand_of: opt(row.independent_demand_of.as_deref(), PlanId::parse)?,
            planned_within: opt(row.planned_within.as_deref(), PlanId::parse)?,
            input_of: opt(row.input_of.as_deref(), ProcessId::parse)?,
            output_of: opt(row.output_of.as_deref(), ProcessId::parse)?,
            stage: opt(row.stage.as_deref(), ProcessSpecificationId::parse)?,
            recorded_by: id(&row.recorded_by, AgentId::parse)?,
            created: row.created_at,
        })
    }

    fn to_row(&self, stamps: Stamps) -> commitment::ActiveModel {
        let (resource_quantity, resource_quantity_unit) = measure_columns(self.resource_quantity);
        let (effort_quantity, effort_quantity_unit) = measure_columns(self.effort_quantity);
        commitment::ActiveModel {
            id: Set(self.id.to_string()),
            action: Set(self.action.id().to_owned()),
            provider: Set(self.provider.to_string()),
            receiver: Set(self.receiver.to_string()),
            resource_classified_as: Set(uris_to_json(&self.resource_classified_as)),
            resource_conforms_to: Set(text(self.resource_conforms_to)),
            resource_inventoried_as: Set(text(self.resource_inventoried_as)),
            resource_quantity: Set(resource_quantity),
            resource_quantity_unit: Set(resource_quantity_unit),
            effort_quantity: Set(effort_quantity),
            effort_quantity_unit: Set(effort_quantity_unit),
            has_beginning: Set(self.has_beginning),
            has_end: Set(self.has_end),
            has_point_in_time: Set(self.has_point_in_time),
            due: Set(self.due),
            finished: Set(self.finished),
            note: Set(self.note.clone()),
            agreed_in: Set(self.agreed_in.as_ref().map(|u| u.as_str().to_owned())),
            in_scope_of: Set(ids_to_json(&self.in_scope_of)),
            clause_of: Set(text(self.clause_of)),
            reciprocal_clause_of: Set(text(self.reciprocal_clause_of)),
            independent_demand_of: Set(text(self.independent_demand_of)),
            planned_within: Set(text(self.planned_within)),
            input_of: Set(text(self.input_of)),
            output_of: Set(text(self.output_of)),
            stage: Set(text(self.stage)),
            recorded_by: Set(self.recorded_by.to_string()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for Fulfillment {
    type Entity = fulfillment::Entity;
    type Row = fulfillment::ActiveModel;
    type Id = FulfillmentId;
    const KIND: &'static str = "fulfillment";

    fn id(&self) -> FulfillmentId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &fulfillment::Model) -> i64 {
        row.revision
    }

    fn from_row(row: fulfillment::Model) -> Result<Self> {
        Ok(Fulfillment {
            id: id(&row.id, FulfillmentId::parse)?,
            revision: row.revision,
            fulfilled_by: id(&row.fulfilled_by, EconomicEventId::parse)?,
            fulfills: id(&row.fulfills, CommitmentId::parse)?,
            resource_quantity: measure(row.resource_quantity, row.resource_quantity_unit.as_deref())?,
            effort_quantity: measure(row.effort_quantity, row.effort_quantity_unit.as_deref())?,
            note: row.note,
        })
    }

    fn to_row(&self, stamps: Stamps) -> fulfillment::ActiveModel {
        let (resource_quantity, resource_quantity_unit) = measure_columns(self.resource_quantity);
        let (effort_quantity, effort_quantity_unit) = measure_columns(self.effort_quantity);
        fulfillment::ActiveModel {
            id: Set(self.id.to_string()),
            fulfilled_by: Set(self.fulfilled_by.to_string()),
            fulfills: Set(self.fulfills.to_string()),
            resource_quantity: Set(resource_quantity),
            resource_quantity_unit: Set(resource_quantity_unit),
            effort_quantity: Set(effort_quantity),
            effort_quantity_unit: Set(effort_quantity_unit),
            note: Set(self.note.clone()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}
