//! The equations real projects use, written in ovn's language and checked on small books
//! worked by hand (`docs/value-engine.md` shows the same three): SENSORICA's, NRP's fixture
//! style, and Slicing Pie's.

use chrono::Duration;
use rust_decimal::Decimal;

use super::distribution::{PaidBefore, Weighted, distribute};
use super::equation::*;
use super::equity::fluid_equity;
use super::fixture::*;
use super::rates::AgentRate;
use crate::observation::PropertyRegime;
use crate::text::Uri;
use crate::*;

fn value_of(equity: &super::equity::FluidEquity, agent: AgentId) -> Decimal {
    equity.holders.iter().find(|h| h.agent == agent).map_or(Decimal::ZERO, |h| h.value)
}

fn uri(text: &str) -> Uri {
    Uri::parse("classifiedAs", text).must()
}

/// SENSORICA: work by skill at a rate, with an R&D risk factor on research processes; cash at
/// face value; use of pooled equipment at its rate per hour; a citation of a commons valued
/// from the cited resource.
#[test]
fn sensorica_values_skill_risk_cash_equipment_and_citations() {
    let mut b = Books::default();
    let project = AgentId::new();
    let (ana, ben, cy) = (AgentId::new(), AgentId::new(), AgentId::new());
    let (electronics, usd, rnd) = (ResourceSpecificationId::new(), ResourceSpecificationId::new(), uri("ovn:rnd"));
    b.rate(ana, electronics, "40");
    b.rate(ben, electronics, "25");

    let mut risky = rule(Action::Work, "quantity * rate * 1.5");
    risky.process_classified_as = vec![rnd.clone()];
    let mut cash = rule(Action::Transfer, "quantity");
    cash.resource_conforms_to = Some(usd);
    let rules = vec![
        risky,
        rule(Action::Work, "quantity * rate"),
        cash,
        rule(Action::Use, "quantity * valuePerUnitOfUse"),
        rule(Action::Cite, "resourceValue / 10"),
    ];
    let eq = equation(project, 1, vec![bucket(1, BucketKind::Deliverable, "100", None, rules)]);
    b.equations.push(eq.clone());

    let research = b.process(project, None);
    b.processes[0].classified_as = vec![rnd];
    let production = b.process(project, None);
    let e = b.event(Action::Work, ana, project);
    (e.input_of, e.effort_quantity, e.resource_conforms_to) = (Some(research), Some(d("10")), Some(electronics));
    let e = b.event(Action::Work, ben, project);
    (e.input_of, e.effort_quantity, e.resource_conforms_to) = (Some(production), Some(d("8")), Some(electronics));
    let wallet = b.resource(Some(cy), PropertyRegime::Private, None);
    let fund = b.resource(Some(project), PropertyRegime::Private, None);
    let e = b.event(Action::Transfer, cy, project);
    (e.resource_inventoried_as, e.to_resource_inventoried_as, e.resource_quantity, e.resource_conforms_to) =
        (Some(wallet), Some(fund), Some(d("250")), Some(usd));
    let oscilloscope = b.resource(Some(cy), PropertyRegime::PoolOfShareables, Some("12"));
    let e = b.event(Action::Use, cy, project);
    (e.input_of, e.resource_inventoried_as, e.effort_quantity) = (Some(production), Some(oscilloscope), Some(d("3")));

    let equity = fluid_equity(&b.snapshot(), eq.scope, &eq, None).must();
    // Ana: 10 h × 40 × 1.5 (research) = 600; Ben: 8 h × 25 = 200; Cy: 250 cash + 3 h × 12 = 286.
    assert_eq!(value_of(&equity, ana), d("600"));
    assert_eq!(value_of(&equity, ben), d("200"));
    assert_eq!(value_of(&equity, cy), d("286"));
    assert_eq!(equity.total, d("1086"));
}

/// NRP's fixture style: a fee off the top, expenses paid back first as `DEBT`, a one-time
/// bonus as `ONCE`, the rest as equity, with `REMAINING` percentages.
#[test]
fn nrp_fixtures_pay_debts_down_and_a_bonus_once_across_two_sales() {
    let (scope, firm) = (AgentId::new(), AgentId::new());
    let mut expense = rule(Action::Transfer, "quantity");
    expense.claim_type = ClaimType::Debt;
    let mut bonus = rule(Action::DeliverService, "declaredValue");
    bonus.claim_type = ClaimType::Once;
    let mut eq = equation(
        scope,
        1,
        vec![
            bucket(1, BucketKind::Agent, "10", Some(firm), vec![]),
            bucket(2, BucketKind::Period, "50", None, vec![expense, bonus]),
            bucket(3, BucketKind::Period, "100", None, vec![rule(Action::Work, "quantity * 20")]),
        ],
    );
    eq.percentage_behavior = PercentageBehavior::Remaining;
    let (ann, ben, cat) = (AgentId::new(), AgentId::new(), AgentId::new());
    let (receipt, gig, hours) = (EconomicEventId::new(), EconomicEventId::new(), EconomicEventId::new());
    let w = |agent, event, value: &str, claim_type| Weighted {
        agent,
        event,
        weight: d(value),
        event_value: d(value),
        claim_type,
    };
    let inputs = std::collections::HashMap::from([
        (eq.buckets[1].id, vec![w(ann, receipt, "120", ClaimType::Debt), w(ben, gig, "30", ClaimType::Once)]),
        (eq.buckets[2].id, vec![w(cat, hours, "400", ClaimType::Equity)]),
    ]);
    let of = |split: &super::distribution::Split, agent| -> Decimal {
        split.lines.iter().filter(|l| l.agent == agent).map(|l| l.amount).sum()
    };
    // Sale 1, 200: firm 20; of 180 left, 50% = 90 split 120:30 = 72 / 18; then 100% of the 90
    // left to Cat.
    let first = distribute(d("200"), 2, &eq, &inputs, &PaidBefore::default()).must();
    assert_eq!(
        (of(&first, firm), of(&first, ann), of(&first, ben), of(&first, cat)),
        (d("20"), d("72"), d("18"), d("90"))
    );
    // Sale 2, 200: Ann is owed 48 more, Ben's bonus was paid. 90 would all go to Ann, capped at
    // 48: the 42 left in the bucket is unclaimed there, and the next bucket takes 100% of what
    // is left after what was paid: 200 - 20 - 48 = 132 to Cat.
    let paid = PaidBefore { debt: [(receipt, d("72"))].into(), once: [gig].into() };
    let second = distribute(d("200"), 2, &eq, &inputs, &paid).must();
    assert_eq!(
        (of(&second, firm), of(&second, ann), of(&second, ben), of(&second, cat)),
        (d("20"), d("48"), d("0"), d("132"))
    );
    assert_eq!(second.unclaimed, Decimal::ZERO);
}

