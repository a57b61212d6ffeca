use std::collections::BTreeSet;

use chrono::{TimeDelta, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, hour, 0, 0).unwrap()
}

fn terms(scope: AgentId) -> AccessTerms {
    AccessTerms {
        scope,
        any_affiliate: false,
        roles: vec![],
        agents: vec![],
        minimum_reputation: None,
        requires_approval: false,
        longest_booking: None,
        value_per_unit_of_use: None,
        maintenance_share: Decimal::ZERO,
        maintenance_recipient: None,
        note: None,
    }
}

fn rule(terms: AccessTerms) -> AccessRule {
    AccessRule {
        id: AccessRuleId::new(),
        target: AccessTarget::Resource(EconomicResourceId::new()),
        version: 2,
        terms,
        set_by: AgentId::new(),
        set_at: at(8),
        proposal: None,
    }
}

fn stranger() -> Standing {
    Standing {
        agent: AgentId::new(),
        holder: false,
        affiliate: false,
        roles: BTreeSet::new(),
        reputation: Decimal::ZERO,
    }
}

fn refusal(result: Result<(), DomainError>) -> String {
    match result {
        Err(DomainError::AccessRule(message)) => message,
        other => panic!("expected an access rule violation, got {other:?}"),
    }
}

#[test]
fn holders_always_use_and_nobody_else_without_a_rule() {
    let resource = EconomicResourceId::new();
    let owner = Standing { holder: true, ..stranger() };
    assert_eq!(check_user(None, resource, &owner), Ok(()));
    let message = refusal(check_user(None, resource, &Standing { affiliate: true, ..stranger() }));
    assert!(message.contains("has no access rule"), "{message}");
}

#[test]
fn each_clause_lets_in_its_agents_and_the_refusal_names_the_rule() {
    let scope = AgentId::new();
    let role = AgentRelationshipRoleId::new();
    let named = AgentId::new();
    let rule = rule(AccessTerms { any_affiliate: true, roles: vec![role], agents: vec![named], ..terms(scope) });
    let resource = EconomicResourceId::new();
    assert_eq!(check_user(Some(&rule), resource, &Standing { affiliate: true, ..stranger() }), Ok(()));
    assert_eq!(check_user(Some(&rule), resource, &Standing { roles: BTreeSet::from([role]), ..stranger() }), Ok(()));
    assert_eq!(check_user(Some(&rule), resource, &Standing { agent: named, ..stranger() }), Ok(()));
    let other_role = Standing { roles: BTreeSet::from([AgentRelationshipRoleId::new()]), ..stranger() };
    let message = refusal(check_user(Some(&rule), resource, &other_role));
    assert!(message.starts_with("access rule v2 of resource"), "{message}");
    assert!(message.contains(&format!("any affiliate of {scope}")), "{message}");
    assert!(message.contains(&named.to_string()), "{message}");
}

#[test]
fn a_rule_with_no_clause_admits_only_holders() {
    let rule = rule(terms(AgentId::new()));
    let message =
        refusal(check_user(Some(&rule), EconomicResourceId::new(), &Standing { affiliate: true, ..stranger() }));
    assert!(message.contains("only the owner or custodian"), "{message}");
}

#[test]
fn a_minimum_reputation_applies_to_clauses_but_not_to_named_agents() {
    let named = AgentId::new();
    let rule = rule(AccessTerms {
        any_affiliate: true,
        agents: vec![named],
        minimum_reputation: Some(d("0.5")),
        ..terms(AgentId::new())
    });
    let resource = EconomicResourceId::new();
    let low = Standing { affiliate: true, reputation: d("0.4"), ..stranger() };
    assert!(refusal(check_user(Some(&rule), resource, &low)).contains("at least 0.5"));
    let high = Standing { affiliate: true, reputation: d("0.5"), ..stranger() };
    assert_eq!(check_user(Some(&rule), resource, &high), Ok(()));
    assert_eq!(check_user(Some(&rule), resource, &Standing { agent: named, ..stranger() }), Ok(()));
}

#[test]
fn the_longest_booking_is_inclusive_and_an_empty_interval_is_bad_input() {
    let rule = rule(AccessTerms { longest_booking: Some(TimeDelta::hours(4)), ..terms(AgentId::new()) });
    assert_eq!(check_span(Some(&rule), at(8), at(12)), Ok(()));
    let message = refusal(check_span(Some(&rule), at(8), at(13)));
    assert!(message.contains("at most 240 minutes; this one lasts 300"), "{message}");
    assert!(matches!(check_span(None, at(9), at(9)), Err(DomainError::Invalid { .. })));
    assert_eq!(check_span(None, at(0), at(23)), Ok(()));
}

#[test]
fn approval_is_asked_of_users_only_when_the_rule_says_so() {
    let asks = rule(AccessTerms { requires_approval: true, ..terms(AgentId::new()) });
    assert!(needs_approval(Some(&asks), &stranger()));
    assert!(!needs_approval(Some(&asks), &Standing { holder: true, ..stranger() }));
    assert!(!needs_approval(Some(&rule(terms(AgentId::new()))), &stranger()));
    assert!(!needs_approval(None, &stranger()));
}

