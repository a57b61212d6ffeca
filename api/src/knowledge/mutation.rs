//! Writes of the knowledge layer. Any authenticated agent may define units and
//! specifications; a create takes an optional `idempotencyKey`.

use async_graphql::{Context, ID, Object};
use ovn_domain::{ProcessSpecificationId, ResourceSpecificationId, UnitId};
use ovn_persistence::knowledge::{NewUnit, ProcessSpecificationPatch, ResourceSpecificationPatch, UnitPatch};

use super::inputs::{
    ProcessSpecificationCreateParams, ProcessSpecificationUpdateParams, ResourceSpecificationCreateParams,
    ResourceSpecificationUpdateParams, UnitCreateParams, UnitUpdateParams,
};
use super::objects::{
    ProcessSpecification, ProcessSpecificationResponse, ResourceSpecification, ResourceSpecificationResponse, Unit,
    UnitResponse,
};
use crate::context::ContextExt;
use crate::convert::{Update, idempotency, revision};
use crate::error::Result;

/// Writes of the knowledge layer.
#[derive(Default)]
pub struct KnowledgeMutation;

#[Object]
impl KnowledgeMutation {
    /// Defines a unit; the same label and symbol twice give the same unit.
    async fn create_unit(
        &self,
        ctx: &Context<'_>,
        unit: UnitCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<UnitResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createUnit", &unit)?;
        let outcome = ctx.store()?.create_unit(NewUnit::try_from(unit)?, idem.as_ref()).await?;
        Ok(UnitResponse { unit: Unit(outcome) })
    }

    /// Changes a unit.
    async fn update_unit(&self, ctx: &Context<'_>, unit: UnitUpdateParams) -> Result<UnitResponse> {
        ctx.require_agent()?;
        let Update { revision, changes } = Update::<UnitId, UnitPatch>::try_from(unit)?;
        Ok(UnitResponse { unit: Unit(ctx.store()?.update_unit(revision, changes).await?) })
    }

    /// Removes a unit (refused while anything is measured in it).
    async fn delete_unit(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        ctx.store()?.delete_unit(revision(&revision_id, UnitId::parse)?).await?;
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
        let idem = idempotency(actor, idempotency_key, "createProcessSpecification", &process_specification)?;
        let command = ProcessSpecificationPatch::try_from(process_specification)?;
        let outcome = ctx.store()?.create_process_specification(command, idem.as_ref()).await?;
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
        let Update { revision, changes } =
            Update::<ProcessSpecificationId, ProcessSpecificationPatch>::try_from(process_specification)?;
        let spec = ctx.store()?.update_process_specification(revision, changes).await?;
        Ok(ProcessSpecificationResponse { process_specification: ProcessSpecification(spec) })
    }

    /// Removes a kind of process (refused while processes are based on it).
    async fn delete_process_specification(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        ctx.store()?.delete_process_specification(revision(&revision_id, ProcessSpecificationId::parse)?).await?;
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
        let idem = idempotency(actor, idempotency_key, "createResourceSpecification", &resource_specification)?;
        let command = ResourceSpecificationPatch::try_from(resource_specification)?;
        let outcome = ctx.store()?.create_resource_specification(command, idem.as_ref()).await?;
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
        let Update { revision, changes } =
            Update::<ResourceSpecificationId, ResourceSpecificationPatch>::try_from(resource_specification)?;
        let spec = ctx.store()?.update_resource_specification(revision, changes).await?;
        Ok(ResourceSpecificationResponse { resource_specification: ResourceSpecification(spec) })
    }

    /// Removes a kind of resource (refused while resources conform to it).
    async fn delete_resource_specification(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        ctx.require_agent()?;
        ctx.store()?.delete_resource_specification(revision(&revision_id, ResourceSpecificationId::parse)?).await?;
        Ok(true)
    }
}
