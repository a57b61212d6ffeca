//! Agents (vf-graphql module `agent`): persons and organizations, and the relationships
//! between them (`AgentRelationship` with its `AgentRelationshipRole`).

pub mod network;

use serde::{Deserialize, Serialize};

use crate::text::{Name, Uri};
use crate::{AgentId, AgentRelationshipId, AgentRelationshipRoleId, DomainError};

/// Whether an agent is a natural person or a group (vf-graphql `Person` / `Organization`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AgentKind {
    /// A natural person.
    Person,
    /// A formal or informal group: a network, a project, a custodian, an exchange firm.
    Organization,
}

impl AgentKind {
    /// The name stored and exported ("Person" / "Organization").
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Person => "Person",
            Self::Organization => "Organization",
        }
    }

    /// Parses [`AgentKind::as_str`] or the CLI spelling (`person`, `organization`).
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text.to_ascii_lowercase().as_str() {
            "person" => Ok(Self::Person),
            "organization" | "organisation" => Ok(Self::Organization),
            _ => Err(DomainError::invalid("kind", "must be `person` or `organization`")),
        }
    }
}

/// The editable profile of an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProfile {
    /// Display name.
    pub name: Name,
    /// Avatar or logo.
    pub image: Option<Uri>,
    /// Free text.
    pub note: Option<String>,
    /// Classifications (organizations only: `ovn:Network`, `ovn:Project`, …).
    pub classified_as: Vec<Uri>,
}

/// An agent as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Identity.
    pub id: AgentId,
    /// Current revision number.
    pub revision: i64,
    /// Person or organization.
    pub kind: AgentKind,
    /// Profile.
    pub profile: AgentProfile,
}

/// A kind of relationship between agents ("is affiliate of" / "has affiliate").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRelationshipRole {
    /// Identity.
    pub id: AgentRelationshipRoleId,
    /// Current revision number.
    pub revision: i64,
    /// From subject to object.
    pub role_label: Name,
    /// From object to subject.
    pub inverse_role_label: Option<Name>,
    /// Free text.
    pub note: Option<String>,
}

/// `subject` is `relationship` of `object`, optionally within some scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRelationship {
    /// Identity.
    pub id: AgentRelationshipId,
    /// Current revision number.
    pub revision: i64,
    /// Who the relationship is of.
    pub subject: AgentId,
    /// Who it is with.
    pub object: AgentId,
    /// What kind of relationship.
    pub relationship: AgentRelationshipRoleId,
    /// The accounting scopes it holds in.
    pub in_scope_of: Vec<AgentId>,
    /// Free text.
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_kinds_parse_from_cli_and_storage_spellings() {
        assert_eq!(AgentKind::parse("person"), Ok(AgentKind::Person));
        assert_eq!(AgentKind::parse("Organization"), Ok(AgentKind::Organization));
        assert!(AgentKind::parse("robot").is_err());
    }
}
