//! Who may change the books. Every rule that answers "may this agent record / correct /
//! annotate / update this?" lives here, as a plain function over facts persistence loads
//! (the record itself, and for events the [`EventContext`]); persistence and the API only
//! call these. A refusal is [`DomainError::Forbidden`].
//!
//! Reads are open (an open value network is transparent); writes need an authenticated
//! agent, whom these rules then judge.

use crate::agent::network::{OvnRole, Ties};
use crate::claim::Claim;
use crate::governance::{Elector, Electorate, ElectorateBasis};
use crate::intent::Intent;
use crate::observation::{NewEvent, ResourceState};
use crate::planning::Commitment;
use crate::proposal::Proposal;
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

/// Whether `commitment` is its receiver's consent to `event` beforehand: an open commitment
/// (`is_open`) of the same action to the same receiver, made by the receiver or by a steward
/// of it (`ties` hold the recorder's stewardships and the receiver's `partOf` chain).
pub fn receiver_committed(commitment: &Commitment, is_open: bool, event: &NewEvent, ties: &Ties) -> bool {
    is_open
        && commitment.receiver == event.receiver
        && commitment.action == event.action
        && (commitment.recorded_by == commitment.receiver
            || ties.is_steward(commitment.recorded_by, commitment.receiver))
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

/// An intent is written (created, changed, deleted) by a party to it (its provider or its
/// receiver, whichever is set) or, on their behalf, by a steward of a party or of one of its
/// scopes (or of a network above them), as events are. On a change, the actor must be allowed
/// before and after, so an agent cannot hand an intent over to others it has no part in.
/// `ties` hold the actor's stewardships and the `partOf` chains above the intent's agents
/// ([`Intent::agents`]); they may be empty when the actor is a party.
pub fn may_write_intent(actor: AgentId, intent: &Intent, ties: &Ties) -> Result<(), DomainError> {
    if intent.is_party(actor) || ties.stewards_any(actor, &intent.agents()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "an intent is written only by its provider or its receiver, or by a steward of either or of its scope"
                .into(),
        ))
    }
}

/// A satisfaction is written by whoever may write the intent it satisfies
/// ([`may_write_intent`]), or by a party to the flow that satisfies it (`flow_parties`: the
/// event's provider and receiver): whoever delivered or received may say what the delivery
/// was for.
pub fn may_write_satisfaction(
    actor: AgentId,
    intent: &Intent,
    flow_parties: &[AgentId],
    ties: &Ties,
) -> Result<(), DomainError> {
    if may_write_intent(actor, intent, ties).is_ok() || flow_parties.contains(&actor) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "a satisfaction is written only by a party to the intent or to what satisfies it".into(),
        ))
    }
}

/// A claim is written by a party to it (its provider or its receiver) or by a steward of a
/// party or of one of its scopes, as an intent is.
pub fn may_write_claim(actor: AgentId, claim: &Claim, ties: &Ties) -> Result<(), DomainError> {
    if claim.is_party(actor) || ties.stewards_any(actor, &claim.agents()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "a claim is written only by its provider or its receiver, or by a steward of either or of its scope".into(),
        ))
    }
}

/// A settlement is written by whoever may write the claim it settles.
pub fn may_write_settlement(actor: AgentId, claim: &Claim, ties: &Ties) -> Result<(), DomainError> {
    if may_write_claim(actor, claim, ties).is_ok() {
        Ok(())
    } else {
        Err(DomainError::Forbidden("a settlement is written only by a party to the claim it settles".into()))
    }
}

/// Any authenticated agent may publish a proposal; only its creator changes or deletes it,
/// adds or removes its intents, and publishes it to agents.
pub fn may_change_proposal(actor: AgentId, proposal: &Proposal) -> Result<(), DomainError> {
    if proposal.recorded_by == actor {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only the agent who created a proposal may change it".into()))
    }
}

/// An agent commits (creates, changes or deletes a commitment) as its provider or receiver, or
/// as a steward of either or of one of its scopes, as events are recorded on a project's
/// behalf ([`may_record`]). `ties` hold the actor's stewardships and the `partOf` chains above
/// the commitment's agents (they may be empty when the actor is a party).
pub fn may_commit(actor: AgentId, commitment: &Commitment, ties: &Ties) -> Result<(), DomainError> {
    if commitment.is_party(actor) || ties.stewards_any(actor, &commitment.agents()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "an agent commits only as the commitment's provider or its receiver, or as a steward of either or of its scope"
                .into(),
        ))
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

