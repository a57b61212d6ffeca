//! The rollup (DESIGN 4.2): how much of each contribution is embodied in a quantity of a
//! deliverable, as a pure function over a [`Snapshot`].
//!
//! Three passes over the graph upstream of the deliverable, whose nodes are resources and
//! processes (each paired with the equation that values it, since a process in another scope
//! with its own adopted equation is valued by that equation):
//!
//! 1. **discover**: an iterative depth-first walk (no recursion, so no depth limit) that visits
//!    each node once, remembers the first way it was reached (the path of every share) and
//!    refuses a cycle with [`DomainError::Cycle`];
//! 2. **value, children first**: the whole value of every node (all that ever came into a
//!    resource, all the inputs of a process), which `resourceValue`, the split of a use or a
//!    cite among an asset's contributors, and a sub-scope's credit need;
//! 3. **share, parents first**: the fraction of each node embodied in the deliverable, handed
//!    down edge by edge; each contribution met on the way becomes a share, `value × fraction`.
//!
//! How value moves along the edges:
//! - a resource draws from each of its sources in proportion: the same fraction of every
//!   source. A source is the output of a process, a contribution into it (cash, material), a
//!   purchase, or a transfer or move from another resource (followed upstream);
//! - a purchase (a receipt realising an `Agreement`) is credited to the agreement's other
//!   events (payments and expenses): a payment that is itself a contribution credits its
//!   provider; a payment out of a fund credits the deposits made into the fund before it, in
//!   proportion to them; several receipts from the same provider split the agreement in
//!   proportion to their declared values, else equally;
//! - a process hands its fraction to its inputs; with several outputs, each output takes its
//!   part of the inputs in proportion to declared values, else equally; a produce event that a
//!   rule values is production credit to its provider;
//! - a consumed resource with a recorded origin is followed upstream for the quantity
//!   consumed; one without (material from the provider's own stock) is the consume event's own
//!   contribution;
//! - a use or a cite is valued by its rule (a use without one at `quantity ×
//!   valuePerUnitOfUse`, the asset's access rule's value per unit when it sets one); the
//!   maintenance share of a use (its asset's access rule, D173) is credited to the asset's
//!   maintenance recipient, apart from the shares ([`Rollup::maintenance`]); the rest is split
//!   among the asset's contributors in proportion to what each put in; the owner of a pooled
//!   asset, or of an asset with no recorded value, takes it whole.
//!
//! The rolled-up value is the sum of the shares, production credit included, and of the
//! maintenance shares: what an owner's rule sends to maintenance is still part of what the use
//! was worth.
//!
//! Fractions travel as ratios (numerator over denominator, in lowest terms), so a share is
//! multiplied first and divided once: a third of 6 is 2, exactly. A share is rounded, at the
//! 28th significant digit, only when its value does not terminate (a third of 10), or when a
//! ratio's terms grow longer than a decimal holds and it carries on divided out.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::equation::{ClaimType, ValueEquation};
use super::snapshot::{Entry, RuleScope, Snapshot, Valued, Valuer, Working, source_of};
use super::{FastMap, FastSet};
use crate::flow::FlowNode;
use crate::observation::PropertyRegime;
use crate::{Action, AgentId, DomainError, EconomicEventId, EconomicResourceId, ProcessId, ValueEquationId};

/// One contribution's part of the deliverable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// Who it is credited to.
    pub agent: AgentId,
    /// The contributing event.
    pub event: EconomicEventId,
    /// Its part of the rolled-up value.
    pub value: Decimal,
    /// The whole value of the event (what a `DEBT` claim on it is owed in all).
    pub event_value: Decimal,
    /// The nodes from the deliverable to the event, both included.
    pub path: SharePath,
    /// Why, in one line (written out when displayed).
    pub explanation: Explanation,
    /// The version that valued the event.
    pub equation: ValueEquationId,
    /// That version's number.
    pub version: i32,
    /// How it shares in distributions.
    pub claim_type: ClaimType,
}

/// The nodes from the deliverable to a share's event: the path to the node that credited it,
/// shared by every share that node credits (a process credits all its work), then the one to
/// three events after it. A rollup over 100,000 events returns as many shares; each writing
/// out its own path was a seventh of the engine's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharePath {
    nodes: Arc<[FlowNode]>,
    tail: [FlowNode; 3],
    tail_len: u8,
}

impl SharePath {
    fn new(nodes: Arc<[FlowNode]>, events: &[EconomicEventId]) -> Self {
        let mut tail = [FlowNode::Event(EconomicEventId::from_uuid(uuid::Uuid::nil())); 3];
        for (slot, e) in tail.iter_mut().zip(events) {
            *slot = FlowNode::Event(*e);
        }
        Self { nodes, tail, tail_len: u8::try_from(events.len().min(3)).unwrap_or(3) }
    }

