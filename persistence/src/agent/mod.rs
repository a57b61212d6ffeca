//! The agent module: persons and organizations, relationship roles and relationships (and,
//! in [`network`], the OVN relationships the books' rules read). Every write is an
//! `…_in(txn, …)` function that composes into a larger transaction, with a thin [`Store`]
//! method that runs it alone.

pub(crate) mod network;

use std::collections::HashMap;

use chrono::Utc;
use futures::FutureExt;
use ovn_domain::agent::network::{OvnRole, Tie, check_new_tie, may_tie};
use ovn_domain::agent::{Agent, AgentKind, AgentProfile, AgentRelationship, AgentRelationshipRole};
use ovn_domain::{AgentId, AgentRelationshipId, AgentRelationshipRoleId, DomainError, Name, Patch, Revision, Uri};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{agent, agent_relationship, agent_relationship_role};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::page::{Page, PageRequest, paginate};
use crate::references::{Ref, References};
use crate::revisioned::{by_ids, delete_in, insert_in, locked_at, save_in, update_in};
use crate::rows::{Record, id};
use crate::store::Store;

/// Changes to an agent.
#[derive(Debug, Clone, Default)]
pub struct AgentPatch {
    /// Name.
    pub name: Patch<Name>,
    /// Image.
    pub image: Patch<Uri>,
    /// Note.
    pub note: Patch<String>,
    /// Classifications (organizations).
    pub classified_as: Patch<Vec<Uri>>,
}

/// A new or changed relationship role (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct RolePatch {
    /// Label from subject to object.
    pub role_label: Patch<Name>,
    /// Label from object to subject.
    pub inverse_role_label: Patch<Name>,
    /// Note.
    pub note: Patch<String>,
}

/// A new or changed relationship (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct RelationshipPatch {
    /// Subject.
    pub subject: Patch<AgentId>,
    /// Object.
    pub object: Patch<AgentId>,
    /// Role.
    pub relationship: Patch<AgentRelationshipRoleId>,
    /// Scopes.
    pub in_scope_of: Patch<Vec<AgentId>>,
    /// Note.
    pub note: Patch<String>,
}

/// Which relationships to list.
#[derive(Debug, Clone, Copy)]
pub enum RelationshipFilter {
    /// Every relationship.
    All,
    /// Where the agent is the subject.
    Subject(AgentId),
    /// Where the agent is the object.
    Object(AgentId),
    /// Where the agent is either.
    Either(AgentId),
    /// Of one role.
    Role(AgentRelationshipRoleId),
}

fn kind_name(kind: AgentKind) -> &'static str {
    if kind == AgentKind::Person { "person" } else { "organization" }
}

// ---------------------------------------------------------------- writes

/// Creates a person or an organization.
pub async fn create_agent_in(txn: &DatabaseTransaction, agent: &Agent) -> Result<()> {
    insert_in(txn, agent, Utc::now()).await
}

/// Changes an agent's profile at `revision`; the agent must be of `kind`.
pub async fn update_agent_in(
    txn: &DatabaseTransaction,
    kind: AgentKind,
    revision: Revision<AgentId>,
    patch: AgentPatch,
) -> Result<Agent> {
    update_in(txn, revision, move |mut current: Agent| {
        if current.kind != kind {
            return Err(PersistenceError::not_found(kind_name(kind), revision.id));
        }
        let profile = current.profile;
        current.profile = AgentProfile {
            name: patch.name.apply_required("name", profile.name)?,
            image: patch.image.apply(profile.image),
            note: patch.note.apply(profile.note),
            classified_as: patch.classified_as.apply(Some(profile.classified_as)).unwrap_or_default(),
        };
        Ok(current)
    })
    .await
}

/// Deletes an agent of `kind` at `revision`; refused while anything refers to it.
pub async fn delete_agent_in(txn: &DatabaseTransaction, kind: AgentKind, revision: Revision<AgentId>) -> Result<()> {
    delete_in(txn, revision, |current: &Agent| {
        if current.kind == kind { Ok(()) } else { Err(PersistenceError::not_found("agent", revision.id)) }
    })
    .await
}

/// Creates a relationship role.
pub async fn create_role_in(txn: &DatabaseTransaction, role: &AgentRelationshipRole) -> Result<()> {
    insert_in(txn, role, Utc::now()).await
}

