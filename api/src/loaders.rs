//! The per-request loader: relation lookups batched by typed id, one query per kind of
//! record per scheduling tick, not one per row. Created per request, so no cache is shared
//! between requests and nobody sees stale rows.
//!
//! Why not async-graphql's `DataLoader`: it gathers a batch by sleeping on a timer (1 ms by
//! default, on async-io's timer thread since ovn does not enable its tokio timer), so every
//! request that loads a relation waited at least a millisecond and paid two thread switches
//! for it, several times per request. [`Batcher`] gathers a batch the way JavaScript's
//! DataLoader does, on the next tick: the first caller of a batch yields once to the
//! scheduler, and every sibling resolver that async-graphql polls in the same pass (the fields
//! of a list's items are resolved concurrently inside the request's task) adds its keys
//! before the leader runs the one query for all of them.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dataloader::Loader;
use ovn_domain::agent::network::{OvnRole, Tie};
use ovn_domain::agent::{Agent, AgentRelationshipRole};
use ovn_domain::claim::{Claim, Settlement};
use ovn_domain::governance::{Elector, GovernanceProposal, Vote};
use ovn_domain::intent::{Intent, Satisfaction};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit};
use ovn_domain::observation::{EconomicEvent, EconomicResource, Process};
use ovn_domain::planning::{Agreement, Commitment, Fulfillment, Plan};
use ovn_domain::proposal::{Proposal, ProposedIntent, ProposedTo};
use ovn_domain::sharing::access::AccessRule;
use ovn_domain::sharing::custody::CustodianAgreement;
use ovn_domain::sharing::pool::MoneyPool;
use ovn_domain::value::revenue::{LinePart, StoredDistribution, StoredLine};
use ovn_domain::{
    AgentId, AgentRelationshipRoleId, AgreementId, ClaimId, CommitmentId, DistributionId, DistributionLineId,
    EconomicEventId, EconomicResourceId, FulfillmentId, GovernanceProposalId, IntentId, PlanId, ProcessId,
    ProcessSpecificationId, ProposalId, ProposedIntentId, ProposedToId, ResourceSpecificationId, SatisfactionId,
    SettlementId, UnitId, ValueEquationId,
};
use ovn_persistence::history::RevisionStamp;
use ovn_persistence::observation::PendingTransfer;
use ovn_persistence::planning::CommitmentLink;
use ovn_persistence::sharing::{CustodyEntry, PoolEntry};
use ovn_persistence::value::StoredEquation;
use ovn_persistence::{PersistenceError, Store};
use tokio::sync::oneshot;

/// What one batch hands each waiting caller: every value the batch found, or its error.
type Answer<K, V, E> = std::result::Result<Arc<HashMap<K, V>>, E>;

/// The batch being gathered for one kind of key.
struct Gathering<K, V, E> {
    keys: HashSet<K>,
    waiters: Vec<oneshot::Sender<Answer<K, V, E>>>,
}

/// Batches the loads of one request, per kind of key, on the next scheduling tick.
pub struct Batcher<L> {
    loader: L,
    gathering: Mutex<HashMap<TypeId, Box<dyn Any + Send>>>,
}

/// Removes an unfinished batch if its leader is dropped (the request was cancelled), so
/// that its waiters get an error instead of waiting forever.
struct LeaderGuard<'b, L> {
    batcher: &'b Batcher<L>,
    kind: TypeId,
    armed: bool,
}

impl<L> Drop for LeaderGuard<'_, L> {
    fn drop(&mut self) {
        if self.armed {
            self.batcher.lock().remove(&self.kind);
        }
    }
}

