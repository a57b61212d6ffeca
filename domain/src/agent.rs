//! Agents and the knowledge layer (units, resource and process specifications), as checked
//! values. A value of these types has passed its rules: a `Name` is never blank, a `Uri`
//! always has a scheme, a `Revision` always names the record it belongs to.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{AgentId, DomainError, UnitId};

/// Longest name or label accepted (characters). Everything has a limit.
pub const NAME_MAX_CHARS: usize = 1_000;
/// Longest note accepted (characters).
pub const NOTE_MAX_CHARS: usize = 100_000;
/// Longest URI accepted (characters).
pub const URI_MAX_CHARS: usize = 2_048;
/// Most entries in a list of URIs (`classifiedAs`, `imageList`).
pub const URI_LIST_MAX: usize = 100;

/// A display name or label: trimmed, not blank, bounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    /// Checks and trims `text`; `field` names the input field in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(DomainError::invalid(field, "must not be blank"));
        }
        if trimmed.chars().count() > NAME_MAX_CHARS {
            return Err(DomainError::invalid(field, format!("is longer than {NAME_MAX_CHARS} characters")));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DomainError::invalid(field, "must not contain control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a free-text note: bounded, kept as typed.
pub fn parse_note(field: &str, text: &str) -> Result<String, DomainError> {
    if text.chars().count() > NOTE_MAX_CHARS {
        return Err(DomainError::invalid(field, format!("is longer than {NOTE_MAX_CHARS} characters")));
    }
    Ok(text.to_owned())
}

/// A URI or CURIE (`https://…`, `ovn:Network`): a scheme, a colon, no whitespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Uri(String);

impl Uri {
    /// Checks `text`; `field` names the input field in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let refuse =
            |why: &str| DomainError::invalid(field, format!("`{}` {why}", text.chars().take(80).collect::<String>()));
        if text.chars().count() > URI_MAX_CHARS {
            return Err(refuse(&format!("is longer than {URI_MAX_CHARS} characters")));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("contains whitespace"));
        }
        let Some((scheme, rest)) = text.split_once(':') else {
            return Err(refuse("has no scheme (expected e.g. `https://…` or `ovn:Network`)"));
        };
        let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok || rest.is_empty() {
            return Err(refuse("is not a URI"));
        }
        Ok(Self(text.to_owned()))
    }

    /// Checks a list of URIs (bounded, each checked).
    pub fn parse_list(field: &str, items: &[String]) -> Result<Vec<Self>, DomainError> {
        if items.len() > URI_LIST_MAX {
            return Err(DomainError::invalid(field, format!("has more than {URI_LIST_MAX} entries")));
        }
        items.iter().map(|item| Self::parse(field, item)).collect()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A record's revision, as vf-graphql's `revisionId`: the record id and a counter that grows
/// with every update. Updates and deletes name the revision they were made against; a stale
/// revision is a conflict (optimistic concurrency), not a silent overwrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision<Id> {
    /// The record.
    pub id: Id,
    /// 1 on creation, +1 per update.
    pub number: i64,
}

impl<Id: fmt::Display + Copy> Revision<Id> {
    /// The wire form: `{id}:{number}`.
    pub fn to_wire(&self) -> String {
        format!("{}:{}", self.id, self.number)
    }

    /// Parses the wire form, with `parse_id` for the id part.
    pub fn parse(text: &str, parse_id: impl Fn(&str) -> Result<Id, DomainError>) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::invalid(
                "revisionId",
                format!("`{}` is not a revision id", text.chars().take(80).collect::<String>()),
            )
        };
        let (id, number) = text.rsplit_once(':').ok_or_else(bad)?;
        let number: i64 = number.parse().map_err(|_| bad())?;
        if number < 1 {
            return Err(bad());
        }
        Ok(Self { id: parse_id(id)?, number })
    }
}

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

/// A unit of measure (OM2), with its optional OM2 identifier (`hour`, `kilogram`, `one`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Identity.
    pub id: UnitId,
    /// Current revision number.
    pub revision: i64,
    /// Human label ("hour").
    pub label: Name,
    /// Display symbol ("h").
    pub symbol: Name,
    /// OM2 identifier, when the unit maps onto one.
    pub om_unit_identifier: Option<String>,
}

/// A price or value per unit, as the OVN extension `defaultValuePerUnit` carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValuePerUnit {
    /// The amount, exact.
    pub value: Decimal,
    /// The unit of the amount (a currency unit).
    pub unit: Option<UnitId>,
}