#[test]
fn half_open_slots_touch_without_overlapping() {
    let resource = EconomicResourceId::new();
    let booked = [Slot { booking: CommitmentId::new(), begins: at(10), ends: at(12) }];
    assert_eq!(check_free(resource, at(8), at(10), &booked), Ok(()));
    assert_eq!(check_free(resource, at(12), at(14), &booked), Ok(()));
    for (begins, ends) in [(at(9), at(11)), (at(11), at(13)), (at(10), at(12)), (at(9), at(13)), (at(10), at(11))] {
        let message = refusal(check_free(resource, begins, ends, &booked));
        assert!(message.contains("bookings may not overlap"), "{message}");
    }
}

#[test]
fn the_rules_value_per_unit_beats_the_resources_and_the_split_is_exact() {
    let own = Measure { has_numerical_value: d("5"), has_unit: None };
    let ruled = rule(AccessTerms {
        value_per_unit_of_use: Some(Measure { has_numerical_value: d("6"), has_unit: None }),
        maintenance_share: d("0.15"),
        ..terms(AgentId::new())
    });
    assert_eq!(use_value_per_unit(None, Some(&own)), Some(&own));
    assert_eq!(use_value_per_unit(Some(&ruled), Some(&own)).map(|m| m.has_numerical_value), Some(d("6")));
    // 6 h at 6: 36, of which 15 % (5.40) maintains the printer and 30.60 is the owner's.
    assert_eq!(split_use_value(Some(&ruled), d("36")), (d("5.40"), d("30.60")));
    assert_eq!(split_use_value(None, d("36")), (d("0"), d("36")));
    let third = rule(AccessTerms { maintenance_share: d("0.3333333333333333333333333333"), ..terms(AgentId::new()) });
    let (maintenance, owner) = split_use_value(Some(&third), d("10"));
    assert_eq!(maintenance + owner, d("10"));
}

#[test]
fn terms_out_of_range_are_refused_by_field() {
    let field = |terms: AccessTerms| match terms.check() {
        Err(DomainError::Invalid { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let scope = AgentId::new();
    assert_eq!(field(AccessTerms { maintenance_share: d("1.01"), ..terms(scope) }), "maintenanceShare");
    assert_eq!(field(AccessTerms { maintenance_share: d("-0.1"), ..terms(scope) }), "maintenanceShare");
    assert_eq!(field(AccessTerms { minimum_reputation: Some(d("2")), ..terms(scope) }), "minimumReputation");
    assert_eq!(field(AccessTerms { longest_booking: Some(TimeDelta::zero()), ..terms(scope) }), "longestBooking");
    let negative = Some(Measure { has_numerical_value: d("-1"), has_unit: None });
    assert_eq!(field(AccessTerms { value_per_unit_of_use: negative, ..terms(scope) }), "valuePerUnitOfUse");
    let twice = AgentId::new();
    assert_eq!(field(AccessTerms { agents: vec![twice, twice], ..terms(scope) }), "agents");
    assert_eq!(
        AccessTerms { maintenance_share: d("0.150"), ..terms(scope) }.check().unwrap().maintenance_share.to_string(),
        "0.15"
    );
}

#[test]
fn a_nondominium_rule_is_voted_and_a_commons_takes_none() {
    assert_eq!(rule_change(PropertyRegime::PoolOfShareables), Ok(RuleChange::ByOwner));
    assert_eq!(rule_change(PropertyRegime::Private), Ok(RuleChange::ByOwner));
    assert_eq!(rule_change(PropertyRegime::Nondominium), Ok(RuleChange::ByVote));
    assert!(rule_change(PropertyRegime::Commons).is_err());
}

#[test]
fn a_resources_own_rule_beats_its_specifications() {
    let own = rule(terms(AgentId::new()));
    let specification = rule(terms(AgentId::new()));
    assert_eq!(effective(Some(&own), Some(&specification)), Some(&own));
    assert_eq!(effective(None, Some(&specification)), Some(&specification));
    assert_eq!(effective(None, None), None);
}

#[test]
fn maintenance_goes_to_the_named_recipient_else_the_custodian_else_the_owner() {
    let (named, custodian, owner) = (AgentId::new(), AgentId::new(), AgentId::new());
    let names = rule(AccessTerms { maintenance_recipient: Some(named), ..terms(AgentId::new()) });
    let silent = rule(terms(AgentId::new()));
    assert_eq!(maintenance_recipient(Some(&names), Some(custodian), Some(owner)), Some(named));
    assert_eq!(maintenance_recipient(Some(&silent), Some(custodian), Some(owner)), Some(custodian));
    assert_eq!(maintenance_recipient(None, None, Some(owner)), Some(owner));
    assert_eq!(maintenance_recipient(None, None, None), None);
}
