//! Property tests of the rollup over random process graphs: each step is a process that may
//! take parts of earlier steps' outputs (so a resource can reach the deliverable by several
//! paths), work at each agent's rate, uses of pooled assets, material from an agent's own
//! stock, a pot of cash given by agents, and a purchase paid out of a fund and by a person;
//! the last step makes the deliverable.
//!
//! The expected figures come from the plan, not from the engine: when every output is consumed
//! entirely, every contribution is embodied whole, so each agent's shares add up to the value
//! of what that agent put in (a fund's payment draws `paid / deposits` of each deposit). The
//! quantities are chosen so that these figures are exact: every quantity an output is cut
//! from is a product of 2s and 5s and every cut is in tenths, so all the fractions are
//! terminating decimals. Only the deliverable's own quantity may be 3, 7 or 12, which
//! makes `q / total` a repeating decimal in the property about `q` and `total − q`.

use std::collections::{BTreeMap, BTreeSet};

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::*;
use crate::value::fixture::*;
use crate::value::rates::Rates;
use crate::{AgreementId, ResourceSpecificationId};

const AGENTS: usize = 5;
const RATES: [&str; AGENTS] = ["10", "20", "25", "40", "12.5"];
/// Output quantities of the steps upstream: products of 2s and 5s, so any cut in tenths of
/// them, and any fraction of them, is a terminating decimal.
const QUANTITIES: [&str; 9] = ["1", "2", "4", "5", "10", "20", "25", "50", "100"];
/// The deliverable's quantity: the same, and three that make `q / total` repeat.
const ROOTS: [&str; 12] = ["1", "2", "4", "5", "10", "20", "25", "50", "100", "3", "7", "12"];
/// Pooled assets: (owner, valuePerUnitOfUse).
const ASSETS: [(usize, &str); 2] = [(3, "5"), (4, "7.5")];
/// What the fund's depositors put in together, before any payment.
const DEPOSITS: i64 = 1000;

#[derive(Debug, Clone)]
struct Purchase {
    /// Paid out of the fund (nothing when 0).
    fund_paid: u16,
    /// Paid by an agent: (agent, amount).
    person: Option<(usize, u16)>,
    /// How many items came (an index into [`QUANTITIES`]).
    items: usize,
    /// Tenths of the items consumed, when not everything is.
    tenths: u8,
}

#[derive(Debug, Clone)]
struct Step {
    /// Index into [`QUANTITIES`].
    output: usize,
    /// (agent, half hours).
    work: Vec<(usize, u8)>,
    /// (pooled asset, hours).
    uses: Vec<(usize, u8)>,
    /// (agent, units of the agent's own material).
    material: Option<(usize, u8)>,
    /// Cash given into a pot that this step spends: (agent, amount).
    pot: Vec<(usize, u16)>,
    /// Tenths of the pot spent, when not everything is.
    pot_tenths: u8,
    purchase: Option<Purchase>,
    /// Where the output is cut, in tenths: the parts go to later steps.
    cuts: Vec<u8>,
    /// Which later step takes each part (taken modulo the number of later steps).
    takers: Vec<u8>,
    /// Whether the last part stays on hand, when not everything is consumed.
    keep: bool,
}

#[derive(Debug, Clone)]
struct Plan {
    steps: Vec<Step>,
    /// Where the deposits are cut, in tenths of [`DEPOSITS`].
    deposit_cuts: Vec<u8>,
    production_credit: bool,
    /// Index into [`ROOTS`].
    root: usize,
    /// Picks `q`, the quantity of the deliverable rolled up.
    pick: u32,
    /// Orders the events handed to [`Snapshot::new`].
    shuffle: u64,
}

fn purchase() -> impl Strategy<Value = Purchase> {
    (0u16..=300, option::weighted(0.5, (0..AGENTS, 1u16..=300)), 0..QUANTITIES.len(), 1u8..=10)
        .prop_map(|(fund_paid, person, items, tenths)| Purchase { fund_paid, person, items, tenths })
}

fn step() -> impl Strategy<Value = Step> {
    (
        0..QUANTITIES.len(),
        vec((0..AGENTS, 1u8..=20), 0..3),
        vec((0..ASSETS.len(), 1u8..=8), 0..2),
        option::weighted(0.3, (0..AGENTS, 1u8..=10)),
        vec((0..AGENTS, 1u16..=500), 0..3),
        1u8..=10,
        option::weighted(0.4, purchase()),
        vec(1u8..=9, 0..3),
        vec(any::<u8>(), 1..4),
        any::<bool>(),
    )
        .prop_map(|(output, work, uses, material, pot, pot_tenths, purchase, cuts, takers, keep)| Step {
            output,
            work,
            uses,
            material,
            pot,
            pot_tenths,
            purchase,
            cuts,
            takers,
            keep,
        })
}