    /// How many nodes.
    pub fn len(&self) -> usize {
        self.nodes.len() + usize::from(self.tail_len)
    }

    /// Whether it has no node (never, for a share).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The nodes, from the deliverable.
    pub fn iter(&self) -> impl Iterator<Item = &FlowNode> {
        self.nodes.iter().chain(&self.tail[..usize::from(self.tail_len)])
    }

    /// The first node: the deliverable.
    pub fn first(&self) -> Option<&FlowNode> {
        self.iter().next()
    }

    /// The last node: the contributing event.
    pub fn last(&self) -> Option<&FlowNode> {
        self.iter().last()
    }

    /// The nodes, as a vector.
    pub fn to_vec(&self) -> Vec<FlowNode> {
        self.iter().copied().collect()
    }
}

impl std::ops::Index<usize> for SharePath {
    type Output = FlowNode;

    fn index(&self, at: usize) -> &FlowNode {
        match at.checked_sub(self.nodes.len()) {
            None => &self.nodes[at],
            Some(after) => &self.tail[..usize::from(self.tail_len)][after],
        }
    }
}

/// Why a share is what it is: how the event reached the deliverable, how it was valued, and
/// which part of it is embodied. Kept as parts and written out only when displayed, since a
/// rollup over 100,000 events returns as many shares and most callers read only the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    how: Cow<'static, str>,
    valued: Arc<Valued>,
    value: Decimal,
    reaches: usize,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.how.is_empty() {
            write!(f, "{}; ", self.how)?;
        }
        let event_value = self.valued.value;
        let ratio =
            if event_value.is_zero() { Decimal::ZERO } else { (self.value / event_value).round_dp(6).normalize() };
        write!(f, "{}; {ratio} of it is in this deliverable", self.valued.working)?;
        if self.reaches > 1 {
            write!(f, " (reached {} ways)", self.reaches)?;
        }
        write!(f, ": {}", crate::canonical(self.value.round_dp(6)))
    }
}

/// The rollup of a quantity of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollup {
    /// The deliverable.
    pub resource: EconomicResourceId,
    /// The quantity rolled up.
    pub quantity: Decimal,
    /// All that ever came into the resource.
    pub total_in: Decimal,
    /// The sum of the shares and of the maintenance shares.
    pub total_value: Decimal,
    /// The shares, largest first (then by agent and event).
    pub shares: Vec<Share>,
    /// The maintenance shares of the uses upstream, each credited to its asset's maintenance
    /// recipient (what a `MAINTENANCE` bucket weighs), in the same order.
    pub maintenance: Vec<Share>,
}

/// Whom a part of the deliverable is credited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum To {
    /// A contributor: a share.
    Contributor(AgentId),
    /// A used asset's maintenance recipient: a maintenance share.
    Maintenance(AgentId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Resource(EconomicResourceId),
    Process(ProcessId),
}

impl Node {
    fn flow(self) -> FlowNode {
        match self {
            Node::Resource(r) => FlowNode::Resource(r),
            Node::Process(p) => FlowNode::Process(p),
        }
    }
}

/// A node valued by one equation (an index into the engine's equations).
type Key = (Node, usize);

fn mul(a: Decimal, b: Decimal) -> Result<Decimal, DomainError> {
    a.checked_mul(b).ok_or_else(|| DomainError::Conflict("a value is too large to compute exactly".into()))
}

fn div(a: Decimal, b: Decimal) -> Result<Decimal, DomainError> {
    if b.is_zero() {
        return Ok(Decimal::ZERO);
    }
    a.checked_div(b).ok_or_else(|| DomainError::Conflict("a value is too large to compute exactly".into()))
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal, DomainError> {
    a.checked_add(b).ok_or_else(|| DomainError::Conflict("a value is too large to compute exactly".into()))
}

/// `a × b` when it fits in a decimal without rounding.
fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a, b) = (a.normalize(), b.normalize());
    let mantissa = a.mantissa().checked_mul(b.mantissa())?;
    Decimal::try_from_i128_with_scale(mantissa, a.scale() + b.scale()).ok()
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A fraction of a node, kept as numerator over denominator so that a share is divided once,
/// at the end: a third of 6 is 2, where multiplying by 0.333… (28 digits) would give
/// 1.9999999999999999999999999998. Kept in lowest terms; when a product or a sum no longer
/// fits exactly, it is divided out and carries on as a decimal (rounded at 28 digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ratio {
    num: Decimal,
    den: Decimal,
}

impl Ratio {
    const ZERO: Ratio = Ratio { num: Decimal::ZERO, den: Decimal::ONE };
    const ONE: Ratio = Ratio { num: Decimal::ONE, den: Decimal::ONE };