/// An agent's rate for a skill (`setAgentRate`: what its work is worth, by date) is set by the
/// agent itself, or by a steward of a network or project the agent is an affiliate of (a
/// steward of a network stewards the projects part of it, so it sets the rates of their
/// affiliates too). Nobody else: a rate weighs the agent's work in every distribution of
/// every scope, so it is set only by the agent or by those who answer for a scope the agent
/// joined. A project's steward does not set the rates of the affiliates of the network above
/// it, though they count in its project: the rate would apply in the whole network, beyond
/// what that steward answers for. `ties` hold both agents' own ties and the `partOf` chains
/// above the agent's affiliations.
pub fn may_set_rate(actor: AgentId, agent: AgentId, ties: &Ties) -> Result<(), DomainError> {
    if actor == agent || ties.objects(agent, OvnRole::AffiliateOf).any(|scope| ties.is_steward(actor, scope)) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "an agent's rate is set only by the agent, or by a steward of a network or project it is an affiliate of"
                .into(),
        ))
    }
}

/// A draft version of a scope's value equation is created by an affiliate of the scope (or of
/// a network above it) or by a steward of it: those who contribute there, or run it. `ties`
/// hold the actor's own ties and the `partOf` chain above the scope.
pub fn may_draft_equation(actor: AgentId, scope: AgentId, ties: &Ties) -> Result<(), DomainError> {
    if ties.is_affiliate(actor, scope) || ties.is_steward(actor, scope) {
        Ok(())
    } else {
        Err(DomainError::Forbidden("a value equation is drafted only by an affiliate or a steward of its scope".into()))
    }
}

/// A draft is changed or deleted by its author (`created_by`) or by a steward of its scope;
/// another affiliate drafts a version of its own instead.
pub fn may_change_equation(
    actor: AgentId,
    created_by: AgentId,
    scope: AgentId,
    ties: &Ties,
) -> Result<(), DomainError> {
    if actor == created_by || ties.is_steward(actor, scope) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "a draft value equation is changed only by its author or by a steward of its scope".into(),
        ))
    }
}

/// A governance proposal is made by a member of the electorate it would have (an active
/// contributor of the scope, or, with none, a steward) or by a steward of the scope. When the
/// scope has neither contributors nor stewards, the proposer alone would vote, so only an
/// affiliate of the scope may then propose: a stranger cannot decide for a new project.
pub fn may_propose(actor: AgentId, scope: AgentId, electorate: &Electorate, ties: &Ties) -> Result<(), DomainError> {
    let allowed = match electorate.basis {
        ElectorateBasis::Proposer => ties.is_affiliate(actor, scope),
        ElectorateBasis::Contributors | ElectorateBasis::Stewards => {
            electorate.members.contains(&actor) || ties.is_steward(actor, scope)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "a governance proposal is made only by an active contributor or a steward of its scope".into(),
        ))
    }
}

/// Only a member of a proposal's electorate votes on it.
pub fn may_vote(actor: AgentId, electors: &[Elector]) -> Result<(), DomainError> {
    if electors.iter().any(|e| e.agent == actor) {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only the proposal's electorate (fixed when it was made) may vote on it".into()))
    }
}