fn plan() -> impl Strategy<Value = Plan> {
    (vec(step(), 1..7), vec(1u8..=9, 0..3), any::<bool>(), 0..ROOTS.len(), any::<u32>(), any::<u64>()).prop_map(
        |(steps, deposit_cuts, production_credit, root, pick, shuffle)| Plan {
            steps,
            deposit_cuts,
            production_credit,
            root,
            pick,
            shuffle,
        },
    )
}

/// Ten tenths cut at `cuts`: the parts, each at least one tenth, adding up to 10.
fn parts(cuts: &[u8]) -> Vec<u8> {
    let mut at: Vec<u8> = cuts.iter().copied().filter(|c| (1..10).contains(c)).collect();
    at.sort_unstable();
    at.dedup();
    at.push(10);
    let mut last = 0;
    at.into_iter()
        .map(|c| {
            let part = c - last;
            last = c;
            part
        })
        .collect()
}

/// `n` tenths.
fn tenths(n: u8) -> Decimal {
    Decimal::new(i64::from(n), 1)
}

/// Who takes which parts: for each step, the (earlier step, tenths) it consumes. With `full`,
/// every part of every output but the deliverable is taken.
fn takes(plan: &Plan, full: bool) -> Vec<Vec<(usize, u8)>> {
    let n = plan.steps.len();
    let mut takes = vec![Vec::new(); n];
    for (i, step) in plan.steps.iter().enumerate().take(n - 1) {
        let parts = parts(&step.cuts);
        let later = n - 1 - i;
        for (p, part) in parts.iter().enumerate() {
            if !full && step.keep && parts.len() >= 2 && p == parts.len() - 1 {
                continue;
            }
            let taker = step.takers.get(p % step.takers.len()).copied().unwrap_or_default();
            takes[i + 1 + usize::from(taker) % later].push((i, *part));
        }
    }
    takes
}

/// A plan recorded as books, with what each agent put in (the rollup of the whole deliverable
/// when `full`).
struct Built {
    books: Books,
    equation: ValueEquation,
    root: EconomicResourceId,
    root_quantity: Decimal,
    put_in: BTreeMap<AgentId, Decimal>,
}

fn put(put_in: &mut BTreeMap<AgentId, Decimal>, agent: AgentId, value: Decimal) {
    if !value.is_zero() {
        *put_in.entry(agent).or_default() += value;
    }
}

