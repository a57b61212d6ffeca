use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::agent::network::Tie;
use crate::observation::{ResourceDetails, ResourceState};
use crate::{EconomicEventId, ResourceSpecificationId, UnitId};

struct World {
    network: AgentId,
    project: AgentId,
    custodian: AgentId,
    steward: AgentId,
    alice: AgentId,
    outsider: AgentId,
    ties: Ties,
}

fn world() -> World {
    let [network, project, custodian, steward, alice, outsider] = std::array::from_fn(|_| AgentId::new());
    let tie = |subject, role, object| Tie { subject, role, object };
    let ties = Ties::new([
        tie(project, OvnRole::PartOf, network),
        tie(custodian, OvnRole::CustodianOf, network),
        tie(steward, OvnRole::StewardOf, network),
        tie(alice, OvnRole::AffiliateOf, project),
    ]);
    World { network, project, custodian, steward, alice, outsider, ties }
}

fn agreement(w: &World) -> CustodianAgreement {
    CustodianAgreement {
        agreement: AgreementId::new(),
        network: w.network,
        custodian: w.custodian,
        created: Utc::now(),
        created_by: w.steward,
    }
}

fn resource(regime: PropertyRegime, custodian: AgentId, accountable: Option<AgentId>) -> EconomicResource {
    EconomicResource {
        id: EconomicResourceId::new(),
        revision: 1,
        state: ResourceState {
            onhand_quantity: Decimal::from_str("3").unwrap(),
            accounting_quantity: Decimal::from_str("3").unwrap(),
            custodian: Some(custodian),
            primary_accountable: accountable,
            ..ResourceState::empty(Some(UnitId::new()))
        },
        details: ResourceDetails { property_regime: regime, ..ResourceDetails::default() },
        conforms_to: ResourceSpecificationId::new(),
    }
}

fn new_agreement(w: &World, custodian: AgentId) -> NewCustodianAgreement {
    NewCustodianAgreement { network: w.network, custodian, name: None, note: None }
}

#[test]
fn a_steward_makes_an_agreement_with_the_networks_custodian() {
    let w = world();
    assert_eq!(may_create(w.steward, &new_agreement(&w, w.custodian), &w.ties), Ok(()));
    let by_alice = may_create(w.alice, &new_agreement(&w, w.custodian), &w.ties);
    assert!(matches!(by_alice, Err(DomainError::Forbidden(_))), "{by_alice:?}");
    let not_custodian = may_create(w.steward, &new_agreement(&w, w.alice), &w.ties);
    assert!(matches!(not_custodian, Err(DomainError::Invalid { ref field, .. }) if field == "custodian"));
}

#[test]
fn the_custodian_places_a_nondominium_resource_it_holds_once() {
    let w = world();
    let a = agreement(&w);
    let held = resource(PropertyRegime::Nondominium, w.custodian, None);
    assert_eq!(check_placement(&a, w.custodian, &held, None), Ok(()));
    assert!(matches!(check_placement(&a, w.steward, &held, None), Err(DomainError::Forbidden(_))));
    let private = resource(PropertyRegime::Private, w.custodian, Some(w.custodian));
    assert!(matches!(check_placement(&a, w.custodian, &private, None), Err(DomainError::Invalid { .. })));
    let elsewhere = resource(PropertyRegime::Nondominium, w.alice, None);
    assert!(matches!(check_placement(&a, w.custodian, &elsewhere, None), Err(DomainError::Invalid { .. })));
    let again = check_placement(&a, w.custodian, &held, Some(a.agreement));
    assert!(matches!(again, Err(DomainError::Conflict(ref m)) if m.contains("this agreement")));
    let other = check_placement(&a, w.custodian, &held, Some(AgreementId::new()));
    assert!(matches!(other, Err(DomainError::Conflict(_))));
}

#[test]
fn a_held_resource_does_not_leave_the_network() {
    let w = world();
    let a = agreement(&w);
    let held = resource(PropertyRegime::Nondominium, w.custodian, None);
    for action in [Action::Transfer, Action::TransferAllRights, Action::TransferCustody] {
        let mut out = NewEvent::new(action, w.custodian, w.outsider);
        out.resource_inventoried_as = Some(held.id);
        let refused = check_held_event(&out, &a, &w.ties);
        assert!(
            matches!(refused, Err(DomainError::Forbidden(ref m)) if m.contains("custodian agreement rule") && m.contains(&w.outsider.to_string())),
            "{action}: {refused:?}"
        );
        // Inside the network: an affiliate of one of its projects, the project itself.
        for receiver in [w.alice, w.project, w.network] {
            let inside = NewEvent { receiver, ..out.clone() };
            assert_eq!(check_held_event(&inside, &a, &w.ties), Ok(()), "{action} to {receiver}");
        }
        let correction = NewEvent { corrects: Some(EconomicEventId::new()), ..out };
        assert_eq!(check_held_event(&correction, &a, &w.ties), Ok(()), "a correction hands nothing over");
    }
    // Using it, moving it, lending nothing: not a hand-over.
    for action in [Action::Use, Action::Move, Action::Consume] {
        let mut other = NewEvent::new(action, w.custodian, w.outsider);
        other.resource_inventoried_as = Some(held.id);
        assert_eq!(check_held_event(&other, &a, &w.ties), Ok(()), "{action}");
    }
}

