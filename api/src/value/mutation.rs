//! Writes of value equations: a draft is created by an affiliate or a steward of its scope,
//! changed or deleted by its author or a steward; a frozen version is a `CONFLICT`.

use async_graphql::{Context, ID, Object};
use ovn_domain::ValueEquationId;
use ovn_domain::value::equation::EquationDraft;
use ovn_persistence::value::EquationPatch;

use super::inputs::{ValueEquationCreateParams, ValueEquationUpdateParams};
use super::objects::{ValueEquation, ValueEquationResponse};
use crate::context::ContextExt;
use crate::convert::{Update, idempotency, revision};
use crate::error::Result;

/// Writes of value equations.
#[derive(Default)]
pub struct ValueMutation;

#[Object]
impl ValueMutation {
    /// OVN: drafts the next version of a scope's value equation; the token's agent must be an
    /// affiliate or a steward of the scope.
    async fn create_value_equation(
        &self,
        ctx: &Context<'_>,
        equation: ValueEquationCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<ValueEquationResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createValueEquation", &equation)?;
        let created =
            ctx.store()?.create_value_equation(actor, EquationDraft::try_from(equation)?, idem.as_ref()).await?;
        Ok(ValueEquationResponse { value_equation: ValueEquation(created) })
    }

    /// OVN: changes a draft version (its author or a steward of its scope); new buckets
    /// replace all of them.
    async fn update_value_equation(
        &self,
        ctx: &Context<'_>,
        equation: ValueEquationUpdateParams,
    ) -> Result<ValueEquationResponse> {
        let actor = ctx.require_agent()?;
        let Update { revision, changes } = Update::<ValueEquationId, EquationPatch>::try_from(equation)?;
        let updated = ctx.store()?.update_value_equation(actor, revision, changes).await?;
        Ok(ValueEquationResponse { value_equation: ValueEquation(updated) })
    }

    /// OVN: deletes a draft version that no proposal names.
    async fn delete_value_equation(&self, ctx: &Context<'_>, revision_id: ID) -> Result<bool> {
        let actor = ctx.require_agent()?;
        ctx.store()?.delete_value_equation(actor, revision(&revision_id, ValueEquationId::parse)?).await?;
        Ok(true)
    }
}