fn build(plan: &Plan, full: bool) -> Built {
    let (project, supplier, late) = (AgentId::new(), AgentId::new(), AgentId::new());
    let agents: [AgentId; AGENTS] = std::array::from_fn(|_| AgentId::new());
    let (skill, usd, material) =
        (ResourceSpecificationId::new(), ResourceSpecificationId::new(), ResourceSpecificationId::new());
    let mut work = rule(Action::Work, "quantity * rate");
    work.resource_conforms_to = Some(skill);
    let mut cash = rule(Action::Transfer, "quantity");
    cash.resource_conforms_to = Some(usd);
    let mut stock = rule(Action::Consume, "quantity * 3");
    stock.resource_conforms_to = Some(material);
    let mut rules = vec![work, cash, stock, rule(Action::Use, "quantity * valuePerUnitOfUse")];
    if plan.production_credit {
        rules.push(rule(Action::Produce, "quantity"));
    }
    let equation = deliverable_equation(project, 1, rules);
    let mut b = Books::default();
    b.equations.push(equation.clone());
    for (agent, rate) in agents.iter().zip(RATES) {
        b.rate(*agent, skill, rate);
    }
    let mut put_in = BTreeMap::new();

    // Pooled assets. Another agent put 50 into each, so an asset has a recorded value and a
    // contributor other than its owner; a use of it still goes whole to the owner.
    let assets: Vec<(EconomicResourceId, AgentId, Decimal)> = ASSETS
        .iter()
        .map(|(owner, per_use)| {
            let (owner, giver) = (agents[*owner], agents[(*owner + 1) % AGENTS]);
            let asset = b.resource(Some(owner), PropertyRegime::PoolOfShareables, Some(per_use));
            let wallet = b.resource(Some(giver), PropertyRegime::Private, None);
            b.event(Action::Transfer, giver, owner).on(wallet).to(asset).conforms(usd).quantity("50");
            (asset, owner, d(per_use))
        })
        .collect();

    // The fund: deposits adding up to DEPOSITS, before any payment.
    let fund = b.resource(Some(project), PropertyRegime::Private, None);
    let deposits: Vec<(AgentId, Decimal)> = parts(&plan.deposit_cuts)
        .into_iter()
        .enumerate()
        .map(|(k, part)| (agents[k % AGENTS], Decimal::from(DEPOSITS) * tenths(part)))
        .collect();
    for (who, amount) in &deposits {
        let wallet = b.resource(Some(*who), PropertyRegime::Private, None);
        b.event(Action::Transfer, *who, project).on(wallet).to(fund).conforms(usd).resource_quantity = Some(*amount);
    }

    let takes = takes(plan, full);
    let n = plan.steps.len();
    let mut outputs: Vec<(EconomicResourceId, Decimal)> = Vec::new();
    for (j, step) in plan.steps.iter().enumerate() {
        let p = b.process(project, None);
        for (i, part) in &takes[j] {
            let (from, quantity) = outputs[*i];
            let consumed = quantity * tenths(*part);
            b.event(Action::Consume, project, project).input(p).on(from).not_contribution().resource_quantity =
                Some(consumed);
        }
        for (k, half_hours) in &step.work {
            let hours = Decimal::from(*half_hours) / Decimal::TWO;
            b.event(Action::Work, agents[*k], project).input(p).conforms(skill).effort_quantity = Some(hours);
            put(&mut put_in, agents[*k], hours * d(RATES[*k]));
        }
        for (a, hours) in &step.uses {
            let (asset, owner, per_use) = assets[*a];
            b.event(Action::Use, owner, project).input(p).on(asset).effort_quantity = Some(Decimal::from(*hours));
            put(&mut put_in, owner, Decimal::from(*hours) * per_use);
        }
        if let Some((k, units)) = step.material {
            let own = b.resource(Some(agents[k]), PropertyRegime::Private, None);
            b.event(Action::Consume, agents[k], project).input(p).on(own).conforms(material).resource_quantity =
                Some(Decimal::from(units));
            put(&mut put_in, agents[k], Decimal::from(units) * Decimal::from(3));
        }
        if !step.pot.is_empty() {
            let pot = b.resource(Some(project), PropertyRegime::Private, None);
            let mut total = Decimal::ZERO;
            for (k, amount) in &step.pot {
                let wallet = b.resource(Some(agents[*k]), PropertyRegime::Private, None);
                let amount = Decimal::from(*amount);
                b.event(Action::Transfer, agents[*k], project).on(wallet).to(pot).conforms(usd).resource_quantity =
                    Some(amount);
                put(&mut put_in, agents[*k], amount);
                total += amount;
            }
            let spent = if full { total } else { total * tenths(step.pot_tenths) };
            b.event(Action::Consume, project, project).input(p).on(pot).not_contribution().resource_quantity =
                Some(spent);
        }
        if let Some(purchase) = &step.purchase {
            let agreement = AgreementId::new();
            let (shelf, till) = (
                b.resource(Some(supplier), PropertyRegime::Private, None),
                b.resource(Some(supplier), PropertyRegime::Private, None),
            );
            let items = b.resource(Some(project), PropertyRegime::Private, None);
            let count = d(QUANTITIES[purchase.items]);
            b.event(Action::Transfer, supplier, project)
                .on(shelf)
                .to(items)
                .realizing(agreement)
                .not_contribution()
                .resource_quantity = Some(count);
            if purchase.fund_paid > 0 {
                let paid = Decimal::from(purchase.fund_paid);
                b.event(Action::Transfer, project, supplier)
                    .on(fund)
                    .to(till)
                    .conforms(usd)
                    .realizing(agreement)
                    .not_contribution()
                    .resource_quantity = Some(paid);
                for (who, deposit) in &deposits {
                    put(&mut put_in, *who, *deposit * paid / Decimal::from(DEPOSITS));
                }
            }
            if let Some((k, amount)) = purchase.person {
                let wallet = b.resource(Some(agents[k]), PropertyRegime::Private, None);
                let amount = Decimal::from(amount);
                b.event(Action::Transfer, agents[k], supplier)
                    .on(wallet)
                    .to(till)
                    .conforms(usd)
                    .realizing(agreement)
                    .resource_quantity = Some(amount);
                put(&mut put_in, agents[k], amount);
            }
            let consumed = if full { count } else { count * tenths(purchase.tenths) };
            b.event(Action::Consume, project, project).input(p).on(items).not_contribution().resource_quantity =
                Some(consumed);
        }
        let quantity = d(if j == n - 1 { ROOTS[plan.root] } else { QUANTITIES[step.output] });
        let out = b.resource(Some(project), PropertyRegime::Private, None);
        let producer = agents[j % AGENTS];
        b.event(Action::Produce, producer, project).output(p).on(out).resource_quantity = Some(quantity);
        if plan.production_credit {
            put(&mut put_in, producer, quantity);
        }
        outputs.push((out, quantity));
    }

    // A deposit after every payment: it paid for nothing upstream.
    let wallet = b.resource(Some(late), PropertyRegime::Private, None);
    b.event(Action::Transfer, late, project).on(wallet).to(fund).conforms(usd).quantity("400");

    let (root, root_quantity) = outputs[n - 1];
    Built { books: b, equation, root, root_quantity, put_in }
}

