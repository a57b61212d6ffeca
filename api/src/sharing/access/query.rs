//! Reads of access rules: a rule's history.

use async_graphql::{Context, ID, Object};
use ovn_domain::sharing::access_change::target;
use ovn_domain::{EconomicResourceId, ResourceSpecificationId};

use super::objects::AccessRule;
use crate::context::ContextExt;
use crate::convert::opt_id;
use crate::error::Result;

/// Reads of access rules.
#[derive(Default)]
pub struct AccessRuleQuery;

#[Object]
impl AccessRuleQuery {
    /// OVN: every version of the access rule of a resource or (exactly one of the two) of a
    /// resource specification, oldest first; empty when none was ever set. A resource's own
    /// history only: the rule in force, its specification's when it has none of its own, is
    /// `EconomicResource.accessRules`.
    async fn access_rule_history(
        &self,
        ctx: &Context<'_>,
        resource: Option<ID>,
        resource_specification: Option<ID>,
    ) -> Result<Vec<AccessRule>> {
        let target = target(
            opt_id(&resource, EconomicResourceId::parse)?,
            opt_id(&resource_specification, ResourceSpecificationId::parse)?,
        )?;
        Ok(ctx.store()?.access_rule_history(target).await?.into_iter().map(AccessRule).collect())
    }
}
