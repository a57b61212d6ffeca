//! Hand-worked rollups (DESIGN 4.2 and 4.6): every figure is worked in a comment first, then
//! asserted exactly, so that an engine that counts something twice, drops it or credits the
//! wrong agent fails.

use std::collections::BTreeMap;

use super::*;
use crate::value::equation::{EquationStatus, Rule, Valuation};
use crate::value::fixture::*;
use crate::{AgreementId, ResourceSpecificationId};

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
    assert!(!agents.contains_key(&kit.project), "the project paid out of the fund: no contribution");
    assert!(!agents.contains_key(&kit.fund_agent), "the infrastructure fund is paid by a bucket, not a share");
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
    assert!(carol.explanation.to_string().contains("deposited in the fund that paid 300"), "{}", carol.explanation);
    assert!(
        carol.explanation.to_string().contains("transfer: `quantity` (v1) with quantity 300 = 300"),
        "{}",
        carol.explanation
    );
    assert!(carol.explanation.to_string().contains("0.4 of it is in this deliverable"), "{}", carol.explanation);
    let alice = four.shares.iter().find(|s| s.agent == kit.alice).must();
    assert!(alice.explanation.to_string().contains("quantity 10, rate 30 = 450"), "{}", alice.explanation);
    let dan = four.shares.iter().find(|s| s.agent == kit.dan).must();
    assert!(dan.explanation.to_string().contains("use of an asset, credited to its owner"), "{}", dan.explanation);
}

/// The shares by event, largest first: (event, agent, value).
fn lines(r: &Rollup) -> Vec<(EconomicEventId, AgentId, Decimal)> {
    r.shares.iter().map(|s| (s.event, s.agent, s.value)).collect()
}

fn share(r: &Rollup, event: EconomicEventId) -> &Share {
    r.shares.iter().find(|s| s.event == event).must()
}

fn agents<const N: usize>(pairs: [(AgentId, &str); N]) -> BTreeMap<AgentId, Decimal> {
    pairs.into_iter().map(|(a, v)| (a, d(v))).collect()
}

fn work_rule() -> Rule {
    rule(Action::Work, "quantity * rate")
}

fn cash_rule(usd: ResourceSpecificationId) -> Rule {
    let mut cash = rule(Action::Transfer, "quantity");
    cash.resource_conforms_to = Some(usd);
    cash
}

fn private(b: &mut Books, owner: AgentId) -> EconomicResourceId {
    b.resource(Some(owner), PropertyRegime::Private, None)
}

#[test]
fn a_tool_used_in_the_process_credits_its_makers_their_part_of_the_use_value_once() {
    // Ann works 3 h and Ben 1 h at rate 10 making a tool: it holds 30 + 10 = 40. The tool is
    // used 2 h at valuePerUnitOfUse 5 in the process that builds 4 gadgets: use value
    // 2 × 5 = 10, split 30:10 over its makers, Ann 7.5 and Ben 2.5. Cleo works 2 h there: 20.
    // The 4 gadgets hold 7.5 + 2.5 + 20 = 30, not 30 + 40: the tool's own work counts only
    // through its use, and the project (the tool's owner) gets nothing.
    let (project, ann, ben, cleo) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let skill = ResourceSpecificationId::new();
    let mut b = Books::default();
    for agent in [ann, ben, cleo] {
        b.rate(agent, skill, "10");
    }
    let eq = deliverable_equation(project, 1, vec![work_rule(), rule(Action::Use, "quantity * valuePerUnitOfUse")]);
    b.equations.push(eq.clone());
    let make = b.process(project, None);
    let tool = b.resource(Some(project), PropertyRegime::Private, Some("5"));
    let ann_work = b.event(Action::Work, ann, project).input(make).effort("3").conforms(skill).id;
    let ben_work = b.event(Action::Work, ben, project).input(make).effort("1").conforms(skill).id;
    let made = b.event(Action::Produce, ann, project).output(make).on(tool).quantity("1").id;
    let build = b.process(project, None);
    let gadgets = private(&mut b, project);
    let used = b.event(Action::Use, project, project).input(build).on(tool).effort("2").id;
    let cleo_work = b.event(Action::Work, cleo, project).input(build).effort("2").conforms(skill).id;
    let built = b.event(Action::Produce, cleo, project).output(build).on(gadgets).quantity("4").id;
    let snapshot = b.snapshot();

    let all = rollup(&snapshot, gadgets, None, &eq, RuleScope::All).must();
    assert_eq!((all.quantity, all.total_in, all.total_value), (d("4"), d("4"), d("30")));
    assert_eq!(by_agent(&all), agents([(ann, "7.5"), (ben, "2.5"), (cleo, "20")]));
    assert_eq!(lines(&all), vec![(cleo_work, cleo, d("20")), (ann_work, ann, d("7.5")), (ben_work, ben, d("2.5"))]);
    let ann_share = share(&all, ann_work);
    assert_eq!(
        ann_share.path.to_vec(),
        vec![
            FlowNode::Resource(gadgets),
            FlowNode::Event(built),
            FlowNode::Process(build),
            FlowNode::Event(used),
            FlowNode::Resource(tool),
            FlowNode::Event(made),
            FlowNode::Process(make),
            FlowNode::Event(ann_work),
        ]
    );
    // 7.5 of Ann's 30.
    assert!(
        ann_share.explanation.to_string().contains("0.25 of it is in this deliverable"),
        "{}",
        ann_share.explanation
    );
    assert!(!ann_share.explanation.to_string().contains("ways"), "reached once: {}", ann_share.explanation);

    // One gadget of 4: a quarter of each, 7.5 in all.
    let one = rollup(&snapshot, gadgets, Some(d("1")), &eq, RuleScope::All).must();
    assert_eq!(one.total_value, d("7.5"));
    assert_eq!(by_agent(&one), agents([(ann, "1.875"), (ben, "0.625"), (cleo, "5")]));
}

