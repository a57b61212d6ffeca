//! Who may change the books. Every rule that answers "may this agent record / correct /
//! annotate / update this?" lives here, as a plain function over facts persistence loads
//! (the record itself, and for events the [`EventContext`]); persistence and the API only
//! call these. A refusal is [`DomainError::Forbidden`].
//!
//! Reads are open (an open value network is transparent); writes need an authenticated
//! agent, whom these rules then judge.

use crate::agent::network::Ties;
use crate::observation::{NewEvent, ResourceState};
use crate::{Action, AgentId, DomainError};

/// An agent records an event as its provider or its receiver, or, on behalf of either, as a
/// steward of one of the event's scopes (or of a network a scope is part of). A correction
/// has already taken the original's agents ([`crate::observation::correction::align`]), so
/// this also says who may correct it. `ties` hold the actor's stewardships and the scopes'
/// `partOf` chains (they may be empty when the actor is a party).
pub fn may_record(actor: AgentId, event: &NewEvent, scopes: &[AgentId], ties: &Ties) -> Result<(), DomainError> {
    if actor == event.provider || actor == event.receiver || ties.stewards_any(actor, scopes) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "an agent records an event only as its provider or its receiver, or as a steward of its scope".into(),
        ))
    }
}

/// Whether a transfer recorded by `actor` still needs its receiver's consent: a `transfer`,
/// `transferAllRights` or `transferCustody` that is not a correction, recorded by someone
/// other than the receiver or a steward of the receiver (the receiver being an organization
/// the actor stewards, or part of one), and that fulfils no open commitment the receiver made
/// (`receiver_committed`). Such an event waits, changing nothing, until the receiver accepts.
pub fn needs_consent(actor: AgentId, event: &NewEvent, ties: &Ties, receiver_committed: bool) -> bool {
    matches!(event.action, Action::Transfer | Action::TransferAllRights | Action::TransferCustody)
        && event.corrects.is_none()
        && actor != event.receiver
        && !ties.is_steward(actor, event.receiver)
        && !receiver_committed
}

/// Who may accept or reject a transfer waiting for consent: its receiver, or a steward of it.
pub fn may_consent(actor: AgentId, receiver: AgentId, ties: &Ties) -> Result<(), DomainError> {
    if actor == receiver || ties.is_steward(actor, receiver) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only the receiver of a transfer, or a steward of it, may accept or reject it".into(),
        ))
    }
}

/// Only the provider or the receiver may annotate an event (its note and links).
pub fn may_annotate(actor: AgentId, event: &NewEvent) -> Result<(), DomainError> {
    if actor == event.provider || actor == event.receiver {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only the provider or the receiver may annotate an event".into()))
    }
}

/// Only a resource's accountable agent or its custodian may change its details.
pub fn may_update_resource(actor: AgentId, resource: &ResourceState) -> Result<(), DomainError> {
    if resource.primary_accountable == Some(actor) || resource.custodian == Some(actor) {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only the resource's accountable agent or custodian may change it".into()))
    }
}

/// A person changes only their own profile.
pub fn may_update_person(actor: AgentId, person: AgentId) -> Result<(), DomainError> {
    if actor == person {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only a person may change their own profile".into()))
    }
}

/// A person deletes only their own record.
pub fn may_delete_person(actor: AgentId, person: AgentId) -> Result<(), DomainError> {
    if actor == person {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only a person may delete their own record".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::network::{OvnRole, Tie};

    #[test]
    fn a_party_or_a_steward_of_the_scope_records_and_only_a_party_annotates() {
        let (alice, bob, eve, steward, project, network) =
            (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let event = NewEvent::new(Action::Transfer, alice, bob);
        let none = Ties::default();
        assert_eq!(may_record(alice, &event, &[], &none), Ok(()));
        assert_eq!(may_record(bob, &event, &[], &none), Ok(()));
        assert!(matches!(may_record(eve, &event, &[], &none), Err(DomainError::Forbidden(_))));
        let ties = Ties::new([
            Tie { subject: project, role: OvnRole::PartOf, object: network },
            Tie { subject: steward, role: OvnRole::StewardOf, object: network },
        ]);
        assert_eq!(may_record(steward, &event, &[project], &ties), Ok(()), "a network's steward, in a project");
        assert!(may_record(steward, &event, &[], &ties).is_err(), "stewardship needs the event in scope");
        assert!(may_record(eve, &event, &[project], &ties).is_err());
        assert_eq!(may_annotate(bob, &event), Ok(()));
        assert!(matches!(may_annotate(eve, &event), Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn a_transfer_waits_for_its_receivers_consent_unless_given() {
        let (alice, bob, steward, project) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let ties = Ties::new([Tie { subject: steward, role: OvnRole::StewardOf, object: project }]);
        let transfer = NewEvent::new(Action::Transfer, alice, bob);
        assert!(needs_consent(alice, &transfer, &ties, false), "the provider alone cannot give to Bob");
        assert!(!needs_consent(alice, &transfer, &ties, true), "Bob committed to receive it");
        assert!(!needs_consent(bob, &transfer, &ties, false), "Bob records it himself");
        let to_project = NewEvent::new(Action::TransferCustody, alice, project);
        assert!(!needs_consent(steward, &to_project, &ties, false), "the project's steward consents for it");
        assert!(needs_consent(alice, &to_project, &ties, false));
        assert!(!needs_consent(alice, &NewEvent::new(Action::Work, alice, bob), &ties, false), "only transfers");
        assert_eq!(may_consent(bob, bob, &ties), Ok(()));
        assert_eq!(may_consent(steward, project, &ties), Ok(()));
        assert!(may_consent(alice, bob, &ties).is_err());
    }

    #[test]
    fn only_the_accountable_agent_or_the_custodian_updates_a_resource() {
        let (owner, holder, eve) = (AgentId::new(), AgentId::new(), AgentId::new());
        let state = ResourceState { primary_accountable: Some(owner), custodian: Some(holder), ..Default::default() };
        assert_eq!(may_update_resource(owner, &state), Ok(()));
        assert_eq!(may_update_resource(holder, &state), Ok(()));
        assert!(matches!(may_update_resource(eve, &state), Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn a_person_changes_and_deletes_only_themselves() {
        let (alice, bob) = (AgentId::new(), AgentId::new());
        assert_eq!(may_update_person(alice, alice), Ok(()));
        assert!(matches!(may_update_person(alice, bob), Err(DomainError::Forbidden(_))));
        assert_eq!(may_delete_person(bob, bob), Ok(()));
        assert!(matches!(may_delete_person(alice, bob), Err(DomainError::Forbidden(_))));
    }
}