impl<L> Batcher<L> {
    /// A batcher over `loader`.
    pub fn new(loader: L) -> Self {
        Self { loader, gathering: Mutex::new(HashMap::new()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TypeId, Box<dyn Any + Send>>> {
        // A panic while holding the lock leaves only a map of pending keys: still usable.
        self.gathering.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads the values of `keys` (missing ones are left out), in one query shared with the
    /// other loads of the same kind made in the same tick.
    pub async fn load_many<K>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> std::result::Result<HashMap<K, L::Value>, L::Error>
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        L: Loader<K>,
        L::Value: Clone,
        L::Error: Clone,
    {
        let mine: Vec<K> = keys.into_iter().collect();
        if mine.is_empty() {
            return Ok(HashMap::new());
        }
        let kind = TypeId::of::<K>();
        let waiting = {
            let mut gathering = self.lock();
            match gathering.get_mut(&kind).and_then(|g| g.downcast_mut::<Gathering<K, L::Value, L::Error>>()) {
                Some(batch) => {
                    batch.keys.extend(mine.iter().cloned());
                    let (tell, told) = oneshot::channel();
                    batch.waiters.push(tell);
                    Some(told)
                }
                None => {
                    let batch: Gathering<K, L::Value, L::Error> =
                        Gathering { keys: mine.iter().cloned().collect(), waiters: Vec::new() };
                    gathering.insert(kind, Box::new(batch));
                    None
                }
            }
        };
        let answer = match waiting {
            Some(told) => told.await.ok(),
            None => self.lead::<K>(kind).await,
        };
        // No answer: the leader of the batch was cancelled mid-load (its whole request is
        // going away); load these keys alone rather than fail.
        let found = match answer {
            Some(answer) => answer?,
            None => Arc::new(self.loader.load(&mine).await?),
        };
        Ok(mine.into_iter().filter_map(|k| found.get(&k).cloned().map(|v| (k, v))).collect())
    }

    /// Runs the batch this caller opened: yields once so that its siblings join it, then
    /// loads every key and answers every waiter.
    async fn lead<K>(&self, kind: TypeId) -> Option<Answer<K, L::Value, L::Error>>
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        L: Loader<K>,
        L::Error: Clone,
    {
        let mut guard = LeaderGuard { batcher: self, kind, armed: true };
        tokio::task::yield_now().await;
        let batch = self.lock().remove(&kind).and_then(|g| g.downcast::<Gathering<K, L::Value, L::Error>>().ok());
        guard.armed = false;
        let batch = batch?;
        let keys: Vec<K> = batch.keys.into_iter().collect();
        let answer = self.loader.load(&keys).await.map(Arc::new);
        for waiter in batch.waiters {
            // A waiter that went away (its request was cancelled) needs no answer.
            let _ = waiter.send(answer.clone());
        }
        Some(answer)
    }
}

/// Batches relation lookups by id over the store.
pub struct StoreLoader {
    store: Store,
}

impl StoreLoader {
    /// A loader over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

macro_rules! batch_loader {
    ($id:ty, $value:ty, $method:ident) => {
        impl Loader<$id> for StoreLoader {
            type Value = $value;
            type Error = Arc<PersistenceError>;

            async fn load(&self, keys: &[$id]) -> std::result::Result<HashMap<$id, $value>, Self::Error> {
                self.store.$method(keys).await.map_err(Arc::new)
            }
        }
    };
}

batch_loader!(AgentId, Agent, agents_by_id);
batch_loader!(UnitId, Unit, units_by_id);
batch_loader!(ResourceSpecificationId, ResourceSpecification, resource_specifications_by_id);
batch_loader!(ProcessSpecificationId, ProcessSpecification, process_specifications_by_id);
batch_loader!(AgentRelationshipRoleId, AgentRelationshipRole, relationship_roles_by_id);
batch_loader!(EconomicEventId, EconomicEvent, events_by_id);
batch_loader!(EconomicResourceId, EconomicResource, resources_by_id);
batch_loader!(ProcessId, Process, processes_by_id);
batch_loader!(PlanId, Plan, plans_by_id);
batch_loader!(AgreementId, Agreement, agreements_by_id);
batch_loader!(CommitmentId, Commitment, commitments_by_id);
batch_loader!(FulfillmentId, Fulfillment, fulfillments_by_id);

batch_loader!(IntentId, Intent, intents_by_id);
batch_loader!(SatisfactionId, Satisfaction, satisfactions_by_id);
batch_loader!(ProposalId, Proposal, proposals_by_id);
batch_loader!(ProposedIntentId, ProposedIntent, proposed_intents_by_id);
batch_loader!(ProposedToId, ProposedTo, proposed_tos_by_id);
batch_loader!(ClaimId, Claim, claims_by_id);
batch_loader!(SettlementId, Settlement, settlements_by_id);
batch_loader!(ValueEquationId, StoredEquation, value_equations_by_id);
batch_loader!(GovernanceProposalId, GovernanceProposal, governance_proposals_by_id);
batch_loader!(DistributionId, StoredDistribution, distributions_by_id);

/// Loader key: the money pool a resource is (keyed apart from the resource itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolKey(pub EconomicResourceId);

impl Loader<PoolKey> for StoreLoader {
    type Value = MoneyPool;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[PoolKey]) -> std::result::Result<HashMap<PoolKey, MoneyPool>, Self::Error> {
        let ids: Vec<EconomicResourceId> = keys.iter().map(|k| k.0).collect();
        let found = self.store.money_pools_by_id(&ids).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (PoolKey(k), v)).collect())
    }
}

/// Loader key: the custodian agreement an agreement is (keyed apart from the agreement itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CustodianKey(pub AgreementId);

impl Loader<CustodianKey> for StoreLoader {
    type Value = CustodianAgreement;
    type Error = Arc<PersistenceError>;

    async fn load(
        &self,
        keys: &[CustodianKey],
    ) -> std::result::Result<HashMap<CustodianKey, CustodianAgreement>, Self::Error> {
        let ids: Vec<AgreementId> = keys.iter().map(|k| k.0).collect();
        let found = self.store.custodian_agreements_by_id(&ids).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (CustodianKey(k), v)).collect())
    }
}

