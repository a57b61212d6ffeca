//! A plan (vf-graphql module `plan`): a logical collection of processes and commitments that
//! constitute a body of planned work with defined deliverables.

use chrono::{DateTime, Utc};

use crate::text::Name;
use crate::{AgentId, PlanId};

/// A plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Identity.
    pub id: PlanId,
    /// Revision.
    pub revision: i64,
    /// `name`.
    pub name: Name,
    /// `created`: the time the plan was made (as the client says; ovn's own record time is
    /// kept apart).
    pub created: Option<DateTime<Utc>>,
    /// `due`.
    pub due: Option<DateTime<Utc>>,
    /// `note`.
    pub note: Option<String>,
    /// `inScopeOf` (an OVN input field; vf-graphql 0.9 only reads it).
    pub in_scope_of: Vec<AgentId>,
    /// OVN: the agent whose token created the plan; only it may change or delete it.
    pub recorded_by: AgentId,
}