/// Changes a relationship role at `revision`.
pub async fn update_role_in(
    txn: &DatabaseTransaction,
    revision: Revision<AgentRelationshipRoleId>,
    patch: RolePatch,
) -> Result<AgentRelationshipRole> {
    refuse_seeded(revision.id)?;
    update_in(txn, revision, move |current: AgentRelationshipRole| {
        Ok(AgentRelationshipRole {
            role_label: patch.role_label.apply_required("roleLabel", current.role_label)?,
            inverse_role_label: patch.inverse_role_label.apply(current.inverse_role_label),
            note: patch.note.apply(current.note),
            ..current
        })
    })
    .await
}

/// Deletes a relationship role at `revision`; refused while relationships use it.
pub async fn delete_role_in(txn: &DatabaseTransaction, revision: Revision<AgentRelationshipRoleId>) -> Result<()> {
    refuse_seeded(revision.id)?;
    delete_in(txn, revision, |_: &AgentRelationshipRole| Ok(())).await
}

fn relationship_references(relationship: &AgentRelationship) -> References {
    let mut references = References::new();
    references
        .add("subject", Some(Ref::Agent(relationship.subject)))
        .add("object", Some(Ref::Agent(relationship.object)))
        .add("relationship", Some(Ref::Role(relationship.relationship)))
        .add_all("inScopeOf", relationship.in_scope_of.iter().copied().map(Ref::Agent));
    references
}

/// The seeded OVN roles are what the books' rules read: nobody renames or deletes them.
fn refuse_seeded(role: AgentRelationshipRoleId) -> Result<()> {
    match OvnRole::of(role) {
        Some(role) => Err(DomainError::Forbidden(format!(
            "`{}` is one of the OVN roles ovn's rules rely on; it cannot be changed or deleted",
            role.label()
        ))
        .into()),
        None => Ok(()),
    }
}

/// The OVN tie a relationship states, if its role is one of the OVN roles.
fn tie(relationship: &AgentRelationship) -> Option<Tie> {
    OvnRole::of(relationship.relationship).map(|role| Tie {
        subject: relationship.subject,
        role,
        object: relationship.object,
    })
}

/// Checks the OVN rules for `actor` ending `old` and stating `new` (either may be absent or
/// not an OVN relationship): who may ([`may_tie`]) and the network's shape ([`check_new_tie`]).
async fn check_ties(txn: &DatabaseTransaction, actor: AgentId, old: Option<Tie>, new: Option<Tie>) -> Result<()> {
    if old.is_none() && new.is_none() {
        return Ok(());
    }
    let agents: Vec<AgentId> = [Some(actor), new.map(|t| t.subject)].into_iter().flatten().collect();
    let objects: Vec<AgentId> = [old, new].into_iter().flatten().map(|t| t.object).collect();
    let mut ties = network::ties_around(txn, &agents, &objects).await?;
    if let Some(old) = old {
        may_tie(actor, old, true, &ties)?;
        ties.remove(&old);
    }
    if let Some(new) = new {
        may_tie(actor, new, false, &ties)?;
        check_new_tie(new, &ties).map_err(PersistenceError::from_state)?;
    }
    Ok(())
}

/// Creates a relationship; every agent and the role it names must exist, and an OVN
/// relationship must pass the network's rules for `actor`.
pub async fn create_relationship_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    relationship: &AgentRelationship,
) -> Result<()> {
    relationship_references(relationship).check(txn).await?;
    check_ties(txn, actor, None, tie(relationship)).await?;
    insert_in(txn, relationship, Utc::now()).await
}

/// Changes a relationship at `revision` (for an OVN relationship, as ending the old one and
/// stating the new).
pub async fn update_relationship_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<AgentRelationshipId>,
    patch: RelationshipPatch,
) -> Result<AgentRelationship> {
    let current = locked_at::<AgentRelationship>(txn, revision).await?;
    let next = AgentRelationship {
        subject: patch.subject.apply_required("subject", current.subject)?,
        object: patch.object.apply_required("object", current.object)?,
        relationship: patch.relationship.apply_required("relationship", current.relationship)?,
        in_scope_of: patch.in_scope_of.apply(Some(current.in_scope_of.clone())).unwrap_or_default(),
        note: patch.note.apply(current.note.clone()),
        ..current.clone()
    };
    relationship_references(&next).check(txn).await?;
    let (old, new) = (tie(&current), tie(&next));
    if old != new {
        check_ties(txn, actor, old, new).await?;
    }
    save_in(txn, revision, next).await
}