/// A scope's governance rule is set by a steward of it (or of a network above it).
pub fn may_set_governance_rule(actor: AgentId, scope: AgentId, ties: &Ties) -> Result<(), DomainError> {
    if ties.is_steward(actor, scope) {
        Ok(())
    } else {
        Err(DomainError::Forbidden("a scope's governance rule is set only by a steward of it".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::network::Tie;

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

    #[test]
    fn intents_claims_and_settlements_are_written_by_their_parties_proposals_by_their_creator() {
        use chrono::Utc;
        use rust_decimal::Decimal;

        use crate::agent::network::{OvnRole, Tie};
        use crate::claim::Claim;
        use crate::intent::Intent;
        use crate::proposal::Proposal;
        use crate::{ClaimId, EconomicEventId, IntentId, Measure, ProposalId};

        let (alice, bob, eve) = (AgentId::new(), AgentId::new(), AgentId::new());
        let offer = Intent {
            id: IntentId::new(),
            revision: 1,
            action: Action::Work,
            name: None,
            provider: Some(alice),
            receiver: None,
            input_of: None,
            output_of: None,
            resource_inventoried_as: None,
            resource_conforms_to: None,
            resource_classified_as: Vec::new(),
            resource_quantity: None,
            effort_quantity: Some(Measure::new(Decimal::ONE, None)),
            available_quantity: None,
            has_beginning: None,
            has_end: None,
            has_point_in_time: None,
            due: None,
            finished: false,
            image: None,
            image_list: Vec::new(),
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
        };
        let none = Ties::default();
        assert_eq!(may_write_intent(alice, &offer, &none), Ok(()));
        assert!(matches!(may_write_intent(bob, &offer, &none), Err(DomainError::Forbidden(_))));
        // Bob delivered the work that satisfies Alice's offer: he may say so; Eve may not.
        assert_eq!(may_write_satisfaction(bob, &offer, &[bob, alice], &none), Ok(()));
        assert!(matches!(may_write_satisfaction(eve, &offer, &[bob, alice], &none), Err(DomainError::Forbidden(_))));
        // A project's offer, written by the project's steward.
        let project = AgentId::new();
        let mut projects_offer = offer.clone();
        projects_offer.provider = Some(project);
        let stewardship = Ties::new([Tie { subject: eve, role: OvnRole::StewardOf, object: project }]);
        assert_eq!(may_write_intent(eve, &projects_offer, &stewardship), Ok(()));
        assert!(matches!(may_write_intent(eve, &offer, &stewardship), Err(DomainError::Forbidden(_))));

        let claim = Claim {
            id: ClaimId::new(),
            revision: 1,
            action: Action::Transfer,
            provider: Some(bob),
            receiver: Some(alice),
            resource_conforms_to: None,
            resource_classified_as: Vec::new(),
            resource_quantity: Some(Measure::new(Decimal::TEN, None)),
            effort_quantity: None,
            triggered_by: EconomicEventId::new(),
            due: None,
            created: Utc::now(),
            finished: false,
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
        };
        assert_eq!(may_write_claim(bob, &claim, &none), Ok(()));
        assert_eq!(may_write_settlement(alice, &claim, &none), Ok(()));
        assert!(matches!(may_write_claim(eve, &claim, &none), Err(DomainError::Forbidden(_))));
        assert!(matches!(may_write_settlement(eve, &claim, &none), Err(DomainError::Forbidden(_))));

        let proposal = Proposal {
            id: ProposalId::new(),
            revision: 1,
            name: None,
            has_beginning: None,
            has_end: None,
            unit_based: false,
            created: Utc::now(),
            note: None,
            in_scope_of: Vec::new(),
            purpose: None,
            recorded_by: alice,
        };
        assert_eq!(may_change_proposal(alice, &proposal), Ok(()));
        assert!(matches!(may_change_proposal(bob, &proposal), Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn a_party_or_a_steward_commits_and_only_a_party_fulfils_or_changes_a_plan() {
        let c = crate::planning::commitment::tests::commitment(Action::Transfer);
        let (event_provider, eve, steward) = (AgentId::new(), AgentId::new(), AgentId::new());
        let none = Ties::default();
        assert_eq!(may_commit(c.provider, &c, &none), Ok(()));
        assert_eq!(may_commit(c.receiver, &c, &none), Ok(()));
        assert!(matches!(may_commit(eve, &c, &none), Err(DomainError::Forbidden(_))));
        let ties = Ties::new([Tie { subject: steward, role: OvnRole::StewardOf, object: c.receiver }]);
        assert_eq!(may_commit(steward, &c, &ties), Ok(()), "a steward of the receiver commits for it");
        assert!(may_commit(eve, &c, &ties).is_err());
        let event = NewEvent::new(Action::Transfer, event_provider, c.receiver);
        assert_eq!(may_fulfil(event_provider, &c, &event), Ok(()));
        assert_eq!(may_fulfil(c.provider, &c, &event), Ok(()));
        assert!(matches!(may_fulfil(eve, &c, &event), Err(DomainError::Forbidden(_))));
        assert_eq!(may_change_plan_or_agreement(eve, eve), Ok(()));
        assert!(matches!(may_change_plan_or_agreement(eve, c.provider), Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn a_rate_is_set_by_the_agent_or_a_steward_of_a_scope_it_joined() {
        let (alice, steward, project_steward, eve, project, network) =
            (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let tie = |subject, role, object| Tie { subject, role, object };
        let none = Ties::default();
        assert_eq!(may_set_rate(alice, alice, &none), Ok(()), "her own rate");
        assert!(matches!(may_set_rate(eve, alice, &none), Err(DomainError::Forbidden(_))));
        let in_project = Ties::new([
            tie(project, OvnRole::PartOf, network),
            tie(steward, OvnRole::StewardOf, network),
            tie(project_steward, OvnRole::StewardOf, project),
            tie(alice, OvnRole::AffiliateOf, project),
        ]);
        assert_eq!(may_set_rate(project_steward, alice, &in_project), Ok(()), "the project she joined");
        assert_eq!(may_set_rate(steward, alice, &in_project), Ok(()), "the network above that project");
        assert!(may_set_rate(eve, alice, &in_project).is_err());
        let in_network = Ties::new([
            tie(project, OvnRole::PartOf, network),
            tie(steward, OvnRole::StewardOf, network),
            tie(project_steward, OvnRole::StewardOf, project),
            tie(alice, OvnRole::AffiliateOf, network),
        ]);
        assert_eq!(may_set_rate(steward, alice, &in_network), Ok(()));
        assert!(
            may_set_rate(project_steward, alice, &in_network).is_err(),
            "a project's steward does not answer for the whole network's affiliates"
        );
        let stewarded_elsewhere = Ties::new([tie(steward, OvnRole::StewardOf, network)]);
        assert!(may_set_rate(steward, alice, &stewarded_elsewhere).is_err(), "a steward of a scope she never joined");
    }

    #[test]
    fn affiliates_and_stewards_draft_authors_and_stewards_change_and_electors_vote() {
        use rust_decimal::Decimal;

        let (network, project, alice, bob, steward, eve) =
            (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let ties = Ties::new([
            Tie { subject: project, role: OvnRole::PartOf, object: network },
            Tie { subject: alice, role: OvnRole::AffiliateOf, object: network },
            Tie { subject: bob, role: OvnRole::AffiliateOf, object: project },
            Tie { subject: steward, role: OvnRole::StewardOf, object: network },
        ]);
        let forbidden = |r: Result<(), DomainError>| matches!(r, Err(DomainError::Forbidden(_)));
        assert_eq!(may_draft_equation(alice, project, &ties), Ok(()), "an affiliate of the network above");
        assert_eq!(may_draft_equation(bob, project, &ties), Ok(()));
        assert_eq!(may_draft_equation(steward, project, &ties), Ok(()));
        assert!(forbidden(may_draft_equation(eve, project, &ties)));
        assert!(forbidden(may_draft_equation(bob, network, &ties)), "a project's affiliate is not the network's");

        assert_eq!(may_change_equation(alice, alice, project, &ties), Ok(()), "its author");
        assert_eq!(may_change_equation(steward, alice, project, &ties), Ok(()));
        assert!(forbidden(may_change_equation(bob, alice, project, &ties)), "another affiliate");

        let contributors = Electorate { basis: ElectorateBasis::Contributors, members: vec![alice] };
        assert_eq!(may_propose(alice, project, &contributors, &ties), Ok(()));
        assert_eq!(may_propose(steward, project, &contributors, &ties), Ok(()));
        assert!(forbidden(may_propose(bob, project, &contributors, &ties)), "an affiliate who contributed nothing");
        let alone = |who| Electorate { basis: ElectorateBasis::Proposer, members: vec![who] };
        assert_eq!(may_propose(bob, project, &alone(bob), &ties), Ok(()), "the first affiliate of a new project");
        assert!(forbidden(may_propose(eve, project, &alone(eve), &ties)), "a stranger never");

        let electors = [Elector { agent: alice, weight: Decimal::ONE }];
        assert_eq!(may_vote(alice, &electors), Ok(()));
        assert!(forbidden(may_vote(steward, &electors)));
        assert_eq!(may_set_governance_rule(steward, project, &ties), Ok(()));
        assert!(forbidden(may_set_governance_rule(alice, project, &ties)));
    }
}
