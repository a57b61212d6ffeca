//! The whole books in one value: every record of a ledger, each with the system time it was
//! first stored. An export reads the books into a [`Ledger`] and writes it out; an import reads
//! a document into a [`Ledger`], checks it, and stores it. Plain data, so that the store and the
//! JSON-LD codec share it without depending on each other.

use chrono::{DateTime, Utc};

use crate::agent::{Agent, AgentRelationship, AgentRelationshipRole};
use crate::knowledge::{ProcessSpecification, ResourceSpecification, Unit};
use crate::observation::{EconomicEvent, EconomicResource, Process};

/// A record with the system time it was first stored (`created_at`), which an export carries
/// and an import keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped<T> {
    /// The record.
    pub record: T,
    /// When it was first stored.
    pub created: DateTime<Utc>,
}

/// Every record of the books, as domain values. Each list is in a stable order: by id, except
/// `events`, which are in recording order (`created`, then id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Units of measure.
    pub units: Vec<Stamped<Unit>>,
    /// People and organizations.
    pub agents: Vec<Stamped<Agent>>,
    /// Kinds of relationship.
    pub roles: Vec<Stamped<AgentRelationshipRole>>,
    /// Relationships between agents.
    pub relationships: Vec<Stamped<AgentRelationship>>,
    /// Kinds of resource.
    pub resource_specifications: Vec<Stamped<ResourceSpecification>>,
    /// Kinds of process.
    pub process_specifications: Vec<Stamped<ProcessSpecification>>,
    /// Processes.
    pub processes: Vec<Stamped<Process>>,
    /// Economic resources with their current state.
    pub resources: Vec<Stamped<EconomicResource>>,
    /// Economic events (each carries its own `created`), in recording order.
    pub events: Vec<EconomicEvent>,
}

impl Ledger {
    /// Puts every list but `events` in id order, the order an export lists them in (events
    /// keep their recording order).
    pub fn sort_by_id(&mut self) {
        self.units.sort_by_key(|s| s.record.id);
        self.agents.sort_by_key(|s| s.record.id);
        self.roles.sort_by_key(|s| s.record.id);
        self.relationships.sort_by_key(|s| s.record.id);
        self.resource_specifications.sort_by_key(|s| s.record.id);
        self.process_specifications.sort_by_key(|s| s.record.id);
        self.processes.sort_by_key(|s| s.record.id);
        self.resources.sort_by_key(|s| s.record.id);
    }

    /// How many rows storing the whole ledger writes (one per record plus one per scope link
    /// of a process or an event), for progress bars.
    pub fn row_count(&self) -> u64 {
        let scopes: usize = self.processes.iter().map(|p| p.record.in_scope_of.len()).sum::<usize>()
            + self.events.iter().map(|e| e.details.in_scope_of.len()).sum::<usize>();
        let records = self.units.len()
            + self.agents.len()
            + self.roles.len()
            + self.relationships.len()
            + self.resource_specifications.len()
            + self.process_specifications.len()
            + self.processes.len()
            + self.resources.len()
            + self.events.len();
        u64::try_from(records + scopes).unwrap_or(u64::MAX)
    }
}
