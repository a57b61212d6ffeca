//! sea-orm entities: one module per table. Nothing outside this crate sees them; the
//! repositories turn them into domain values.

pub mod agent;
pub mod agent_rate;
pub mod agent_relationship;
pub mod agent_relationship_role;
pub mod agreement;
pub mod claim;
pub mod commitment;
pub mod distribution;
pub mod distribution_line;
pub mod distribution_part;
pub mod economic_event;
pub mod economic_event_scope;
pub mod economic_resource;
pub mod fulfillment;
pub mod governance_elector;
pub mod governance_proposal;
pub mod governance_rule;
pub mod governance_vote;
pub mod idempotency_key;
pub mod intent;
pub mod money_pool;
pub mod pending_transfer;
pub mod plan;
pub mod process;
pub mod process_scope;
pub mod process_specification;
pub mod proposal;
pub mod proposed_intent;
pub mod proposed_to;
pub mod record_revision;
pub mod resource_specification;
pub mod satisfaction;
pub mod settlement;
pub mod unit;
pub mod value_equation;