/// Ten items bought for 300: 150 out of the fund (X deposited 200, then Y 100) and 150 by
/// Zoe; W deposits 500 after the fund paid. `consumed` of the items go into one gadget.
struct FundPurchase {
    snapshot: Arc<Snapshot>,
    equation: ValueEquation,
    gadget: EconomicResourceId,
    project: AgentId,
    supplier: AgentId,
    x: AgentId,
    y: AgentId,
    zoe: AgentId,
    x_deposit: EconomicEventId,
    fund_payment: EconomicEventId,
    zoe_payment: EconomicEventId,
}

fn fund_purchase(consumed: &str) -> FundPurchase {
    let (project, supplier) = (AgentId::new(), AgentId::new());
    let (x, y, zoe, w) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let usd = ResourceSpecificationId::new();
    let equation = deliverable_equation(project, 1, vec![cash_rule(usd)]);
    let mut b = Books::default();
    b.equations.push(equation.clone());
    let fund = private(&mut b, project);
    let deposit = |b: &mut Books, who: AgentId, amount: &str| {
        let wallet = private(b, who);
        b.event(Action::Transfer, who, project).on(wallet).to(fund).quantity(amount).conforms(usd).id
    };
    let x_deposit = deposit(&mut b, x, "200");
    deposit(&mut b, y, "100");
    let agreement = AgreementId::new();
    let (stock, till, items) = (private(&mut b, supplier), private(&mut b, supplier), private(&mut b, project));
    b.event(Action::Transfer, supplier, project)
        .on(stock)
        .to(items)
        .quantity("10")
        .realizing(agreement)
        .not_contribution();
    let fund_payment = b
        .event(Action::Transfer, project, supplier)
        .on(fund)
        .to(till)
        .quantity("150")
        .conforms(usd)
        .realizing(agreement)
        .not_contribution()
        .id;
    let zoe_wallet = private(&mut b, zoe);
    let zoe_payment = b
        .event(Action::Transfer, zoe, supplier)
        .on(zoe_wallet)
        .to(till)
        .quantity("150")
        .conforms(usd)
        .realizing(agreement)
        .id;
    deposit(&mut b, w, "500");
    let build = b.process(project, None);
    let gadget = private(&mut b, project);
    b.event(Action::Consume, project, project).input(build).on(items).quantity(consumed).not_contribution();
    b.event(Action::Produce, project, project).output(build).on(gadget).quantity("1").not_contribution();
    FundPurchase {
        snapshot: b.snapshot(),
        equation,
        gadget,
        project,
        supplier,
        x,
        y,
        zoe,
        x_deposit,
        fund_payment,
        zoe_payment,
    }
}

#[test]
fn a_purchase_paid_half_out_of_a_fund_credits_the_earlier_deposits_and_half_by_a_person_credits_her() {
    // The fund held 200 + 100 = 300 when it paid 150: it paid half of every deposit before,
    // X 200 × 0.5 = 100 and Y 100 × 0.5 = 50. Zoe paid 150 herself. Consuming all 10 items:
    // X 100, Y 50, Zoe 150 (300). W's 500 came in after the payment: nothing. The project
    // (the fund's payer) and the supplier are no contributors.
    let all = fund_purchase("10");
    let r = rollup(&all.snapshot, all.gadget, None, &all.equation, RuleScope::All).must();
    assert_eq!(r.total_value, d("300"));
    assert_eq!(by_agent(&r), agents([(all.x, "100"), (all.y, "50"), (all.zoe, "150")]));
    assert!(!by_agent(&r).contains_key(&all.project) && !by_agent(&r).contains_key(&all.supplier));
    let x = share(&r, all.x_deposit);
    // gadget <- produce <- build <- consume <- items <- receipt, fund payment, X's deposit
    assert_eq!(x.path.len(), 8, "{:?}", x.path);
    assert_eq!(x.path.to_vec()[6..], [FlowNode::Event(all.fund_payment), FlowNode::Event(all.x_deposit)]);
    assert!(x.explanation.to_string().contains("deposited in the fund that paid 150"), "{}", x.explanation);
    assert!(x.explanation.to_string().contains("with quantity 200 = 200"), "{}", x.explanation);
    assert!(x.explanation.to_string().contains("0.5 of it is in this deliverable"), "{}", x.explanation);
    let zoe = share(&r, all.zoe_payment);
    assert!(zoe.explanation.to_string().starts_with("paid for a purchase"), "{}", zoe.explanation);

    // Consuming 5 of the 10 takes half of each: X 50, Y 25, Zoe 75 (150).
    let half = fund_purchase("5");
    let r = rollup(&half.snapshot, half.gadget, None, &half.equation, RuleScope::All).must();
    assert_eq!(r.total_value, d("150"));
    assert_eq!(by_agent(&r), agents([(half.x, "50"), (half.y, "25"), (half.zoe, "75")]));
}

