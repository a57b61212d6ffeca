//! Reads of the knowledge layer: units, process specifications, resource specifications.

use async_graphql::{Context, ID, Object};
use ovn_domain::{ProcessSpecificationId, ResourceSpecificationId, UnitId};

use super::objects::{
    ProcessSpecification, ProcessSpecificationConnection, ResourceSpecification, ResourceSpecificationConnection, Unit,
    UnitConnection,
};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;
use crate::pagination::page_request;

/// Reads of the knowledge layer.
#[derive(Default)]
pub struct KnowledgeQuery;

#[Object]
impl KnowledgeQuery {
    /// One unit.
    async fn unit(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Unit>> {
        Ok(ctx.load(parse_id(&id, UnitId::parse)?).await?.map(Unit))
    }

    /// All units.
    async fn units(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<UnitConnection> {
        let page = ctx.store()?.units(&page_request(ctx, first, after, last, before)).await?;
        Ok(UnitConnection::from_page(page, Unit))
    }

    /// One process specification.
    async fn process_specification(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ProcessSpecification>> {
        Ok(ctx.load(parse_id(&id, ProcessSpecificationId::parse)?).await?.map(ProcessSpecification))
    }

    /// All process specifications.
    async fn process_specifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProcessSpecificationConnection> {
        let page = ctx.store()?.process_specifications(&page_request(ctx, first, after, last, before)).await?;
        Ok(ProcessSpecificationConnection::from_page(page, ProcessSpecification))
    }

    /// One resource specification.
    async fn resource_specification(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ResourceSpecification>> {
        Ok(ctx.load(parse_id(&id, ResourceSpecificationId::parse)?).await?.map(ResourceSpecification))
    }

    /// All resource specifications.
    async fn resource_specifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ResourceSpecificationConnection> {
        let page = ctx.store()?.resource_specifications(&page_request(ctx, first, after, last, before)).await?;
        Ok(ResourceSpecificationConnection::from_page(page, ResourceSpecification))
    }
}