/// Deletes a relationship at `revision` (an OVN one by its subject or a steward of its object).
pub async fn delete_relationship_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<AgentRelationshipId>,
) -> Result<()> {
    let current = locked_at::<AgentRelationship>(txn, revision).await?;
    check_ties(txn, actor, tie(&current), None).await?;
    delete_in(txn, revision, |_: &AgentRelationship| Ok(())).await
}

impl Store {
    /// Creates a person or an organization.
    pub async fn create_agent(
        &self,
        kind: AgentKind,
        profile: AgentProfile,
        idem: Option<&Idempotency>,
    ) -> Result<Agent> {
        let agent = Agent { id: AgentId::new(), revision: 1, kind, profile };
        let id = agent.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_agent_in(txn, &agent).await.map(|()| agent) }.boxed()
            })
            .await?;
        self.created(outcome, Agent::KIND, async |store: &Store, id| store.agent(id).await).await
    }

    /// Updates an agent's profile at the given revision.
    pub async fn update_agent(&self, kind: AgentKind, revision: Revision<AgentId>, patch: AgentPatch) -> Result<Agent> {
        self.write(move |txn| update_agent_in(txn, kind, revision, patch).boxed()).await
    }

    /// Deletes an agent at the given revision; refused while anything refers to it.
    pub async fn delete_agent(&self, kind: AgentKind, revision: Revision<AgentId>) -> Result<()> {
        self.write(move |txn| delete_agent_in(txn, kind, revision).boxed()).await
    }

    /// One agent.
    pub async fn agent(&self, id: AgentId) -> Result<Option<Agent>> {
        Ok(self.agents_by_id(&[id]).await?.remove(&id))
    }

    /// Whether an agent exists (one primary-key lookup).
    pub async fn agent_exists(&self, id: AgentId) -> Result<bool> {
        // The id only: this runs on every authenticated request.
        let found: Option<String> = agent::Entity::find_by_id(id.to_string())
            .select_only()
            .column(agent::Column::Id)
            .into_tuple()
            .one(self.connection())
            .await?;
        Ok(found.is_some())
    }

    /// Many agents in one query (DataLoader batches).
    pub async fn agents_by_id(&self, ids: &[AgentId]) -> Result<HashMap<AgentId, Agent>> {
        by_ids(self.connection(), agent::Column::Id, ids).await
    }

    /// A page of agents, optionally of one kind.
    pub async fn agents(&self, kind: Option<AgentKind>, page: &PageRequest) -> Result<Page<Agent>> {
        let mut select = agent::Entity::find();
        if let Some(kind) = kind {
            select = select.filter(agent::Column::Kind.eq(kind.as_str()));
        }
        paginate(self.connection(), select, agent::Column::Id, page).await?.try_map(Agent::from_row)
    }

    /// Creates a relationship role (`roleLabel` must be set).
    pub async fn create_relationship_role(
        &self,
        patch: RolePatch,
        idem: Option<&Idempotency>,
    ) -> Result<AgentRelationshipRole> {
        let Patch::Set(role_label) = patch.role_label else {
            return Err(DomainError::invalid("roleLabel", "is required").into());
        };
        let role = AgentRelationshipRole {
            id: AgentRelationshipRoleId::new(),
            revision: 1,
            role_label,
            inverse_role_label: patch.inverse_role_label.apply(None),
            note: patch.note.apply(None),
        };
        let id = role.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_role_in(txn, &role).await.map(|()| role) }.boxed()
            })
            .await?;
        self.created(outcome, AgentRelationshipRole::KIND, async |store: &Store, id| {
            Ok(store.relationship_roles_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// Updates a relationship role.
    pub async fn update_relationship_role(
        &self,
        revision: Revision<AgentRelationshipRoleId>,
        patch: RolePatch,
    ) -> Result<AgentRelationshipRole> {
        self.write(move |txn| update_role_in(txn, revision, patch).boxed()).await
    }

    /// Deletes a relationship role; refused while relationships use it.
    pub async fn delete_relationship_role(&self, revision: Revision<AgentRelationshipRoleId>) -> Result<()> {
        self.write(move |txn| delete_role_in(txn, revision).boxed()).await
    }

    /// Many roles in one query.
    pub async fn relationship_roles_by_id(
        &self,
        ids: &[AgentRelationshipRoleId],
    ) -> Result<HashMap<AgentRelationshipRoleId, AgentRelationshipRole>> {
        by_ids(self.connection(), agent_relationship_role::Column::Id, ids).await
    }

    /// A page of roles.
    pub async fn relationship_roles(&self, page: &PageRequest) -> Result<Page<AgentRelationshipRole>> {
        paginate(self.connection(), agent_relationship_role::Entity::find(), agent_relationship_role::Column::Id, page)
            .await?
            .try_map(AgentRelationshipRole::from_row)
    }

    /// Creates a relationship (subject, object and relationship must be set).
    pub async fn create_relationship(
        &self,
        actor: AgentId,
        patch: RelationshipPatch,
        idem: Option<&Idempotency>,
    ) -> Result<AgentRelationship> {
        let (Patch::Set(subject), Patch::Set(object), Patch::Set(role)) =
            (patch.subject, patch.object, patch.relationship)
        else {
            return Err(DomainError::invalid("relationship", "subject, object and relationship are required").into());
        };
        let relationship = AgentRelationship {
            id: AgentRelationshipId::new(),
            revision: 1,
            subject,
            object,
            relationship: role,
            in_scope_of: patch.in_scope_of.apply(None).unwrap_or_default(),
            note: patch.note.apply(None),
        };
        let id = relationship.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_relationship_in(txn, actor, &relationship).await.map(|()| relationship) }.boxed()
            })
            .await?;
        self.created(outcome, AgentRelationship::KIND, async |store: &Store, id| {
            Ok(store.relationships_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// Updates a relationship.
    pub async fn update_relationship(
        &self,
        actor: AgentId,
        revision: Revision<AgentRelationshipId>,
        patch: RelationshipPatch,
    ) -> Result<AgentRelationship> {
        self.write(move |txn| update_relationship_in(txn, actor, revision, patch).boxed()).await
    }

    /// Deletes a relationship.
    pub async fn delete_relationship(&self, actor: AgentId, revision: Revision<AgentRelationshipId>) -> Result<()> {
        self.write(move |txn| delete_relationship_in(txn, actor, revision).boxed()).await
    }

    /// Many relationships in one query.
    pub async fn relationships_by_id(
        &self,
        ids: &[AgentRelationshipId],
    ) -> Result<HashMap<AgentRelationshipId, AgentRelationship>> {
        by_ids(self.connection(), agent_relationship::Column::Id, ids).await
    }

    /// A page of relationships, optionally those of one agent (as subject, object or either)
    /// or of one role.
    pub async fn relationships(
        &self,
        filter: RelationshipFilter,
        page: &PageRequest,
    ) -> Result<Page<AgentRelationship>> {
        use agent_relationship::Column as C;
        let select = agent_relationship::Entity::find();
        let select = match filter {
            RelationshipFilter::All => select,
            RelationshipFilter::Subject(agent) => select.filter(C::Subject.eq(agent.to_string())),
            RelationshipFilter::Object(agent) => select.filter(C::Object.eq(agent.to_string())),
            RelationshipFilter::Either(agent) => select
                .filter(Condition::any().add(C::Subject.eq(agent.to_string())).add(C::Object.eq(agent.to_string()))),
            RelationshipFilter::Role(role) => select.filter(C::Relationship.eq(role.to_string())),
        };
        paginate(self.connection(), select, C::Id, page).await?.try_map(AgentRelationship::from_row)
    }

    /// The distinct roles an agent takes part in (as subject or object).
    pub async fn roles_of_agent(&self, agent: AgentId) -> Result<Vec<AgentRelationshipRole>> {
        use agent_relationship::Column as C;
        let rows = agent_relationship::Entity::find()
            .filter(Condition::any().add(C::Subject.eq(agent.to_string())).add(C::Object.eq(agent.to_string())))
            .all(self.connection())
            .await?;
        let mut ids: Vec<AgentRelationshipRoleId> =
            rows.iter().map(|r| id(&r.relationship, AgentRelationshipRoleId::parse)).collect::<Result<_>>()?;
        ids.sort();
        ids.dedup();
        let found = self.relationship_roles_by_id(&ids).await?;
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
    }
}