/// Slicing Pie: non-cash contributions at twice their fair market value, cash at four times,
/// unpaid time at the part of a market salary not paid (an hourly rate valid from a date),
/// the rent of facilities actually used, equipment at its declared value.
#[test]
fn slicing_pie_weighs_cash_four_times_and_unpaid_time_twice() {
    let mut b = Books::default();
    let company = AgentId::new();
    let (founder, investor) = (AgentId::new(), AgentId::new());
    let (engineering, usd, equipment) =
        (ResourceSpecificationId::new(), ResourceSpecificationId::new(), uri("ovn:equipment"));
    // Market salary 100/h, paid 40/h from day 0: the unpaid part is 60/h; from day 30 she is
    // paid nothing: 100/h.
    b.rates.push(AgentRate {
        id: AgentRateId::new(),
        agent: founder,
        skill: engineering,
        rate: d("60"),
        unit: None,
        valid_from: day(0),
        created: day(0),
    });
    b.rates.push(AgentRate {
        id: AgentRateId::new(),
        agent: founder,
        skill: engineering,
        rate: d("100"),
        unit: None,
        valid_from: day(30),
        created: day(30),
    });
    let mut cash = rule(Action::Transfer, "quantity * 4");
    cash.resource_conforms_to = Some(usd);
    let mut kit = rule(Action::Transfer, "declaredValue");
    kit.resource_classified_as = vec![equipment.clone()];
    let rules = vec![
        rule(Action::Work, "quantity * rate * 2"),
        cash,
        kit,
        rule(Action::Transfer, "declaredValue * 2"),
        rule(Action::Use, "quantity * valuePerUnitOfUse * 2"),
    ];
    let eq = equation(company, 1, vec![bucket(1, BucketKind::Period, "100", None, rules)]);
    b.equations.push(eq.clone());
    let work = b.process(company, None);
    let e = b.event(Action::Work, founder, company);
    (e.input_of, e.effort_quantity, e.resource_conforms_to) = (Some(work), Some(d("10")), Some(engineering));
    let e = b.event(Action::Work, founder, company);
    (e.input_of, e.effort_quantity, e.resource_conforms_to) = (Some(work), Some(d("5")), Some(engineering));
    e.point_in_time = day(40);
    let (wallet, till) = (
        b.resource(Some(investor), PropertyRegime::Private, None),
        b.resource(Some(company), PropertyRegime::Private, None),
    );
    let e = b.event(Action::Transfer, investor, company);
    (e.resource_inventoried_as, e.to_resource_inventoried_as, e.resource_quantity, e.resource_conforms_to) =
        (Some(wallet), Some(till), Some(d("1000")), Some(usd));
    let (laptop, laptop_there) = (
        b.resource(Some(founder), PropertyRegime::Private, None),
        b.resource(Some(company), PropertyRegime::Private, None),
    );
    let e = b.event(Action::Transfer, founder, company);
    (e.resource_inventoried_as, e.to_resource_inventoried_as, e.resource_quantity, e.declared_value) =
        (Some(laptop), Some(laptop_there), Some(d("1")), Some(d("1500")));
    e.resource_classified_as = vec![equipment];
    let (supplies, supplies_there) = (
        b.resource(Some(founder), PropertyRegime::Private, None),
        b.resource(Some(company), PropertyRegime::Private, None),
    );
    let e = b.event(Action::Transfer, founder, company);
    (e.resource_inventoried_as, e.to_resource_inventoried_as, e.resource_quantity, e.declared_value) =
        (Some(supplies), Some(supplies_there), Some(d("1")), Some(d("200")));
    let garage = b.resource(Some(investor), PropertyRegime::PoolOfShareables, Some("15"));
    let e = b.event(Action::Use, investor, company);
    (e.input_of, e.resource_inventoried_as, e.effort_quantity) = (Some(work), Some(garage), Some(d("20")));
    e.point_in_time += Duration::days(1);

    let equity = fluid_equity(&b.snapshot(), eq.scope, &eq, None).must();
    // Founder: 10 h × 60 × 2 = 1200 (day 1), 5 h × 100 × 2 = 1000 (day 40), laptop at its
    // declared 1500, supplies 200 × 2 = 400: 4100. Investor: 1000 cash × 4 = 4000, 20 h of the
    // garage × 15 × 2 = 600: 4600.
    assert_eq!(value_of(&equity, founder), d("4100"));
    assert_eq!(value_of(&equity, investor), d("4600"));
    assert_eq!(equity.total, d("8700"));
}
