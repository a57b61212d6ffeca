//! What every resolver can reach: the store, the viewer (who the bearer token says is
//! asking), and the per-request DataLoader that batches relation lookups.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use ovn_domain::agent::{Agent, AgentRelationshipRole};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit};
use ovn_domain::{AgentId, AgentRelationshipRoleId, ProcessSpecificationId, ResourceSpecificationId, UnitId};
use ovn_persistence::{PersistenceError, Store};

use crate::error::{ApiError, Result, gql};

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// No `Authorization` header: may read, may not write.
    Anonymous,
    /// A valid token for this agent, which existed when the request arrived.
    Agent(AgentId),
    /// A token was sent but refused; the reason is safe to show.
    Invalid(String),
}

/// Batches relation lookups by id: one query per kind of record per tick, not one per row.
/// Created per request (no cache shared between requests, so nobody sees stale rows).
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

/// Typed access to the request context.
pub trait ContextExt {
    /// The store.
    fn store(&self) -> Result<&Store>;
    /// The loader.
    fn loader(&self) -> Result<&DataLoader<StoreLoader>>;
    /// The viewer's agent, or `UNAUTHENTICATED`.
    fn require_agent(&self) -> Result<AgentId>;
    /// Loads one record by id through the batching loader.
    fn load<K, V>(&self, id: K) -> impl std::future::Future<Output = Result<Option<V>>> + Send
    where
        K: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
        V: Send + Sync + Clone + 'static,
        StoreLoader: Loader<K, Value = V, Error = Arc<PersistenceError>>;
    /// Loads many records by id through the batching loader (missing ids are left out).
    fn load_many<K, V>(
        &self,
        ids: impl IntoIterator<Item = K> + Send,
    ) -> impl std::future::Future<Output = Result<HashMap<K, V>>> + Send
    where
        K: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
        V: Send + Sync + Clone + 'static,
        StoreLoader: Loader<K, Value = V, Error = Arc<PersistenceError>>;
}

/// A failed batch is logged with its cause and answered as an internal error.
fn load_failed(err: Arc<PersistenceError>) -> async_graphql::Error {
    tracing::error!(error = %err, "batch load failed");
    gql(ApiError::Persistence(PersistenceError::Corrupt("batch load failed".into())))
}

impl ContextExt for Context<'_> {
    fn store(&self) -> Result<&Store> {
        self.data::<Store>()
    }

    fn loader(&self) -> Result<&DataLoader<StoreLoader>> {
        self.data::<DataLoader<StoreLoader>>()
    }

    fn require_agent(&self) -> Result<AgentId> {
        match self.data_opt::<Viewer>() {
            Some(Viewer::Agent(agent)) => Ok(*agent),
            Some(Viewer::Invalid(reason)) => Err(gql(ApiError::Unauthenticated(reason.clone()))),
            _ => Err(gql(ApiError::Unauthenticated("send `Authorization: Bearer <token>`".into()))),
        }
    }

    async fn load<K, V>(&self, id: K) -> Result<Option<V>>
    where
        K: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
        V: Send + Sync + Clone + 'static,
        StoreLoader: Loader<K, Value = V, Error = Arc<PersistenceError>>,
    {
        self.loader()?.load_one(id).await.map_err(load_failed)
    }

    async fn load_many<K, V>(&self, ids: impl IntoIterator<Item = K> + Send) -> Result<HashMap<K, V>>
    where
        K: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
        V: Send + Sync + Clone + 'static,
        StoreLoader: Loader<K, Value = V, Error = Arc<PersistenceError>>,
    {
        self.loader()?.load_many(ids).await.map_err(load_failed)
    }
}

use ovn_domain::observation::{EconomicEvent, EconomicResource, Process};
use ovn_domain::{EconomicEventId, EconomicResourceId, ProcessId};

batch_loader!(EconomicEventId, EconomicEvent, events_by_id);
batch_loader!(EconomicResourceId, EconomicResource, resources_by_id);
batch_loader!(ProcessId, Process, processes_by_id);

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