/// Loader key: the access rule that governs a resource (its own, else its specification's),
/// given with the specification the resource conforms to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccessRuleOf(pub EconomicResourceId, pub ResourceSpecificationId);

impl Loader<AccessRuleOf> for StoreLoader {
    type Value = AccessRule;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[AccessRuleOf]) -> std::result::Result<HashMap<AccessRuleOf, AccessRule>, Self::Error> {
        let resources: Vec<_> = keys.iter().map(|k| (k.0, Some(k.1))).collect();
        let mut found = self.store.effective_access_rules(&resources).await.map_err(Arc::new)?;
        Ok(keys.iter().filter_map(|k| found.remove(&k.0).map(|rule| (*k, rule))).collect())
    }
}

/// Groups records by a key they carry.
fn group<K: Eq + Hash, V>(items: Vec<V>, key: impl Fn(&V) -> Option<K>) -> HashMap<K, Vec<V>> {
    let mut grouped: HashMap<K, Vec<V>> = HashMap::new();
    for item in items {
        if let Some(k) = key(&item) {
            grouped.entry(k).or_default().push(item);
        }
    }
    grouped
}

/// Declares a loader key for a one-to-many list (the records hanging off one record), and
/// its batched load: `$load` runs once for every key gathered in the tick.
macro_rules! keyed_loader {
    ($(#[$doc:meta])* $key:ident($id:ty) => $value:ty, |$store:ident, $ids:ident| $load:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub $id);

        impl Loader<$key> for StoreLoader {
            type Value = Vec<$value>;
            type Error = Arc<PersistenceError>;

            async fn load(&self, keys: &[$key]) -> std::result::Result<HashMap<$key, Vec<$value>>, Self::Error> {
                let $ids: Vec<$id> = keys.iter().map(|k| k.0).collect();
                let $store = &self.store;
                let found: HashMap<$id, Vec<$value>> = $load.map_err(Arc::new)?;
                Ok(found.into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
}

keyed_loader!(
    /// Loader key: the scopes an agent has provided events in.
    ScopesProvidedIn(AgentId) => AgentId, |store, ids| store.scopes_provided_in(&ids).await
);
keyed_loader!(
    /// Loader key: the satisfactions of an intent.
    SatisfactionsOf(IntentId) => Satisfaction, |store, ids| store.satisfactions_of_intents(&ids).await
);
keyed_loader!(
    /// Loader key: the satisfactions an event makes.
    SatisfactionsBy(EconomicEventId) => Satisfaction, |store, ids| store.satisfactions_by_events(&ids).await
);
keyed_loader!(
    /// Loader key: the satisfactions a commitment makes (for `Commitment.satisfies`, once the
    /// planning module serves commitments).
    SatisfactionsByCommitment(CommitmentId) => Satisfaction,
    |store, ids| store.satisfactions_by_commitments(&ids).await
);
keyed_loader!(
    /// Loader key: the intended inputs of a process.
    IntendedInputsOf(ProcessId) => Intent, |store, ids| store.intents_of_processes(&ids, false).await
);
keyed_loader!(
    /// Loader key: the intended outputs of a process.
    IntendedOutputsOf(ProcessId) => Intent, |store, ids| store.intents_of_processes(&ids, true).await
);
keyed_loader!(
    /// Loader key: the intents a proposal publishes.
    PublishesOf(ProposalId) => ProposedIntent,
    |store, ids| store.proposed_intents_of(&ids, &[]).await.map(|found| group(found, |p| Some(p.published_in)))
);
keyed_loader!(
    /// Loader key: the proposals an intent is published in.
    PublishedIn(IntentId) => ProposedIntent,
    |store, ids| store.proposed_intents_of(&[], &ids).await.map(|found| group(found, |p| Some(p.publishes)))
);
keyed_loader!(
    /// Loader key: the agents a proposal is published to.
    ProposedToOf(ProposalId) => ProposedTo, |store, ids| store.proposed_to_of(&ids).await
);
keyed_loader!(
    /// Loader key: the settlements of a claim.
    SettlementsOf(ClaimId) => Settlement,
    |store, ids| store.settlements_of(&ids, &[]).await.map(|found| group(found, |s| Some(s.settles)))
);
keyed_loader!(
    /// Loader key: the electorate of a governance proposal.
    ElectorsOf(GovernanceProposalId) => Elector, |store, ids| store.governance_electors_of(&ids).await
);
keyed_loader!(
    /// Loader key: the votes on a governance proposal.
    VotesOf(GovernanceProposalId) => Vote, |store, ids| store.governance_votes_of(&ids).await
);
keyed_loader!(
    /// Loader key: the lines of a distribution, in order.
    LinesOf(DistributionId) => StoredLine, |store, ids| store.distribution_lines(&ids).await
);
keyed_loader!(
    /// Loader key: the contributions a distribution's line pays, with their parts.
    PartsOf(DistributionLineId) => LinePart, |store, ids| store.line_parts(&ids).await
);
keyed_loader!(
    /// Loader key: the cascades of a distribution into sub-scopes.
    CascadesOf(DistributionId) => StoredDistribution, |store, ids| store.distribution_cascades(&ids).await
);
keyed_loader!(
    /// Loader key: the deposits into and allocations out of a money pool.
    PoolHistoryOf(EconomicResourceId) => PoolEntry, |store, ids| store.money_pool_history(&ids).await
);
keyed_loader!(
    /// Loader key: the `ALLOCATE_FROM_POOL` proposals on a money pool.
    PoolProposalsOf(EconomicResourceId) => GovernanceProposal, |store, ids| store.money_pool_proposals(&ids).await
);
keyed_loader!(
    /// Loader key: the resources held under a custodian agreement.
    HeldUnder(AgreementId) => EconomicResourceId, |store, ids| store.custodian_holdings(&ids).await
);
keyed_loader!(
    /// Loader key: the custody changes of a resource.
    CustodyHistoryOf(EconomicResourceId) => CustodyEntry, |store, ids| store.custody_history(&ids).await
);
keyed_loader!(
    /// Loader key: the settlements an event makes.
    SettlementsBy(EconomicEventId) => Settlement,
    |store, ids| store.settlements_of(&[], &ids).await.map(|found| group(found, |s| Some(s.settled_by)))
);
/// The commitments linked by `link` to each of `ids`, keyed by the typed id.
async fn linked<K>(
    store: &Store,
    link: CommitmentLink,
    ids: &[K],
) -> std::result::Result<HashMap<K, Vec<Commitment>>, PersistenceError>
where
    K: Copy + Eq + Hash + std::fmt::Display,
{
    let by_text: HashMap<String, K> = ids.iter().map(|id| (id.to_string(), *id)).collect();
    let keys: Vec<String> = by_text.keys().cloned().collect();
    let found = store.commitments_linked(link, &keys).await?;
    Ok(found.into_iter().filter_map(|(text, list)| by_text.get(&text).map(|id| (*id, list))).collect())
}

keyed_loader!(
    /// Loader key: the commitments a process takes in.
    CommittedInputsOf(ProcessId) => Commitment, |store, ids| linked(store, CommitmentLink::InputOf, &ids).await
);
keyed_loader!(
    /// Loader key: the commitments a process puts out.
    CommittedOutputsOf(ProcessId) => Commitment, |store, ids| linked(store, CommitmentLink::OutputOf, &ids).await
);
keyed_loader!(
    /// Loader key: the commitments planned within a plan.
    CommitmentsPlannedWithin(PlanId) => Commitment,
    |store, ids| linked(store, CommitmentLink::PlannedWithin, &ids).await
);
keyed_loader!(
    /// Loader key: a plan's independent demands.
    IndependentDemandsOf(PlanId) => Commitment,
    |store, ids| linked(store, CommitmentLink::IndependentDemandOf, &ids).await
);
keyed_loader!(
    /// Loader key: an agreement's clauses.
    ClausesOf(AgreementId) => Commitment, |store, ids| linked(store, CommitmentLink::ClauseOf, &ids).await
);
keyed_loader!(
    /// Loader key: an agreement's reciprocal clauses (VF 1.0).
    ReciprocalClausesOf(AgreementId) => Commitment,
    |store, ids| linked(store, CommitmentLink::ReciprocalClauseOf, &ids).await
);
keyed_loader!(
    /// Loader key: the fulfilments of a commitment.
    FulfillmentsOf(CommitmentId) => Fulfillment, |store, ids| store.fulfillments_of_commitments(&ids).await
);
keyed_loader!(
    /// Loader key: the fulfilments an event makes.
    FulfillmentsBy(EconomicEventId) => Fulfillment, |store, ids| store.fulfillments_of_events(&ids).await
);
keyed_loader!(
    /// Loader key: the events that realise an agreement.
    RealizationsOf(AgreementId) => EconomicEvent, |store, ids| store.events_realizing(&ids, false).await
);
keyed_loader!(
    /// Loader key: the events that realise an agreement reciprocally (VF 1.0).
    ReciprocalRealizationsOf(AgreementId) => EconomicEvent, |store, ids| store.events_realizing(&ids, true).await
);
keyed_loader!(
    /// Loader key: the processes planned within a plan.
    ProcessesPlannedWithin(PlanId) => Process, |store, ids| store.processes_planned_within(&ids).await
);

/// Loader key: the OVN relationships an agent is the subject of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TiesOf(pub AgentId);
/// Loader key: the `partOf` chain above a scope, with its organizations' officers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TiesAbove(pub AgentId);
/// Loader key: the agents that are an OVN role of an organization (its affiliates, parts,
/// stewards, exchange firm, custodians).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Holders(pub OvnRole, pub AgentId);

/// Loader key: the consent a transfer waited for (none for most events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConsentOf(pub EconomicEventId);

/// Loader key: the events a process takes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputsOf(pub ProcessId);
/// Loader key: the events a process puts out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputsOf(pub ProcessId);
/// Loader key: the corrections of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CorrectionsOf(pub EconomicEventId);

impl Loader<InputsOf> for StoreLoader {
    type Value = Vec<EconomicEvent>;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[InputsOf]) -> std::result::Result<HashMap<InputsOf, Self::Value>, Self::Error> {
        let ids: Vec<ProcessId> = keys.iter().map(|k| k.0).collect();
        let found = self.store.events_of_processes(&ids, false).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (InputsOf(k), v)).collect())
    }
}

impl Loader<OutputsOf> for StoreLoader {
    type Value = Vec<EconomicEvent>;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[OutputsOf]) -> std::result::Result<HashMap<OutputsOf, Self::Value>, Self::Error> {
        let ids: Vec<ProcessId> = keys.iter().map(|k| k.0).collect();
        let found = self.store.events_of_processes(&ids, true).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (OutputsOf(k), v)).collect())
    }
}

