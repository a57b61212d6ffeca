//! Rows of offers, requests and claims: intents, satisfactions, proposals (with their proposed
//! intents and recipients), claims, settlements.

use ovn_domain::claim::{Claim, Settlement};
use ovn_domain::intent::{Intent, Satisfaction, SatisfiedBy};
use ovn_domain::proposal::{Proposal, ProposalPurpose, ProposedIntent, ProposedTo};
use ovn_domain::{
    Action, AgentId, ClaimId, CommitmentId, EconomicEventId, EconomicResourceId, IntentId, Name, ProcessId, ProposalId,
    ProposedIntentId, ProposedToId, ResourceSpecificationId, SatisfactionId, SettlementId, Uri,
};
use sea_orm::ActiveValue::Set;

use super::{
    Record, Stamps, id, ids_from_json, ids_to_json, measure, measure_columns, opt, text, uris_from_json, uris_to_json,
};
use crate::entity::{claim, intent, proposal, proposed_intent, proposed_to, satisfaction, settlement};
use crate::error::{PersistenceError, Result};

fn uri_text(uri: &Option<Uri>) -> Option<String> {
    uri.as_ref().map(|u| u.as_str().to_owned())
}

fn name_from(text: Option<&str>) -> Result<Option<Name>> {
    opt(text, |t| Name::parse("name", t))
}

impl Record for Intent {
    type Entity = intent::Entity;
    type Row = intent::ActiveModel;
    type Id = IntentId;
    const KIND: &'static str = "intent";

