//! Writes of access rules: `setAccessRule`.

use async_graphql::{Context, ID, Object};
use ovn_domain::sharing::access::AccessTerms;
use ovn_domain::sharing::access_change::{AccessChange, target};
use ovn_domain::{EconomicResourceId, ResourceSpecificationId};

use super::inputs::AccessRuleParams;
use super::objects::{AccessRule, AccessRuleResponse};
use crate::context::ContextExt;
use crate::convert::opt_id;
use crate::error::Result;

/// Writes of access rules.
#[derive(Default)]
pub struct AccessRuleMutation;

#[Object]
impl AccessRuleMutation {
    /// OVN: writes the next version of the access rule of a resource or (exactly one of the
    /// two) of a resource specification. A private or pooled resource's rule is set by its
    /// owner (`primaryAccountable`); a specification's by a steward of the rule's scope. A
    /// NONDOMINIUM resource's rule is `FORBIDDEN` here: it changes only through a passed
    /// `CHANGE_ACCESS_RULE` governance proposal. Two changes made from the same version take
    /// turns; neither is lost.
    async fn set_access_rule(
        &self,
        ctx: &Context<'_>,
        resource: Option<ID>,
        resource_specification: Option<ID>,
        rule: AccessRuleParams,
    ) -> Result<AccessRuleResponse> {
        let actor = ctx.require_agent()?;
        let change = AccessChange {
            target: target(
                opt_id(&resource, EconomicResourceId::parse)?,
                opt_id(&resource_specification, ResourceSpecificationId::parse)?,
            )?,
            terms: AccessTerms::try_from(&rule)?,
        };
        let written = ctx.store()?.set_access_rule(actor, change).await?;
        Ok(AccessRuleResponse { access_rule: AccessRule(written) })
    }
}