impl Loader<TiesOf> for StoreLoader {
    type Value = Vec<Tie>;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[TiesOf]) -> std::result::Result<HashMap<TiesOf, Self::Value>, Self::Error> {
        let ids: Vec<AgentId> = keys.iter().map(|k| k.0).collect();
        let found = self.store.ovn_ties_of(&ids).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (TiesOf(k), v)).collect())
    }
}

impl Loader<TiesAbove> for StoreLoader {
    type Value = Vec<Tie>;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[TiesAbove]) -> std::result::Result<HashMap<TiesAbove, Self::Value>, Self::Error> {
        let ids: Vec<AgentId> = keys.iter().map(|k| k.0).collect();
        let found = self.store.ovn_ties_above(&ids).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (TiesAbove(k), v)).collect())
    }
}

impl Loader<Holders> for StoreLoader {
    type Value = Vec<AgentId>;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[Holders]) -> std::result::Result<HashMap<Holders, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        // One query per role asked for in the batch (a page of networks asks for a few).
        let mut roles: Vec<OvnRole> = keys.iter().map(|k| k.0).collect();
        roles.sort();
        roles.dedup();
        for role in roles {
            let objects: Vec<AgentId> = keys.iter().filter(|k| k.0 == role).map(|k| k.1).collect();
            let holders = self.store.ovn_subjects(role, &objects).await.map_err(Arc::new)?;
            found.extend(holders.into_iter().map(|(object, subjects)| (Holders(role, object), subjects)));
        }
        Ok(found)
    }
}

