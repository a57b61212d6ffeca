//! Reads of shared resources: money pools.

use async_graphql::{Context, ID, Object};
use ovn_domain::{AgentId, EconomicResourceId};

use super::objects::MoneyPool;
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;
use crate::loaders::PoolKey;

/// Reads of shared resources.
#[derive(Default)]
pub struct SharingQuery;

#[Object]
impl SharingQuery {
    /// OVN: one money pool, by its resource's id; null when that resource is no pool.
    async fn money_pool(&self, ctx: &Context<'_>, id: ID) -> Result<Option<MoneyPool>> {
        let key = PoolKey(parse_id(&id, EconomicResourceId::parse)?);
        Ok(ctx.load(key).await?.map(MoneyPool))
    }

    /// OVN: the money pools of a scope, oldest first.
    async fn money_pools(&self, ctx: &Context<'_>, scope: ID) -> Result<Vec<MoneyPool>> {
        let scope = parse_id(&scope, AgentId::parse)?;
        Ok(ctx.store()?.money_pools_of(scope).await?.into_iter().map(MoneyPool).collect())
    }
}
