//! Reads of the action table.

use async_graphql::{ID, Object};
use ovn_domain::Action as DomainAction;

use super::Action;

/// Reads of the action table.
#[derive(Default)]
pub struct ActionQuery;

#[Object]
impl ActionQuery {
    /// One action of the VF action table, by either spelling of its id.
    async fn action(&self, id: ID) -> Option<Action> {
        DomainAction::parse(id.as_str()).ok().map(Action)
    }

    /// The whole VF 1.0 action table.
    async fn actions(&self) -> Option<Vec<Action>> {
        Some(DomainAction::ALL.iter().copied().map(Action).collect())
    }
}
