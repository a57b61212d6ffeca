//! Custodian agreements (DESIGN 1, 6): a network's NONDOMINIUM resources (owned by nobody, held
//! for the network) are held by a custodian (an agent `custodianOf` the network) under a
//! custodian agreement: a ValueFlows `Agreement` and the OVN facts of it (the network, the
//! current custodian, the resources held under it).
//!
//! The rules, as plain functions over what persistence loads:
//!
//! - **Making one** ([`may_create`]): a steward of the network, naming an agent that is
//!   `custodianOf` it.
//! - **Placing a resource under it** ([`check_placement`]): by the custodian; the resource is
//!   NONDOMINIUM, in the custodian's custody, and held under no agreement yet.
//! - **No revenue for the custodian** ([`check_held_event`]): a `transfer`,
//!   `transferAllRights` or `transferCustody` of a held resource to an agent outside the
//!   network is `FORBIDDEN`. Inside is what the exchange-firm rule calls inside
//!   ([`crate::exchange::is_inside`]); a move inside keeps the resource under the agreement, so
//!   no chain of inside moves takes it out either.
//! - **The custodian's exit** ([`Custodianship`], [`handover`]): a passed
//!   `TRANSFER_CUSTODIANSHIP` proposal of the network hands every held resource to the
//!   recipient, each by one event: `transfer` (rights and custody) where the old custodian
//!   also held the rights, else `transferCustody`.
//! - **Custody history** ([`custody_change`]): which events changed a resource's custodian,
//!   from whom to whom.

use chrono::{DateTime, Utc};

use crate::action::CreateResource;
use crate::agent::network::{OvnRole, Ties};
use crate::exchange::is_inside;
use crate::observation::{EconomicResource, NewEvent, PropertyRegime};
use crate::{Action, AgentId, AgreementId, DomainError, EconomicResourceId, Measure};

/// A custodian agreement: which vf `Agreement`, for which network, held by whom now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodianAgreement {
    /// The vf `Agreement` it is (a custodian agreement is named by its agreement's id).
    pub agreement: AgreementId,
    /// The network whose resources it holds.
    pub network: AgentId,
    /// The agent holding them now (`custodianOf` the network).
    pub custodian: AgentId,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// The steward who made it.
    pub created_by: AgentId,
}

/// `createCustodianAgreement`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustodianAgreement {
    /// The network.
    pub network: AgentId,
    /// The custodian (`custodianOf` the network).
    pub custodian: AgentId,
    /// The agreement's `name`.
    pub name: Option<String>,
    /// The agreement's `note`.
    pub note: Option<String>,
}

/// Whether `agent` is `custodianOf` `network` (`ties` hold the network's officers).
pub fn is_custodian_of(agent: AgentId, network: AgentId, ties: &Ties) -> bool {
    ties.subjects(OvnRole::CustodianOf, network).any(|s| s == agent)
}

/// Who makes a custodian agreement: a steward of the network, for an agent `custodianOf` it.
/// `ties` hold the actor's ties and the network's `partOf` chain with its officers.
pub fn may_create(actor: AgentId, new: &NewCustodianAgreement, ties: &Ties) -> Result<(), DomainError> {
    if !ties.is_steward(actor, new.network) {
        return Err(DomainError::Forbidden(format!(
            "a custodian agreement is made by a steward of the network ({})",
            new.network
        )));
    }
    if !is_custodian_of(new.custodian, new.network, ties) {
        return Err(DomainError::invalid(
            "custodian",
            format!("{} is not custodianOf {}: name the network's custodian", new.custodian, new.network),
        ));
    }
    Ok(())
}

/// Checks that `actor` may place `resource` under `agreement`, the resource being held under
/// `held_under` now (if any): the custodian places it; it is NONDOMINIUM, in the custodian's
/// custody, and under no agreement yet (`CONFLICT`).
pub fn check_placement(
    agreement: &CustodianAgreement,
    actor: AgentId,
    resource: &EconomicResource,
    held_under: Option<AgreementId>,
) -> Result<(), DomainError> {
    if actor != agreement.custodian {
        return Err(DomainError::Forbidden(format!(
            "a resource is placed under a custodian agreement by its custodian ({})",
            agreement.custodian
        )));
    }
    if resource.details.property_regime != PropertyRegime::Nondominium {
        return Err(DomainError::invalid(
            "resource",
            format!(
                "resource {} is {}: only a NONDOMINIUM resource is held under a custodian agreement",
                resource.id,
                resource.details.property_regime.as_str()
            ),
        ));
    }
    if resource.state.custodian != Some(agreement.custodian) {
        return Err(DomainError::invalid(
            "resource",
            format!("resource {} is not in the custodian's custody: transfer its custody first", resource.id),
        ));
    }
    match held_under {
        None => Ok(()),
        Some(held) if held == agreement.agreement => {
            Err(DomainError::Conflict(format!("resource {} is already held under this agreement", resource.id)))
        }
        Some(held) => Err(DomainError::Conflict(format!(
            "resource {} is already held under custodian agreement {held}",
            resource.id
        ))),
    }
}

