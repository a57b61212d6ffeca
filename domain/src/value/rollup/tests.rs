use std::collections::BTreeMap;

use super::*;
use crate::value::fixture::*;

fn by_agent(r: &Rollup) -> BTreeMap<AgentId, Decimal> {
    let mut out = BTreeMap::new();
    for s in &r.shares {
        *out.entry(s.agent).or_default() += s.value;
    }
    out
}

#[test]
fn the_sensor_kit_rolls_up_as_worked_by_hand() {
    let kit = sensor_kit();
    let snapshot = kit.books.snapshot();
    let all = rollup(&snapshot, kit.kits, None, &kit.equation, RuleScope::All).must();
    assert_eq!(all.total_value, d("860"), "450 + 300 + 30 + 80");
    let four = rollup(&snapshot, kit.kits, Some(d("4")), &kit.equation, RuleScope::All).must();
    assert_eq!(four.total_value, d("344"));
    let agents = by_agent(&four);
    assert_eq!(agents[&kit.alice], d("180"));
    assert_eq!(agents[&kit.carol], d("120"));
    assert_eq!(agents[&kit.bob], d("32"));
    assert_eq!(agents[&kit.dan], d("12"));
    assert_eq!(agents.len(), 4, "the supplier and the project get nothing");
}

#[test]
fn every_share_says_why() {
    let kit = sensor_kit();
    let snapshot = kit.books.snapshot();
    let four = rollup(&snapshot, kit.kits, Some(d("4")), &kit.equation, RuleScope::All).must();
    let carol = four.shares.iter().find(|s| s.agent == kit.carol).must();
    // kits <- produce <- assembly <- consume <- sensors <- receipt, payment, deposit
    assert_eq!(carol.path.len(), 8, "{:?}", carol.path);
    assert_eq!(carol.path[0], FlowNode::Resource(kit.kits));
    assert!(matches!(carol.path[2], FlowNode::Process(_)));
    assert_eq!(carol.path[7], FlowNode::Event(carol.event));
    assert!(carol.explanation.contains("deposited in the fund that paid 300"), "{}", carol.explanation);
    assert!(carol.explanation.contains("transfer: `quantity` (v1) with quantity 300 = 300"), "{}", carol.explanation);
    assert!(carol.explanation.contains("0.4 of it is in this deliverable"), "{}", carol.explanation);
    let alice = four.shares.iter().find(|s| s.agent == kit.alice).must();
    assert!(alice.explanation.contains("quantity 10, rate 30 = 450"), "{}", alice.explanation);
    let dan = four.shares.iter().find(|s| s.agent == kit.dan).must();
    assert!(dan.explanation.contains("use of an asset, credited to its owner"), "{}", dan.explanation);
}
