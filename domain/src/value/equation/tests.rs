use chrono::TimeZone;

use super::*;
use crate::value::fixture::{Must, d, rule};

fn bucket(sequence: i32, kind: BucketKind, percentage: &str) -> Bucket {
    Bucket {
        id: ValueEquationBucketId::new(),
        sequence,
        name: format!("bucket {sequence}"),
        kind,
        percentage: d(percentage),
        recipient: (kind == BucketKind::Agent).then(AgentId::new),
        period_start: None,
        period_end: None,
        rules: if matches!(kind, BucketKind::Deliverable | BucketKind::Period) {
            vec![rule(Action::Work, "quantity * rate")]
        } else {
            vec![]
        },
    }
}

fn draft(behavior: PercentageBehavior, buckets: Vec<Bucket>) -> EquationDraft {
    EquationDraft {
        scope: AgentId::new(),
        name: "v1".into(),
        percentage_behavior: behavior,
        valuation: Valuation::Restate,
        note: None,
        buckets,
    }
}

#[test]
fn a_straight_equation_must_add_up_to_exactly_one_hundred() {
    let ok = draft(
        PercentageBehavior::Straight,
        vec![bucket(2, BucketKind::Deliverable, "95"), bucket(1, BucketKind::Agent, "5")],
    )
    .check()
    .must();
    assert_eq!(ok.buckets.iter().map(|b| b.sequence).collect::<Vec<_>>(), [1, 2], "sorted by sequence");
    let short = draft(
        PercentageBehavior::Straight,
        vec![bucket(1, BucketKind::Agent, "5"), bucket(2, BucketKind::Deliverable, "94.99")],
    );
    let err = short.check().err().must().to_string();
    assert!(err.contains("must add up to 100, not 99.99"), "{err}");
    let remaining = draft(
        PercentageBehavior::Remaining,
        vec![bucket(1, BucketKind::Agent, "5"), bucket(2, BucketKind::Deliverable, "50")],
    );
    assert!(remaining.check().is_ok(), "REMAINING percentages need not add up");
}

#[test]
fn buckets_are_checked_by_kind() {
    let mut agent = bucket(1, BucketKind::Agent, "100");
    agent.recipient = None;
    let err = draft(PercentageBehavior::Straight, vec![agent]).check().err().must();
    assert_eq!(err, DomainError::invalid("buckets[0].recipient", "an AGENT bucket pays a named recipient"));
    let mut deliverable = bucket(1, BucketKind::Deliverable, "100");
    deliverable.rules.clear();
    let err = draft(PercentageBehavior::Straight, vec![deliverable]).check().err().must().to_string();
    assert!(err.contains("needs at least one rule"), "{err}");
    let zero = bucket(1, BucketKind::Maintenance, "0");
    assert!(draft(PercentageBehavior::Remaining, vec![zero]).check().is_err());
    let twice = vec![bucket(1, BucketKind::Agent, "50"), bucket(1, BucketKind::Deliverable, "50")];
    assert!(draft(PercentageBehavior::Straight, twice).check().err().must().to_string().contains("sequence 1"));
    let mut period = bucket(1, BucketKind::Period, "100");
    period.period_start = Some(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).single().must());
    period.period_end = Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().must());
    assert!(draft(PercentageBehavior::Straight, vec![period]).check().is_err());
}

#[test]
fn the_most_specific_rule_wins_and_ties_go_to_the_first() {
    let design = ResourceSpecificationId::new();
    let mut b = bucket(1, BucketKind::Deliverable, "100");
    let mut specific = rule(Action::Work, "quantity * rate * 1.5");
    specific.resource_conforms_to = Some(design);
    let mut tie = rule(Action::Work, "quantity * rate * 2");
    tie.resource_conforms_to = Some(design);
    b.rules = vec![rule(Action::Work, "quantity * rate"), specific.clone(), tie, rule(Action::Use, "quantity")];
    let on_design =
        MatchFacts { action: Some(Action::Work), resource_conforms_to: Some(design), ..MatchFacts::default() };
    assert_eq!(b.rule_for(&on_design).map(|r| r.id), Some(specific.id));
    let other = MatchFacts {
        action: Some(Action::Work),
        resource_conforms_to: Some(ResourceSpecificationId::new()),
        ..MatchFacts::default()
    };
    assert_eq!(b.rule_for(&other).map(|r| r.id), Some(b.rules[0].id));
    let cite = MatchFacts { action: Some(Action::Cite), ..MatchFacts::default() };
    assert!(b.rule_for(&cite).is_none());
}

