//! Rows of the agent module: agents, relationship roles, relationships.

use ovn_domain::agent::{Agent, AgentKind, AgentProfile, AgentRelationship, AgentRelationshipRole};
use ovn_domain::{AgentId, AgentRelationshipId, AgentRelationshipRoleId, Name, Uri};
use sea_orm::ActiveValue::Set;

use super::{Record, Stamps, id, ids_from_json, ids_to_json, opt, uris_from_json, uris_to_json};
use crate::entity::{agent, agent_relationship, agent_relationship_role};
use crate::error::Result;

impl Record for Agent {
    type Entity = agent::Entity;
    type Row = agent::ActiveModel;
    type Id = AgentId;
    const KIND: &'static str = "agent";

    fn id(&self) -> AgentId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &agent::Model) -> i64 {
        row.revision
    }

    fn from_row(row: agent::Model) -> Result<Self> {
        Ok(Agent {
            id: id(&row.id, AgentId::parse)?,
            revision: row.revision,
            kind: id(&row.kind, AgentKind::parse)?,
            profile: AgentProfile {
                name: id(&row.name, |t| Name::parse("name", t))?,
                image: opt(row.image.as_deref(), |t| Uri::parse("image", t))?,
                note: row.note,
                classified_as: uris_from_json("classifiedAs", row.classified_as.as_deref())?,
            },
        })
    }

    fn to_row(&self, stamps: Stamps) -> agent::ActiveModel {
        agent::ActiveModel {
            id: Set(self.id.to_string()),
            kind: Set(self.kind.as_str().to_owned()),
            name: Set(self.profile.name.as_str().to_owned()),
            image: Set(self.profile.image.as_ref().map(|i| i.as_str().to_owned())),
            note: Set(self.profile.note.clone()),
            classified_as: Set(uris_to_json(&self.profile.classified_as)),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for AgentRelationshipRole {
    type Entity = agent_relationship_role::Entity;
    type Row = agent_relationship_role::ActiveModel;
    type Id = AgentRelationshipRoleId;
    const KIND: &'static str = "agent relationship role";

    fn id(&self) -> AgentRelationshipRoleId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &agent_relationship_role::Model) -> i64 {
        row.revision
    }

    fn from_row(row: agent_relationship_role::Model) -> Result<Self> {
        Ok(AgentRelationshipRole {
            id: id(&row.id, AgentRelationshipRoleId::parse)?,
            revision: row.revision,
            role_label: id(&row.role_label, |t| Name::parse("roleLabel", t))?,
            inverse_role_label: opt(row.inverse_role_label.as_deref(), |t| Name::parse("inverseRoleLabel", t))?,
            note: row.note,
        })
    }

    fn to_row(&self, stamps: Stamps) -> agent_relationship_role::ActiveModel {
        agent_relationship_role::ActiveModel {
            id: Set(self.id.to_string()),
            role_label: Set(self.role_label.as_str().to_owned()),
            inverse_role_label: Set(self.inverse_role_label.as_ref().map(|l| l.as_str().to_owned())),
            note: Set(self.note.clone()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for AgentRelationship {
    type Entity = agent_relationship::Entity;
    type Row = agent_relationship::ActiveModel;
    type Id = AgentRelationshipId;
    const KIND: &'static str = "agent relationship";

    fn id(&self) -> AgentRelationshipId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &agent_relationship::Model) -> i64 {
        row.revision
    }

    fn from_row(row: agent_relationship::Model) -> Result<Self> {
        Ok(AgentRelationship {
            id: id(&row.id, AgentRelationshipId::parse)?,
            revision: row.revision,
            subject: id(&row.subject, AgentId::parse)?,
            object: id(&row.object, AgentId::parse)?,
            relationship: id(&row.relationship, AgentRelationshipRoleId::parse)?,
            in_scope_of: ids_from_json(row.in_scope_of.as_deref(), AgentId::parse)?,
            note: row.note,
        })
    }

    fn to_row(&self, stamps: Stamps) -> agent_relationship::ActiveModel {
        agent_relationship::ActiveModel {
            id: Set(self.id.to_string()),
            subject: Set(self.subject.to_string()),
            object: Set(self.object.to_string()),
            relationship: Set(self.relationship.to_string()),
            in_scope_of: Set(ids_to_json(&self.in_scope_of)),
            note: Set(self.note.clone()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}
