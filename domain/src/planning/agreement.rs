//! An agreement (vf-graphql module `agreement`): the terms of an exchange. Its commitments
//! are its clauses (`clauseOf`); the events that carry it out realise it (`realizationOf`).
//! A purchase is one agreement realised by the receipt of a resource and its payment; the
//! value engine follows these links to credit whoever paid.

use chrono::{DateTime, Utc};

use crate::{AgentId, AgreementId};

/// An agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// Identity.
    pub id: AgreementId,
    /// Revision.
    pub revision: i64,
    /// `name`.
    pub name: Option<String>,
    /// `created`: the date the agreement was made, as the client says.
    pub created: Option<DateTime<Utc>>,
    /// `note`.
    pub note: Option<String>,
    /// OVN: the agent whose token created the agreement; only it may change or delete it.
    pub recorded_by: AgentId,
}