#[test]
fn an_expense_realising_the_same_agreement_is_spread_like_the_payment() {
    // Ten sensors cost Carol 300 and Bob 20 of shipping (paid to the courier, realising the
    // same agreement): the purchase holds 320. A device takes 5 of the 10 sensors: half,
    // Carol 150 and Bob 10 (160).
    let (project, supplier, courier, carol, bob) =
        (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let usd = ResourceSpecificationId::new();
    let eq = deliverable_equation(project, 1, vec![cash_rule(usd)]);
    let mut b = Books::default();
    b.equations.push(eq.clone());
    let agreement = AgreementId::new();
    let (stock, till, sensors) = (private(&mut b, supplier), private(&mut b, supplier), private(&mut b, project));
    b.event(Action::Transfer, supplier, project)
        .on(stock)
        .to(sensors)
        .quantity("10")
        .realizing(agreement)
        .not_contribution();
    let carol_wallet = private(&mut b, carol);
    b.event(Action::Transfer, carol, supplier)
        .on(carol_wallet)
        .to(till)
        .quantity("300")
        .conforms(usd)
        .realizing(agreement);
    let (bob_wallet, courier_till) = (private(&mut b, bob), private(&mut b, courier));
    let shipping = b
        .event(Action::Transfer, bob, courier)
        .on(bob_wallet)
        .to(courier_till)
        .quantity("20")
        .conforms(usd)
        .realizing(agreement)
        .id;
    let build = b.process(project, None);
    let device = private(&mut b, project);
    b.event(Action::Consume, project, project).input(build).on(sensors).quantity("5").not_contribution();
    b.event(Action::Produce, project, project).output(build).on(device).quantity("1").not_contribution();
    let r = rollup(&b.snapshot(), device, None, &eq, RuleScope::All).must();
    assert_eq!(r.total_value, d("160"));
    assert_eq!(by_agent(&r), agents([(carol, "150"), (bob, "10")]));
    assert_eq!(share(&r, shipping).value, d("10"));
}

#[test]
fn several_receipts_of_one_agreement_split_its_payments_by_declared_value_else_equally() {
    // One order: 10 sensors (declared 200) and 4 cases (declared 100), Carol pays 300. The
    // sensors carry 200/300 of the payment: 200; all of them go into a device. Without
    // declared values each receipt carries half: 150.
    for (declared, expected) in [(true, "200"), (false, "150")] {
        let (project, supplier, carol) = (AgentId::new(), AgentId::new(), AgentId::new());
        let usd = ResourceSpecificationId::new();
        let eq = deliverable_equation(project, 1, vec![cash_rule(usd)]);
        let mut b = Books::default();
        b.equations.push(eq.clone());
        let agreement = AgreementId::new();
        let stock = private(&mut b, supplier);
        let (sensors, cases) = (private(&mut b, project), private(&mut b, project));
        for (into, quantity, value) in [(sensors, "10", "200"), (cases, "4", "100")] {
            let e = b.event(Action::Transfer, supplier, project);
            e.on(stock).to(into).quantity(quantity).realizing(agreement).not_contribution();
            if declared {
                e.declared(value);
            }
        }
        let (wallet, till) = (private(&mut b, carol), private(&mut b, supplier));
        b.event(Action::Transfer, carol, supplier)
            .on(wallet)
            .to(till)
            .quantity("300")
            .conforms(usd)
            .realizing(agreement);
        let build = b.process(project, None);
        let device = private(&mut b, project);
        b.event(Action::Consume, project, project).input(build).on(sensors).quantity("10").not_contribution();
        b.event(Action::Produce, project, project).output(build).on(device).quantity("1").not_contribution();
        let r = rollup(&b.snapshot(), device, None, &eq, RuleScope::All).must();
        assert_eq!(by_agent(&r), agents([(carol, expected)]), "declared values: {declared}");
    }
}

/// A part made in a process of sub-project Q (Quinn works 3 h at rate 10), half of it
/// consumed by the root project's assembly where Rita works 1 h at rate 10. With
/// `q_equation`, Q's adopted equation is in the snapshot's history.
struct SubProject {
    snapshot: Arc<Snapshot>,
    root_equation: ValueEquation,
    widget: EconomicResourceId,
    made: EconomicEventId,
    q: AgentId,
    quinn: AgentId,
    rita: AgentId,
}

fn sub_project(q_equation: Option<&str>) -> (SubProject, Option<ValueEquation>) {
    let (root, q, quinn, rita) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let skill = ResourceSpecificationId::new();
    let mut b = Books::default();
    b.rate(quinn, skill, "10");
    b.rate(rita, skill, "10");
    let root_equation = deliverable_equation(root, 1, vec![work_rule()]);
    b.equations.push(root_equation.clone());
    let q_equation = q_equation.map(|formula| deliverable_equation(q, 3, vec![rule(Action::Work, formula)]));
    b.equations.extend(q_equation.clone());
    let part_making = b.process(q, None);
    let parts = private(&mut b, q);
    b.event(Action::Work, quinn, q).input(part_making).effort("3").conforms(skill);
    let made = b.event(Action::Produce, quinn, q).output(part_making).on(parts).quantity("2").id;
    let assembly = b.process(root, None);
    let widget = private(&mut b, root);
    b.event(Action::Consume, root, root).input(assembly).on(parts).quantity("1").not_contribution();
    b.event(Action::Work, rita, root).input(assembly).effort("1").conforms(skill);
    b.event(Action::Produce, rita, root).output(assembly).on(widget).quantity("1");
    (SubProject { snapshot: b.snapshot(), root_equation, widget, made, q, quinn, rita }, q_equation)
}

#[test]
fn a_part_made_in_a_sub_project_with_its_own_equation_is_one_share_of_that_project() {
    // Q's equation values work at `quantity * rate * 2`: Quinn's 3 h are 60 there (30 under
    // the root's). The root consumes 1 of the 2 parts: Q gets one share of 60 × 1/2 = 30, on
    // the parts' produce event, valued by Q's version 3. Rita's 1 h is valued by the root's
    // equation: 10. Total 40. Quinn himself is no share of the root's deliverable.
    let (sub, q_equation) = sub_project(Some("quantity * rate * 2"));
    let q_equation = q_equation.must();
    let r = rollup(&sub.snapshot, sub.widget, None, &sub.root_equation, RuleScope::All).must();
    assert_eq!(r.total_value, d("40"));
    assert_eq!(by_agent(&r), agents([(sub.q, "30"), (sub.rita, "10")]));
    let q = share(&r, sub.made);
    assert_eq!((q.agent, q.equation, q.version, q.claim_type), (sub.q, q_equation.id, 3, ClaimType::Equity));
    assert_eq!(q.path.len(), 6, "widget, produce, assembly, consume, parts, the parts' produce: {:?}", q.path);
    assert_eq!(q.path.last(), Some(&FlowNode::Event(sub.made)));
    assert!(q.explanation.to_string().contains("valued by its own equation (v3) at 60"), "{}", q.explanation);
    assert!(q.explanation.to_string().contains("0.5 of it is in this deliverable"), "{}", q.explanation);
    let rita = r.shares.iter().find(|s| s.agent == sub.rita).must();
    assert_eq!((rita.equation, rita.version), (sub.root_equation.id, 1));

    // Without an equation of its own, Q's process is opened and valued by the root's
    // equation: Quinn 30 × 1/2 = 15, Rita 10.
    let (plain, _) = sub_project(None);
    let r = rollup(&plain.snapshot, plain.widget, None, &plain.root_equation, RuleScope::All).must();
    assert_eq!(r.total_value, d("25"));
    assert_eq!(by_agent(&r), agents([(plain.quinn, "15"), (plain.rita, "10")]));
}

/// Ann's 2 h recorded on day 5 and Ben's 3 h on day 15 (rate 10) in one process; v1
/// (`quantity * rate`) was adopted on day 0 and retired on day 10, v2 (`quantity * rate * 2`)
/// adopted on day 10 with `valuation`.
fn two_versions(
    valuation: Valuation,
) -> (Arc<Snapshot>, ValueEquation, ValueEquation, EconomicResourceId, [AgentId; 2]) {
    let (project, ann, ben) = (AgentId::new(), AgentId::new(), AgentId::new());
    let skill = ResourceSpecificationId::new();
    let mut v1 = deliverable_equation(project, 1, vec![work_rule()]);
    (v1.status, v1.retired_at) = (EquationStatus::Retired, Some(day(10)));
    let mut v2 = deliverable_equation(project, 2, vec![rule(Action::Work, "quantity * rate * 2")]);
    (v2.created, v2.adopted_at, v2.valuation) = (day(9), Some(day(10)), valuation);
    let mut b = Books::default();
    b.rate(ann, skill, "10");
    b.rate(ben, skill, "10");
    b.equations.extend([v1.clone(), v2.clone()]);
    let work = b.process(project, None);
    let out = private(&mut b, project);
    b.event(Action::Work, ann, project).input(work).effort("2").conforms(skill).at(day(5));
    b.event(Action::Work, ben, project).input(work).effort("3").conforms(skill).at(day(15));
    b.event(Action::Produce, ben, project).output(work).on(out).quantity("1").at(day(16));
    (b.snapshot(), v1, v2, out, [ann, ben])
}

#[test]
fn a_restating_version_revalues_earlier_work_and_a_forward_one_keeps_its_old_value() {
    // RESTATE v2 values both by `quantity * rate * 2`: Ann 2 × 10 × 2 = 40, Ben 3 × 10 × 2 =
    // 60; 100, all by version 2.
    let (snapshot, _, v2, out, [ann, ben]) = two_versions(Valuation::Restate);
    let r = rollup(&snapshot, out, None, &v2, RuleScope::All).must();
    assert_eq!(r.total_value, d("100"));
    assert_eq!(by_agent(&r), agents([(ann, "40"), (ben, "60")]));
    assert!(r.shares.iter().all(|s| s.version == 2 && s.equation == v2.id));

    // FORWARD v2: Ann's day-5 work keeps v1's `quantity * rate`, 2 × 10 = 20, by version 1;
    // Ben's day-15 work is v2's 60. 80.
    let (snapshot, v1, v2, out, [ann, ben]) = two_versions(Valuation::Forward);
    let r = rollup(&snapshot, out, None, &v2, RuleScope::All).must();
    assert_eq!(r.total_value, d("80"));
    assert_eq!(by_agent(&r), agents([(ann, "20"), (ben, "60")]));
    let ann_share = r.shares.iter().find(|s| s.agent == ann).must();
    assert_eq!((ann_share.version, ann_share.equation), (1, v1.id));
    assert!(ann_share.explanation.to_string().contains("`quantity * rate` (v1)"), "{}", ann_share.explanation);
    let ben_share = r.shares.iter().find(|s| s.agent == ben).must();
    assert_eq!((ben_share.version, ben_share.equation), (2, v2.id));
}

/// Ann works 8 h (rate 10, 80) in a process with two outputs, A (3 units by Pat) and B (1
/// unit by Quin), with `declared` values; a produce is worth `quantity * 2` to its producer.
fn two_outputs(
    declared: Option<(&str, &str)>,
) -> (Arc<Snapshot>, ValueEquation, [EconomicResourceId; 2], [AgentId; 3]) {
    let (project, ann, pat, quin) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let skill = ResourceSpecificationId::new();
    let eq = deliverable_equation(project, 1, vec![work_rule(), rule(Action::Produce, "quantity * 2")]);
    let mut b = Books::default();
    b.rate(ann, skill, "10");
    b.equations.push(eq.clone());
    let p = b.process(project, None);
    let (a, bb) = (private(&mut b, project), private(&mut b, project));
    b.event(Action::Work, ann, project).input(p).effort("8").conforms(skill);
    let to_a = b.event(Action::Produce, pat, project).output(p).on(a).quantity("3");
    if let Some((value, _)) = declared {
        to_a.declared(value);
    }
    let to_b = b.event(Action::Produce, quin, project).output(p).on(bb).quantity("1");
    if let Some((_, value)) = declared {
        to_b.declared(value);
    }
    (b.snapshot(), eq, [a, bb], [ann, pat, quin])
}

#[test]
fn a_process_with_several_outputs_splits_its_inputs_by_declared_value_else_per_output_event() {
    // Declared 30 and 10: A takes 30/40 of Ann's 80 = 60, B 10/40 = 20. Production credit:
    // Pat 3 × 2 = 6 on A, Quin 1 × 2 = 2 on B. A: 66, B: 22; one unit of A: 66/3 = 22.
    let (snapshot, eq, [a, b], [ann, pat, quin]) = two_outputs(Some(("30", "10")));
    let ra = rollup(&snapshot, a, None, &eq, RuleScope::All).must();
    assert_eq!(ra.total_value, d("66"));
    assert_eq!(by_agent(&ra), agents([(ann, "60"), (pat, "6")]));
    let rb = rollup(&snapshot, b, None, &eq, RuleScope::All).must();
    assert_eq!(by_agent(&rb), agents([(ann, "20"), (quin, "2")]));
    let one = rollup(&snapshot, a, Some(d("1")), &eq, RuleScope::All).must();
    assert_eq!(by_agent(&one), agents([(ann, "20"), (pat, "2")]));
    let credit = one.shares.iter().find(|s| s.agent == pat).must();
    assert!(
        credit.explanation.to_string().starts_with("production credit; produce: `quantity * 2`"),
        "{}",
        credit.explanation
    );

    // None declared: half each, A 40 + 6 = 46, B 40 + 2 = 42.
    let (snapshot, eq, [a, b], [ann, pat, quin]) = two_outputs(None);
    let ra = rollup(&snapshot, a, None, &eq, RuleScope::All).must();
    assert_eq!(by_agent(&ra), agents([(ann, "40"), (pat, "6")]));
    let rb = rollup(&snapshot, b, None, &eq, RuleScope::All).must();
    assert_eq!(by_agent(&rb), agents([(ann, "40"), (quin, "2")]));
}

#[test]
fn with_no_declared_value_each_output_event_takes_an_equal_part() {
    // Ann works 9 h (90); three output events, none declared: two into A (1 each, by Pat),
    // one into B (1, by Quin). Per output event 90/3 = 30: A takes 60 and B 30, not half each.
    // Production credit 1 × 2 per event: A 60 + 2 + 2 = 64, B 30 + 2 = 32.
    let (project, ann, pat, quin) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let skill = ResourceSpecificationId::new();
    let eq = deliverable_equation(project, 1, vec![work_rule(), rule(Action::Produce, "quantity * 2")]);
    let mut b = Books::default();
    b.rate(ann, skill, "10");
    b.equations.push(eq.clone());
    let p = b.process(project, None);
    let (a, bb) = (private(&mut b, project), private(&mut b, project));
    b.event(Action::Work, ann, project).input(p).effort("9").conforms(skill);
    b.event(Action::Produce, pat, project).output(p).on(a).quantity("1");
    b.event(Action::Produce, pat, project).output(p).on(a).quantity("1");
    b.event(Action::Produce, quin, project).output(p).on(bb).quantity("1");
    let snapshot = b.snapshot();
    let ra = rollup(&snapshot, a, None, &eq, RuleScope::All).must();
    assert_eq!(ra.total_value, d("64"));
    assert_eq!(by_agent(&ra), agents([(ann, "60"), (pat, "4")]));
    assert_eq!(ra.shares.iter().filter(|s| s.agent == pat).count(), 2, "one credit per produce event");
    let rb = rollup(&snapshot, bb, None, &eq, RuleScope::All).must();
    assert_eq!(by_agent(&rb), agents([(ann, "30"), (quin, "2")]));
    // Half of A: 32.
    let half = rollup(&snapshot, a, Some(d("1")), &eq, RuleScope::All).must();
    assert_eq!(half.total_value, d("32"));
}

#[test]
fn a_cycle_is_refused_with_an_error_not_a_panic() {
    // A is consumed to make B and B is consumed to make A; C is made from A.
    let (project, ann) = (AgentId::new(), AgentId::new());
    let skill = ResourceSpecificationId::new();
    let eq = deliverable_equation(project, 1, vec![work_rule()]);
    let mut b = Books::default();
    b.rate(ann, skill, "10");
    b.equations.push(eq.clone());
    let (a, bb, c) = (private(&mut b, project), private(&mut b, project), private(&mut b, project));
    for (from, to) in [(a, bb), (bb, a), (a, c)] {
        let p = b.process(project, None);
        b.event(Action::Work, ann, project).input(p).effort("1").conforms(skill);
        b.event(Action::Consume, project, project).input(p).on(from).quantity("1").not_contribution();
        b.event(Action::Produce, ann, project).output(p).on(to).quantity("1");
    }
    let snapshot = b.snapshot();
    for resource in [a, bb, c] {
        match rollup(&snapshot, resource, None, &eq, RuleScope::All) {
            Err(DomainError::Cycle(message)) => {
                assert!(message.contains("is upstream of itself"), "{message}");
            }
            other => panic!("expected a cycle, got {other:?}"),
        }
    }
}

#[test]
fn a_chain_of_twenty_thousand_processes_rolls_up_without_recursion() {
    // P0 makes R0 with Ann's 2 h; each Pi (i >= 1) consumes all of R(i-1) and makes Ri; Ben
    // works 1 h in every thousandth process (P0, P1000, ..., P19000: 20 of them). Rate 10:
    // the last resource holds 20 + 20 × 10 = 220; half of it, 110.
    let (project, ann, ben) = (AgentId::new(), AgentId::new(), AgentId::new());
    let skill = ResourceSpecificationId::new();
    let eq = deliverable_equation(project, 1, vec![work_rule()]);
    let mut b = Books::default();
    b.rate(ann, skill, "10");
    b.rate(ben, skill, "10");
    b.equations.push(eq.clone());
    const LENGTH: usize = 20_000;
    let mut previous = None;
    let mut ann_work = None;
    for i in 0..LENGTH {
        let p = b.process(project, None);
        if i == 0 {
            ann_work = Some(b.event(Action::Work, ann, project).input(p).effort("2").conforms(skill).id);
        }
        if i % 1000 == 0 {
            b.event(Action::Work, ben, project).input(p).effort("1").conforms(skill);
        }
        if let Some(r) = previous {
            b.event(Action::Consume, project, project).input(p).on(r).quantity("1").not_contribution();
        }
        let r = private(&mut b, project);
        b.event(Action::Produce, project, project).output(p).on(r).quantity("1").not_contribution();
        previous = Some(r);
    }
    let (last, ann_work) = (previous.must(), ann_work.must());
    let snapshot = b.snapshot();
    let started = std::time::Instant::now();
    let r = rollup(&snapshot, last, Some(d("0.5")), &eq, RuleScope::All).must();
    let took = started.elapsed();
    assert_eq!(r.total_value, d("110"));
    assert_eq!(by_agent(&r), agents([(ann, "10"), (ben, "100")]));
    assert_eq!(r.shares.len(), 21);
    // Per process: its resource, the produce, the process; between processes a consume; then
    // Ann's work: 3 × 20,000 + 19,999 + 1.
    assert_eq!(share(&r, ann_work).path.len(), 80_000);
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_formula_that_fails_on_an_event_fails_the_rollup_only_where_the_event_is_embodied() {
    // Work is valued `10 / (quantity - 2)`: Ann's 2 h divide by zero. Her work goes into the
    // process that makes the widgets, and the process also makes scrap, declared worth
    // nothing: the scrap takes 0 / 40 of the process, so none of her work is in it, and
    // rolling the scrap up does not value her work. Rolling the widgets up does, and fails
    // with the formula's error, naming it.
    let (project, ann) = (AgentId::new(), AgentId::new());
    let mut b = Books::default();
    let eq = deliverable_equation(project, 1, vec![rule(Action::Work, "10 / (quantity - 2)")]);
    b.equations.push(eq.clone());
    let make = b.process(project, None);
    let (widgets, scrap) = (private(&mut b, project), private(&mut b, project));
    b.event(Action::Work, ann, project).input(make).effort("2");
    b.event(Action::Produce, ann, project).output(make).on(widgets).quantity("4").declared("40");
    b.event(Action::Produce, ann, project).output(make).on(scrap).quantity("1").declared("0");
    let snapshot = b.snapshot();
    let none = rollup(&snapshot, scrap, None, &eq, RuleScope::All).must();
    assert_eq!((none.total_value, none.shares.len()), (d("0"), 0));
    let failed = rollup(&snapshot, widgets, None, &eq, RuleScope::All);
    match failed {
        Err(DomainError::Invalid { ref message, .. }) => assert!(message.contains("10 / (quantity - 2)"), "{message}"),
        other => panic!("expected the formula's error, got {other:?}"),
    }
}

#[test]
fn a_negative_quantity_is_refused() {
    let kit = sensor_kit();
    let snapshot = kit.books.snapshot();
    let refused = rollup(&snapshot, kit.kits, Some(d("-1")), &kit.equation, RuleScope::All);
    assert!(matches!(refused, Err(DomainError::Invalid { .. })), "{refused:?}");
}

#[test]
fn a_ratio_stays_in_lowest_terms_and_is_divided_once() {
    // 0.3 / 3 = 3/30 = 1/10; 6/4 = 3/2.
    assert_eq!(Ratio::new(d("0.3"), d("3")), Ratio { num: d("1"), den: d("10") });
    assert_eq!(Ratio::new(d("6"), d("4")), Ratio { num: d("3"), den: d("2") });
    // 1/3 + 1/6 = 1/2; 1/3 + 1/3 = 2/3, and 2/3 of 90 is 60 (0.666…67 × 90 would not be).
    let third = Ratio::new(d("1"), d("3"));
    assert_eq!(third.plus(Ratio::new(d("1"), d("6"))).must(), Ratio::new(d("1"), d("2")));
    assert_eq!(third.plus(third).must().of(d("90")).must(), d("60"));
    // (1/3 × 3/4) of 8 = 1/4 of 8 = 2.
    assert_eq!(third.times(Ratio::new(d("3"), d("4"))).must().of(d("8")).must(), d("2"));
    // Nothing over nothing is nothing, as a division by zero is in the engine.
    assert!(Ratio::new(d("5"), Decimal::ZERO).is_zero());
}

#[test]
fn a_ratio_too_long_to_hold_carries_on_as_a_rounded_decimal() {
    // (6/7)^40: 7^40 has 34 digits, more than a decimal holds, so on the way the ratio is
    // divided out (and goes on as that decimal over a power of ten); the result is still
    // (6/7)^40 to within the last digits, never an error.
    let six_sevenths = Ratio::new(d("6"), d("7"));
    let mut ratio = Ratio::ONE;
    let mut decimal = Decimal::ONE;
    for _ in 0..40 {
        ratio = ratio.times(six_sevenths).must();
        decimal *= d("6") / d("7");
    }
    let diff = (ratio.value().must() - decimal).abs();
    assert!(diff < Decimal::new(1, 25), "{ratio:?} against {decimal}");
    // 6^40 / 7^40 = 0.0020995606…
    assert_eq!(ratio.value().must().round_dp(10), d("0.0020995606"));
}

#[test]
fn more_than_ever_came_in_cannot_be_rolled_up() {
    let kit = sensor_kit();
    let snapshot = kit.books.snapshot();
    let refused = rollup(&snapshot, kit.kits, Some(d("11")), &kit.equation, RuleScope::All);
    assert!(
        matches!(&refused, Err(DomainError::Invalid { field, message }) if field == "quantity" && message.contains("(10)")),
        "{refused:?}"
    );
}

/// The sensor kit with Dan's printer under an access rule: 6 an hour of use (the printer's own
/// value is 5), 15% of each use to maintenance, for `recipient` (none: its custodian, Dan).
fn kit_with_printer_rule(recipient: Option<AgentId>) -> SensorKit {
    let mut kit = sensor_kit();
    kit.books.govern(kit.printer, use_terms(Some("6"), "0.15", recipient));
    kit
}

#[test]
fn a_printer_s_rule_prices_its_use_and_sends_its_maintenance_share_apart() {
    // The rule's 6 replaces the printer's 5: the use is 6 h × 6 = 36, of which 15% (5.4) goes
    // to maintenance and 30.6 is Dan's. The 10 kits: 450 + 300 + 80 + 30.6 = 860.6 in shares,
    // 5.4 in maintenance, 866 in all. The 4 sold: 180, 120, 32, 12.24 (0.4 × 30.6), and 2.16
    // (0.4 × 5.4) for maintenance: 346.4.
    let maintainer = AgentId::new();
    let kit = kit_with_printer_rule(Some(maintainer));
    let snapshot = kit.books.snapshot();
    let all = rollup(&snapshot, kit.kits, None, &kit.equation, RuleScope::All).must();
    assert_eq!(all.total_value, d("866"));
    assert_eq!(by_agent(&all)[&kit.dan], d("30.6"));
    let four = rollup(&snapshot, kit.kits, Some(d("4")), &kit.equation, RuleScope::All).must();
    assert_eq!(four.total_value, d("346.4"));
    assert_eq!(by_agent(&four), agents([(kit.alice, "180"), (kit.carol, "120"), (kit.bob, "32"), (kit.dan, "12.24")]));
    assert_eq!(four.maintenance.len(), 1);
    let upkeep = &four.maintenance[0];
    assert_eq!((upkeep.agent, upkeep.value, upkeep.event_value), (maintainer, d("2.16"), d("5.4")));
    let dan = four.shares.iter().find(|s| s.agent == kit.dan).must();
    // Dan's part and the maintenance share are the use's value in the 4 kits exactly: 0.4 × 36.
    assert_eq!(dan.value + upkeep.value, d("14.4"));
    assert_eq!(dan.event, upkeep.event);
    let said = "use: `quantity * valuePerUnitOfUse` (v1) with quantity 6, valuePerUnitOfUse 6 = 36; \
                15% (5.4) to maintenance, 30.6 to the owner; 0.4 of it is in this deliverable";
    assert!(dan.explanation.to_string().contains(&format!("{said}: 12.24")), "{}", dan.explanation);
    assert!(
        upkeep.explanation.to_string().starts_with("maintenance share of a use of resource"),
        "{}",
        upkeep.explanation
    );
    assert!(upkeep.explanation.to_string().contains(&format!("{said}: 2.16")), "{}", upkeep.explanation);
}

#[test]
fn a_rule_naming_no_maintainer_sends_the_maintenance_share_to_the_custodian() {
    // Dan holds his printer: the 2.16 of the 4 kits is his as maintainer, beside his 12.24 as
    // owner; the two stay apart (a MAINTENANCE bucket weighs one, a DELIVERABLE the other).
    let kit = kit_with_printer_rule(None);
    let four = rollup(&kit.books.snapshot(), kit.kits, Some(d("4")), &kit.equation, RuleScope::All).must();
    assert_eq!(by_agent(&four)[&kit.dan], d("12.24"));
    assert_eq!(four.maintenance.iter().map(|m| (m.agent, m.value)).collect::<Vec<_>>(), vec![(kit.dan, d("2.16"))]);
}

#[test]
fn a_pooled_asset_brought_in_by_another_affiliate_is_still_its_owner_s_contribution() {
    // Bob brings Dan's printer into the assembly for 2 more hours: 2 × 6 = 12, 1.8 to
    // maintenance, 10.2 to Dan; nothing to Bob beyond his 80 of work. The 10 kits: Dan
    // 30.6 + 10.2 = 40.8, maintenance 5.4 + 1.8 = 7.2.
    let maintainer = AgentId::new();
    let mut kit = kit_with_printer_rule(Some(maintainer));
    kit.books.event(Action::Use, kit.bob, kit.project).input(kit.assembly).on(kit.printer).effort("2");
    let all = rollup(&kit.books.snapshot(), kit.kits, None, &kit.equation, RuleScope::All).must();
    let agents = by_agent(&all);
    assert_eq!((agents[&kit.dan], agents[&kit.bob]), (d("40.8"), d("80")));
    assert_eq!(all.maintenance.iter().map(|m| m.value).sum::<Decimal>(), d("7.2"));
    assert_eq!(all.total_value, d("878"), "450 + 300 + 80 + 36 + 12");
}

#[test]
fn a_made_tool_s_maintenance_share_comes_off_before_its_makers_share_the_use() {
    // The tool of the test above (Ann 30, Ben 10 of work) under a rule taking half of each use
    // for Mo: the use's 10 becomes 5 for Mo and 5 for the makers, 3.75 and 1.25.
    let (project, ann, ben, mo) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let skill = ResourceSpecificationId::new();
    let mut b = Books::default();
    for agent in [ann, ben] {
        b.rate(agent, skill, "10");
    }
    let eq = deliverable_equation(project, 1, vec![work_rule(), rule(Action::Use, "quantity * valuePerUnitOfUse")]);
    b.equations.push(eq.clone());
    let make = b.process(project, None);
    let tool = b.resource(Some(project), PropertyRegime::Private, Some("5"));
    b.govern(tool, use_terms(None, "0.5", Some(mo)));
    b.event(Action::Work, ann, project).input(make).effort("3").conforms(skill);
    b.event(Action::Work, ben, project).input(make).effort("1").conforms(skill);
    b.event(Action::Produce, ann, project).output(make).on(tool).quantity("1");
    let build = b.process(project, None);
    let gadgets = private(&mut b, project);
    b.event(Action::Use, project, project).input(build).on(tool).effort("2");
    b.event(Action::Produce, ann, project).output(build).on(gadgets).quantity("4");
    let all = rollup(&b.snapshot(), gadgets, None, &eq, RuleScope::All).must();
    assert_eq!(by_agent(&all), agents([(ann, "3.75"), (ben, "1.25")]));
    assert_eq!(all.maintenance.iter().map(|m| (m.agent, m.value)).collect::<Vec<_>>(), vec![(mo, d("5"))]);
    assert_eq!(all.total_value, d("10"));
    let upkeep = all.maintenance[0].explanation.to_string();
    assert!(upkeep.contains("= 10; 50% (5) to maintenance, 5 to the asset's contributors"), "{upkeep}");
}

/// A share of `value` to `agent` for `event`, as the engine gathers it.
fn bare_credit(agent: u128, event: u128, value: Decimal) -> Credited {
    let valued = Arc::new(Valued {
        value,
        equation: ValueEquationId::from_uuid(uuid::Uuid::from_u128(2)),
        version: 1,
        rule: crate::ValueEquationRuleId::from_uuid(uuid::Uuid::nil()),
        claim_type: ClaimType::Equity,
        working: Working::Said("given".into()),
    });
    Credited {
        value,
        agent: AgentId::from_uuid(uuid::Uuid::from_u128(agent)),
        event: EconomicEventId::from_uuid(uuid::Uuid::from_u128(event)),
        node: 0,
        via: [0; 2],
        via_len: 0,
        valued,
        how: "".into(),
        reaches: 1,
    }
}

/// The (agent, event) of `credits` in the order the rollup lists them.
fn listed(credits: &[Credited]) -> Vec<(u128, u128)> {
    in_order(credits)
        .into_iter()
        .map(|at| (credits[at].agent.uuid().as_u128(), credits[at].event.uuid().as_u128()))
        .collect()
}

#[test]
fn shares_are_put_in_order_whether_their_values_fit_one_integer_scale_or_not() {
    // Largest first, then by agent, then by event. With 2, 10.5, 0.25, 2 (agent 7) and 2
    // (agent 3, two events), the order is 10.5; 2 by agent 3 (events 5 then 6); 2 by agent 7;
    // 0.25. The values fit integers at scale 2 (1050, 200, 25): the integer keys sort them.
    let fits = [(7, 1, "2"), (9, 2, "10.5"), (4, 3, "0.25"), (3, 6, "2.00"), (3, 5, "2")];
    let expected = [(9, 2), (3, 5), (3, 6), (7, 1), (4, 3)];
    let credits: Vec<Credited> = fits.iter().map(|(a, e, v)| bare_credit(*a, *e, d(v))).collect();
    assert!(as_integers(&credits).is_some());
    assert_eq!(listed(&credits), expected);
    // A value of 28 decimals beside one of 20 integer digits fits no common scale in an
    // i128: the decimals themselves are compared, and the order is the same.
    let tiny = "0.0000000000000000000000000001";
    let wide = [(7, 1, "2"), (9, 2, "12345678901234567890"), (4, 3, tiny), (3, 6, "2.00"), (3, 5, "2")];
    let credits: Vec<Credited> = wide.iter().map(|(a, e, v)| bare_credit(*a, *e, d(v))).collect();
    assert!(as_integers(&credits).is_none());
    assert_eq!(listed(&credits), expected);
}
