//! The sharing module's inputs, each converted into the store's command in one `TryFrom`.

use async_graphql::{ID, InputObject};
use ovn_domain::sharing::pool::NewMoneyPool;
use ovn_domain::{AgentId, DomainError, Name, ResourceSpecificationId, UnitId};

use crate::convert::{note, opt_id, parse_id};

/// OVN: a new money pool: an empty currency resource held by the network's custodian in a
/// project's scope.
#[derive(InputObject)]
pub struct MoneyPoolCreateParams {
    /// (`Agent`) The project (or network) whose contributors decide what the pool pays.
    pub scope: ID,
    /// The pool's name (the resource's).
    pub name: String,
    /// (`ResourceSpecification`) The currency: a specification that is a `mediumOfExchange`.
    pub conforms_to: ID,
    /// (`Unit`) The unit every deposit and allocation is in.
    pub unit: ID,
    /// (`Agent`) The custodian that holds it: needed only when the networks above the scope
    /// have several (`custodianOf`).
    pub custodian: Option<ID>,
    /// A textual description or comment.
    pub note: Option<String>,
}

impl TryFrom<MoneyPoolCreateParams> for NewMoneyPool {
    type Error = DomainError;

    fn try_from(p: MoneyPoolCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            scope: parse_id(&p.scope, AgentId::parse)?,
            name: Name::parse("name", &p.name)?,
            conforms_to: parse_id(&p.conforms_to, ResourceSpecificationId::parse)?,
            unit: parse_id(&p.unit, UnitId::parse)?,
            custodian: opt_id(&p.custodian, AgentId::parse)?,
            note: note(&p.note)?,
        })
    }
}