    /// `num / den`; nothing when `den` is zero (as [`div`]).
    fn new(num: Decimal, den: Decimal) -> Self {
        if den.is_zero() || num.is_zero() {
            return Self::ZERO;
        }
        Self::lowest(num, den).unwrap_or(Ratio { num, den })
    }

    fn whole(value: Decimal) -> Self {
        Ratio { num: value, den: Decimal::ONE }
    }

    /// Both terms as integers divided by their greatest common divisor, when they fit.
    fn lowest(num: Decimal, den: Decimal) -> Option<Self> {
        let (num, den) = (num.normalize(), den.normalize());
        let scale = num.scale().max(den.scale());
        let n = num.mantissa().checked_mul(10i128.checked_pow(scale - num.scale())?)?;
        let d = den.mantissa().checked_mul(10i128.checked_pow(scale - den.scale())?)?;
        let g = gcd(n.abs(), d.abs()).max(1);
        let sign = if d < 0 { -1 } else { 1 };
        Some(Ratio {
            num: Decimal::try_from_i128_with_scale(sign * n / g, 0).ok()?,
            den: Decimal::try_from_i128_with_scale(sign * d / g, 0).ok()?,
        })
    }

    fn is_zero(self) -> bool {
        self.num.is_zero()
    }

    fn value(self) -> Result<Decimal, DomainError> {
        div(self.num, self.den)
    }

    fn times(self, other: Ratio) -> Result<Ratio, DomainError> {
        match (exact_mul(self.num, other.num), exact_mul(self.den, other.den)) {
            (Some(num), Some(den)) => Ok(Ratio::new(num, den)),
            _ => Ok(Ratio::whole(mul(self.value()?, other.value()?)?)),
        }
    }

    fn plus(self, other: Ratio) -> Result<Ratio, DomainError> {
        if self.is_zero() {
            return Ok(other);
        }
        if other.is_zero() {
            return Ok(self);
        }
        if self.den == other.den
            && let Some(num) = self.num.checked_add(other.num)
        {
            return Ok(Ratio::new(num, self.den));
        }
        let cross = (exact_mul(self.num, other.den), exact_mul(other.num, self.den), exact_mul(self.den, other.den));
        if let (Some(a), Some(b), Some(den)) = cross
            && let Some(num) = a.checked_add(b)
        {
            return Ok(Ratio::new(num, den));
        }
        Ok(Ratio::whole(add(self.value()?, other.value()?)?))
    }

    /// This fraction of `value`: multiplied first, divided once.
    fn of(self, value: Decimal) -> Result<Decimal, DomainError> {
        match exact_mul(value, self.num) {
            Some(product) => div(product, self.den),
            None => mul(value, self.value()?),
        }
    }
}

/// Rolls up `quantity` (default: all that ever came in) of `resource` by `equation`.
pub fn rollup(
    snapshot: &Snapshot,
    resource: EconomicResourceId,
    quantity: Option<Decimal>,
    equation: &ValueEquation,
    rules: RuleScope,
) -> Result<Rollup, DomainError> {
    let total_in = snapshot.total_in(resource);
    let quantity = quantity.unwrap_or(total_in);
    if quantity.is_sign_negative() {
        return Err(DomainError::invalid("quantity", "must not be negative"));
    }
    if quantity > total_in {
        return Err(DomainError::invalid(
            "quantity",
            format!(
                "{} is more than ever came into the resource ({}): only what was made, contributed or bought can be rolled up",
                crate::canonical(quantity),
                crate::canonical(total_in)
            ),
        ));
    }
    let mut engine = Engine::new(snapshot, equation, rules);
    let root = (Node::Resource(resource), 0);
    let order = engine.discover(root)?;
    for key in &order {
        engine.value_node(*key)?;
    }
    engine.fraction.insert(root, Ratio::new(quantity, total_in));
    for key in order.iter().rev() {
        engine.share_node(*key)?;
    }
    let (shares, maintenance) = engine.finish();
    let mut total_value = Decimal::ZERO;
    for s in shares.iter().chain(&maintenance) {
        total_value = add(total_value, s.value)?;
    }
    Ok(Rollup { resource, quantity, total_in, total_value, shares, maintenance })
}

/// A share being gathered: the first way it was reached, and the sum of all of them.
struct Gathered {
    event: EconomicEventId,
    to: To,
    valued: Arc<Valued>,
    value: Decimal,
    path: SharePath,
    how: Cow<'static, str>,
    reaches: usize,
}

