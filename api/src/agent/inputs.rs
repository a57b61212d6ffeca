//! The agent module's inputs, each converted into the store's command in one `TryFrom`.

use async_graphql::{ID, InputObject, MaybeUndefined};
use ovn_domain::agent::AgentProfile;
use ovn_domain::revision::Patch;
use ovn_domain::text::{Name, parse_note};
use ovn_domain::{AgentId, AgentRelationshipId, AgentRelationshipRoleId, DomainError};
use ovn_persistence::agent::{AgentPatch, RelationshipPatch, RolePatch};

use crate::convert::{Update, given, name, note, patch, revision, uri};
use crate::scalars::Uri;

/// A new person.
#[derive(InputObject)]
pub struct AgentCreateParams {
    /// An informal or formal textual identifier for an agent. Does not imply uniqueness.
    pub name: String,
    /// The uri to an image relevant to the agent.
    pub image: Option<Uri>,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to a person.
#[derive(InputObject)]
pub struct AgentUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// New name.
    pub name: MaybeUndefined<String>,
    /// New image (`null` erases).
    pub image: MaybeUndefined<Uri>,
    /// New note (`null` erases).
    pub note: MaybeUndefined<String>,
}

/// A new organization.
#[derive(InputObject)]
pub struct OrganizationCreateParams {
    /// An informal or formal textual identifier for an agent. Does not imply uniqueness.
    pub name: String,
    /// The uri to an image relevant to the agent.
    pub image: Option<Uri>,
    /// Classifications (`ovn:Network`, `ovn:Project`, …).
    pub classified_as: Option<Vec<Uri>>,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to an organization.
#[derive(InputObject)]
pub struct OrganizationUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// New name.
    pub name: MaybeUndefined<String>,
    /// New image (`null` erases).
    pub image: MaybeUndefined<Uri>,
    /// New classifications (replace the list).
    pub classified_as: MaybeUndefined<Vec<Uri>>,
    /// New note (`null` erases).
    pub note: MaybeUndefined<String>,
}

/// A new relationship.
#[derive(InputObject)]
pub struct AgentRelationshipCreateParams {
    /// (`Agent`) The subject.
    pub subject: ID,
    /// (`Agent`) The object.
    pub object: ID,
    /// (`AgentRelationshipRole`) The kind of relationship.
    pub relationship: ID,
    /// (`AccountingScope`) Scopes.
    pub in_scope_of: Option<Vec<ID>>,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to a relationship.
#[derive(InputObject)]
pub struct AgentRelationshipUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// (`Agent`) The subject.
    pub subject: MaybeUndefined<ID>,
    /// (`Agent`) The object.
    pub object: MaybeUndefined<ID>,
    /// (`AgentRelationshipRole`) The kind.
    pub relationship: MaybeUndefined<ID>,
    /// (`AccountingScope`) Scopes.
    pub in_scope_of: MaybeUndefined<Vec<ID>>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
}

/// A new role.
#[derive(InputObject)]
pub struct AgentRelationshipRoleCreateParams {
    /// From the subject to the object, e.g. 'is member of'.
    pub role_label: String,
    /// From the object to the subject, e.g. 'has member'.
    pub inverse_role_label: Option<String>,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to a role.
#[derive(InputObject)]
pub struct AgentRelationshipRoleUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// From the subject to the object.
    pub role_label: MaybeUndefined<String>,
    /// From the object to the subject.
    pub inverse_role_label: MaybeUndefined<String>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
}

impl TryFrom<AgentCreateParams> for AgentProfile {
    type Error = DomainError;

    fn try_from(person: AgentCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            name: name("name", &person.name)?,
            image: uri("image", &person.image)?,
            note: note(&person.note)?,
            classified_as: Vec::new(),
        })
    }
}

impl TryFrom<AgentUpdateParams> for Update<AgentId, AgentPatch> {
    type Error = DomainError;

