//! Writes of shared resources: opening a money pool.

use async_graphql::{Context, Object};
use ovn_domain::sharing::pool::NewMoneyPool;

use super::inputs::MoneyPoolCreateParams;
use super::objects::{MoneyPool, MoneyPoolResponse};
use crate::context::ContextExt;
use crate::convert::idempotency;
use crate::error::Result;

/// Writes of shared resources.
#[derive(Default)]
pub struct SharingMutation;

#[Object]
impl SharingMutation {
    /// OVN: opens a money pool in a project's scope: an empty currency resource held by the
    /// custodian of a network the project is part of, made by a steward of the scope or by the
    /// custodian. Deposits are transfers into it (`toResourceInventoriedAs`), received by the
    /// custodian in the pool's scope, and never wait for its consent; money leaves it only
    /// through a passed `ALLOCATE_FROM_POOL` proposal (any other event out of it is
    /// `FORBIDDEN`).
    async fn create_money_pool(
        &self,
        ctx: &Context<'_>,
        pool: MoneyPoolCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<MoneyPoolResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createMoneyPool", &pool)?;
        let new = NewMoneyPool::try_from(pool)?;
        let (pool, _) = ctx.store()?.create_money_pool(actor, new, idem.as_ref()).await?;
        Ok(MoneyPoolResponse { money_pool: MoneyPool(pool) })
    }
}
