//! The rules of revenue: what is refused and why, who may distribute, the cascade guard, and
//! what a `MAINTENANCE` bucket weighs in the sensor kit.

use std::collections::BTreeMap;

use chrono::Utc;

use super::*;
use crate::agent::network::Tie;
use crate::observation::PropertyRegime;
use crate::observation::{EventDetails, NewEvent};
use crate::value::equation::EquationStatus;
use crate::value::equity::value_contributions;
use crate::value::fixture::*;
use crate::value::rollup::rollup;
use crate::value::snapshot::RuleScope;
use crate::{Measure, UnitId};

struct Sale {
    event: EconomicEvent,
    ties: Ties,
    project: AgentId,
    firm: AgentId,
}

fn sale(amount: &str) -> Sale {
    let (customer, firm, network, project) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let mut core = NewEvent::new(Action::Transfer, customer, firm);
    core.resource_inventoried_as = Some(EconomicResourceId::new());
    core.to_resource_inventoried_as = Some(EconomicResourceId::new());
    core.resource_quantity = Some(Measure::new(d(amount), Some(UnitId::new())));
    let event = EconomicEvent {
        id: EconomicEventId::new(),
        revision: 1,
        core,
        details: EventDetails { in_scope_of: vec![project], ..EventDetails::default() },
        created: Utc::now(),
    };
    let ties = Ties::new([
        Tie { subject: firm, role: OvnRole::ExchangeFirmOf, object: network },
        Tie { subject: project, role: OvnRole::PartOf, object: network },
    ]);
    Sale { event, ties, project, firm }
}

fn refusal(result: Result<Revenue, DomainError>) -> String {
    match result {
        Err(DomainError::Invalid { field, message }) if field == "revenueEvent" => message,
        other => panic!("expected a BAD_INPUT on revenueEvent, got {other:?}"),
    }
}

#[test]
fn a_payment_to_the_exchange_firm_in_scope_of_a_project_of_its_network_is_revenue() {
    let s = sale("400");
    let revenue = check_revenue(&s.event, true, &s.ties).must();
    assert_eq!((revenue.scope, revenue.firm, revenue.amount), (s.project, s.firm, d("400")));
    assert_eq!(Some(revenue.resource), s.event.core.to_resource_inventoried_as);
}

#[test]
fn anything_else_is_refused_saying_why() {
    let s = sale("400");
    let mut work = s.event.clone();
    work.core.action = Action::Work;
    assert!(refusal(check_revenue(&work, true, &s.ties)).contains("not a payment"));
    assert!(refusal(check_revenue(&s.event, false, &s.ties)).contains("medium of exchange"));
    let mut elsewhere = s.event.clone();
    elsewhere.details.in_scope_of = vec![AgentId::new()];
    assert!(refusal(check_revenue(&elsewhere, true, &s.ties)).contains("no project of the exchange firm's network"));
    let mut to_someone = s.event.clone();
    to_someone.core.receiver = AgentId::new();
    assert!(refusal(check_revenue(&to_someone, true, &s.ties)).contains("no network's exchange firm"));
    let mut nowhere = s.event.clone();
    nowhere.core.to_resource_inventoried_as = None;
    assert!(refusal(check_revenue(&nowhere, true, &s.ties)).contains("went into no resource"));
    let zero = sale("0");
    assert!(refusal(check_revenue(&zero.event, true, &zero.ties)).contains("amount of zero"));
}

#[test]
fn the_firm_or_a_steward_distributes_nobody_else() {
    let s = sale("400");
    let revenue = check_revenue(&s.event, true, &s.ties).must();
    let steward = AgentId::new();
    let mut ties = s.ties.clone();
    ties.extend([Tie { subject: steward, role: OvnRole::StewardOf, object: s.project }]);
    assert_eq!(may_distribute(s.firm, &revenue, &ties), Ok(()));
    assert_eq!(may_distribute(steward, &revenue, &ties), Ok(()));
    assert!(matches!(may_distribute(AgentId::new(), &revenue, &ties), Err(DomainError::Forbidden(_))));
}

