//! The per-request DataLoader: relation lookups batched by typed id, one query per kind of
//! record per tick, not one per row. Created per request, so no cache is shared between
//! requests and nobody sees stale rows.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use ovn_domain::agent::{Agent, AgentRelationshipRole};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit};
use ovn_domain::observation::{EconomicEvent, EconomicResource, Process};
use ovn_domain::{
    AgentId, AgentRelationshipRoleId, EconomicEventId, EconomicResourceId, ProcessId, ProcessSpecificationId,
    ResourceSpecificationId, UnitId,
};
use ovn_persistence::{PersistenceError, Store};

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
