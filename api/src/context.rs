//! What every resolver can reach: the store, the viewer (who the bearer token says is
//! asking), the per-request loader ([`crate::loaders`]) and the flow bound.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use ovn_domain::AgentId;
use ovn_persistence::flow::FlowIndex;
use ovn_persistence::{PersistenceError, Store};

use crate::error::{ApiError, Result};
use crate::loaders::{Batcher, StoreLoader};

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

/// Most nodes a track, trace or process tree visits (a bound on every request). The schema
/// carries the value of the settings (`OVN_MAX_FLOW_NODES`), the one place its default lives.
#[derive(Debug, Clone, Copy)]
pub struct FlowLimit(pub usize);

/// Typed access to the request context.
pub trait ContextExt {
    /// The store.
    fn store(&self) -> Result<&Store>;
    /// The flow walks (the in-memory flow index, or slices until it is built).
    fn flows(&self) -> Result<&FlowIndex>;
    /// The viewer's agent, or `UNAUTHENTICATED`.
    fn require_agent(&self) -> Result<AgentId>;
    /// The viewer's agent; `None` when anonymous, `UNAUTHENTICATED` when the token was refused.
    fn viewer_agent(&self) -> Result<Option<AgentId>>;
    /// The most nodes a flow walk may visit.
    fn flow_limit(&self) -> Result<usize>;
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

impl ContextExt for Context<'_> {
    fn store(&self) -> Result<&Store> {
        Ok(self.data::<Store>()?)
    }

    fn flows(&self) -> Result<&FlowIndex> {
        Ok(self.data::<FlowIndex>()?)
    }

    fn require_agent(&self) -> Result<AgentId> {
        self.viewer_agent()?.ok_or_else(|| ApiError::Unauthenticated("send `Authorization: Bearer <token>`".into()))
    }

    fn viewer_agent(&self) -> Result<Option<AgentId>> {
        match self.data_opt::<Viewer>() {
            Some(Viewer::Agent(agent)) => Ok(Some(*agent)),
            Some(Viewer::Invalid(reason)) => Err(ApiError::Unauthenticated(reason.clone())),
            Some(Viewer::Anonymous) | None => Ok(None),
        }
    }

    fn flow_limit(&self) -> Result<usize> {
        Ok(self.data::<FlowLimit>()?.0)
    }

    async fn load<K, V>(&self, id: K) -> Result<Option<V>>
    where
        K: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
        V: Send + Sync + Clone + 'static,
        StoreLoader: Loader<K, Value = V, Error = Arc<PersistenceError>>,
    {
        let id_again = id.clone();
        let mut found = self.data::<Batcher<StoreLoader>>()?.load_many([id]).await.map_err(ApiError::Load)?;
        Ok(found.remove(&id_again))
    }

    async fn load_many<K, V>(&self, ids: impl IntoIterator<Item = K> + Send) -> Result<HashMap<K, V>>
    where
        K: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
        V: Send + Sync + Clone + 'static,
        StoreLoader: Loader<K, Value = V, Error = Arc<PersistenceError>>,
    {
        self.data::<Batcher<StoreLoader>>()?.load_many(ids).await.map_err(ApiError::Load)
    }
}