impl Loader<ConsentOf> for StoreLoader {
    type Value = PendingTransfer;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[ConsentOf]) -> std::result::Result<HashMap<ConsentOf, Self::Value>, Self::Error> {
        let ids: Vec<EconomicEventId> = keys.iter().map(|k| k.0).collect();
        let found = self.store.transfers_by_id(&ids).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (ConsentOf(k), v)).collect())
    }
}

impl Loader<CorrectionsOf> for StoreLoader {
    type Value = Vec<EconomicEvent>;
    type Error = Arc<PersistenceError>;

    async fn load(
        &self,
        keys: &[CorrectionsOf],
    ) -> std::result::Result<HashMap<CorrectionsOf, Self::Value>, Self::Error> {
        let ids: Vec<EconomicEventId> = keys.iter().map(|k| k.0).collect();
        let found = self.store.corrections_of(&ids).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (CorrectionsOf(k), v)).collect())
    }
}

/// Loader key: the kept revisions of a record (its id as text, any kind of record), for
/// `meta` (vf-graphql `history`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RevisionsOf(pub String);

impl Loader<RevisionsOf> for StoreLoader {
    type Value = Vec<RevisionStamp>;
    type Error = Arc<PersistenceError>;

    async fn load(&self, keys: &[RevisionsOf]) -> std::result::Result<HashMap<RevisionsOf, Self::Value>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = self.store.revisions_of(&ids).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, v)| (RevisionsOf(k), v)).collect())
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests unwrap: a failure should panic with the value")]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::future::join_all;

    use super::*;

    /// Doubles its keys, skips 13, and counts its calls and keys.
    #[derive(Default)]
    struct Counting {
        calls: AtomicUsize,
        keys: AtomicUsize,
    }

    impl Loader<u32> for Counting {
        type Value = u64;
        type Error = Arc<String>;

        async fn load(&self, keys: &[u32]) -> std::result::Result<HashMap<u32, u64>, Self::Error> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.keys.fetch_add(keys.len(), Ordering::SeqCst);
            Ok(keys.iter().filter(|k| **k != 13).map(|k| (*k, u64::from(*k) * 2)).collect())
        }
    }

    #[tokio::test]
    async fn siblings_polled_together_share_one_load() {
        let batcher = Batcher::new(Counting::default());
        // As async-graphql resolves the items of a list: concurrently, in one task.
        let found = join_all((0..50u32).map(|k| batcher.load_many([k, k + 100]))).await;
        for (k, answer) in (0..50u32).zip(found) {
            let answer = answer.unwrap();
            let expected: HashMap<u32, u64> =
                [k, k + 100].into_iter().filter(|k| *k != 13).map(|k| (k, u64::from(k) * 2)).collect();
            assert_eq!(answer, expected);
        }
        assert_eq!(batcher.loader.calls.load(Ordering::SeqCst), 1);
        assert_eq!(batcher.loader.keys.load(Ordering::SeqCst), 100);
        // The next tick opens a new batch.
        assert_eq!(batcher.load_many([7]).await.unwrap(), HashMap::from([(7, 14)]));
        assert_eq!(batcher.loader.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_cancelled_leader_leaves_no_waiter_hanging() {
        let batcher = Batcher::new(Counting::default());
        let mut leader = Box::pin(batcher.load_many([1]));
        // Polled once: it opened the batch and yielded.
        assert!(futures::poll!(leader.as_mut()).is_pending());
        // A sibling joins the batch and waits for the leader's answer.
        let mut waiter = Box::pin(batcher.load_many([2]));
        assert!(futures::poll!(waiter.as_mut()).is_pending());
        drop(leader);
        // The leader's batch went with it; the waiter loads its own key.
        assert_eq!(waiter.await.unwrap(), HashMap::from([(2, 4)]));
        assert_eq!(batcher.load_many([3]).await.unwrap(), HashMap::from([(3, 6)]));
    }
}
