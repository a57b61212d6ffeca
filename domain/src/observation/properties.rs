//! Property tests of the books against an independent model.
//!
//! The model below is written by hand from the ValueFlows action table, in integer cents,
//! without reading [`crate::action`]: for each of the 19 actions, what it does to the two
//! balances of the resource it acts on and of the resource it delivers to, which unit checks
//! it makes, and when it must be refused. The generator reaches every action, creations,
//! corrections (of originals and, refused, of corrections), and refusals of every kind
//! (negative quantities, creation where an action cannot create, a resource created twice or
//! used before it exists, a unit mismatch, a balance going below zero); each event's outcome is
//! predicted by the model and the books must agree, refusal for refusal. At the end the books
//! must equal the model, and a replay of the accepted events must equal the books.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::{Action, AgentId, DomainError, EconomicEventId, EconomicResourceId, Measure, ProcessId, UnitId};

const RESOURCES: usize = 4;

/// What an action does to (accounting, onhand) of the from side and of the to side, as
/// multiples of the event's quantity, when from and to are different resources.
fn movement(action: Action) -> ((i64, i64), (i64, i64)) {
    use Action::*;
    match action {
        Produce | Raise => ((1, 1), (0, 0)),
        Consume | Lower => ((-1, -1), (0, 0)),
        Accept | Pickup | Combine => ((0, -1), (0, 0)),
        Modify | Dropoff | Separate => ((0, 1), (0, 0)),
        Use | Cite | DeliverService | Work => ((0, 0), (0, 0)),
        Transfer | Move => ((-1, -1), (1, 1)),
        TransferAllRights => ((-1, 0), (1, 0)),
        TransferCustody => ((0, -1), (0, 1)),
        Copy => ((0, 0), (1, 1)),
    }
}

/// The actions that create the resource they act on, and those that create the receiving one.
fn creates_from_side(action: Action) -> bool {
    matches!(action, Action::Produce | Action::Raise | Action::Lower)
}

fn two_sided(action: Action) -> bool {
    matches!(
        action,
        Action::Transfer | Action::TransferAllRights | Action::TransferCustody | Action::Move | Action::Copy
    )
}

/// Whether the event's unit is checked against the resource it acts on: when the action moves
/// a quantity of it, or names a receiving resource to move it into.
fn checks_from_unit(action: Action) -> bool {
    let ((acc, onhand), _) = movement(action);
    acc != 0 || onhand != 0 || two_sided(action)
}

fn input(action: Action) -> bool {
    use Action::*;
    matches!(action, Accept | Cite | Combine | Consume | Pickup | Use | Work | DeliverService)
}

fn output(action: Action) -> bool {
    use Action::*;
    matches!(action, Dropoff | Modify | Produce | Separate)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Balance {
    accounting: i64,
    onhand: i64,
    unit: usize,
}

#[derive(Debug, Clone)]
enum Op {
    /// Any action, on resources `from`/`to` of the pool.
    Act { action: usize, from: usize, to: usize, cents: i64, create: bool, wrong_unit: bool, unit: usize },
    /// Corrects the `nth` accepted event (mod their count) by a signed delta.
    Fix { nth: usize, delta: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..19usize, 0..RESOURCES, 0..RESOURCES, -20..400i64, any::<bool>(), prop::bool::weighted(0.1), 0..2usize)
            .prop_map(|(action, from, to, cents, create, wrong_unit, unit)| Op::Act {
                action, from, to, cents, create, wrong_unit, unit
            }),
        1 => (0..64usize, -300..300i64).prop_map(|(nth, delta)| Op::Fix { nth, delta }),
    ]
}

/// What the model expects of one event.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    /// Accepted; the model's balances after it.
    Accepted(Vec<(usize, Balance)>),
    /// Refused by the event's own fields.
    Invalid,
    /// Refused by the books (existence, units, balances).
    Conflict,
}

struct Harness {
    agents: [AgentId; 2],
    units: [UnitId; 2],
    ids: [EconomicResourceId; RESOURCES],
    process: ProcessId,
    model: [Option<Balance>; RESOURCES],
    books: Books,
    accepted: Vec<ReplayEvent>,
    /// How many events were refused, by kind, and how many of each action were accepted.
    refused: BTreeMap<&'static str, usize>,
    actions_accepted: BTreeMap<Action, usize>,
    corrections_accepted: usize,
}

fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

impl Harness {
    fn new() -> Self {
        Self {
            agents: [AgentId::new(), AgentId::new()],
            units: [UnitId::new(), UnitId::new()],
            ids: std::array::from_fn(|_| EconomicResourceId::new()),
            process: ProcessId::new(),
            model: [None; RESOURCES],
            books: Books::new(),
            accepted: Vec::new(),
            refused: BTreeMap::new(),
            actions_accepted: BTreeMap::new(),
            corrections_accepted: 0,
        }
    }

