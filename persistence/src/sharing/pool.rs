//! Money pools: opening one (its currency resource and its `money_pool` row, in one
//! transaction), the check every event write makes against the pools it names, paying a passed
//! allocation under the pool's row lock, and the batched reads behind `moneyPool`,
//! `moneyPools` and a pool's history. The rules are [`ovn_domain::sharing::pool`].
//!
//! Why the allocation is race-free: the transfer is written in the transaction that decides
//! the proposal, after `SELECT … FOR UPDATE` on the pool's resource row (PostgreSQL), so a
//! second allocation deciding at the same moment waits for the first to commit and then reads
//! the balance it left. SQLite has one writer at a time, so decisions already take turns there.
//! The books refuse a balance below zero in any case; the lock turns what would be an error
//! into a proposal decided `FAILED` with the reason.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::governance::GovernanceProposal;
use ovn_domain::knowledge::ResourceSpecification;
use ovn_domain::observation::{
    EconomicEvent, EconomicResource, EventDetails, NewEvent, PropertyRegime, ResourceDetails, ResourceState,
};
use ovn_domain::sharing::pool::{
    Allocation, MoneyPool, NewMoneyPool, PoolFlow, allocation_event, check_currency, check_event, custodian_for,
    may_create, shortfall,
};
use ovn_domain::{AgentId, EconomicEventId, EconomicResourceId, GovernanceProposalId};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::agent::network::ties_around;
use crate::entity::{economic_event, economic_resource, governance_proposal, money_pool, resource_specification};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::observation::RecordEvent;
use crate::observation::events_with_scopes;
use crate::observation::record::{Consent, record_with};
use crate::references::{Ref, References};
use crate::revisioned::{IN_LIST_MAX, insert_in, rows_by_ids};
use crate::rows::{Record, id};
use crate::store::Store;
use crate::value::equations::scope_in;

/// One entry of a pool's history: a deposit, or the transfer that paid an allocation with the
/// proposal that voted it.
#[derive(Debug, Clone)]
pub struct PoolEntry {
    /// The event that moved the money.
    pub event: EconomicEvent,
    /// Whether money came in or went out.
    pub flow: PoolFlow,
    /// The proposal an allocation carried out.
    pub proposal: Option<GovernanceProposalId>,
}

fn pool_from(row: money_pool::Model) -> Result<MoneyPool> {
    Ok(MoneyPool {
        resource: id(&row.resource, EconomicResourceId::parse)?,
        scope: id(&row.scope, AgentId::parse)?,
        custodian: id(&row.custodian, AgentId::parse)?,
        created: row.created,
        created_by: id(&row.created_by, AgentId::parse)?,
    })
}

