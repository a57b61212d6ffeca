//! Reads of value equations.

use async_graphql::{Context, ID, Object};
use ovn_domain::{AgentId, ValueEquationId};

use super::objects::{EquationStatus, ValueEquation};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;

/// Reads of value equations.
#[derive(Default)]
pub struct ValueQuery;

#[Object]
impl ValueQuery {
    /// OVN: one version of a value equation.
    async fn value_equation(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ValueEquation>> {
        Ok(ctx.load(parse_id(&id, ValueEquationId::parse)?).await?.map(ValueEquation))
    }

    /// OVN: the versions of a scope's value equation, newest first, of one status if given.
    async fn value_equations(
        &self,
        ctx: &Context<'_>,
        scope: ID,
        status: Option<EquationStatus>,
    ) -> Result<Vec<ValueEquation>> {
        let scope = parse_id(&scope, AgentId::parse)?;
        let found = ctx.store()?.value_equations_of(scope, status.map(Into::into)).await?;
        Ok(found.into_iter().map(ValueEquation).collect())
    }
}