    /// Builds the event of an `Act` and the model's prediction for it.
    fn act(&self, op: &Op) -> Option<(NewEvent, Expected, EconomicResourceId)> {
        let Op::Act { action, from, to, cents: q, create, wrong_unit, unit } = *op else { return None };
        let action = Action::ALL[action];
        let to = if to == from && create && two_sided(action) { (from + 1) % RESOURCES } else { to };
        let mut e = NewEvent::new(action, self.agents[0], self.agents[1]);
        if input(action) {
            e.input_of = Some(self.process);
        } else if output(action) {
            e.output_of = Some(self.process);
        }
        e.creates_resource = create;
        // The unit: the resource's own (or the one picked for a new resource), or the other.
        let own = self.model[from].map_or(unit, |b| b.unit);
        let event_unit = if wrong_unit { 1 - own } else { own };
        if action == Action::Work {
            e.effort_quantity = Some(Measure::new(cents(q), Some(self.units[0])));
        } else {
            e.resource_quantity = Some(Measure::new(cents(q), Some(self.units[event_unit])));
            if !(create && creates_from_side(action)) {
                e.resource_inventoried_as = Some(self.ids[from]);
            } else {
                e.resource_inventoried_as = None;
            }
            if two_sided(action) && !create {
                e.to_resource_inventoried_as = Some(self.ids[to]);
            }
        }
        // The id `newInventoriedResource` gets, assigned once the event passed `prepare`.
        let new_id = if creates_from_side(action) { self.ids[from] } else { self.ids[to] };
        // The model, by hand.
        let can_create = creates_from_side(action) || two_sided(action);
        if q < 0 || (create && !can_create) || (action == Action::Copy && !create && from == to) {
            return Some((e, Expected::Invalid, new_id));
        }
        if action == Action::Work {
            return Some((e, Expected::Accepted(Vec::new()), new_id));
        }
        let creating_from = create && creates_from_side(action);
        let creating_to = create && two_sided(action);
        let from_state = if creating_from {
            if self.model[from].is_some() {
                return Some((e, Expected::Conflict, new_id));
            }
            Balance { accounting: 0, onhand: 0, unit: event_unit }
        } else {
            match self.model[from] {
                Some(b) => b,
                None => return Some((e, Expected::Conflict, new_id)),
            }
        };
        if checks_from_unit(action) && from_state.unit != event_unit {
            return Some((e, Expected::Conflict, new_id));
        }
        let same = two_sided(action) && from == to;
        let to_state = if !two_sided(action) || same {
            None
        } else if creating_to {
            if self.model[to].is_some() {
                return Some((e, Expected::Conflict, new_id));
            }
            Some(Balance { accounting: 0, onhand: 0, unit: event_unit })
        } else {
            match self.model[to] {
                Some(b) if b.unit != from_state.unit || b.unit != event_unit => {
                    return Some((e, Expected::Conflict, new_id));
                }
                Some(b) => Some(b),
                None => return Some((e, Expected::Conflict, new_id)),
            }
        };
        Some((e, self.moved(action, q, from, from_state, to, to_state, same), new_id))
    }

    /// The balances after moving `q` cents, or a conflict when one would go below zero.
    #[expect(clippy::too_many_arguments, reason = "the two sides of one movement, spelled out")]
    fn moved(
        &self,
        action: Action,
        q: i64,
        from: usize,
        mut from_state: Balance,
        to: usize,
        to_state: Option<Balance>,
        same: bool,
    ) -> Expected {
        let ((fa, fo), (ta, to_)) = movement(action);
        let (fa, fo) = if same && two_sided(action) && action != Action::Copy { (0, 0) } else { (fa, fo) };
        from_state.accounting += fa * q;
        from_state.onhand += fo * q;
        let mut after = vec![(from, from_state)];
        if let Some(mut t) = to_state {
            t.accounting += ta * q;
            t.onhand += to_ * q;
            after.push((to, t));
        }
        if after.iter().any(|(_, b)| b.accounting < 0 || b.onhand < 0) {
            Expected::Conflict
        } else {
            Expected::Accepted(after)
        }
    }

    /// Builds a correction of an accepted event and the model's prediction for it.
    fn fix(&self, nth: usize, delta: i64) -> Option<(NewEvent, Expected, NewEvent)> {
        let original = self.accepted.get(nth % self.accepted.len().max(1))?;
        let o = &original.event;
        // Sent with other agents and no resources: the correction takes the original's.
        let mut c = NewEvent::new(o.action, self.agents[1], self.agents[1]);
        c.corrects = Some(original.id);
        c.resource_quantity = o.resource_quantity.map(|m| Measure::new(cents(delta), m.has_unit));
        c.effort_quantity = o.effort_quantity.map(|m| Measure::new(cents(delta), m.has_unit));
        if o.corrects.is_some() {
            return Some((c, Expected::Invalid, o.clone()));
        }
        let index = |id: Option<EconomicResourceId>| id.and_then(|id| self.ids.iter().position(|r| *r == id));
        let expected = match (index(o.resource_inventoried_as), o.action) {
            (_, Action::Work) | (None, _) => Expected::Accepted(Vec::new()),
            (Some(from), action) => {
                let to = index(o.to_resource_inventoried_as);
                let same = to == Some(from);
                let to_state = to.filter(|_| !same).and_then(|t| self.model[t]);
                match self.model[from] {
                    Some(f) => self.moved(action, delta, from, f, to.unwrap_or(from), to_state, same),
                    None => Expected::Conflict,
                }
            }
        };
        Some((c, expected, o.clone()))
    }

