//! The root `Mutation`. Every mutation needs a valid bearer token, runs as one transaction in
//! the store, and every create takes an optional `idempotencyKey`.
//!
//! Who may change what (until stewardship arrives with agent relationships): any
//! authenticated agent may create people, organizations, units, specifications, roles and
//! relationships; a person's profile may be changed or deleted only by that person.

use async_graphql::{Context, ID, InputType, Object};
use ovn_domain::agent::{AgentKind, AgentProfile};
use ovn_domain::knowledge::ValuePerUnit;
use ovn_domain::revision::{Patch, Revision};
use ovn_domain::text::{Name, parse_note};
use ovn_domain::{
    AgentId, AgentRelationshipId, AgentRelationshipRoleId, DomainError, ProcessSpecificationId,
    ResourceSpecificationId, UnitId,
};
use ovn_persistence::Idempotency;
use ovn_persistence::agent::{AgentPatch, RelationshipPatch, RolePatch};
use ovn_persistence::knowledge::{NewUnit, ProcessSpecificationPatch, ResourceSpecificationPatch, UnitPatch};
use sha2::{Digest, Sha256};

use crate::context::ContextExt;
use crate::error::{ApiError, Result, gql};
use crate::scalars::Uri;
use crate::types::agent::*;
use crate::types::knowledge::*;
use crate::types::{given, patch};

/// Builds the idempotency record of a create from its key and its input.
pub fn idempotency<T: InputType>(
    agent: AgentId,
    key: Option<String>,
    operation: &'static str,
    input: &T,
) -> Result<Option<Idempotency>> {
    idempotency_of(agent, key, operation, input.to_value())
}

/// Same as [`idempotency`], over an already converted input value.
pub fn idempotency_of(
    agent: AgentId,
    key: Option<String>,
    operation: &'static str,
    input: async_graphql::Value,
) -> Result<Option<Idempotency>> {
    let Some(key) = key else { return Ok(None) };
    // The fingerprint is a digest of the input as GraphQL coerced it (defaults filled in,
    // field order fixed by the type), so a retry matches whatever whitespace or key order
    // the client used.
    let canonical = input.into_json().map_err(|e| gql(DomainError::invalid("input", e.to_string())))?;
    let digest = hex::encode(Sha256::digest(canonical.to_string().as_bytes()));
    Idempotency::new(agent, &key, operation, digest).map(Some).map_err(gql)
}

fn name(field: &str, text: &str) -> Result<Name> {
    Name::parse(field, text).map_err(gql)
}

fn note(text: &Option<String>) -> Result<Option<String>> {
    text.as_deref().map(|t| parse_note("note", t)).transpose().map_err(gql)
}

fn uri_opt(field: &str, uri: &Option<Uri>) -> Result<Option<ovn_domain::text::Uri>> {
    uri.as_ref().map(|u| u.to_domain(field)).transpose().map_err(gql)
}

fn revision<T: Copy + std::fmt::Display>(
    id: &ID,
    parse: impl Fn(&str) -> std::result::Result<T, DomainError>,
) -> Result<Revision<T>> {
    Revision::parse(id.as_str(), parse).map_err(gql)
}

fn value_per_unit(measure: &crate::types::IMeasure) -> Result<ValuePerUnit> {
    let m = measure.to_domain().map_err(gql)?;
    Ok(ValuePerUnit { value: m.has_numerical_value, unit: m.has_unit })
}

/// Writes of the knowledge layer and the agent module.
#[derive(Default)]
pub struct KnowledgeMutation;