    fn id(&self) -> IntentId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &intent::Model) -> i64 {
        row.revision
    }

    fn from_row(row: intent::Model) -> Result<Self> {
        Ok(Intent {
            id: id(&row.id, IntentId::parse)?,
            revision: row.revision,
            action: id(&row.action, Action::parse)?,
            name: name_from(row.name.as_deref())?,
            provider: opt(row.provider.as_deref(), AgentId::parse)?,
            receiver: opt(row.receiver.as_deref(), AgentId::parse)?,
            input_of: opt(row.input_of.as_deref(), ProcessId::parse)?,
            output_of: opt(row.output_of.as_deref(), ProcessId::parse)?,
            resource_inventoried_as: opt(row.resource_inventoried_as.as_deref(), EconomicResourceId::parse)?,
            resource_conforms_to: opt(row.resource_conforms_to.as_deref(), ResourceSpecificationId::parse)?,
            resource_classified_as: uris_from_json("resourceClassifiedAs", row.resource_classified_as.as_deref())?,
            resource_quantity: measure(row.resource_quantity, row.resource_quantity_unit.as_deref())?,
            effort_quantity: measure(row.effort_quantity, row.effort_quantity_unit.as_deref())?,
            available_quantity: measure(row.available_quantity, row.available_quantity_unit.as_deref())?,
            has_beginning: row.has_beginning,
            has_end: row.has_end,
            has_point_in_time: row.has_point_in_time,
            due: row.due,
            finished: row.finished,
            image: opt(row.image.as_deref(), |t| Uri::parse("image", t))?,
            image_list: uris_from_json("imageList", row.image_list.as_deref())?,
            note: row.note,
            agreed_in: opt(row.agreed_in.as_deref(), |t| Uri::parse("agreedIn", t))?,
            in_scope_of: ids_from_json(row.in_scope_of.as_deref(), AgentId::parse)?,
        })
    }

    fn to_row(&self, stamps: Stamps) -> intent::ActiveModel {
        let (resource_quantity, resource_quantity_unit) = measure_columns(self.resource_quantity);
        let (effort_quantity, effort_quantity_unit) = measure_columns(self.effort_quantity);
        let (available_quantity, available_quantity_unit) = measure_columns(self.available_quantity);
        intent::ActiveModel {
            id: Set(self.id.to_string()),
            action: Set(self.action.id().to_owned()),
            name: Set(self.name.as_ref().map(|n| n.as_str().to_owned())),
            provider: Set(text(self.provider)),
            receiver: Set(text(self.receiver)),
            input_of: Set(text(self.input_of)),
            output_of: Set(text(self.output_of)),
            resource_inventoried_as: Set(text(self.resource_inventoried_as)),
            resource_conforms_to: Set(text(self.resource_conforms_to)),
            resource_classified_as: Set(uris_to_json(&self.resource_classified_as)),
            resource_quantity: Set(resource_quantity),
            resource_quantity_unit: Set(resource_quantity_unit),
            effort_quantity: Set(effort_quantity),
            effort_quantity_unit: Set(effort_quantity_unit),
            available_quantity: Set(available_quantity),
            available_quantity_unit: Set(available_quantity_unit),
            has_beginning: Set(self.has_beginning),
            has_end: Set(self.has_end),
            has_point_in_time: Set(self.has_point_in_time),
            due: Set(self.due),
            finished: Set(self.finished),
            image: Set(uri_text(&self.image)),
            image_list: Set(uris_to_json(&self.image_list)),
            note: Set(self.note.clone()),
            agreed_in: Set(uri_text(&self.agreed_in)),
            in_scope_of: Set(ids_to_json(&self.in_scope_of)),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for Satisfaction {
    type Entity = satisfaction::Entity;
    type Row = satisfaction::ActiveModel;
    type Id = SatisfactionId;
    const KIND: &'static str = "satisfaction";

    fn id(&self) -> SatisfactionId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &satisfaction::Model) -> i64 {
        row.revision
    }

    fn from_row(row: satisfaction::Model) -> Result<Self> {
        let satisfied_by = match (row.satisfied_by_event.as_deref(), row.satisfied_by_commitment.as_deref()) {
            (Some(event), None) => SatisfiedBy::Event(id(event, EconomicEventId::parse)?),
            (None, Some(commitment)) => SatisfiedBy::Commitment(id(commitment, CommitmentId::parse)?),
            _ => {
                return Err(PersistenceError::Corrupt(format!(
                    "satisfaction {} is satisfied by neither one event nor one commitment",
                    row.id
                )));
            }
        };
        Ok(Satisfaction {
            id: id(&row.id, SatisfactionId::parse)?,
            revision: row.revision,
            satisfies: id(&row.satisfies, IntentId::parse)?,
            satisfied_by,
            resource_quantity: measure(row.resource_quantity, row.resource_quantity_unit.as_deref())?,
            effort_quantity: measure(row.effort_quantity, row.effort_quantity_unit.as_deref())?,
            note: row.note,
        })
    }

    fn to_row(&self, stamps: Stamps) -> satisfaction::ActiveModel {
        let (resource_quantity, resource_quantity_unit) = measure_columns(self.resource_quantity);
        let (effort_quantity, effort_quantity_unit) = measure_columns(self.effort_quantity);
        let (event, commitment) = match self.satisfied_by {
            SatisfiedBy::Event(event) => (Some(event.to_string()), None),
            SatisfiedBy::Commitment(commitment) => (None, Some(commitment.to_string())),
        };
        satisfaction::ActiveModel {
            id: Set(self.id.to_string()),
            satisfies: Set(self.satisfies.to_string()),
            satisfied_by_event: Set(event),
            satisfied_by_commitment: Set(commitment),
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

impl Record for Proposal {
    type Entity = proposal::Entity;
    type Row = proposal::ActiveModel;
    type Id = ProposalId;
    const KIND: &'static str = "proposal";

    fn id(&self) -> ProposalId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &proposal::Model) -> i64 {
        row.revision
    }

    fn from_row(row: proposal::Model) -> Result<Self> {
        Ok(Proposal {
            id: id(&row.id, ProposalId::parse)?,
            revision: row.revision,
            name: name_from(row.name.as_deref())?,
            has_beginning: row.has_beginning,
            has_end: row.has_end,
            unit_based: row.unit_based,
            created: row.created,
            note: row.note,
            in_scope_of: ids_from_json(row.in_scope_of.as_deref(), AgentId::parse)?,
            purpose: opt(row.purpose.as_deref(), ProposalPurpose::parse)?,
            recorded_by: id(&row.recorded_by, AgentId::parse)?,
        })
    }

    fn to_row(&self, stamps: Stamps) -> proposal::ActiveModel {
        proposal::ActiveModel {
            id: Set(self.id.to_string()),
            name: Set(self.name.as_ref().map(|n| n.as_str().to_owned())),
            has_beginning: Set(self.has_beginning),
            has_end: Set(self.has_end),
            unit_based: Set(self.unit_based),
            created: Set(self.created),
            note: Set(self.note.clone()),
            in_scope_of: Set(ids_to_json(&self.in_scope_of)),
            purpose: Set(self.purpose.map(|p| p.as_str().to_owned())),
            recorded_by: Set(self.recorded_by.to_string()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for ProposedIntent {
    type Entity = proposed_intent::Entity;
    type Row = proposed_intent::ActiveModel;
    type Id = ProposedIntentId;
    const KIND: &'static str = "proposed intent";

    fn id(&self) -> ProposedIntentId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &proposed_intent::Model) -> i64 {
        row.revision
    }

    fn from_row(row: proposed_intent::Model) -> Result<Self> {
        Ok(ProposedIntent {
            id: id(&row.id, ProposedIntentId::parse)?,
            revision: row.revision,
            published_in: id(&row.published_in, ProposalId::parse)?,
            publishes: id(&row.publishes, IntentId::parse)?,
            reciprocal: row.reciprocal,
        })
    }

    fn to_row(&self, stamps: Stamps) -> proposed_intent::ActiveModel {
        proposed_intent::ActiveModel {
            id: Set(self.id.to_string()),
            published_in: Set(self.published_in.to_string()),
            publishes: Set(self.publishes.to_string()),
            reciprocal: Set(self.reciprocal),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for ProposedTo {
    type Entity = proposed_to::Entity;
    type Row = proposed_to::ActiveModel;
    type Id = ProposedToId;
    const KIND: &'static str = "proposed to";

    fn id(&self) -> ProposedToId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &proposed_to::Model) -> i64 {
        row.revision
    }

    fn from_row(row: proposed_to::Model) -> Result<Self> {
        Ok(ProposedTo {
            id: id(&row.id, ProposedToId::parse)?,
            revision: row.revision,
            proposed: id(&row.proposed, ProposalId::parse)?,
            proposed_to: id(&row.proposed_to, AgentId::parse)?,
        })
    }

    fn to_row(&self, stamps: Stamps) -> proposed_to::ActiveModel {
        proposed_to::ActiveModel {
            id: Set(self.id.to_string()),
            proposed: Set(self.proposed.to_string()),
            proposed_to: Set(self.proposed_to.to_string()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for Claim {
    type Entity = claim::Entity;
    type Row = claim::ActiveModel;
    type Id = ClaimId;
    const KIND: &'static str = "claim";

    fn id(&self) -> ClaimId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &claim::Model) -> i64 {
        row.revision
    }

    fn from_row(row: claim::Model) -> Result<Self> {
        Ok(Claim {
            id: id(&row.id, ClaimId::parse)?,
            revision: row.revision,
            action: id(&row.action, Action::parse)?,
            provider: opt(row.provider.as_deref(), AgentId::parse)?,
            receiver: opt(row.receiver.as_deref(), AgentId::parse)?,
            resource_conforms_to: opt(row.resource_conforms_to.as_deref(), ResourceSpecificationId::parse)?,
            resource_classified_as: uris_from_json("resourceClassifiedAs", row.resource_classified_as.as_deref())?,
            resource_quantity: measure(row.resource_quantity, row.resource_quantity_unit.as_deref())?,
            effort_quantity: measure(row.effort_quantity, row.effort_quantity_unit.as_deref())?,
            triggered_by: id(&row.triggered_by, EconomicEventId::parse)?,
            due: row.due,
            created: row.created,
            finished: row.finished,
            note: row.note,
            agreed_in: opt(row.agreed_in.as_deref(), |t| Uri::parse("agreedIn", t))?,
            in_scope_of: ids_from_json(row.in_scope_of.as_deref(), AgentId::parse)?,
        })
    }

    fn to_row(&self, stamps: Stamps) -> claim::ActiveModel {
        let (resource_quantity, resource_quantity_unit) = measure_columns(self.resource_quantity);
        let (effort_quantity, effort_quantity_unit) = measure_columns(self.effort_quantity);
        claim::ActiveModel {
            id: Set(self.id.to_string()),
            action: Set(self.action.id().to_owned()),
            provider: Set(text(self.provider)),
            receiver: Set(text(self.receiver)),
            resource_conforms_to: Set(text(self.resource_conforms_to)),
            resource_classified_as: Set(uris_to_json(&self.resource_classified_as)),
            resource_quantity: Set(resource_quantity),
            resource_quantity_unit: Set(resource_quantity_unit),
            effort_quantity: Set(effort_quantity),
            effort_quantity_unit: Set(effort_quantity_unit),
            triggered_by: Set(self.triggered_by.to_string()),
            due: Set(self.due),
            created: Set(self.created),
            finished: Set(self.finished),
            note: Set(self.note.clone()),
            agreed_in: Set(uri_text(&self.agreed_in)),
            in_scope_of: Set(ids_to_json(&self.in_scope_of)),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for Settlement {
    type Entity = settlement::Entity;
    type Row = settlement::ActiveModel;
    type Id = SettlementId;
    const KIND: &'static str = "settlement";

    fn id(&self) -> SettlementId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &settlement::Model) -> i64 {
        row.revision
    }

    fn from_row(row: settlement::Model) -> Result<Self> {
        Ok(Settlement {
            id: id(&row.id, SettlementId::parse)?,
            revision: row.revision,
            settles: id(&row.settles, ClaimId::parse)?,
            settled_by: id(&row.settled_by, EconomicEventId::parse)?,
            resource_quantity: measure(row.resource_quantity, row.resource_quantity_unit.as_deref())?,
            effort_quantity: measure(row.effort_quantity, row.effort_quantity_unit.as_deref())?,
            note: row.note,
        })
    }

    fn to_row(&self, stamps: Stamps) -> settlement::ActiveModel {
        let (resource_quantity, resource_quantity_unit) = measure_columns(self.resource_quantity);
        let (effort_quantity, effort_quantity_unit) = measure_columns(self.effort_quantity);
        settlement::ActiveModel {
            id: Set(self.id.to_string()),
            settles: Set(self.settles.to_string()),
            settled_by: Set(self.settled_by.to_string()),
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
