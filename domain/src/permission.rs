//! Who may change the books. Every rule that answers "may this agent record / correct /
//! annotate / update this?" lives here, as a plain function over facts persistence loads
//! (the record itself, and for events the [`EventContext`]); persistence and the API only
//! call these. A refusal is [`DomainError::Forbidden`].
//!
//! Reads are open (an open value network is transparent); writes need an authenticated
//! agent, whom these rules then judge.

use crate::observation::{EventContext, NewEvent, ResourceState};
use crate::planning::Commitment;
use crate::{AgentId, DomainError};

/// An agent records an event only as its provider or its receiver. A correction has already
/// taken the original's agents ([`crate::observation::correction::align`]), so this also says
/// that only a party to the original may correct it.
pub fn may_record(actor: AgentId, event: &NewEvent, _context: &EventContext) -> Result<(), DomainError> {
    if actor == event.provider || actor == event.receiver {
        Ok(())
    } else {
        Err(DomainError::Forbidden("an agent records an event only as its provider or its receiver".into()))
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

/// An agent creates, changes or deletes a commitment only as its provider or its receiver.
/// (Stewards of the commitment's scope will be added here once relationships carry them.)
pub fn may_commit(actor: AgentId, commitment: &Commitment) -> Result<(), DomainError> {
    if commitment.is_party(actor) {
        Ok(())
    } else {
        Err(DomainError::Forbidden("an agent commits only as the commitment's provider or its receiver".into()))
    }
}

/// A fulfilment is recorded, changed or deleted by a party of the commitment or of the event.
pub fn may_fulfil(actor: AgentId, commitment: &Commitment, event: &NewEvent) -> Result<(), DomainError> {
    if commitment.is_party(actor) || actor == event.provider || actor == event.receiver {
        Ok(())
    } else {
        Err(DomainError::Forbidden("a fulfilment is recorded only by a party of the commitment or of the event".into()))
    }
}

/// Any authenticated agent creates a plan or an agreement; only the agent who created it
/// (`recorded_by`) changes or deletes it, so that nobody renames or removes the terms others
/// planned or agreed on.
pub fn may_change_plan_or_agreement(actor: AgentId, recorded_by: AgentId) -> Result<(), DomainError> {
    if actor == recorded_by {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only the agent who created a plan or an agreement may change or delete it".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;

    #[test]
    fn only_a_party_records_or_annotates_an_event() {
        let (alice, bob, eve) = (AgentId::new(), AgentId::new(), AgentId::new());
        let event = NewEvent::new(Action::Transfer, alice, bob);
        let context = EventContext::default();
        assert_eq!(may_record(alice, &event, &context), Ok(()));
        assert_eq!(may_record(bob, &event, &context), Ok(()));
        assert!(matches!(may_record(eve, &event, &context), Err(DomainError::Forbidden(_))));
        assert_eq!(may_annotate(bob, &event), Ok(()));
        assert!(matches!(may_annotate(eve, &event), Err(DomainError::Forbidden(_))));
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

    #[test]
    fn only_a_party_commits_fulfils_or_changes_a_plan() {
        let c = crate::planning::commitment::tests::commitment(Action::Transfer);
        let (event_provider, eve) = (AgentId::new(), AgentId::new());
        assert_eq!(may_commit(c.provider, &c), Ok(()));
        assert_eq!(may_commit(c.receiver, &c), Ok(()));
        assert!(matches!(may_commit(eve, &c), Err(DomainError::Forbidden(_))));
        let event = NewEvent::new(Action::Transfer, event_provider, c.receiver);
        assert_eq!(may_fulfil(event_provider, &c, &event), Ok(()));
        assert_eq!(may_fulfil(c.provider, &c, &event), Ok(()));
        assert!(matches!(may_fulfil(eve, &c, &event), Err(DomainError::Forbidden(_))));
        assert_eq!(may_change_plan_or_agreement(eve, eve), Ok(()));
        assert!(matches!(may_change_plan_or_agreement(eve, c.provider), Err(DomainError::Forbidden(_))));
    }
}