    fn try_from(person: AgentUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&person.revision_id, AgentId::parse)?,
            changes: AgentPatch {
                name: patch(&person.name).try_map(|n| Name::parse("name", &n))?,
                image: patch(&person.image).try_map(|u| u.to_domain("image"))?,
                note: patch(&person.note).try_map(|n| parse_note("note", &n))?,
                classified_as: Patch::Keep,
            },
        })
    }
}

impl TryFrom<OrganizationCreateParams> for AgentProfile {
    type Error = DomainError;

    fn try_from(organization: OrganizationCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            name: name("name", &organization.name)?,
            image: uri("image", &organization.image)?,
            note: note(&organization.note)?,
            classified_as: Uri::list("classifiedAs", organization.classified_as.as_deref().unwrap_or_default())?,
        })
    }
}

impl TryFrom<OrganizationUpdateParams> for Update<AgentId, AgentPatch> {
    type Error = DomainError;

    fn try_from(organization: OrganizationUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&organization.revision_id, AgentId::parse)?,
            changes: AgentPatch {
                name: patch(&organization.name).try_map(|n| Name::parse("name", &n))?,
                image: patch(&organization.image).try_map(|u| u.to_domain("image"))?,
                note: patch(&organization.note).try_map(|n| parse_note("note", &n))?,
                classified_as: patch(&organization.classified_as).try_map(|list| Uri::list("classifiedAs", &list))?,
            },
        })
    }
}

fn agents(list: &[ID]) -> Result<Vec<AgentId>, DomainError> {
    list.iter().map(|id| AgentId::parse(id)).collect()
}

impl TryFrom<AgentRelationshipCreateParams> for RelationshipPatch {
    type Error = DomainError;

    fn try_from(relationship: AgentRelationshipCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            subject: Patch::Set(AgentId::parse(&relationship.subject)?),
            object: Patch::Set(AgentId::parse(&relationship.object)?),
            relationship: Patch::Set(AgentRelationshipRoleId::parse(&relationship.relationship)?),
            in_scope_of: given(&relationship.in_scope_of).try_map(|list| agents(&list))?,
            note: given(&relationship.note),
        })
    }
}

impl TryFrom<AgentRelationshipUpdateParams> for Update<AgentRelationshipId, RelationshipPatch> {
    type Error = DomainError;

    fn try_from(relationship: AgentRelationshipUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&relationship.revision_id, AgentRelationshipId::parse)?,
            changes: RelationshipPatch {
                subject: patch(&relationship.subject).try_map(|id| AgentId::parse(&id))?,
                object: patch(&relationship.object).try_map(|id| AgentId::parse(&id))?,
                relationship: patch(&relationship.relationship).try_map(|id| AgentRelationshipRoleId::parse(&id))?,
                in_scope_of: patch(&relationship.in_scope_of).try_map(|list| agents(&list))?,
                note: patch(&relationship.note),
            },
        })
    }
}

impl TryFrom<AgentRelationshipRoleCreateParams> for RolePatch {
    type Error = DomainError;

    fn try_from(role: AgentRelationshipRoleCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            role_label: Patch::Set(name("roleLabel", &role.role_label)?),
            inverse_role_label: given(&role.inverse_role_label).try_map(|l| Name::parse("inverseRoleLabel", &l))?,
            note: given(&note(&role.note)?),
        })
    }
}

impl TryFrom<AgentRelationshipRoleUpdateParams> for Update<AgentRelationshipRoleId, RolePatch> {
    type Error = DomainError;

    fn try_from(role: AgentRelationshipRoleUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&role.revision_id, AgentRelationshipRoleId::parse)?,
            changes: RolePatch {
                role_label: patch(&role.role_label).try_map(|l| Name::parse("roleLabel", &l))?,
                inverse_role_label: patch(&role.inverse_role_label).try_map(|l| Name::parse("inverseRoleLabel", &l))?,
                note: patch(&role.note).try_map(|n| parse_note("note", &n))?,
            },
        })
    }
}