struct Engine<'a> {
    snapshot: &'a Snapshot,
    rules: RuleScope,
    equations: Vec<&'a ValueEquation>,
    /// The first way each node was reached: its parent and the event between them.
    via: FastMap<Key, (Key, EconomicEventId)>,
    /// The path from the deliverable to each node that credited a share.
    paths: FastMap<Key, Arc<[FlowNode]>>,
    total: FastMap<Key, Decimal>,
    fraction: FastMap<Key, Ratio>,
    /// Each event's valuation by each equation, once (shared by its shares).
    valued: FastMap<(EconomicEventId, usize), Option<Arc<Valued>>>,
    /// The shares in the order first reached, and where each (event, agent) is among them (a
    /// share is large; a rehash moves only the indexes).
    shares: Vec<Gathered>,
    share_at: FastMap<(EconomicEventId, To), usize>,
}

/// An event a payment credits, its valuation, and the part of it the payment drew.
type Credit<'a> = (&'a Entry, Arc<Valued>, Ratio);

/// How a resource's source brings value.
enum Source<'a> {
    /// Output of a process valued by the same equation.
    Made(ProcessId),
    /// Output of a process in another scope with its own adopted equation (by index).
    SubScope(ProcessId, usize, AgentId),
    /// Bought in this agreement: the reciprocal events and this receipt's weight.
    Bought(Vec<&'a Entry>, Ratio),
    /// Moved or transferred from another resource.
    From(EconomicResourceId),
    /// A contribution of its own (cash, material, a raise).
    Contributed,
}

impl<'a> Engine<'a> {
    fn new(snapshot: &'a Snapshot, equation: &'a ValueEquation, rules: RuleScope) -> Self {
        Self {
            snapshot,
            rules,
            equations: vec![equation],
            via: FastMap::default(),
            paths: FastMap::default(),
            total: FastMap::default(),
            fraction: FastMap::default(),
            valued: FastMap::default(),
            // At most a share per event and recipient: reserved (untouched memory costs
            // nothing) rather than grown by copying, which was a tenth of a large rollup.
            shares: Vec::with_capacity(snapshot.len()),
            share_at: FastMap::default(),
        }
    }