#[test]
fn classification_filters_match_any_of_their_uris() {
    let mut r = rule(Action::Work, "quantity");
    r.process_classified_as = vec![Uri::parse("c", "ovn:rnd").must(), Uri::parse("c", "ovn:care").must()];
    let care = [Uri::parse("c", "ovn:care").must()];
    let facts = MatchFacts { action: Some(Action::Work), process_classified_as: &care, ..MatchFacts::default() };
    assert!(r.matches(&facts));
    let none = MatchFacts { action: Some(Action::Work), ..MatchFacts::default() };
    assert!(!r.matches(&none));
}

fn version(n: i32, valuation: Valuation, adopted: Option<u32>, retired: Option<u32>) -> ValueEquation {
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).single().must();
    ValueEquation {
        id: ValueEquationId::new(),
        revision: 1,
        scope: AgentId::new(),
        version: n,
        name: format!("v{n}"),
        status: match (adopted, retired) {
            (Some(_), Some(_)) => EquationStatus::Retired,
            (Some(_), None) => EquationStatus::Adopted,
            _ => EquationStatus::Draft,
        },
        percentage_behavior: PercentageBehavior::Straight,
        valuation,
        note: None,
        buckets: vec![],
        created: day(1),
        adopted_at: adopted.map(day),
        retired_at: retired.map(day),
    }
}

#[test]
fn forward_keeps_earlier_values_and_restate_replaces_them() {
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 1, d, 12, 0, 0).single().must();
    let v1 = version(1, Valuation::Restate, Some(10), Some(20));
    let v2 = version(2, Valuation::Forward, Some(20), None);
    let history = [v1.clone(), v2.clone()];
    assert_eq!(valuing_version(&v2, &history, day(25)).version, 2, "after its adoption");
    assert_eq!(valuing_version(&v2, &history, day(15)).version, 1, "v1 was in force");
    assert_eq!(valuing_version(&v2, &history, day(5)).version, 1, "before any version: the first one");
    let v2_restate = ValueEquation { valuation: Valuation::Restate, ..v2.clone() };
    assert_eq!(valuing_version(&v2_restate, &history, day(5)).version, 2);
    // A FORWARD draft is a what-if of adopting it now: everything recorded so far keeps v2.
    let v3 = version(3, Valuation::Forward, None, None);
    assert_eq!(valuing_version(&v3, &history, day(25)).version, 2);
    // The first version, FORWARD, values what came before it itself, never a later version.
    let first = version(1, Valuation::Forward, Some(10), Some(20));
    let history = [first.clone(), v2];
    assert_eq!(valuing_version(&first, &history, day(5)).version, 1);
    // Nothing adopted: the draft values everything.
    assert_eq!(valuing_version(&v3, &[], day(5)).version, 3);
}

#[test]
fn a_version_reads_resources_only_through_a_resource_filter_rate_or_value_per_unit_of_use() {
    use crate::value::fixture::deliverable_equation;
    use crate::value::snapshot::reads_resource_of;
    let scope = AgentId::new();
    let of = |rules: Vec<Rule>| deliverable_equation(scope, 1, rules).reads_resources();
    assert!(!of(vec![rule(Action::Work, "quantity * 10"), rule(Action::Raise, "quantity + declaredValue")]));
    assert!(of(vec![rule(Action::Work, "quantity * rate")]), "the skill may be the resource's specification");
    assert!(of(vec![rule(Action::Use, "quantity * valuePerUnitOfUse")]));
    let mut by_class = rule(Action::Transfer, "quantity");
    by_class.resource_classified_as =
        vec![crate::text::Uri::parse("classifiedAs", "https://example.org/material").must()];
    assert!(of(vec![by_class]));
    let mut by_spec = rule(Action::Transfer, "quantity");
    by_spec.resource_conforms_to = Some(ResourceSpecificationId::new());
    assert!(of(vec![by_spec]));
    // A use or a cite reads its asset whatever the rules; other events only when they do.
    let kit = crate::value::fixture::sensor_kit();
    let snapshot = kit.books.snapshot();
    for e in snapshot.events() {
        let asset = matches!(e.action, Action::Use | Action::Cite);
        assert_eq!(reads_resource_of(e, false), asset, "{:?}", e.action);
        assert!(reads_resource_of(e, true));
    }
}
