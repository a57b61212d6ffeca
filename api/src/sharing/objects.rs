//! `MoneyPool`, its balance and its history.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use ovn_domain::governance::ProposalStatus;
use ovn_domain::sharing::pool::{MoneyPool as DomainPool, PoolFlow};
use ovn_persistence::PersistenceError;
use ovn_persistence::sharing::PoolEntry;

use crate::agent::objects::{Agent, load_agent};
use crate::context::ContextExt;
use crate::error::Result;
use crate::governance::objects::{GovernanceProposal, GovernanceProposalStatus};
use crate::knowledge::objects::Measure;
use crate::loaders::{PoolHistoryOf, PoolProposalsOf};
use crate::observation::objects::{EconomicEvent, EconomicResource};
use crate::scalars::DateTime;

/// OVN: a money pool (crowdfunding, a grant, a project's kitty): a currency resource held by
/// the network's custodian in a project's scope. Deposits are cash contributions; money
/// leaves only through a passed `ALLOCATE_FROM_POOL` proposal.
#[derive(Debug, Clone)]
pub struct MoneyPool(pub DomainPool);

impl MoneyPool {
    async fn loaded_resource(&self, ctx: &Context<'_>) -> Result<EconomicResource> {
        let found = ctx.load(self.0.resource).await?.map(EconomicResource);
        Ok(found.ok_or_else(|| PersistenceError::not_found("economic resource", self.0.resource))?)
    }
}

#[Object]
impl MoneyPool {
    /// The pool's id: its resource's.
    async fn id(&self) -> ID {
        ID(self.0.resource.to_string())
    }

    /// The currency resource that holds the money.
    async fn resource(&self, ctx: &Context<'_>) -> Result<EconomicResource> {
        self.loaded_resource(ctx).await
    }

    /// The resource's name.
    async fn name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.loaded_resource(ctx).await?.0.details.name)
    }

    /// What it holds now (its resource's `accountingQuantity`, in its unit): the deposits less
    /// the allocations paid. Never below zero.
    async fn balance(&self, ctx: &Context<'_>) -> Result<Measure> {
        let resource = self.loaded_resource(ctx).await?.0;
        Ok(Measure(ovn_domain::Measure::new(resource.state.accounting_quantity, resource.state.unit)))
    }

    /// The project (or network) whose contributors decide what it pays.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.scope).await
    }

    /// The agent `custodianOf` the network, who holds it.
    async fn custodian(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.custodian).await
    }

    /// When it was opened.
    async fn created(&self) -> DateTime {
        self.0.created
    }

    /// Who opened it.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.created_by).await
    }

    /// Every deposit and every paid allocation, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<MoneyPoolEntry>> {
        let entries = ctx.load(PoolHistoryOf(self.0.resource)).await?.unwrap_or_default();
        Ok(entries.into_iter().map(MoneyPoolEntry).collect())
    }

    /// The `ALLOCATE_FROM_POOL` proposals on it, newest first, of one status if given.
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        status: Option<GovernanceProposalStatus>,
    ) -> Result<Vec<GovernanceProposal>> {
        let status: Option<ProposalStatus> = status.map(Into::into);
        let found = ctx.load(PoolProposalsOf(self.0.resource)).await?.unwrap_or_default();
        Ok(found.into_iter().filter(|p| status.is_none_or(|s| p.status == s)).map(GovernanceProposal).collect())
    }
}

/// OVN: which way money moved in a pool's history.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyPoolFlow {
    /// Money in: a transfer into the pool (a cash contribution when an affiliate made it).
    Deposit,
    /// Money out: the transfer a passed `ALLOCATE_FROM_POOL` proposal wrote.
    Allocation,
}

/// OVN: one deposit into, or allocation out of, a money pool.
#[derive(Debug, Clone)]
pub struct MoneyPoolEntry(pub PoolEntry);

#[Object]
impl MoneyPoolEntry {
    /// Money in or out.
    async fn flow(&self) -> MoneyPoolFlow {
        match self.0.flow {
            PoolFlow::Allocation => MoneyPoolFlow::Allocation,
            PoolFlow::Deposit | PoolFlow::None => MoneyPoolFlow::Deposit,
        }
    }

    /// How much moved.
    async fn amount(&self) -> Option<Measure> {
        self.0.event.core.resource_quantity.map(Measure)
    }

    /// The event that moved it.
    async fn event(&self) -> EconomicEvent {
        EconomicEvent(self.0.event.clone())
    }

    /// The proposal an allocation carried out.
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Option<GovernanceProposal>> {
        match self.0.proposal {
            Some(id) => {
                let found = ctx.load(id).await?.map(GovernanceProposal);
                Ok(Some(found.ok_or_else(|| PersistenceError::not_found("governance proposal", id))?))
            }
            None => Ok(None),
        }
    }
}

/// OVN: what `createMoneyPool` answers.
#[derive(SimpleObject)]
pub struct MoneyPoolResponse {
    /// The pool opened.
    pub money_pool: MoneyPool,
}