    fn valuer(&self, eq: usize) -> Valuer<'a> {
        Valuer {
            snapshot: self.snapshot,
            equation: self.equations[eq],
            rules: if eq == 0 { self.rules } else { RuleScope::All },
        }
    }

    fn value_of(
        &mut self,
        e: &Entry,
        eq: usize,
        resource_value: Option<Decimal>,
    ) -> Result<Option<Arc<Valued>>, DomainError> {
        if !e.is_contribution {
            return Ok(None);
        }
        if let Some(v) = self.valued.get(&(e.id, eq)) {
            return Ok(v.clone());
        }
        let v = self.valuer(eq).value(e, resource_value)?.map(Arc::new);
        self.valued.insert((e.id, eq), v.clone());
        Ok(v)
    }

    /// The equation of the scope a process is in when that scope is another one than the
    /// equation's `eq` with an adopted equation of its own.
    fn sub_scope(&mut self, p: ProcessId, eq: usize) -> Option<(usize, AgentId)> {
        let process = self.snapshot.process(p)?;
        let current = self.equations[eq].scope;
        if process.in_scope_of.contains(&current) {
            return None;
        }
        let mut scopes = process.in_scope_of.clone();
        scopes.sort();
        let (scope, adopted) = scopes.iter().find_map(|s| self.snapshot.adopted(*s).map(|a| (*s, a)))?;
        let index = match self.equations.iter().position(|e| e.id == adopted.id) {
            Some(i) => i,
            None => {
                self.equations.push(adopted);
                self.equations.len() - 1
            }
        };
        Some((index, scope))
    }

    fn source(&mut self, s: &'a Entry, eq: usize) -> Source<'a> {
        if let Some(p) = s.output_of {
            return match self.sub_scope(p, eq) {
                Some((index, scope)) => Source::SubScope(p, index, scope),
                None => Source::Made(p),
            };
        }
        if let Some(agreement) = s.realization_of {
            let (receipts, reciprocal): (Vec<&Entry>, Vec<&Entry>) =
                self.snapshot.realizing(agreement).partition(|e| e.provider == s.provider && source_of(e).is_some());
            if !reciprocal.is_empty() {
                let declared: Option<Vec<Decimal>> = receipts.iter().map(|r| r.declared_value).collect();
                let weight = match declared {
                    Some(values) if values.iter().sum::<Decimal>() > Decimal::ZERO => {
                        Ratio::new(s.declared_value.unwrap_or_default(), values.iter().sum())
                    }
                    _ => Ratio::new(Decimal::ONE, Decimal::from(receipts.len())),
                };
                return Source::Bought(reciprocal, weight);
            }
        }
        if s.is_contribution || s.action == Action::Raise {
            return Source::Contributed;
        }
        match s.resource_inventoried_as {
            Some(from) if self.snapshot.sources(from).next().is_some() => Source::From(from),
            _ => Source::Contributed,
        }
    }

    /// The resources an input of a process leads to: a consumed resource with an origin, a
    /// used or cited one with a value to split.
    fn input_child(&self, e: &Entry) -> Option<EconomicResourceId> {
        // The action first: most inputs are work, and asking for sources is a lookup.
        if !matches!(e.action, Action::Consume | Action::Cite | Action::Use) {
            return None;
        }
        let r = e.resource_inventoried_as?;
        self.snapshot.sources(r).next()?;
        match e.action {
            Action::Consume | Action::Cite => Some(r),
            Action::Use => {
                let pooled =
                    self.snapshot.resource(r).is_some_and(|x| x.property_regime == PropertyRegime::PoolOfShareables);
                (!pooled).then_some(r)
            }
            _ => None,
        }
    }

    fn children(&mut self, key: Key) -> Vec<(Key, EconomicEventId)> {
        let (node, eq) = key;
        let snapshot = self.snapshot;
        let mut out = Vec::new();
        match node {
            Node::Resource(r) => {
                for s in snapshot.sources(r) {
                    match self.source(s, eq) {
                        Source::Made(p) => out.push(((Node::Process(p), eq), s.id)),
                        Source::SubScope(p, index, _) => out.push(((Node::Process(p), index), s.id)),
                        Source::From(from) => out.push(((Node::Resource(from), eq), s.id)),
                        Source::Bought(..) | Source::Contributed => {}
                    }
                }
            }
            Node::Process(p) => {
                for e in snapshot.inputs(p) {
                    if let Some(r) = self.input_child(e) {
                        out.push(((Node::Resource(r), eq), e.id));
                    }
                }
            }
        }
        out
    }

    /// Depth-first, iteratively; returns the nodes children first (post-order).
    fn discover(&mut self, root: Key) -> Result<Vec<Key>, DomainError> {
        let mut order = Vec::new();
        let mut done: FastSet<Key> = FastSet::default();
        let mut on_path: FastSet<Key> = FastSet::default();
        let mut stack: Vec<(Key, Vec<(Key, EconomicEventId)>)> = Vec::new();
        let first = self.children(root);
        on_path.insert(root);
        stack.push((root, first.into_iter().rev().collect()));
        while let Some((key, pending)) = stack.last_mut() {
            let key = *key;
            match pending.pop() {
                Some((child, event)) => {
                    if on_path.contains(&child) {
                        let what = match child.0 {
                            Node::Resource(r) => format!("resource {r}"),
                            Node::Process(p) => format!("process {p}"),
                        };
                        return Err(DomainError::Cycle(format!(
                            "{what} is upstream of itself (through event {event}); the value of a cycle cannot be rolled up"
                        )));
                    }
                    if done.contains(&child) {
                        continue;
                    }
                    self.via.insert(child, (key, event));
                    on_path.insert(child);
                    let next = self.children(child);
                    stack.push((child, next.into_iter().rev().collect()));
                }
                None => {
                    stack.pop();
                    on_path.remove(&key);
                    done.insert(key);
                    order.push(key);
                }
            }
        }
        Ok(order)
    }

    fn total_of(&self, key: Key) -> Decimal {
        self.total.get(&key).copied().unwrap_or_default()
    }

    /// The part of a process's inputs an output takes.
    fn output_weight(&self, p: ProcessId, output: &Entry) -> Ratio {
        let outputs: Vec<&Entry> = self.snapshot.outputs(p).collect();
        let declared: Option<Vec<Decimal>> = outputs.iter().map(|o| o.declared_value).collect();
        match declared {
            Some(values) if values.iter().sum::<Decimal>() > Decimal::ZERO => {
                Ratio::new(output.declared_value.unwrap_or_default(), values.iter().sum())
            }
            _ => Ratio::new(Decimal::ONE, Decimal::from(outputs.len().max(1))),
        }
    }

    /// The value of a use or cite: its rule, else (a use) `quantity × valuePerUnitOfUse`.
    fn use_value(
        &mut self,
        e: &Entry,
        eq: usize,
        resource_value: Option<Decimal>,
    ) -> Result<Option<Valued>, DomainError> {
        let ruled = self.valuer(eq).value(e, resource_value)?;
        if ruled.is_some() || e.action != Action::Use {
            return Ok(ruled);
        }
        let per_unit =
            e.resource_inventoried_as.and_then(|r| self.snapshot.resource(r)).and_then(|r| r.value_per_unit_of_use);
        let (Some(q), Some(per_unit)) = (e.quantity(), per_unit) else {
            return Ok(None);
        };
        let value = mul(q, per_unit)?;
        let equation = self.equations[eq];
        Ok(Some(Valued {
            value,
            equation: equation.id,
            version: equation.version,
            rule: crate::ValueEquationRuleId::from_uuid(uuid::Uuid::nil()),
            claim_type: ClaimType::Equity,
            working: Working::Said(format!(
                "use: no rule, so quantity {} × valuePerUnitOfUse {} = {}",
                crate::canonical(q),
                crate::canonical(per_unit),
                crate::canonical(value)
            )),
        }))
    }

    fn is_input_node(&self, e: &Entry, eq: usize) -> Option<Key> {
        self.input_child(e).map(|r| (Node::Resource(r), eq))
    }

    /// Pass 2: the whole value of a node; its children are already valued.
    fn value_node(&mut self, key: Key) -> Result<(), DomainError> {
        let (node, eq) = key;
        let snapshot = self.snapshot;
        let mut total = Decimal::ZERO;
        match node {
            Node::Resource(r) => {
                for s in snapshot.sources(r) {
                    let v = self.source_value(s, eq)?;
                    total = add(total, v)?;
                }
            }
            Node::Process(p) => {
                for e in snapshot.inputs(p) {
                    let v = match (e.action, self.is_input_node(e, eq)) {
                        (Action::Consume, Some(child)) => {
                            Ratio::new(e.resource_quantity.unwrap_or_default(), self.total_in_of(child))
                                .of(self.total_of(child))?
                        }
                        (Action::Use | Action::Cite, child) => {
                            let rv = child.map(|c| self.total_of(c));
                            self.use_value(e, eq, rv)?.map_or(Decimal::ZERO, |v| v.value)
                        }
                        _ => self.value_of(e, eq, None)?.map_or(Decimal::ZERO, |v| v.value),
                    };
                    total = add(total, v)?;
                }
            }
        }
        self.total.insert(key, total);
        Ok(())
    }

    fn total_in_of(&self, key: Key) -> Decimal {
        match key.0 {
            Node::Resource(r) => self.snapshot.total_in(r),
            Node::Process(_) => Decimal::ONE,
        }
    }

    /// The whole value one source brings into its resource.
    fn source_value(&mut self, s: &'a Entry, eq: usize) -> Result<Decimal, DomainError> {
        Ok(match self.source(s, eq) {
            Source::Made(p) => {
                let inputs = self.output_weight(p, s).of(self.total_of((Node::Process(p), eq)))?;
                add(inputs, self.value_of(s, eq, None)?.map_or(Decimal::ZERO, |v| v.value))?
            }
            Source::SubScope(p, index, _) => {
                let inputs = self.output_weight(p, s).of(self.total_of((Node::Process(p), index)))?;
                add(inputs, self.value_of(s, index, None)?.map_or(Decimal::ZERO, |v| v.value))?
            }
            Source::From(from) => {
                let key = (Node::Resource(from), eq);
                Ratio::new(s.resource_quantity.unwrap_or_default(), self.total_in_of(key)).of(self.total_of(key))?
            }
            Source::Bought(reciprocal, weight) => {
                let mut v = Decimal::ZERO;
                for p in reciprocal {
                    for (_, valued, drawn) in self.payment_credits(p, eq)? {
                        v = add(v, weight.times(drawn)?.of(valued.value)?)?;
                    }
                }
                v
            }
            Source::Contributed => self.value_of(s, eq, None)?.map_or(Decimal::ZERO, |v| v.value),
        })
    }

    /// Who a payment or expense of a purchase credits, with how much of the payment (whole):
    /// its provider when it is a contribution; else the deposits into the fund it came out
    /// of, made before it, in proportion to them. Each credit is (event credited, its
    /// valuation, the part of that valuation the payment drew).
    fn payment_credits(&mut self, p: &'a Entry, eq: usize) -> Result<Vec<Credit<'a>>, DomainError> {
        if let Some(v) = self.value_of(p, eq, None)? {
            return Ok(vec![(p, v, Ratio::ONE)]);
        }
        let Some(fund) = p.resource_inventoried_as else {
            return Ok(vec![]);
        };
        let before: Vec<&'a Entry> = self.snapshot.sources(fund).filter(|d| d.order_key() < p.order_key()).collect();
        let deposited: Decimal = before.iter().filter_map(|d| d.resource_quantity).sum();
        let paid = p.resource_quantity.unwrap_or_default();
        // A payment of more than the deposits before it draws all of them, no more.
        let drawn = if paid >= deposited { Ratio::new(deposited, deposited) } else { Ratio::new(paid, deposited) };
        let mut out = Vec::new();
        for d in before {
            if let Some(v) = self.value_of(d, eq, None)? {
                out.push((d, v, drawn));
            }
        }
        Ok(out)
    }

    /// The nodes from the deliverable to `key`. Worked out once per node that credits shares
    /// (a process credits all of its work at once); only for those, so that a long chain does
    /// not keep a path for each of its nodes.
    fn path_to(&mut self, key: Key) -> Arc<[FlowNode]> {
        match self.paths.get(&key) {
            Some(path) => path.clone(),
            None => {
                // Up to the nearest node whose path is known (a process that credited its
                // work), else to the deliverable.
                let mut up = vec![key.0.flow()];
                let mut at = key;
                let mut known: &[FlowNode] = &[];
                while let Some(&(parent, event)) = self.via.get(&at) {
                    up.push(FlowNode::Event(event));
                    if let Some(path) = self.paths.get(&parent) {
                        known = path;
                        break;
                    }
                    up.push(parent.0.flow());
                    at = parent;
                }
                let path: Arc<[FlowNode]> = known.iter().copied().chain(up.into_iter().rev()).collect();
                self.paths.insert(key, path.clone());
                path
            }
        }
    }

    fn credit(
        &mut self,
        key: Key,
        via: &[EconomicEventId],
        to: To,
        valued: Arc<Valued>,
        value: Decimal,
        how: impl Into<Cow<'static, str>>,
    ) -> Result<(), DomainError> {
        // Every caller names at least the contributing event; a share without one is nothing.
        let Some(&event) = via.last() else {
            return Ok(());
        };
        if value.is_zero() {
            return Ok(());
        }
        match self.share_at.get(&(event, to)) {
            Some(&at) => {
                let g = &mut self.shares[at];
                g.value = add(g.value, value)?;
                g.reaches += 1;
            }
            None => {
                let path = SharePath::new(self.path_to(key), via);
                self.share_at.insert((event, to), self.shares.len());
                self.shares.push(Gathered { event, to, valued, value, path, how: how.into(), reaches: 1 });
            }
        }
        Ok(())
    }

    fn add_fraction(&mut self, key: Key, f: Ratio) -> Result<(), DomainError> {
        let now = self.fraction.get(&key).copied().unwrap_or(Ratio::ZERO);
        self.fraction.insert(key, now.plus(f)?);
        Ok(())
    }

    /// Pass 3: hands a node's fraction down and credits the contributions met there.
    fn share_node(&mut self, key: Key) -> Result<(), DomainError> {
        let node = key.0;
        let snapshot = self.snapshot;
        let fraction = self.fraction.get(&key).copied().unwrap_or(Ratio::ZERO);
        if fraction.is_zero() {
            return Ok(());
        }
        match node {
            Node::Resource(r) => {
                for s in snapshot.sources(r) {
                    self.share_source(key, s, fraction)?;
                }
            }
            Node::Process(p) => {
                for e in snapshot.inputs(p) {
                    self.share_input(key, e, fraction)?;
                }
            }
        }
        Ok(())
    }

    fn share_source(&mut self, key: Key, s: &'a Entry, fraction: Ratio) -> Result<(), DomainError> {
        let eq = key.1;
        match self.source(s, eq) {
            Source::Made(p) => {
                let w = self.output_weight(p, s);
                self.add_fraction((Node::Process(p), eq), fraction.times(w)?)?;
                if let Some(v) = self.value_of(s, eq, None)? {
                    let value = fraction.of(v.value)?;
                    self.credit(key, &[s.id], To::Contributor(s.provider), v, value, "production credit")?;
                }
            }
            Source::SubScope(p, index, scope) => {
                let inputs = self.output_weight(p, s).of(self.total_of((Node::Process(p), index)))?;
                let credit = self.value_of(s, index, None)?.map_or(Decimal::ZERO, |v| v.value);
                let whole = add(inputs, credit)?;
                let sub = self.equations[index];
                let valued = Arc::new(Valued {
                    value: whole,
                    equation: sub.id,
                    version: sub.version,
                    rule: crate::ValueEquationRuleId::from_uuid(uuid::Uuid::nil()),
                    claim_type: ClaimType::Equity,
                    working: Working::Said(format!(
                        "made in the scope {scope}, valued by its own equation (v{}) at {}, credited to that scope as one contribution",
                        sub.version,
                        crate::canonical(whole)
                    )),
                });
                let value = fraction.of(whole)?;
                self.credit(key, &[s.id], To::Contributor(scope), valued, value, "")?;
            }
            Source::From(from) => {
                let child = (Node::Resource(from), eq);
                let f = fraction.times(Ratio::new(s.resource_quantity.unwrap_or_default(), self.total_in_of(child)))?;
                self.add_fraction(child, f)?;
            }
            Source::Bought(reciprocal, weight) => {
                let f = fraction.times(weight)?;
                for p in reciprocal {
                    for (credited, v, drawn) in self.payment_credits(p, eq)? {
                        let value = f.times(drawn)?.of(v.value)?;
                        if credited.id == p.id {
                            let how =
                                format!("paid for a purchase (agreement {})", s.realization_of.unwrap_or_default());
                            self.credit(key, &[s.id, p.id], To::Contributor(credited.provider), v, value, how)?;
                        } else {
                            let how = format!(
                                "deposited in the fund that paid {} for a purchase, in proportion to the deposits before it",
                                crate::canonical(p.resource_quantity.unwrap_or_default())
                            );
                            self.credit(
                                key,
                                &[s.id, p.id, credited.id],
                                To::Contributor(credited.provider),
                                v,
                                value,
                                how,
                            )?;
                        }
                    }
                }
            }
            Source::Contributed => {
                if let Some(v) = self.value_of(s, eq, None)? {
                    let value = fraction.of(v.value)?;
                    self.credit(key, &[s.id], To::Contributor(s.provider), v, value, "contributed into the resource")?;
                }
            }
        }
        Ok(())
    }

    fn share_input(&mut self, key: Key, e: &'a Entry, fraction: Ratio) -> Result<(), DomainError> {
        let eq = key.1;
        let child = self.is_input_node(e, eq);
        match (e.action, child) {
            (Action::Consume, Some(child)) => {
                let f = fraction.times(Ratio::new(e.resource_quantity.unwrap_or_default(), self.total_in_of(child)))?;
                self.add_fraction(child, f)?;
            }
            (Action::Use | Action::Cite, child) => {
                let whole = child.map(|c| self.total_of(c));
                let Some(mut v) = self.use_value(e, eq, whole)? else {
                    return Ok(());
                };
                // The asset's contributors share the use value, when it holds any.
                let shared = child.zip(whole).filter(|(_, whole)| !whole.is_zero());
                let asset = e.resource_inventoried_as.and_then(|r| self.snapshot.resource(r));
                if let Some(asset) = asset.filter(|_| e.action == Action::Use) {
                    let whom = if shared.is_some() { "the asset's contributors" } else { "the owner" };
                    let (kept, maintenance) = asset.split_use(v, whom);
                    v = kept;
                    // With nobody to maintain the asset, its maintenance share is unclaimed.
                    if let (Some(m), Some(recipient)) = (maintenance, asset.maintenance_recipient()) {
                        let amount = fraction.of(m.value)?;
                        let how = format!("maintenance share of a use of resource {}", asset.id);
                        self.credit(key, &[e.id], To::Maintenance(recipient), Arc::new(m), amount, how)?;
                    }
                }
                match shared {
                    Some((child, whole)) => {
                        self.add_fraction(child, fraction.times(Ratio::new(v.value, whole))?)?;
                    }
                    None => {
                        let owner = asset.and_then(|r| r.primary_accountable).unwrap_or(e.provider);
                        let how = if e.action == Action::Use {
                            "use of an asset, credited to its owner"
                        } else {
                            "cited, credited to its owner"
                        };
                        let amount = fraction.of(v.value)?;
                        self.credit(key, &[e.id], To::Contributor(owner), Arc::new(v), amount, how)?;
                    }
                }
            }
            _ => {
                if let Some(v) = self.value_of(e, eq, None)? {
                    let value = fraction.of(v.value)?;
                    self.credit(key, &[e.id], To::Contributor(e.provider), v, value, "an input of the process")?;
                }
            }
        }
        Ok(())
    }

    /// The shares and the maintenance shares, each largest first, then by agent and event (a
    /// total order: one share per event and recipient). Positions are sorted rather than the
    /// shares, which are large.
    fn finish(self) -> (Vec<Share>, Vec<Share>) {
        let agent = |g: &Gathered| match g.to {
            To::Contributor(agent) | To::Maintenance(agent) => agent,
        };
        // The keys apart, in one small array, so that sorting reads no share.
        let mut order: Vec<(std::cmp::Reverse<Decimal>, AgentId, EconomicEventId, usize)> =
            self.shares.iter().enumerate().map(|(at, g)| (std::cmp::Reverse(g.value), agent(g), g.event, at)).collect();
        order.sort_unstable();
        let mut gathered: Vec<Option<Gathered>> = self.shares.into_iter().map(Some).collect();
        let (mut contributions, mut maintenance) = (Vec::with_capacity(order.len()), Vec::new());
        for g in order.into_iter().filter_map(|(.., at)| gathered[at].take()) {
            let (agent, list) = match g.to {
                To::Contributor(agent) => (agent, &mut contributions),
                To::Maintenance(agent) => (agent, &mut maintenance),
            };
            list.push(Share {
                agent,
                event: g.event,
                value: g.value,
                event_value: g.valued.value,
                path: g.path,
                equation: g.valued.equation,
                version: g.valued.version,
                claim_type: g.valued.claim_type,
                explanation: Explanation { how: g.how, valued: g.valued, value: g.value, reaches: g.reaches },
            });
        }
        (contributions, maintenance)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