#[test]
fn custodianship_goes_to_another_agent_of_the_same_network() {
    let w = world();
    let a = agreement(&w);
    let ask = |recipient| Custodianship { agreement: a.agreement, recipient };
    assert_eq!(check_custodianship(ask(w.alice), w.network, &a), Ok(ask(w.alice)));
    let elsewhere = check_custodianship(ask(w.alice), w.project, &a);
    assert!(matches!(elsewhere, Err(DomainError::Invalid { ref field, .. }) if field == "agreement"));
    for recipient in [w.custodian, w.network] {
        let refused = check_custodianship(ask(recipient), w.network, &a);
        assert!(matches!(refused, Err(DomainError::Invalid { ref field, .. }) if field == "recipient"));
    }
}

#[test]
fn the_handover_moves_rights_only_where_the_old_custodian_held_them() {
    let w = world();
    let unowned = resource(PropertyRegime::Nondominium, w.custodian, None);
    let event = handover(&unowned, w.custodian, w.alice);
    assert_eq!(event.action, Action::TransferCustody);
    assert_eq!((event.provider, event.receiver), (w.custodian, w.alice));
    assert_eq!((event.resource_inventoried_as, event.to_resource_inventoried_as), (Some(unowned.id), Some(unowned.id)));
    assert_eq!(event.resource_quantity, Some(Measure::new(Decimal::from(3), unowned.state.unit)));
    let owned = resource(PropertyRegime::Nondominium, w.custodian, Some(w.custodian));
    assert_eq!(handover(&owned, w.custodian, w.alice).action, Action::Transfer);
    let someone_elses = resource(PropertyRegime::Nondominium, w.custodian, Some(w.steward));
    assert_eq!(handover(&someone_elses, w.custodian, w.alice).action, Action::TransferCustody);
}

#[test]
fn custody_changes_as_the_books_apply_them() {
    let w = world();
    let (r, other) = (EconomicResourceId::new(), EconomicResourceId::new());
    let held = resource(PropertyRegime::Nondominium, w.custodian, None);
    let handed = handover(&EconomicResource { id: r, ..held }, w.custodian, w.alice);
    assert_eq!(custody_change(&handed, r, false), Some(CustodyChange { from: Some(w.custodian), to: w.alice }));
    assert_eq!(custody_change(&handed, other, false), None);
    let mut produced = NewEvent::new(Action::Produce, w.alice, w.custodian);
    produced.resource_inventoried_as = Some(r);
    produced.creates_resource = true;
    assert_eq!(custody_change(&produced, r, false), Some(CustodyChange { from: None, to: w.custodian }));
    // As stored: the flag is gone, and the first event of the resource is taken as its creation.
    produced.creates_resource = false;
    assert_eq!(custody_change(&produced, r, true), Some(CustodyChange { from: None, to: w.custodian }));
    assert_eq!(custody_change(&produced, r, false), None, "a later produce adds to it, custody unchanged");
    // The first event naming it, when its action cannot create it: a change like any other.
    assert_eq!(custody_change(&handed, r, true), Some(CustodyChange { from: Some(w.custodian), to: w.alice }));
    // A transfer out of r into another resource moves the other's custody, not r's.
    let mut into_other = NewEvent::new(Action::Transfer, w.custodian, w.alice);
    into_other.resource_inventoried_as = Some(r);
    into_other.to_resource_inventoried_as = Some(other);
    assert_eq!(custody_change(&into_other, r, false), None);
    assert_eq!(custody_change(&into_other, other, false), Some(CustodyChange { from: Some(w.custodian), to: w.alice }));
    let mut picked = NewEvent::new(Action::Pickup, w.custodian, w.alice);
    picked.resource_inventoried_as = Some(r);
    assert_eq!(custody_change(&picked, r, false), Some(CustodyChange { from: Some(w.custodian), to: w.alice }));
    let used = NewEvent { action: Action::Use, ..picked.clone() };
    assert_eq!(custody_change(&used, r, false), None);
    let correction = NewEvent { corrects: Some(EconomicEventId::new()), ..handed };
    assert_eq!(custody_change(&correction, r, true), None);
}