fn by_agent(r: &Rollup) -> BTreeMap<AgentId, Decimal> {
    let mut out = BTreeMap::new();
    for s in &r.shares {
        *out.entry(s.agent).or_default() += s.value;
    }
    out
}

/// The shares (and maintenance shares) add up to the total, each is positive, and each path
/// runs from the deliverable to the share's event with an event between any two nodes.
fn well_formed(r: &Rollup) -> Result<(), TestCaseError> {
    let sum: Decimal = r.shares.iter().chain(&r.maintenance).map(|s| s.value).sum();
    prop_assert_eq!(sum, r.total_value);
    for s in &r.shares {
        prop_assert!(s.value > Decimal::ZERO, "{:?}", s);
        prop_assert_eq!(s.path.first(), Some(&FlowNode::Resource(r.resource)));
        prop_assert_eq!(s.path.last(), Some(&FlowNode::Event(s.event)));
        let nodes_side_by_side = s
            .path
            .to_vec()
            .windows(2)
            .any(|w| !matches!(w[0], FlowNode::Event(_)) && !matches!(w[1], FlowNode::Event(_)));
        prop_assert!(!nodes_side_by_side, "{:?}", s.path);
        let nodes = s.path.to_vec();
        prop_assert_eq!(nodes.len(), s.path.len());
        prop_assert!((0..nodes.len()).all(|at| s.path[at] == nodes[at]), "{:?}", s.path);
    }
    for list in [&r.shares, &r.maintenance] {
        let keys: Vec<_> = list.iter().map(|s| (std::cmp::Reverse(s.value), s.agent, s.event)).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "largest first, then by agent and event: {:?}", keys);
    }
    let keys: BTreeSet<(EconomicEventId, AgentId)> = r.shares.iter().map(|s| (s.event, s.agent)).collect();
    prop_assert_eq!(keys.len(), r.shares.len(), "one share per event and agent");
    Ok(())
}

/// A repeatable shuffle (xorshift), so a failing case shrinks to the same order.
fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = usize::try_from(state % (i as u64 + 1)).unwrap_or_default();
        items.swap(i, j);
    }
    items
}