/// A kind of resource (vf-graphql `ResourceSpecification`), with the OVN extension
/// `defaultValuePerUnit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSpecification {
    /// Identity.
    pub id: crate::ResourceSpecificationId,
    /// Current revision number.
    pub revision: i64,
    /// Name.
    pub name: Name,
    /// Picture.
    pub image: Option<Uri>,
    /// More pictures.
    pub image_list: Vec<Uri>,
    /// Classifications (taxonomy URIs).
    pub resource_classified_as: Vec<Uri>,
    /// Free text.
    pub note: Option<String>,
    /// Unit of the resource itself.
    pub default_unit_of_resource: Option<UnitId>,
    /// Unit of use or work.
    pub default_unit_of_effort: Option<UnitId>,
    /// Whether any resource of the kind can stand for any other.
    pub substitutable: Option<bool>,
    /// OVN: the value of one unit, used by value equations when a contribution declares none.
    pub default_value_per_unit: Option<ValuePerUnit>,
}

/// A kind of process (vf-graphql `ProcessSpecification`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSpecification {
    /// Identity.
    pub id: crate::ProcessSpecificationId,
    /// Current revision number.
    pub revision: i64,
    /// Name.
    pub name: Name,
    /// Free text.
    pub note: Option<String>,
}

/// A kind of relationship between agents ("is affiliate of" / "has affiliate").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRelationshipRole {
    /// Identity.
    pub id: crate::AgentRelationshipRoleId,
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
    pub id: crate::AgentRelationshipId,
    /// Current revision number.
    pub revision: i64,
    /// Who the relationship is of.
    pub subject: AgentId,
    /// Who it is with.
    pub object: AgentId,
    /// What kind of relationship.
    pub relationship: crate::AgentRelationshipRoleId,
    /// The accounting scopes it holds in.
    pub in_scope_of: Vec<AgentId>,
    /// Free text.
    pub note: Option<String>,
}

/// One field of an update, with vf-graphql's semantics: omitted keeps the value, `null`
/// erases it, a value replaces it (lists are replaced whole).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Leave as is (the field was omitted).
    #[default]
    Keep,
    /// Erase (the field was `null`).
    Clear,
    /// Replace.
    Set(T),
}

impl<T> Patch<T> {
    /// Applies the patch to an optional field.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Keep => current,
            Self::Clear => None,
            Self::Set(value) => Some(value),
        }
    }

    /// Applies the patch to a required field: erasing it is refused.
    pub fn apply_required(self, field: &str, current: T) -> Result<T, DomainError> {
        match self {
            Self::Keep => Ok(current),
            Self::Clear => Err(DomainError::invalid(field, "is required and cannot be erased")),
            Self::Set(value) => Ok(value),
        }
    }

    /// Converts the value inside, keeping `Keep`/`Clear`.
    pub fn try_map<U>(self, f: impl FnOnce(T) -> Result<U, DomainError>) -> Result<Patch<U>, DomainError> {
        Ok(match self {
            Self::Keep => Patch::Keep,
            Self::Clear => Patch::Clear,
            Self::Set(value) => Patch::Set(f(value)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_never_blank() {
        assert_eq!(Name::parse("name", "  Alice ").map(|n| n.as_str().to_owned()), Ok("Alice".into()));
        assert!(Name::parse("name", "   ").is_err());
        assert!(Name::parse("name", &"x".repeat(NAME_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn uris_need_a_scheme_and_no_whitespace() {
        for ok in ["ovn:Network", "https://example.org/a?b=c", "urn:isbn:123"] {
            assert!(Uri::parse("classifiedAs", ok).is_ok(), "{ok}");
        }
        for bad in ["Network", "has space:x", ":x", "1abc:x", "ovn:", ""] {
            assert!(Uri::parse("classifiedAs", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn revision_ids_round_trip_and_reject_garbage() {
        let id = AgentId::new();
        let revision = Revision { id, number: 7 };
        assert_eq!(Revision::parse(&revision.to_wire(), AgentId::parse), Ok(revision));
        assert!(Revision::parse(&id.to_string(), AgentId::parse).is_err());
        assert!(Revision::parse(&format!("{id}:0"), AgentId::parse).is_err());
    }

    #[test]
    fn agent_kinds_parse_from_cli_and_storage_spellings() {
        assert_eq!(AgentKind::parse("person"), Ok(AgentKind::Person));
        assert_eq!(AgentKind::parse("Organization"), Ok(AgentKind::Organization));
        assert!(AgentKind::parse("robot").is_err());
    }
}