#[Object]
impl KnowledgeMutation {
    /// Registers a new (human) person with the collaboration space.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        person: AgentCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<PersonResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createPerson", &person)?;
        let profile = AgentProfile {
            name: name("name", &person.name)?,
            image: uri_opt("image", &person.image)?,
            note: note(&person.note)?,
            classified_as: Vec::new(),
        };
        let outcome = ctx.store()?.create_agent(AgentKind::Person, profile, idem.as_ref()).await.map_err(gql)?;
        let agent = outcome;
        Ok(PersonResponse { agent: Person(agent) })
    }

    /// Update profile details.
    async fn update_person(&self, ctx: &Context<'_>, person: AgentUpdateParams) -> Result<PersonResponse> {
        let actor = ctx.require_agent()?;
        let revision = revision(&person.revision_id, AgentId::parse)?;
        if revision.id != actor {
            return Err(gql(ApiError::Forbidden("only a person may change their own profile".into())));
        }
        let changes = AgentPatch {
            name: patch(&person.name).try_map(|n| Name::parse("name", &n)).map_err(gql)?,
            image: patch(&person.image).try_map(|u| u.to_domain("image")).map_err(gql)?,
            note: patch(&person.note).try_map(|n| parse_note("note", &n)).map_err(gql)?,
            classified_as: Patch::Keep,
        };
        let agent = ctx.store()?.update_agent(AgentKind::Person, revision, changes).await.map_err(gql)?;
        Ok(PersonResponse { agent: Person(agent) })
    }

    /// Erase record of a person and thus remove them from the collaboration space.
    async fn delete_person(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        let revision = revision(&revision_id, AgentId::parse)?;
        if revision.id != actor {
            return Err(gql(ApiError::Forbidden("only a person may delete their own record".into())));
        }
        ctx.store()?.delete_agent(AgentKind::Person, revision).await.map_err(gql)?;
        Ok(true)
    }

    /// Registers a new organization (group agent) with the collaboration space.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        organization: OrganizationCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<OrganizationResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createOrganization", &organization)?;
        let profile = AgentProfile {
            name: name("name", &organization.name)?,
            image: uri_opt("image", &organization.image)?,
            note: note(&organization.note)?,
            classified_as: Uri::list("classifiedAs", organization.classified_as.as_deref().unwrap_or_default())
                .map_err(gql)?,
        };
        let outcome = ctx.store()?.create_agent(AgentKind::Organization, profile, idem.as_ref()).await.map_err(gql)?;
        let agent = outcome;
        Ok(OrganizationResponse { agent: Organization(agent) })
    }

    /// Update organization profile details.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        organization: OrganizationUpdateParams,
    ) -> Result<OrganizationResponse> {
        ctx.require_agent()?;
        let revision = revision(&organization.revision_id, AgentId::parse)?;
        let changes = AgentPatch {
            name: patch(&organization.name).try_map(|n| Name::parse("name", &n)).map_err(gql)?,
            image: patch(&organization.image).try_map(|u| u.to_domain("image")).map_err(gql)?,
            note: patch(&organization.note).try_map(|n| parse_note("note", &n)).map_err(gql)?,
            classified_as: patch(&organization.classified_as)
                .try_map(|list| Uri::list("classifiedAs", &list))
                .map_err(gql)?,
        };
        let agent = ctx.store()?.update_agent(AgentKind::Organization, revision, changes).await.map_err(gql)?;
        Ok(OrganizationResponse { agent: Organization(agent) })
    }

    /// Erase record of an organization (refused while anything refers to it).
    async fn delete_organization(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        let revision = revision(&revision_id, AgentId::parse)?;
        ctx.store()?.delete_agent(AgentKind::Organization, revision).await.map_err(gql)?;
        Ok(true)
    }

    /// Relates two agents.
    async fn create_agent_relationship(
        &self,
        ctx: &Context<'_>,
        relationship: AgentRelationshipCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<AgentRelationshipResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createAgentRelationship", &relationship)?;
        let command = RelationshipPatch {
            subject: Patch::Set(AgentId::parse(&relationship.subject).map_err(gql)?),
            object: Patch::Set(AgentId::parse(&relationship.object).map_err(gql)?),
            relationship: Patch::Set(AgentRelationshipRoleId::parse(&relationship.relationship).map_err(gql)?),
            in_scope_of: given(&relationship.in_scope_of)
                .try_map(|list| list.iter().map(|id| AgentId::parse(id)).collect())
                .map_err(gql)?,
            note: given(&relationship.note),
        };
        let store = ctx.store()?;
        let outcome = store.create_relationship(command, idem.as_ref()).await.map_err(gql)?;
        let created = outcome;
        Ok(AgentRelationshipResponse { agent_relationship: AgentRelationship(created) })
    }

    /// Changes a relationship.
    async fn update_agent_relationship(
        &self,
        ctx: &Context<'_>,
        relationship: AgentRelationshipUpdateParams,
    ) -> Result<AgentRelationshipResponse> {
        ctx.require_agent()?;
        let revision = revision(&relationship.revision_id, AgentRelationshipId::parse)?;
        let command = RelationshipPatch {
            subject: patch(&relationship.subject).try_map(|id| AgentId::parse(&id)).map_err(gql)?,
            object: patch(&relationship.object).try_map(|id| AgentId::parse(&id)).map_err(gql)?,
            relationship: patch(&relationship.relationship)
                .try_map(|id| AgentRelationshipRoleId::parse(&id))
                .map_err(gql)?,
            in_scope_of: patch(&relationship.in_scope_of)
                .try_map(|list| list.iter().map(|id| AgentId::parse(id)).collect())
                .map_err(gql)?,
            note: patch(&relationship.note),
        };
        let updated = ctx.store()?.update_relationship(revision, command).await.map_err(gql)?;
        Ok(AgentRelationshipResponse { agent_relationship: AgentRelationship(updated) })
    }

    /// Removes a relationship.
    async fn delete_agent_relationship(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        let revision = revision(&revision_id, AgentRelationshipId::parse)?;
        ctx.store()?.delete_relationship(revision).await.map_err(gql)?;
        Ok(true)
    }

    /// Defines a kind of relationship.
    async fn create_agent_relationship_role(
        &self,
        ctx: &Context<'_>,
        agent_relationship_role: AgentRelationshipRoleCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<AgentRelationshipRoleResponse> {
        let actor = ctx.require_agent()?;
        let input = &agent_relationship_role;
        let idem = idempotency(actor, idempotency_key, "createAgentRelationshipRole", input)?;
        let command = RolePatch {
            role_label: Patch::Set(name("roleLabel", &input.role_label)?),
            inverse_role_label: given(&input.inverse_role_label)
                .try_map(|l| Name::parse("inverseRoleLabel", &l))
                .map_err(gql)?,
            note: given(&note(&input.note)?),
        };
        let outcome = ctx.store()?.create_relationship_role(command, idem.as_ref()).await.map_err(gql)?;
        let role = outcome;
        Ok(AgentRelationshipRoleResponse { agent_relationship_role: Some(AgentRelationshipRole(role)) })
    }

    /// Changes a kind of relationship.
    async fn update_agent_relationship_role(
        &self,
        ctx: &Context<'_>,
        agent_relationship_role: AgentRelationshipRoleUpdateParams,
    ) -> Result<AgentRelationshipRoleResponse> {
        ctx.require_agent()?;
        let input = &agent_relationship_role;
        let revision = revision(&input.revision_id, AgentRelationshipRoleId::parse)?;
        let command = RolePatch {
            role_label: patch(&input.role_label).try_map(|l| Name::parse("roleLabel", &l)).map_err(gql)?,
            inverse_role_label: patch(&input.inverse_role_label)
                .try_map(|l| Name::parse("inverseRoleLabel", &l))
                .map_err(gql)?,
            note: patch(&input.note).try_map(|n| parse_note("note", &n)).map_err(gql)?,
        };
        let role = ctx.store()?.update_relationship_role(revision, command).await.map_err(gql)?;
        Ok(AgentRelationshipRoleResponse { agent_relationship_role: Some(AgentRelationshipRole(role)) })
    }

    /// Removes a kind of relationship (refused while relationships use it).
    async fn delete_agent_relationship_role(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        let revision = revision(&revision_id, AgentRelationshipRoleId::parse)?;
        ctx.store()?.delete_relationship_role(revision).await.map_err(gql)?;
        Ok(true)
    }

    /// Defines a unit; the same label and symbol twice give the same unit.
    async fn create_unit(
        &self,
        ctx: &Context<'_>,
        unit: UnitCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<UnitResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createUnit", &unit)?;
        let command = NewUnit {
            label: name("label", &unit.label)?,
            symbol: name("symbol", &unit.symbol)?,
            om_unit_identifier: unit.om_unit_identifier.clone(),
        };
        let outcome = ctx.store()?.create_unit(command, idem.as_ref()).await.map_err(gql)?;
        let unit = outcome;
        Ok(UnitResponse { unit: Unit(unit) })
    }

    /// Changes a unit.
    async fn update_unit(&self, ctx: &Context<'_>, unit: UnitUpdateParams) -> Result<UnitResponse> {
        ctx.require_agent()?;
        let revision = revision(&unit.revision_id, UnitId::parse)?;
        let command = UnitPatch {
            label: patch(&unit.label).try_map(|l| Name::parse("label", &l)).map_err(gql)?,
            symbol: patch(&unit.symbol).try_map(|s| Name::parse("symbol", &s)).map_err(gql)?,
            om_unit_identifier: patch(&unit.om_unit_identifier),
        };
        let unit = ctx.store()?.update_unit(revision, command).await.map_err(gql)?;
        Ok(UnitResponse { unit: Unit(unit) })
    }

    /// Removes a unit (refused while anything is measured in it).
    async fn delete_unit(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        ctx.store()?.delete_unit(revision(&revision_id, UnitId::parse)?).await.map_err(gql)?;
        Ok(true)
    }

    /// Defines a kind of process.
    async fn create_process_specification(
        &self,
        ctx: &Context<'_>,
        process_specification: ProcessSpecificationCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<ProcessSpecificationResponse> {
        let actor = ctx.require_agent()?;
        let input = &process_specification;
        let idem = idempotency(actor, idempotency_key, "createProcessSpecification", input)?;
        let command = ProcessSpecificationPatch {
            name: Patch::Set(name("name", &input.name)?),
            note: given(&note(&input.note)?),
        };
        let outcome = ctx.store()?.create_process_specification(command, idem.as_ref()).await.map_err(gql)?;
        let spec = outcome;
        Ok(ProcessSpecificationResponse { process_specification: ProcessSpecification(spec) })
    }

    /// Changes a kind of process.
    async fn update_process_specification(
        &self,
        ctx: &Context<'_>,
        process_specification: ProcessSpecificationUpdateParams,
    ) -> Result<ProcessSpecificationResponse> {
        ctx.require_agent()?;
        let input = &process_specification;
        let revision = revision(&input.revision_id, ProcessSpecificationId::parse)?;
        let command = ProcessSpecificationPatch {
            name: patch(&input.name).try_map(|n| Name::parse("name", &n)).map_err(gql)?,
            note: patch(&input.note).try_map(|n| parse_note("note", &n)).map_err(gql)?,
        };
        let spec = ctx.store()?.update_process_specification(revision, command).await.map_err(gql)?;
        Ok(ProcessSpecificationResponse { process_specification: ProcessSpecification(spec) })
    }

    /// Removes a kind of process (refused while processes are based on it).
    async fn delete_process_specification(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        let revision = revision(&revision_id, ProcessSpecificationId::parse)?;
        ctx.store()?.delete_process_specification(revision).await.map_err(gql)?;
        Ok(true)
    }

    /// Defines a kind of resource.
    async fn create_resource_specification(
        &self,
        ctx: &Context<'_>,
        resource_specification: ResourceSpecificationCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<ResourceSpecificationResponse> {
        let actor = ctx.require_agent()?;
        let input = &resource_specification;
        let idem = idempotency(actor, idempotency_key, "createResourceSpecification", input)?;
        let command = ResourceSpecificationPatch {
            name: Patch::Set(name("name", &input.name)?),
            image: given(&uri_opt("image", &input.image)?),
            image_list: given(&input.image_list).try_map(|l| Uri::list("imageList", &l)).map_err(gql)?,
            resource_classified_as: given(&input.resource_classified_as)
                .try_map(|l| Uri::list("resourceClassifiedAs", &l))
                .map_err(gql)?,
            note: given(&note(&input.note)?),
            default_unit_of_resource: given(&input.default_unit_of_resource)
                .try_map(|id| UnitId::parse(&id))
                .map_err(gql)?,
            default_unit_of_effort: given(&input.default_unit_of_effort)
                .try_map(|id| UnitId::parse(&id))
                .map_err(gql)?,
            substitutable: given(&input.substitutable),
            default_value_per_unit: match &input.default_value_per_unit {
                Some(m) => Patch::Set(value_per_unit(m)?),
                None => Patch::Keep,
            },
        };
        let outcome = ctx.store()?.create_resource_specification(command, idem.as_ref()).await.map_err(gql)?;
        let spec = outcome;
        Ok(ResourceSpecificationResponse { resource_specification: ResourceSpecification(spec) })
    }

    /// Changes a kind of resource.
    async fn update_resource_specification(
        &self,
        ctx: &Context<'_>,
        resource_specification: ResourceSpecificationUpdateParams,
    ) -> Result<ResourceSpecificationResponse> {
        ctx.require_agent()?;
        let input = &resource_specification;
        let revision = revision(&input.revision_id, ResourceSpecificationId::parse)?;
        let command = ResourceSpecificationPatch {
            name: patch(&input.name).try_map(|n| Name::parse("name", &n)).map_err(gql)?,
            image: patch(&input.image).try_map(|u| u.to_domain("image")).map_err(gql)?,
            image_list: patch(&input.image_list).try_map(|l| Uri::list("imageList", &l)).map_err(gql)?,
            resource_classified_as: patch(&input.resource_classified_as)
                .try_map(|l| Uri::list("resourceClassifiedAs", &l))
                .map_err(gql)?,
            note: patch(&input.note).try_map(|n| parse_note("note", &n)).map_err(gql)?,
            default_unit_of_resource: patch(&input.default_unit_of_resource)
                .try_map(|id| UnitId::parse(&id))
                .map_err(gql)?,
            default_unit_of_effort: patch(&input.default_unit_of_effort)
                .try_map(|id| UnitId::parse(&id))
                .map_err(gql)?,
            substitutable: patch(&input.substitutable),
            default_value_per_unit: match &input.default_value_per_unit {
                async_graphql::MaybeUndefined::Undefined => Patch::Keep,
                async_graphql::MaybeUndefined::Null => Patch::Clear,
                async_graphql::MaybeUndefined::Value(m) => Patch::Set(value_per_unit(m)?),
            },
        };
        let spec = ctx.store()?.update_resource_specification(revision, command).await.map_err(gql)?;
        Ok(ResourceSpecificationResponse { resource_specification: ResourceSpecification(spec) })
    }

    /// Removes a kind of resource (refused while resources conform to it).
    async fn delete_resource_specification(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        let revision = revision(&revision_id, ResourceSpecificationId::parse)?;
        ctx.store()?.delete_resource_specification(revision).await.map_err(gql)?;
        Ok(true)
    }
}

use ovn_domain::observation::NewEvent;
use ovn_domain::observation::{EventDetails, ResourceDetails};
use ovn_domain::{Action as DomainAction, EconomicEventId, EconomicResourceId, ProcessId};
use ovn_persistence::observation::{EventPatch, ProcessPatch, RecordEvent, ResourcePatch};

use crate::types::observation::{
    EconomicEvent, EconomicEventCreateParams, EconomicEventResponse, EconomicEventUpdateParams, EconomicResource,
    EconomicResourceCreateParams, EconomicResourceResponse, EconomicResourceUpdateParams, Process, ProcessCreateParams,
    ProcessResponse, ProcessUpdateParams,
};

fn opt_id<T>(id: &Option<ID>, parse: impl Fn(&str) -> std::result::Result<T, DomainError>) -> Result<Option<T>> {
    id.as_ref().map(|id| parse(id.as_str())).transpose().map_err(gql)
}

fn id_list<T>(ids: &Option<Vec<ID>>, parse: impl Fn(&str) -> std::result::Result<T, DomainError>) -> Result<Vec<T>> {
    ids.iter().flatten().map(|id| parse(id.as_str())).collect::<std::result::Result<_, _>>().map_err(gql)
}

fn measure(m: &Option<crate::types::IMeasure>) -> Result<Option<ovn_domain::Measure>> {
    m.as_ref().map(|m| m.to_domain()).transpose().map_err(gql)
}

/// Turns the vf-graphql inputs of `createEconomicEvent` into the domain command.
fn record_command(
    event: &EconomicEventCreateParams,
    new_resource: Option<&EconomicResourceCreateParams>,
) -> Result<RecordEvent> {
    let action = DomainAction::parse(event.action.as_str()).map_err(gql)?;
    let mut core = NewEvent::new(
        action,
        AgentId::parse(&event.provider).map_err(gql)?,
        AgentId::parse(&event.receiver).map_err(gql)?,
    );
    core.resource_inventoried_as = opt_id(&event.resource_inventoried_as, EconomicResourceId::parse)?;
    core.to_resource_inventoried_as = opt_id(&event.to_resource_inventoried_as, EconomicResourceId::parse)?;
    core.resource_quantity = measure(&event.resource_quantity)?;
    core.effort_quantity = measure(&event.effort_quantity)?;
    core.input_of = opt_id(&event.input_of, ProcessId::parse)?;
    core.output_of = opt_id(&event.output_of, ProcessId::parse)?;
    core.at_location = event.at_location.clone();
    core.to_location = event.to_location.clone();
    core.state = event.state.clone();
    core.corrects = opt_id(&event.corrects, EconomicEventId::parse)?;
    core.creates_resource = new_resource.is_some();
    let details = EventDetails {
        resource_classified_as: Uri::list(
            "resourceClassifiedAs",
            event.resource_classified_as.as_deref().unwrap_or_default(),
        )
        .map_err(gql)?,
        resource_conforms_to: opt_id(&event.resource_conforms_to, ResourceSpecificationId::parse)?,
        has_beginning: event.has_beginning,
        has_end: event.has_end,
        has_point_in_time: event.has_point_in_time,
        note: note(&event.note)?,
        agreed_in: uri_opt("agreedIn", &event.agreed_in)?,
        triggered_by: opt_id(&event.triggered_by, EconomicEventId::parse)?,
        declared_value: measure(&event.declared_value)?,
        in_scope_of: id_list(&event.in_scope_of, AgentId::parse)?,
    };
    let new_resource = match new_resource {
        None => None,
        Some(r) => Some(ResourceDetails {
            name: r.name.clone(),
            conforms_to: opt_id(&r.conforms_to, ResourceSpecificationId::parse)?,
            classified_as: Uri::list("classifiedAs", r.classified_as.as_deref().unwrap_or_default()).map_err(gql)?,
            tracking_identifier: r.tracking_identifier.clone(),
            image: uri_opt("image", &r.image)?,
            image_list: Uri::list("imageList", r.image_list.as_deref().unwrap_or_default()).map_err(gql)?,
            note: note(&r.note)?,
            unit_of_effort: None,
            property_regime: r.property_regime.map(Into::into).unwrap_or_default(),
            value_per_unit_of_use: measure(&r.value_per_unit_of_use)?
                .map(|m| m.non_negative("valuePerUnitOfUse"))
                .transpose()
                .map_err(gql)?,
        }),
    };
    if new_resource.is_some() && event.corrects.is_some() {
        return Err(gql(DomainError::invalid("newInventoriedResource", "a correction never creates a resource")));
    }
    Ok(RecordEvent { core, details, new_resource, new_resource_id: None })
}

/// Writes of the observation and process modules.
#[derive(Default)]
pub struct ObservationMutation;

#[Object]
impl ObservationMutation {
    /// Records an economic event, and creates `newInventoriedResource` when given (the only
    /// way a resource comes into being). The token's agent must be the provider or the
    /// receiver.
    async fn create_economic_event(
        &self,
        ctx: &Context<'_>,
        event: EconomicEventCreateParams,
        new_inventoried_resource: Option<EconomicResourceCreateParams>,
        idempotency_key: Option<String>,
    ) -> Result<EconomicEventResponse> {
        let actor = ctx.require_agent()?;
        let fingerprint = async_graphql::Value::List(vec![event.to_value(), new_inventoried_resource.to_value()]);
        let idem = idempotency_of(actor, idempotency_key, "createEconomicEvent", fingerprint)?;
        let command = record_command(&event, new_inventoried_resource.as_ref())?;
        let recorded = ctx.store()?.record_event(actor, command, idem.as_ref()).await.map_err(gql)?;
        Ok(EconomicEventResponse {
            economic_event: EconomicEvent(recorded.event),
            economic_resource: recorded.resource.map(EconomicResource),
        })
    }

    /// Changes an event's note and links (never its quantities, agents, action or resources:
    /// record a correcting event for those).
    async fn update_economic_event(
        &self,
        ctx: &Context<'_>,
        event: EconomicEventUpdateParams,
    ) -> Result<EconomicEventResponse> {
        let actor = ctx.require_agent()?;
        let revision = revision(&event.revision_id, EconomicEventId::parse)?;
        let changes = EventPatch {
            note: patch(&event.note).try_map(|n| parse_note("note", &n)).map_err(gql)?,
            agreed_in: patch(&event.agreed_in).try_map(|u| u.to_domain("agreedIn")).map_err(gql)?,
            triggered_by: patch(&event.triggered_by).try_map(|id| EconomicEventId::parse(&id)).map_err(gql)?,
        };
        let updated = ctx.store()?.update_event(actor, revision, changes).await.map_err(gql)?;
        let economic_resource = match updated.core.resource_inventoried_as {
            Some(resource) => ctx.load(resource).await?.map(EconomicResource),
            None => None,
        };
        Ok(EconomicEventResponse { economic_event: EconomicEvent(updated), economic_resource })
    }

    /// Changes a resource's non-economic fields (its quantities change only through events).
    async fn update_economic_resource(
        &self,
        ctx: &Context<'_>,
        resource: EconomicResourceUpdateParams,
    ) -> Result<EconomicResourceResponse> {
        let actor = ctx.require_agent()?;
        let revision = revision(&resource.revision_id, EconomicResourceId::parse)?;
        let changes = ResourcePatch {
            name: patch(&resource.name),
            classified_as: patch(&resource.classified_as).try_map(|l| Uri::list("classifiedAs", &l)).map_err(gql)?,
            image: patch(&resource.image).try_map(|u| u.to_domain("image")).map_err(gql)?,
            image_list: patch(&resource.image_list).try_map(|l| Uri::list("imageList", &l)).map_err(gql)?,
            contained_in: patch(&resource.contained_in).try_map(|id| EconomicResourceId::parse(&id)).map_err(gql)?,
            unit_of_effort: patch(&resource.unit_of_effort).try_map(|id| UnitId::parse(&id)).map_err(gql)?,
            note: patch(&resource.note).try_map(|n| parse_note("note", &n)).map_err(gql)?,
            property_regime: patch(&resource.property_regime).try_map(|r| Ok(r.into())).map_err(gql)?,
            value_per_unit_of_use: patch(&resource.value_per_unit_of_use)
                .try_map(|m| m.to_domain().and_then(|m| m.non_negative("valuePerUnitOfUse")))
                .map_err(gql)?,
        };
        let updated = ctx.store()?.update_resource(actor, revision, changes).await.map_err(gql)?;
        Ok(EconomicResourceResponse { economic_resource: EconomicResource(updated) })
    }

    /// Creates a process.
    async fn create_process(
        &self,
        ctx: &Context<'_>,
        process: ProcessCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<ProcessResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createProcess", &process)?;
        let command = ProcessPatch {
            name: Patch::Set(name("name", &process.name)?),
            has_beginning: given(&process.has_beginning),
            has_end: given(&process.has_end),
            finished: given(&process.finished),
            note: given(&note(&process.note)?),
            classified_as: given(&process.classified_as).try_map(|l| Uri::list("classifiedAs", &l)).map_err(gql)?,
            in_scope_of: Patch::Set(id_list(&process.in_scope_of, AgentId::parse)?),
            based_on: given(&opt_id(&process.based_on, ProcessSpecificationId::parse)?),
        };
        let outcome = ctx.store()?.create_process(command, idem.as_ref()).await.map_err(gql)?;
        let created = outcome;
        Ok(ProcessResponse { process: Process(created) })
    }

    /// Changes a process.
    async fn update_process(&self, ctx: &Context<'_>, process: ProcessUpdateParams) -> Result<ProcessResponse> {
        ctx.require_agent()?;
        let revision = revision(&process.revision_id, ProcessId::parse)?;
        let command = ProcessPatch {
            name: patch(&process.name).try_map(|n| Name::parse("name", &n)).map_err(gql)?,
            has_beginning: patch(&process.has_beginning),
            has_end: patch(&process.has_end),
            finished: patch(&process.finished),
            note: patch(&process.note).try_map(|n| parse_note("note", &n)).map_err(gql)?,
            classified_as: patch(&process.classified_as).try_map(|l| Uri::list("classifiedAs", &l)).map_err(gql)?,
            in_scope_of: patch(&process.in_scope_of)
                .try_map(|l| l.iter().map(|id| AgentId::parse(id)).collect())
                .map_err(gql)?,
            based_on: patch(&process.based_on).try_map(|id| ProcessSpecificationId::parse(&id)).map_err(gql)?,
        };
        let updated = ctx.store()?.update_process(revision, command).await.map_err(gql)?;
        Ok(ProcessResponse { process: Process(updated) })
    }

    /// Deletes a process that has no recorded events.
    async fn delete_process(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        ctx.require_agent()?;
        let id = ProcessId::parse(&id).map_err(gql)?;
        ctx.store()?.delete_process(id).await.map_err(gql)?;
        Ok(true)
    }
}