fn pool_row(pool: &MoneyPool, now: DateTime<Utc>) -> money_pool::ActiveModel {
    money_pool::ActiveModel {
        resource: Set(pool.resource.to_string()),
        scope: Set(pool.scope.to_string()),
        custodian: Set(pool.custodian.to_string()),
        created: Set(pool.created),
        created_by: Set(pool.created_by.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// The pools among `resources`, by resource.
pub(crate) async fn pools_in<C: ConnectionTrait>(
    conn: &C,
    resources: &[EconomicResourceId],
) -> Result<HashMap<EconomicResourceId, MoneyPool>> {
    rows_by_ids::<money_pool::Entity, _, _>(conn, money_pool::Column::Resource, resources)
        .await?
        .into_iter()
        .map(|row| pool_from(row).map(|pool| (pool.resource, pool)))
        .collect()
}

/// Checks `event`, about to be recorded in `scopes`, against the pools it names
/// ([`check_event`]); `voted` when a passed allocation writes it. `pools` holds the pools
/// among the resources of the events being recorded ([`pools_in`]: one indexed lookup for a
/// whole batch).
pub(crate) fn check_event_among(
    event: &NewEvent,
    scopes: &[AgentId],
    pools: &HashMap<EconomicResourceId, MoneyPool>,
    voted: bool,
) -> Result<PoolFlow> {
    if pools.is_empty() {
        return Ok(PoolFlow::None);
    }
    let from = event.resource_inventoried_as.and_then(|r| pools.get(&r));
    let to = event.to_resource_inventoried_as.filter(|r| Some(*r) != event.resource_inventoried_as);
    Ok(check_event(event, scopes, from, to.and_then(|r| pools.get(&r)), voted)?)
}

/// `createMoneyPool` inside the caller's transaction: `actor` opens a pool in `new.scope` at
/// `now`, as the empty currency resource `resource`, held by the custodian.
pub async fn create_pool_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    resource: EconomicResourceId,
    new: NewMoneyPool,
    now: DateTime<Utc>,
) -> Result<(MoneyPool, EconomicResource)> {
    scope_in(txn, new.scope, false).await?;
    let mut references = References::new();
    references.add("unit", Some(Ref::Unit(new.unit))).add("custodian", new.custodian.map(Ref::Agent));
    references.check(txn).await?;
    let spec =
        resource_specification::Entity::find_by_id(new.conforms_to.to_string()).one(txn).await?.ok_or_else(|| {
            ovn_domain::DomainError::invalid(
                "conformsTo",
                format!("resource specification `{}` does not exist", new.conforms_to),
            )
        })?;
    check_currency(&ResourceSpecification::from_row(spec)?)?;
    // The officers above the scope name the candidates; their own ties say whether one is
    // also an affiliate (which a custodian must not be).
    let mut ties = ties_around(txn, &[actor], &[new.scope]).await?;
    let candidates: BTreeSet<AgentId> = ties
        .iter()
        .filter(|t| t.role == ovn_domain::agent::network::OvnRole::CustodianOf)
        .map(|t| t.subject)
        .chain(new.custodian)
        .collect();
    let candidates: Vec<AgentId> = candidates.into_iter().collect();
    ties.extend(crate::agent::network::ties_of(txn, &candidates).await?);
    let custodian = custodian_for(new.scope, new.custodian, &ties)?;
    may_create(actor, new.scope, custodian, &ties)?;
    let state = ResourceState {
        primary_accountable: Some(custodian),
        custodian: Some(custodian),
        ..ResourceState::empty(Some(new.unit))
    };
    let details = ResourceDetails {
        name: Some(new.name.as_str().to_owned()),
        conforms_to: Some(new.conforms_to),
        note: new.note,
        // Held by the custodian for the network, owned by nobody.
        property_regime: PropertyRegime::Nondominium,
        ..ResourceDetails::default()
    };
    let resource = EconomicResource { id: resource, revision: 1, state, details, conforms_to: new.conforms_to };
    insert_in(txn, &resource, now).await?;
    let pool = MoneyPool { resource: resource.id, scope: new.scope, custodian, created: now, created_by: actor };
    money_pool::Entity::insert(pool_row(&pool, now)).exec_without_returning(txn).await?;
    Ok((pool, resource))
}

/// The pool an allocation names, which must be one (`BAD_INPUT` on `pool`), and its resource.
pub(crate) async fn allocation_pool_in(
    txn: &DatabaseTransaction,
    pool: EconomicResourceId,
) -> Result<(MoneyPool, EconomicResource)> {
    let found = pools_in(txn, &[pool]).await?.remove(&pool).ok_or_else(|| {
        ovn_domain::DomainError::invalid("pool", format!("economic resource `{pool}` is not a money pool"))
    })?;
    let resource = economic_resource::Entity::find_by_id(pool.to_string())
        .one(txn)
        .await?
        .ok_or_else(|| PersistenceError::Corrupt(format!("money pool {pool} has no resource")))?;
    Ok((found, EconomicResource::from_row(resource)?))
}

/// Carries out the passed allocation of `proposal` at `now`, in the deciding transaction:
/// locks the pool's resource row, and either writes the transfer (returning its id) or, when
/// the pool holds less than the amount, returns why nothing was paid.
pub async fn allocate_in(
    txn: &DatabaseTransaction,
    proposal: &GovernanceProposal,
    allocation: Allocation,
    now: DateTime<Utc>,
) -> Result<std::result::Result<EconomicEventId, String>> {
    let pool = pools_in(txn, &[allocation.pool])
        .await?
        .remove(&allocation.pool)
        .ok_or_else(|| PersistenceError::Corrupt(format!("proposal {} names no money pool", proposal.id)))?;
    let row = economic_resource::Entity::find_by_id(allocation.pool.to_string())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| PersistenceError::Corrupt(format!("money pool {} has no resource", allocation.pool)))?;
    let resource = EconomicResource::from_row(row)?;
    // A pool is never lent out (nothing but a vote moves it), so both balances agree; the
    // smaller is what it can pay.
    let balance = resource.state.accounting_quantity.min(resource.state.onhand_quantity);
    if let Some(reason) = shortfall(balance, allocation.amount.has_numerical_value) {
        return Ok(Err(reason));
    }
    let details = EventDetails {
        resource_conforms_to: Some(resource.conforms_to),
        in_scope_of: vec![pool.scope],
        note: Some(format!("allocated from the pool by governance proposal {}", proposal.id)),
        ..EventDetails::default()
    };
    let command = RecordEvent {
        core: allocation_event(&pool, &allocation),
        details,
        new_resource: None,
        new_resource_id: None,
        new_resource_container: None,
    };
    let event = EconomicEventId::new();
    let locks_rows = txn.get_database_backend() == DbBackend::Postgres;
    record_with(txn, locks_rows, pool.custodian, event, command, &[], now, Consent::Voted).await?;
    Ok(Ok(event))
}

/// The events that act on `resources` (from them or into them) with their scopes, oldest
/// first: the history of a pool, or of a resource's custody.
pub(crate) async fn events_on_in<C: ConnectionTrait>(
    conn: &C,
    resources: &[EconomicResourceId],
) -> Result<Vec<EconomicEvent>> {
    let ids: Vec<String> = resources.iter().map(ToString::to_string).collect();
    let rows = economic_event::Entity::find()
        .filter(
            Condition::any()
                .add(economic_event::Column::ResourceInventoriedAs.is_in(ids.clone()))
                .add(economic_event::Column::ToResourceInventoriedAs.is_in(ids)),
        )
        .order_by_asc(economic_event::Column::CreatedAt)
        .order_by_asc(economic_event::Column::Id)
        .all(conn)
        .await?;
    events_with_scopes(conn, rows).await
}

/// The history of many pools, by pool: every event into or out of each, oldest first, an
/// allocation with the proposal it paid. Three queries whatever the number of pools.
async fn history_of<C: ConnectionTrait>(
    conn: &C,
    pools: &[EconomicResourceId],
) -> Result<HashMap<EconomicResourceId, Vec<PoolEntry>>> {
    let mut found: HashMap<EconomicResourceId, Vec<PoolEntry>> = HashMap::new();
    for chunk in pools.chunks(IN_LIST_MAX / 2) {
        let events = events_on_in(conn, chunk).await?;
        let paid: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
        let mut proposals: HashMap<EconomicEventId, GovernanceProposalId> = HashMap::new();
        for payouts in paid.chunks(IN_LIST_MAX) {
            let rows: Vec<(String, Option<String>)> = governance_proposal::Entity::find()
                .select_only()
                .column(governance_proposal::Column::Id)
                .column(governance_proposal::Column::Payout)
                .filter(governance_proposal::Column::Payout.is_in(payouts.iter().cloned()))
                .into_tuple()
                .all(conn)
                .await?;
            for (proposal, payout) in rows {
                if let Some(payout) = payout {
                    proposals.insert(id(&payout, EconomicEventId::parse)?, id(&proposal, GovernanceProposalId::parse)?);
                }
            }
        }
        for event in events {
            let (out, into) = (event.core.resource_inventoried_as, event.core.to_resource_inventoried_as);
            let (pool, flow) = match (out.filter(|r| chunk.contains(r)), into.filter(|r| chunk.contains(r))) {
                (Some(pool), _) => (pool, PoolFlow::Allocation),
                (None, Some(pool)) => (pool, PoolFlow::Deposit),
                (None, None) => continue,
            };
            let proposal = proposals.get(&event.id).copied();
            found.entry(pool).or_default().push(PoolEntry { event, flow, proposal });
        }
    }
    Ok(found)
}

impl Store {
    /// `createMoneyPool`: the pool and its empty currency resource, in one transaction.
    pub async fn create_money_pool(
        &self,
        actor: AgentId,
        new: NewMoneyPool,
        idem: Option<&Idempotency>,
    ) -> Result<(MoneyPool, EconomicResource)> {
        let resource = EconomicResourceId::new();
        let outcome = self
            .create(idem, resource.to_string(), move |txn| {
                create_pool_in(txn, actor, resource, new, Utc::now()).boxed()
            })
            .await?;
        self.created(outcome, "money pool", async |store: &Store, id: EconomicResourceId| {
            let pool = store.money_pools_by_id(&[id]).await?.remove(&id);
            let resource = store.resources_by_id(&[id]).await?.remove(&id);
            Ok(pool.zip(resource))
        })
        .await
    }

    /// Many pools by their resource's id, in one query.
    pub async fn money_pools_by_id(
        &self,
        resources: &[EconomicResourceId],
    ) -> Result<HashMap<EconomicResourceId, MoneyPool>> {
        pools_in(self.connection(), resources).await
    }

    /// The pools of `scope`, oldest first.
    pub async fn money_pools_of(&self, scope: AgentId) -> Result<Vec<MoneyPool>> {
        money_pool::Entity::find()
            .filter(money_pool::Column::Scope.eq(scope.to_string()))
            .order_by_asc(money_pool::Column::Created)
            .order_by_asc(money_pool::Column::Resource)
            .all(self.connection())
            .await?
            .into_iter()
            .map(pool_from)
            .collect()
    }

    /// The histories of many pools, by pool (DataLoader batches).
    pub async fn money_pool_history(
        &self,
        pools: &[EconomicResourceId],
    ) -> Result<HashMap<EconomicResourceId, Vec<PoolEntry>>> {
        history_of(self.connection(), pools).await
    }

    /// The `ALLOCATE_FROM_POOL` proposals on many pools, by pool, newest first (DataLoader
    /// batches).
    pub async fn money_pool_proposals(
        &self,
        pools: &[EconomicResourceId],
    ) -> Result<HashMap<EconomicResourceId, Vec<GovernanceProposal>>> {
        let mut found: HashMap<EconomicResourceId, Vec<GovernanceProposal>> = HashMap::new();
        for chunk in pools.chunks(IN_LIST_MAX) {
            let rows = governance_proposal::Entity::find()
                .filter(governance_proposal::Column::Pool.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_desc(governance_proposal::Column::Created)
                .order_by_desc(governance_proposal::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                let proposal = GovernanceProposal::from_row(row)?;
                if let Some(allocation) = proposal.allocation {
                    found.entry(allocation.pool).or_default().push(proposal);
                }
            }
        }
        Ok(found)
    }
}