#[test]
fn only_an_adopted_version_of_the_scope_pays() {
    let kit = sensor_kit();
    assert_eq!(check_paying_equation(&kit.equation, kit.project), Ok(()));
    let mut draft = kit.equation.clone();
    (draft.status, draft.adopted_at) = (EquationStatus::Draft, None);
    assert!(matches!(check_paying_equation(&draft, kit.project), Err(DomainError::Invalid { .. })));
    assert!(matches!(check_paying_equation(&kit.equation, AgentId::new()), Err(DomainError::Invalid { .. })));
}

#[test]
fn a_cascade_back_into_a_scope_on_the_way_down_is_a_cycle() {
    let (a, b, c) = (AgentId::new(), AgentId::new(), AgentId::new());
    assert_eq!(check_cascade(&[a, b], c), Ok(()));
    assert!(matches!(check_cascade(&[a, b], a), Err(DomainError::Cycle(_))));
    assert!(matches!(check_cascade(&[a], a), Err(DomainError::Cycle(_))), "a scope paying itself");
}

#[test]
fn maintenance_weighs_each_use_s_maintenance_share_for_its_recipient() {
    // Dan's printer under a rule: 6 h × 6 = 36, 15% (5.4) for Mo. Eve's soldering station,
    // pooled at 2 an hour, under a rule that sends half of each use to its custodian (Eve):
    // Bob brings it in for 3 h, 3 × 2 = 6, 3 for Eve as maintainer, 3 as owner. In the 4 kits
    // sold (0.4 of the assembly): Mo weighs 2.16, Eve 1.2; with no deliverable (a cascade),
    // the whole uses: Mo 5.4, Eve 3.
    let mut kit = sensor_kit();
    let (mo, eve) = (AgentId::new(), AgentId::new());
    kit.books.govern(kit.printer, use_terms(Some("6"), "0.15", Some(mo)));
    let station = kit.books.resource(Some(eve), PropertyRegime::PoolOfShareables, Some("2"));
    kit.books.govern(station, use_terms(None, "0.5", None));
    kit.books.event(Action::Use, kit.bob, kit.project).input(kit.assembly).on(station).effort("3");
    let snapshot = kit.books.snapshot();
    let four = rollup(&snapshot, kit.kits, Some(d("4")), &kit.equation, RuleScope::All).must();
    let weights = |w: Vec<Weighted>| w.into_iter().map(|w| (w.agent, w.weight)).collect::<BTreeMap<_, _>>();
    assert_eq!(weights(maintenance_weights(&four)), BTreeMap::from([(mo, d("2.16")), (eve, d("1.2"))]));
    assert!(four.shares.iter().any(|s| s.agent == eve && s.value == d("1.2")), "Eve's 3 as owner, 0.4 of it");

    let valued = value_contributions(&snapshot, snapshot.events(), &kit.equation, RuleScope::All).must();
    assert_eq!(weights(maintenance_of_contributions(&valued)), BTreeMap::from([(mo, d("5.4")), (eve, d("3"))]));
}

#[test]
fn a_use_under_no_rule_weighs_nothing_in_maintenance() {
    // The plain sensor kit: the printer has no rule, so its whole 30 is Dan's contribution
    // (12 of it in the 4 kits) and a MAINTENANCE bucket finds nobody to pay.
    let kit = sensor_kit();
    let snapshot = kit.books.snapshot();
    let four = rollup(&snapshot, kit.kits, Some(d("4")), &kit.equation, RuleScope::All).must();
    assert!(four.maintenance.is_empty());
    assert!(maintenance_weights(&four).is_empty());
    assert!(four.shares.iter().any(|s| s.agent == kit.dan && s.value == d("12")));
    let valued = value_contributions(&snapshot, snapshot.events(), &kit.equation, RuleScope::All).must();
    assert!(maintenance_of_contributions(&valued).is_empty());
}
