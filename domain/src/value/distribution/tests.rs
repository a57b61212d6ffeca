use super::*;
use crate::value::fixture::*;
use crate::value::rollup::rollup;
use crate::value::snapshot::RuleScope;

fn weights_of_rollup(kit: &SensorKit, quantity: &str) -> HashMap<ValueEquationBucketId, Vec<Weighted>> {
    let snapshot = kit.books.snapshot();
    let deliverable = kit.equation.buckets.iter().find(|b| b.kind == BucketKind::Deliverable).must();
    let r = rollup(&snapshot, kit.kits, Some(d(quantity)), &kit.equation, RuleScope::Bucket(deliverable.id)).must();
    let weights = r.shares.iter().map(Weighted::from).collect();
    HashMap::from([(deliverable.id, weights)])
}

fn amount_of(split: &Split, agent: AgentId) -> Decimal {
    split.lines.iter().filter(|l| l.agent == agent).map(|l| l.amount).sum()
}

#[test]
fn the_sensor_kit_sale_splits_as_worked_by_hand() {
    let kit = sensor_kit();
    let split = distribute(d("400"), 2, &kit.equation, &weights_of_rollup(&kit, "4"), &PaidBefore::default()).must();
    assert_eq!(amount_of(&split, kit.fund_agent), d("20.00"));
    // 380 × 180/344 = 198.8372…, × 120/344 = 132.5581…, × 32/344 = 35.3488…, × 12/344 = 13.2558…;
    // floors 198.83 + 132.55 + 35.34 + 13.25 = 379.97; the 3 cents go to the largest
    // remainders: Bob (.0088), Carol (.0081), Alice (.0072).
    assert_eq!(amount_of(&split, kit.alice), d("198.84"));
    assert_eq!(amount_of(&split, kit.carol), d("132.56"));
    assert_eq!(amount_of(&split, kit.bob), d("35.35"));
    assert_eq!(amount_of(&split, kit.dan), d("13.25"));
    assert_eq!(split.lines.iter().map(|l| l.amount).sum::<Decimal>(), d("400"));
    assert_eq!(split.unclaimed, Decimal::ZERO);
}

#[test]
fn largest_remainder_breaks_ties_by_amount_then_key() {
    // 1/3 each of 1.00: floors 0.33 × 3 = 0.99; all remainders equal, all amounts equal: key 1 wins.
    let third = d("1") / d("3");
    let out = largest_remainder(&[(2, third), (1, third), (3, third)], d("1"), d("0.01"));
    assert_eq!(out, vec![(2, d("0.33")), (1, d("0.34")), (3, d("0.33"))]);
}

#[test]
fn remaining_buckets_take_from_what_is_left_and_an_empty_bucket_is_unclaimed() {
    let (scope, fund) = (AgentId::new(), AgentId::new());
    let mut eq = equation(
        scope,
        1,
        vec![
            bucket(1, BucketKind::Agent, "10", Some(fund), vec![]),
            bucket(2, BucketKind::Period, "50", None, vec![rule(crate::Action::Work, "quantity")]),
            bucket(3, BucketKind::Maintenance, "100", None, vec![]),
        ],
    );
    eq.percentage_behavior = PercentageBehavior::Remaining;
    let (alice, bob) = (AgentId::new(), AgentId::new());
    let w = |agent, weight: &str| Weighted {
        agent,
        event: EconomicEventId::new(),
        weight: d(weight),
        event_value: d(weight),
        claim_type: ClaimType::Equity,
    };
    let inputs = HashMap::from([(eq.buckets[1].id, vec![w(alice, "3"), w(bob, "1")])]);
    let split = distribute(d("100"), 2, &eq, &inputs, &PaidBefore::default()).must();
    // 10 to the fund; 50% of the 90 left = 45, 33.75 / 11.25; maintenance has no recipients yet:
    // all of the 45 left is unclaimed.
    assert_eq!(amount_of(&split, fund), d("10"));
    assert_eq!(amount_of(&split, alice), d("33.75"));
    assert_eq!(amount_of(&split, bob), d("11.25"));
    assert_eq!(split.unclaimed, d("45"));
}

#[test]
fn debt_claims_are_capped_and_the_rest_water_fills_once_claims_pay_once() {
    let scope = AgentId::new();
    let eq = equation(
        scope,
        1,
        vec![bucket(1, BucketKind::Period, "100", None, vec![rule(crate::Action::Work, "quantity")])],
    );
    let (ann, ben, cat) = (AgentId::new(), AgentId::new(), AgentId::new());
    let (debt, once, equity) = (EconomicEventId::new(), EconomicEventId::new(), EconomicEventId::new());
    let inputs = HashMap::from([(
        eq.buckets[0].id,
        vec![
            Weighted { agent: ann, event: debt, weight: d("50"), event_value: d("50"), claim_type: ClaimType::Debt },
            Weighted { agent: ben, event: once, weight: d("25"), event_value: d("25"), claim_type: ClaimType::Once },
            Weighted {
                agent: cat,
                event: equity,
                weight: d("25"),
                event_value: d("25"),
                claim_type: ClaimType::Equity,
            },
        ],
    )]);
    // 80 split 50:25:25 = 40/20/20; Ann owed 50 -> not capped.
    let first = distribute(d("80"), 2, &eq, &inputs, &PaidBefore::default()).must();
    assert_eq!((amount_of(&first, ann), amount_of(&first, ben), amount_of(&first, cat)), (d("40"), d("20"), d("20")));
    // Second: Ann has 10 still owed; Ben's ONCE was paid. 80 split 50:25 = 53.33/26.67, Ann capped
    // at 10, the 70 left goes to Cat alone.
    let paid = PaidBefore { debt: HashMap::from([(debt, d("40"))]), once: HashSet::from([once]) };
    let second = distribute(d("80"), 2, &eq, &inputs, &paid).must();
    assert_eq!((amount_of(&second, ann), amount_of(&second, ben), amount_of(&second, cat)), (d("10"), d("0"), d("70")));
    // Only capped claims left: the rest is unclaimed.
    let only_debt = HashMap::from([(eq.buckets[0].id, vec![inputs[&eq.buckets[0].id][0].clone()])]);
    let third = distribute(d("80"), 2, &eq, &only_debt, &paid).must();
    assert_eq!((amount_of(&third, ann), third.unclaimed), (d("10"), d("70")));
}