    fn run(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let (event, expected, original, new_id) = match op {
            Op::Act { .. } => match self.act(op) {
                Some((e, x, id)) => (e, x, None, Some(id)),
                None => return Ok(()),
            },
            Op::Fix { nth, delta } => match self.fix(*nth, *delta) {
                Some((e, x, o)) => (e, x, Some(o), None),
                None => return Ok(()),
            },
        };
        let before = self.books.clone();
        let context = EventContext { original: original.clone(), ..EventContext::default() };
        let recorded = prepare(event, &EventDetails::default(), &context).and_then(|mut event| {
            if let Some(id) = new_id {
                creation::assign(&mut event, id);
            }
            self.books.record(&event, &context).map(|()| event)
        });
        match (&expected, recorded) {
            (Expected::Accepted(after), Ok(event)) => {
                for (index, balance) in after {
                    self.model[*index] = Some(*balance);
                }
                *self.actions_accepted.entry(event.action).or_default() += 1;
                self.corrections_accepted += usize::from(event.corrects.is_some());
                self.accepted.push(ReplayEvent {
                    id: EconomicEventId::new(),
                    new_resource_unit: starting_unit(&event, &before),
                    event,
                    context: EventContext::default(),
                });
            }
            (Expected::Invalid, Err(DomainError::Invalid { .. })) => {
                prop_assert_eq!(&self.books, &before, "a refused event changes nothing");
                *self.refused.entry("invalid").or_default() += 1;
            }
            (Expected::Conflict, Err(DomainError::Conflict(_))) => {
                prop_assert_eq!(&self.books, &before, "a refused event changes nothing");
                *self.refused.entry("conflict").or_default() += 1;
            }
            (expected, got) => {
                prop_assert!(false, "{op:?}: the model expects {expected:?}, the books gave {got:?}");
            }
        }
        self.check_books()
    }

    /// The books hold exactly the model's resources, with its balances and units.
    fn check_books(&self) -> Result<(), TestCaseError> {
        for (i, id) in self.ids.iter().enumerate() {
            let got = self.books.get(*id).map(|s| (s.accounting_quantity, s.onhand_quantity, s.unit));
            let want = self.model[i].map(|b| (cents(b.accounting), cents(b.onhand), Some(self.units[b.unit])));
            prop_assert_eq!(got, want, "resource {}", i);
        }
        Ok(())
    }
}

/// The unit a resource created by `event` started in, read from the books before it.
fn starting_unit(event: &NewEvent, before: &Books) -> Option<UnitId> {
    let from = event.resource_inventoried_as.and_then(|id| before.get(id));
    creation::starting_unit(event, from)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_books_agree_with_the_model_event_by_event_and_replay_gives_the_same_state(
        ops in prop::collection::vec(op(), 0..80)
    ) {
        let mut h = Harness::new();
        for op in &ops {
            h.run(op)?;
        }
        let replayed = replay(&h.accepted);
        prop_assert_eq!(replayed.as_ref(), Ok(h.books.states()));
    }
}

/// The generator reaches every action accepted, corrections, and both kinds of refusal: a
/// property test whose generator never refuses anything proves nothing about refusals.
#[test]
fn the_generator_reaches_every_action_corrections_and_refusals() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::deterministic_rng(Default::default()));
    let mut h = Harness::new();
    let mut fresh = 0;
    for _ in 0..400 {
        let Ok(tree) = prop::collection::vec(op(), 40..41).new_tree(&mut runner) else { panic!("a strategy") };
        for op in tree.current() {
            if let Err(e) = h.run(&op) {
                panic!("{e}");
            }
        }
        // Start over now and then, so creations keep happening.
        fresh += 1;
        if fresh % 2 == 0 {
            h.model = [None; RESOURCES];
            h.books = Books::new();
            h.accepted.clear();
        }
    }
    for action in Action::ALL {
        assert!(h.actions_accepted.get(&action).copied().unwrap_or(0) > 0, "{action} is never accepted");
    }
    assert!(h.corrections_accepted > 0, "no correction was accepted");
    assert!(h.refused.get("invalid").copied().unwrap_or(0) > 0, "no event was refused for its fields");
    assert!(h.refused.get("conflict").copied().unwrap_or(0) > 0, "no event was refused by the books");
}