/// Whether `action` hands a resource's custody or rights to another agent: the three actions
/// the no-revenue rule is about.
pub fn hands_over(action: Action) -> bool {
    matches!(action, Action::Transfer | Action::TransferAllRights | Action::TransferCustody)
}

/// The no-revenue rule: `event` acts on a resource held under `agreement`; a `transfer`,
/// `transferAllRights` or `transferCustody` of it (not a correction) to an agent outside the
/// agreement's network is `FORBIDDEN`. `ties` hold what [`is_inside`] needs for the receiver
/// and the network.
pub fn check_held_event(event: &NewEvent, agreement: &CustodianAgreement, ties: &Ties) -> Result<(), DomainError> {
    if !hands_over(event.action) || event.is_correction() || is_inside(event.receiver, agreement.network, ties) {
        return Ok(());
    }
    Err(DomainError::Forbidden(format!(
        "custodian agreement rule: resource {} is NONDOMINIUM, held under custodian agreement {} for network {}; \
         a custodian may not use it for its own revenue, so it may not {} it to {}, an agent outside the network",
        event.resource_inventoried_as.map(|r| r.to_string()).unwrap_or_default(),
        agreement.agreement,
        agreement.network,
        event.action,
        event.receiver
    )))
}

/// The terms of a `TRANSFER_CUSTODIANSHIP` proposal: which agreement goes to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Custodianship {
    /// The custodian agreement.
    pub agreement: AgreementId,
    /// The new custodian.
    pub recipient: AgentId,
}

/// Checks a `TRANSFER_CUSTODIANSHIP` proposed in `scope`: the agreement is of that network,
/// and the recipient is another agent than its custodian and than the network.
pub fn check_custodianship(
    asked: Custodianship,
    scope: AgentId,
    agreement: &CustodianAgreement,
) -> Result<Custodianship, DomainError> {
    if agreement.network != scope {
        return Err(DomainError::invalid(
            "agreement",
            format!(
                "custodian agreement {} holds resources of {}, not of {scope}: that network decides",
                agreement.agreement, agreement.network
            ),
        ));
    }
    if asked.recipient == agreement.custodian {
        return Err(DomainError::invalid("recipient", "is the agreement's custodian already"));
    }
    if asked.recipient == scope {
        return Err(DomainError::invalid("recipient", "a network cannot be its own custodian"));
    }
    Ok(asked)
}

/// The event that hands `resource`, held under an agreement, from `from` (the old custodian)
/// to `to`: the whole resource changes hands (both sides name it), `transfer` when `from` also
/// holds its rights (`primaryAccountable`), else `transferCustody` (nobody owns it, or someone
/// else does: only the custody moves).
pub fn handover(resource: &EconomicResource, from: AgentId, to: AgentId) -> NewEvent {
    let action =
        if resource.state.primary_accountable == Some(from) { Action::Transfer } else { Action::TransferCustody };
    let mut event = NewEvent::new(action, from, to);
    event.resource_inventoried_as = Some(resource.id);
    event.to_resource_inventoried_as = Some(resource.id);
    event.resource_quantity = Some(Measure::new(resource.state.onhand_quantity, resource.state.unit));
    event
}

/// A change of a resource's custodian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustodyChange {
    /// The custodian before (none for the event that created the resource).
    pub from: Option<AgentId>,
    /// The custodian after.
    pub to: AgentId,
}

/// What `event` did to the custody of `resource`, if anything (as the books apply it,
/// [`crate::observation::effect`]). `first` says it is the first event that names the
/// resource: a stored event does not say whether it created its resource, and the first one
/// whose action can create that side did. The event that created it gave it to its receiver; a
/// `transfer`, `transferCustody` or `move` into it, and a `pickup`, `dropoff`, `accept` or
/// `modify` of it between two agents, moved it from the provider to the receiver. A
/// correction changes no custody.
pub fn custody_change(event: &NewEvent, resource: EconomicResourceId, first: bool) -> Option<CustodyChange> {
    if event.is_correction() {
        return None;
    }
    let from_side = event.resource_inventoried_as == Some(resource);
    let to_side = event.to_resource_inventoried_as == Some(resource);
    let creates = event.creates_resource || first;
    let created = creates
        && match event.action.def().create_resource {
            CreateResource::Optional => from_side,
            // A whole resource changing hands (both sides name it) existed before.
            CreateResource::OptionalTo => to_side && !event.same_resource(),
            _ => false,
        };
    if created {
        let custodian = match event.action {
            // Rights moved, the goods did not: the new resource stays with the provider.
            Action::TransferAllRights => event.provider,
            _ => event.receiver,
        };
        return Some(CustodyChange { from: None, to: custodian });
    }
    let moved = match event.action {
        Action::Transfer | Action::TransferCustody | Action::Move => to_side,
        Action::Pickup | Action::Dropoff | Action::Accept | Action::Modify => {
            from_side && event.provider != event.receiver
        }
        _ => false,
    };
    moved.then_some(CustodyChange { from: Some(event.provider), to: event.receiver })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests unwrap: a failure should panic with the value")]
mod tests;