/// Whether `n`'s only prime factors are 2 and 5 (so `k / n` terminates).
fn terminating(n: Decimal) -> bool {
    let Ok(mut n) = i64::try_from(n.trunc()) else { return false };
    for p in [2, 5] {
        while n > 0 && n % p == 0 {
            n /= p;
        }
    }
    n == 1
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// (a) With every output consumed entirely, the whole deliverable holds every counted
    /// contribution whole: each agent's shares add up exactly to what the agent put in
    /// (the late depositor, the project and the supplier get nothing), and the total is
    /// their sum.
    #[test]
    fn consumed_entirely_the_whole_holds_every_contribution_exactly_once(plan in plan()) {
        let built = build(&plan, true);
        let r = rollup(&built.books.snapshot(), built.root, None, &built.equation, RuleScope::All);
        let r = r.map_err(|e| TestCaseError::fail(format!("{e}")))?;
        well_formed(&r)?;
        prop_assert_eq!(by_agent(&r), built.put_in.clone());
        prop_assert_eq!(r.total_value, built.put_in.values().copied().sum::<Decimal>());
    }

    /// (b) The order the events, resources, processes and rates come in does not matter: the
    /// same books loaded in another order give an identical rollup, shares, paths and
    /// explanations included.
    #[test]
    fn the_order_of_the_books_does_not_change_the_rollup(plan in plan()) {
        let built = build(&plan, false);
        let b = &built.books;
        let again = Snapshot::new(
            shuffled(b.events.clone(), plan.shuffle),
            shuffled(b.resources.clone(), plan.shuffle),
            shuffled(b.processes.clone(), plan.shuffle),
            b.equations.clone(),
            Rates::new(shuffled(b.rates.clone(), plan.shuffle), b.defaults.clone()),
        );
        let q = Some(built.root_quantity / Decimal::TWO);
        for quantity in [None, q] {
            let first = rollup(&b.snapshot(), built.root, quantity, &built.equation, RuleScope::All);
            let first = first.map_err(|e| TestCaseError::fail(format!("{e}")))?;
            well_formed(&first)?;
            let second = rollup(&again, built.root, quantity, &built.equation, RuleScope::All);
            prop_assert_eq!(Ok(first), second);
        }
    }

    /// (c) Rolling up `q` and `total − q` of the deliverable gives shares that add up, agent
    /// by agent, to the rollup of the whole. Exactly when `q / total` terminates (a total
    /// made of 2s and 5s); otherwise each share of the two parts is divided once, rounded at
    /// the 28th significant digit, so the sums may differ by a few units there: values here
    /// stay under 10^6, so within 10^-20.
    #[test]
    fn the_rollups_of_q_and_the_rest_add_up_to_the_whole(plan in plan()) {
        let built = build(&plan, false);
        let snapshot = built.books.snapshot();
        let total = built.root_quantity;
        let hundredths = i64::try_from(total * Decimal::ONE_HUNDRED).unwrap_or_default();
        let q = Decimal::new(i64::from(plan.pick) % (hundredths + 1), 2);
        let run = |quantity| {
            rollup(&snapshot, built.root, Some(quantity), &built.equation, RuleScope::All)
                .map_err(|e| TestCaseError::fail(format!("{e}")))
        };
        let (whole, part, rest) = (run(total)?, run(q)?, run(total - q)?);
        well_formed(&part)?;
        well_formed(&rest)?;
        let (mut sum, whole_by_agent) = (by_agent(&part), by_agent(&whole));
        for (agent, value) in by_agent(&rest) {
            *sum.entry(agent).or_default() += value;
        }
        let tolerance = if terminating(total) { Decimal::ZERO } else { Decimal::new(1, 20) };
        prop_assert_eq!(sum.keys().collect::<Vec<_>>(), whole_by_agent.keys().collect::<Vec<_>>());
        for (agent, value) in &whole_by_agent {
            let diff = (sum[agent] - value).abs();
            prop_assert!(diff <= tolerance, "{}: {} + rest = {} against {}", agent, q, sum[agent], value);
        }
        let diff = (part.total_value + rest.total_value - whole.total_value).abs();
        prop_assert!(diff <= tolerance, "totals {} + {} against {}", part.total_value, rest.total_value, whole.total_value);
    }
}

/// The generator reaches what the properties are about: a resource that reaches the
/// deliverable by two paths, purchases paid by the fund and by a person, pooled uses,
/// material, pots, production credit, parts left on hand, and totals that make `q / total`
/// repeat. A property over plans that never hold these proves nothing about them.
#[test]
fn the_generator_reaches_every_kind_of_contribution_and_shape() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::deterministic_rng(Default::default()));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for _ in 0..300 {
        let plan = plan().new_tree(&mut runner).must().current();
        let takes = takes(&plan, false);
        let mut takers_of: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for (j, list) in takes.iter().enumerate() {
            for (i, _) in list {
                takers_of.entry(*i).or_default().insert(j);
            }
        }
        let kept = takes.iter().flatten().count() < takes_full_parts(&plan);
        let facts = [
            ("two paths", takers_of.values().any(|t| t.len() >= 2)),
            ("fund payment", plan.steps.iter().any(|s| s.purchase.as_ref().is_some_and(|p| p.fund_paid > 0))),
            ("person payment", plan.steps.iter().any(|s| s.purchase.as_ref().is_some_and(|p| p.person.is_some()))),
            ("pooled use", plan.steps.iter().any(|s| !s.uses.is_empty())),
            ("material", plan.steps.iter().any(|s| s.material.is_some())),
            ("pot", plan.steps.iter().any(|s| !s.pot.is_empty())),
            ("production credit", plan.production_credit),
            ("part kept", kept),
            ("repeating q / total", !terminating(d(ROOTS[plan.root]))),
            ("deep", plan.steps.len() >= 5),
        ];
        seen.extend(facts.iter().filter(|(_, reached)| *reached).map(|(name, _)| *name));
    }
    let all = [
        "two paths",
        "fund payment",
        "person payment",
        "pooled use",
        "material",
        "pot",
        "production credit",
        "part kept",
        "repeating q / total",
        "deep",
    ];
    for name in all {
        assert!(seen.contains(name), "the generator never reaches: {name}");
    }
}

/// How many parts [`takes`] hands out when everything is consumed.
fn takes_full_parts(plan: &Plan) -> usize {
    takes(plan, true).iter().flatten().count()
}
