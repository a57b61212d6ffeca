//! The rollup (DESIGN 4.2): how much of each contribution is embodied in a quantity of a
//! deliverable, as a pure function over a [`Snapshot`].
//!
//! Three passes over the graph upstream of the deliverable, whose nodes are resources and
//! processes (each paired with the equation that values it, since a process in another scope
//! with its own adopted equation is valued by that equation):
//!
//! 1. **discover**: an iterative depth-first walk (no recursion, so no depth limit) that visits
//!    each node once, remembers the first way it was reached (the path of every share) and
//!    refuses a cycle with [`DomainError::Cycle`]. It walks the snapshot's links by number
//!    (no id is hashed), gives each node a place in an array, sorts out each of its edges once
//!    and values each edge's event while it is at hand (all but uses and cites, which read
//!    what pass 2 works out), so that the other passes walk arrays and never read an event
//!    again;
//! 2. **value, children first**: the whole value of a node (all that ever came into a
//!    resource, all the inputs of a process), for the nodes that `resourceValue`, the split of
//!    a use or a cite among an asset's contributors, or a sub-scope's credit reads, and the
//!    nodes below them; no other node needs it;
//! 3. **share, parents first**: the fraction of each node embodied in the deliverable, handed
//!    down edge by edge; each contribution met on the way becomes a share, `value × fraction`,
//!    gathered small and written out once the shares are in order.
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

use super::FastMap;
use super::equation::{ClaimType, ValueEquation};
use super::formula::Variables;
use super::snapshot::{
    Entry, Links, NONE, Priced, RuleScope, SnapProcess, Snapshot, Valued, Valuer, Working, source_of,
};
use crate::flow::FlowNode;
use crate::observation::PropertyRegime;
use crate::{Action, AgentId, DomainError, EconomicEventId, EconomicResourceId, ValueEquationId};

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

/// One node of a rollup's tree of first ways ([`SharePath`]).
#[derive(Debug, Clone, Copy)]
struct Step {
    /// The node it was first reached from (the deliverable has none and points to itself).
    parent: u32,
    /// The event between the two (the deliverable's is never read).
    via: FlowNode,
    /// The node.
    node: FlowNode,
    /// How many nodes up the deliverable is.
    depth: u32,
}

/// The nodes from the deliverable to a share's event. Each node of a rollup is first reached
/// one way, so the first ways make a tree, which the rollup keeps once and every share points
/// into: a path is a node of that tree and the one to three events after it. Shares that each
/// wrote out their path took a seventh of the engine's time; an array per crediting node
/// still wrote 14 MB for a tree of 10,000 processes.
#[derive(Clone)]
pub struct SharePath {
    tree: Arc<[Step]>,
    at: u32,
    tail: [FlowNode; 3],
    tail_len: u8,
}

impl SharePath {
    fn new(tree: Arc<[Step]>, at: u32, events: &[EconomicEventId]) -> Self {
        let mut tail = [FlowNode::Event(EconomicEventId::from_uuid(uuid::Uuid::nil())); 3];
        for (slot, e) in tail.iter_mut().zip(events) {
            *slot = FlowNode::Event(*e);
        }
        Self { tree, at, tail, tail_len: u8::try_from(events.len().min(3)).unwrap_or(3) }
    }

    fn step(&self) -> &Step {
        &self.tree[self.at as usize]
    }

    /// The nodes of the tree part, from the deliverable: node, event, node, … node.
    fn in_tree(&self) -> Vec<&FlowNode> {
        let mut up = Vec::with_capacity(2 * self.step().depth as usize + 1);
        let mut step = self.step();
        up.push(&step.node);
        while step.depth > 0 {
            up.push(&step.via);
            step = &self.tree[step.parent as usize];
            up.push(&step.node);
        }
        up.reverse();
        up
    }

    fn tail(&self) -> &[FlowNode] {
        &self.tail[..usize::from(self.tail_len)]
    }

    /// How many nodes.
    pub fn len(&self) -> usize {
        2 * self.step().depth as usize + 1 + usize::from(self.tail_len)
    }

    /// Whether it has no node (never: it holds the deliverable at least).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The nodes, from the deliverable.
    pub fn iter(&self) -> impl Iterator<Item = &FlowNode> {
        self.in_tree().into_iter().chain(self.tail())
    }

    /// The first node: the deliverable.
    pub fn first(&self) -> Option<&FlowNode> {
        self.iter().next()
    }

    /// The last node: the contributing event.
    pub fn last(&self) -> Option<&FlowNode> {
        self.tail().last().or(Some(&self.step().node))
    }

    /// The nodes, as a vector.
    pub fn to_vec(&self) -> Vec<FlowNode> {
        self.iter().copied().collect()
    }
}

impl PartialEq for SharePath {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for SharePath {}

impl fmt::Debug for SharePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl std::ops::Index<usize> for SharePath {
    type Output = FlowNode;

    fn index(&self, at: usize) -> &FlowNode {
        let in_tree = 2 * self.step().depth as usize + 1;
        match at.checked_sub(in_tree) {
            Some(after) => &self.tail()[after],
            // Up from the share's node: every two places is one node nearer the deliverable.
            None => {
                let mut step = self.step();
                let mut place = in_tree - 1;
                while place > at + 1 {
                    step = &self.tree[step.parent as usize];
                    place -= 2;
                }
                if place == at { &step.node } else { &step.via }
            }
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

/// A resource or a process, by its number in the snapshot's [`Links`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Resource(u32),
    Process(u32),
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
        // The whole of a node, the part most edges hand down.
        if num == den {
            return Self::ONE;
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
        // The whole of a node is handed down most edges: a product and a division saved.
        if other == Ratio::ONE {
            return Ok(self);
        }
        if self == Ratio::ONE {
            return Ok(other);
        }
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
        if self == Ratio::ONE {
            // As the product below would give it: in lowest terms.
            return Ok(value.normalize());
        }
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
    let total_in = snapshot.total_in(resource)?;
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
    let root = snapshot.links().resource(resource);
    let mut rolled =
        Rollup { resource, quantity, total_in, total_value: Decimal::ZERO, shares: vec![], maintenance: vec![] };
    // No event names the resource: nothing came into it, and nothing is embodied in it.
    if root == NONE {
        return Ok(rolled);
    }
    let mut engine = Engine::new(snapshot, equation, rules);
    let order = engine.discover((Node::Resource(root), 0))?;
    engine.mark_wholes(&order);
    for &at in &order {
        if engine.nodes[at as usize].wanted {
            engine.value_node(at)?;
        }
    }
    // The deliverable is the first node placed.
    engine.nodes[0].fraction = Ratio::new(quantity, total_in);
    for &at in order.iter().rev() {
        engine.share_node(at)?;
    }
    (rolled.shares, rolled.maintenance, rolled.total_value) = engine.finish()?;
    Ok(rolled)
}

/// How far pass 1 has gone with a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// Met as a child, not yet walked.
    Unseen,
    /// On the walk's current path (met again: a cycle).
    OnPath,
    /// Walked, with all below it.
    Done,
}

/// A node of the graph, by its place in [`Engine::nodes`] (the passes walk places, not keys).
struct NodeState {
    key: Key,
    visit: Visit,
    /// Its edges (a resource's sources, a process's inputs): a range of [`Engine::edges`].
    edges: std::ops::Range<usize>,
    /// All that ever came into it (a process: 1, the whole of it).
    total_in: Decimal,
    /// Whether pass 3 reads its whole value ([`Engine::mark_wholes`]), so pass 2 works it
    /// out.
    wanted: bool,
    /// Its whole value (pass 2).
    total: Decimal,
    /// The part of it embodied in the deliverable (pass 3).
    fraction: Ratio,
}

/// A resource's source or a process's input, classified once by pass 1.
struct Edge {
    /// The event's position in the snapshot, its id and its provider: pass 1 reads the
    /// event, and the later passes read these rather than the event again (each event read
    /// again was a cache miss).
    at: u32,
    id: EconomicEventId,
    provider: AgentId,
    kind: EdgeKind,
    /// The event's valuation, when `known`: pass 1 values what it can while the event is at
    /// hand (all but uses and cites, which read what pass 2 works out), pass 2 the rest of
    /// the nodes it values; pass 3 takes it, or values the event itself. A valuation that
    /// fails is left to the pass that needs it, so that only an event embodied in the
    /// deliverable can fail a rollup.
    valued: Option<Arc<Valued>>,
    known: bool,
}

/// Kept small, since there is one per event upstream: the rare kinds are boxed, and an
/// output's weight is kept apart ([`Engine::weights`]).
enum EdgeKind {
    /// A resource's source: output of a process valued by the same equation, with the part
    /// of the process's inputs this output takes (an index into [`Engine::weights`]).
    Made { process: u32, weight: u32 },
    /// Output of a process in another scope with its own adopted equation.
    SubScope(Box<SubScope>),
    /// Bought in an agreement.
    Bought(Box<Bought>),
    /// Moved or transferred from another resource, this much (kept here so that the later
    /// passes need not read the event again).
    From { from: u32, quantity: Decimal },
    /// A contribution of its own (cash, material, a raise).
    Contributed,
    /// A process's input: so much of a consumed resource with a recorded origin.
    Consume { child: u32, quantity: Decimal },
    /// A use or a cite, with the asset when its value is split among its contributors.
    UseOrCite { child: Option<u32> },
    /// Any other input: work, or material from the provider's own stock.
    Input,
}

/// An output of a process in another scope with its own adopted equation (by index).
struct SubScope {
    process: u32,
    eq: usize,
    scope: AgentId,
    weight: Ratio,
}

/// A receipt of a purchase: the reciprocal events (by position) and this receipt's weight.
struct Bought {
    reciprocal: Box<[u32]>,
    weight: Ratio,
}

impl Edge {
    fn new(at: u32, event: &Entry, kind: EdgeKind) -> Self {
        Edge { at, id: event.id, provider: event.provider, kind, valued: None, known: false }
    }
}

impl EdgeKind {
    /// The node the edge leads to, if any.
    fn child(&self) -> Option<u32> {
        match *self {
            EdgeKind::Made { process, .. } => Some(process),
            EdgeKind::SubScope(ref sub) => Some(sub.process),
            EdgeKind::From { from: child, .. } | EdgeKind::Consume { child, .. } => Some(child),
            EdgeKind::UseOrCite { child } => child,
            EdgeKind::Bought { .. } | EdgeKind::Contributed | EdgeKind::Input => None,
        }
    }
}

/// A share while the rollup gathers them: a tenth of the size of a [`Share`], which is
/// written only once the shares are in order. The events are positions in the snapshot.
struct Credited {
    value: Decimal,
    agent: AgentId,
    event: EconomicEventId,
    /// The node it was credited at, and the events from there to the credited one (but
    /// the last, `event`), by position.
    node: u32,
    via: [u32; 2],
    via_len: u8,
    valued: Arc<Valued>,
    how: Cow<'static, str>,
    reaches: usize,
}

struct Engine<'a> {
    snapshot: &'a Snapshot,
    links: &'a Links,
    rules: RuleScope,
    equations: Vec<&'a ValueEquation>,
    /// Where each node valued by the equation asked for is in `nodes`, by number: the
    /// resources, then the processes ([`NONE`] until met).
    place: Vec<u32>,
    /// Where each node valued by another equation (a sub-scope's) is.
    place_else: FastMap<Key, u32>,
    nodes: Vec<NodeState>,
    /// Every node's edges, node after node.
    edges: Vec<Edge>,
    /// The first way to each node, by place, while pass 1 finds them.
    steps: Vec<Step>,
    /// The valuations of the events a purchase credits (payments, deposits into a fund),
    /// which are not edges, by event position and equation.
    valued: FastMap<(u32, usize), Option<Arc<Valued>>>,
    /// The part of a process's inputs each output takes ([`EdgeKind::Made`]).
    weights: Vec<Ratio>,
    /// The nodes whose whole value pass 3 reads, as pass 1 meets them (used or cited
    /// assets, processes in another scope).
    wanted: Vec<u32>,
    /// Every distinct valuation by a rule, once ([`Engine::valuation`]).
    same: FastMap<Same, Arc<Valued>>,
    /// The shares and the maintenance shares in the order first reached.
    shares: Vec<Credited>,
    maintenance: Vec<Credited>,
    /// Where each event's share is in `shares`, by the event's position ([`NONE`]: none
    /// yet); almost every event is credited to one agent.
    share_at: Vec<u32>,
    /// Where the others are: an event's share to a second agent, and maintenance shares.
    share_else: FastMap<(u32, To), u32>,
}

/// What a valuation is worth: nothing without one.
fn worth(valued: &Option<Arc<Valued>>) -> Decimal {
    valued.as_ref().map_or(Decimal::ZERO, |v| v.value)
}

/// What makes two valuations by a rule the same: the version, the rule, what each variable
/// held and whether the rate was the skill's default. The formula, the action, the claim type
/// and the value follow from these. Decimals are keyed by their bytes: hashing them by value
/// normalises each one, a twentieth of a large rollup, and 1.5 beside 1.50 only makes two
/// keys for one valuation.
#[derive(PartialEq, Eq, Hash)]
struct Same {
    equation: ValueEquationId,
    rule: crate::ValueEquationRuleId,
    variables: [Option<[u8; 16]>; 7],
    default_rate: bool,
}

impl Same {
    /// The key of an event priced by a rule.
    fn of(p: &Priced<'_>) -> Self {
        // Every field named, so that a new variable cannot be left out of the key.
        let Variables { quantity, effort, declared_value, rate, value_per_unit_of_use, resource_value, reputation } =
            p.variables;
        let variables = [quantity, effort, declared_value, rate, value_per_unit_of_use, resource_value, reputation]
            .map(|x| x.map(|d| d.serialize()));
        Same { equation: p.version.id, rule: p.rule.id, variables, default_rate: p.default_rate }
    }
}

/// The events from a node to the one a share credits, by position, and the credited one's
/// id (which the edge, or the purchase, has at hand).
#[derive(Clone, Copy)]
struct Via<'v> {
    events: &'v [u32],
    id: EconomicEventId,
}

/// An event a payment credits (by position), its valuation, and the part of it the payment
/// drew.
type Drawn = (u32, Arc<Valued>, Ratio);

impl<'a> Engine<'a> {
    fn new(snapshot: &'a Snapshot, equation: &'a ValueEquation, rules: RuleScope) -> Self {
        let links = snapshot.links();
        Self {
            snapshot,
            links,
            rules,
            equations: vec![equation],
            place: vec![NONE; links.resource_ids.len() + links.process_ids.len()],
            place_else: FastMap::default(),
            // Reserved for every node the snapshot names, rather than grown by copying.
            nodes: Vec::with_capacity(links.resource_ids.len() + links.process_ids.len()),
            edges: Vec::with_capacity(snapshot.len()),
            steps: Vec::with_capacity(links.resource_ids.len() + links.process_ids.len()),
            valued: FastMap::default(),
            weights: Vec::new(),
            wanted: Vec::new(),
            same: FastMap::default(),
            // At most a share per event: reserved (untouched memory costs nothing) rather
            // than grown by copying.
            shares: Vec::with_capacity(snapshot.len()),
            maintenance: Vec::new(),
            share_at: vec![NONE; snapshot.len()],
            share_else: FastMap::default(),
        }
    }

    fn valuer(&self, eq: usize) -> Valuer<'a> {
        Valuer {
            snapshot: self.snapshot,
            equation: self.equations[eq],
            rules: if eq == 0 { self.rules } else { RuleScope::All },
        }
    }

    /// The process the event at `at` is an input of, else an output of.
    fn process_of(&self, at: u32) -> Option<&'a SnapProcess> {
        self.snapshot.numbered_process(self.links.of_event[at as usize].process())
    }

    /// The valuation of a contribution by equation `eq`; `None` for an event that is not one
    /// or that no rule values. Events priced alike ([`Same`]: hours of work at one rate) share
    /// one valuation, whose formula is worked out once: a rollup over 100,000 events worked
    /// out, wrote and freed one for each.
    fn valuation(&mut self, at: u32, e: &Entry, eq: usize) -> Result<Option<Arc<Valued>>, DomainError> {
        if !e.is_contribution {
            return Ok(None);
        }
        let Some(priced) = self.valuer(eq).priced(e, self.process_of(at), None) else {
            return Ok(None);
        };
        let key = Same::of(&priced);
        if let Some(v) = self.same.get(&key) {
            return Ok(Some(v.clone()));
        }
        let v = Arc::new(priced.valued(e)?);
        self.same.insert(key, v.clone());
        Ok(Some(v))
    }

    /// [`Engine::valuation`], once per event and equation, for the events of purchases.
    fn value_of(&mut self, at: u32, eq: usize) -> Result<Option<Arc<Valued>>, DomainError> {
        if let Some(v) = self.valued.get(&(at, eq)) {
            return Ok(v.clone());
        }
        let v = self.valuation(at, self.snapshot.at(at), eq)?;
        self.valued.insert((at, eq), v.clone());
        Ok(v)
    }

    fn flow(&self, node: Node) -> FlowNode {
        match node {
            Node::Resource(r) => FlowNode::Resource(self.links.resource_ids[r as usize]),
            Node::Process(p) => FlowNode::Process(self.links.process_ids[p as usize]),
        }
    }

    /// The place of a node, given one when first met.
    fn node(&mut self, key: Key) -> u32 {
        let slot = match key {
            (Node::Resource(r), 0) => Some(r as usize),
            (Node::Process(p), 0) => Some(self.links.resource_ids.len() + p as usize),
            _ => None,
        };
        let found = match slot {
            Some(slot) => Some(self.place[slot]).filter(|&at| at != NONE),
            None => self.place_else.get(&key).copied(),
        };
        if let Some(at) = found {
            return at;
        }
        let at = u32::try_from(self.nodes.len()).unwrap_or(NONE);
        match slot {
            Some(slot) => self.place[slot] = at,
            None => {
                self.place_else.insert(key, at);
            }
        }
        let flow = self.flow(key.0);
        self.nodes.push(NodeState {
            key,
            visit: Visit::Unseen,
            edges: 0..0,
            total_in: Decimal::ONE,
            wanted: false,
            total: Decimal::ZERO,
            fraction: Ratio::ZERO,
        });
        self.steps.push(Step { parent: at, via: flow, node: flow, depth: 0 });
        at
    }

    /// The equation of the scope process `p` is in when that scope is another one than the
    /// equation's `eq` with an adopted equation of its own.
    fn sub_scope(&mut self, p: u32, eq: usize) -> Option<(usize, AgentId)> {
        let process = self.snapshot.numbered_process(p)?;
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

    /// How a resource's source (the event at `at`) brings value.
    fn source(&mut self, at: u32, s: &Entry, eq: usize) -> Result<EdgeKind, DomainError> {
        let links = self.links;
        let named = links.of_event[at as usize];
        if named.output_of != NONE {
            let p = named.output_of;
            let weight = self.output_weight(p, s)?;
            return Ok(match self.sub_scope(p, eq) {
                Some((index, scope)) => {
                    let process = self.node((Node::Process(p), index));
                    self.wanted.push(process);
                    EdgeKind::SubScope(Box::new(SubScope { process, eq: index, scope, weight }))
                }
                None => {
                    self.weights.push(weight);
                    let weight = u32::try_from(self.weights.len() - 1).unwrap_or(NONE);
                    EdgeKind::Made { process: self.node((Node::Process(p), eq)), weight }
                }
            });
        }
        if let Some(agreement) = s.realization_of {
            let snapshot = self.snapshot;
            let (receipts, reciprocal): (Vec<u32>, Vec<u32>) = links.realizing(agreement).iter().partition(|&&r| {
                let e = snapshot.at(r);
                e.provider == s.provider && source_of(e).is_some()
            });
            if !reciprocal.is_empty() {
                let declared: Option<Vec<Decimal>> = receipts.iter().map(|&r| snapshot.at(r).declared_value).collect();
                let weight = match declared {
                    Some(values) if values.iter().sum::<Decimal>() > Decimal::ZERO => {
                        Ratio::new(s.declared_value.unwrap_or_default(), values.iter().sum())
                    }
                    _ => Ratio::new(Decimal::ONE, Decimal::from(receipts.len())),
                };
                return Ok(EdgeKind::Bought(Box::new(Bought { reciprocal: reciprocal.into(), weight })));
            }
        }
        if s.is_contribution || s.action == Action::Raise {
            return Ok(EdgeKind::Contributed);
        }
        let from = named.resource;
        Ok(if from != NONE && !links.sources(from).is_empty() {
            let quantity = s.resource_quantity.unwrap_or_default();
            EdgeKind::From { from: self.node((Node::Resource(from), eq)), quantity }
        } else {
            EdgeKind::Contributed
        })
    }

    /// How an input of a process (the event at `at`) brings value: a consumed resource with
    /// an origin, a used or cited one with a value to split, or the event's own value.
    fn input(&mut self, at: u32, e: &Entry, eq: usize) -> EdgeKind {
        // The action first: most inputs are work.
        if !matches!(e.action, Action::Consume | Action::Cite | Action::Use) {
            return EdgeKind::Input;
        }
        let r = self.links.of_event[at as usize].resource;
        let has_origin = r != NONE && !self.links.sources(r).is_empty();
        let pooled = || {
            e.resource_inventoried_as
                .and_then(|id| self.snapshot.resource(id))
                .is_some_and(|x| x.property_regime == PropertyRegime::PoolOfShareables)
        };
        let child = (has_origin && (e.action != Action::Use || !pooled())).then(|| self.node((Node::Resource(r), eq)));
        match (e.action, child) {
            (Action::Consume, Some(child)) => {
                EdgeKind::Consume { child, quantity: e.resource_quantity.unwrap_or_default() }
            }
            (Action::Consume, None) => EdgeKind::Input,
            (_, child) => {
                self.wanted.extend(child);
                EdgeKind::UseOrCite { child }
            }
        }
    }

    /// Classifies a node's edges, once, when pass 1 first walks it, and puts the node on the
    /// walk's path.
    fn expand(&mut self, at: u32) -> Result<(), DomainError> {
        let (node, eq) = self.nodes[at as usize].key;
        let (snapshot, links) = (self.snapshot, self.links);
        let start = self.edges.len();
        let total_in = match node {
            Node::Resource(r) => {
                let mut total_in = Decimal::ZERO;
                for &s in links.sources(r) {
                    let event = snapshot.at(s);
                    total_in = add(total_in, event.resource_quantity.unwrap_or_default())?;
                    let kind = self.source(s, event, eq)?;
                    self.push_edge(Edge::new(s, event, kind), eq);
                }
                total_in
            }
            Node::Process(p) => {
                for &i in links.inputs(p) {
                    let event = snapshot.at(i);
                    let kind = self.input(i, event, eq);
                    self.push_edge(Edge::new(i, event, kind), eq);
                }
                Decimal::ONE
            }
        };
        let state = &mut self.nodes[at as usize];
        state.edges = start..self.edges.len();
        state.total_in = total_in;
        state.visit = Visit::OnPath;
        Ok(())
    }

    /// Adds an edge of a node valued by equation `eq`, valued now when it can be.
    fn push_edge(&mut self, edge: Edge, eq: usize) {
        let i = self.edges.len();
        let early = !matches!(edge.kind, EdgeKind::UseOrCite { .. });
        self.edges.push(edge);
        if early && let Ok(valued) = self.edge_valuation(eq, i) {
            (self.edges[i].valued, self.edges[i].known) = (valued, true);
        }
    }

    /// Pass 1, depth-first and iteratively: classifies every edge once and returns the nodes'
    /// places children first (post-order).
    fn discover(&mut self, root: Key) -> Result<Vec<u32>, DomainError> {
        let mut order = Vec::new();
        let root = self.node(root);
        self.expand(root)?;
        let mut stack: Vec<(u32, usize)> = vec![(root, self.nodes[root as usize].edges.start)];
        while let Some(top) = stack.last_mut() {
            let (at, next) = *top;
            if next == self.nodes[at as usize].edges.end {
                stack.pop();
                self.nodes[at as usize].visit = Visit::Done;
                order.push(at);
                continue;
            }
            top.1 += 1;
            let edge = &self.edges[next];
            let Some(child) = edge.kind.child() else { continue };
            match self.nodes[child as usize].visit {
                Visit::Done => {}
                Visit::OnPath => {
                    let what = match self.flow(self.nodes[child as usize].key.0) {
                        FlowNode::Resource(r) => format!("resource {r}"),
                        FlowNode::Process(p) => format!("process {p}"),
                        FlowNode::Event(e) => format!("event {e}"),
                    };
                    return Err(DomainError::Cycle(format!(
                        "{what} is upstream of itself (through event {}); the value of a cycle cannot be rolled up",
                        edge.id
                    )));
                }
                Visit::Unseen => {
                    let via = FlowNode::Event(edge.id);
                    let depth = self.steps[at as usize].depth + 1;
                    let step = &mut self.steps[child as usize];
                    (step.parent, step.via, step.depth) = (at, via, depth);
                    self.expand(child)?;
                    stack.push((child, self.nodes[child as usize].edges.start));
                }
            }
        }
        Ok(order)
    }

    fn total_of(&self, at: u32) -> Decimal {
        self.nodes[at as usize].total
    }

    /// The part of a node's quantity a quantity is.
    fn part_of(&self, at: u32, quantity: Decimal) -> Ratio {
        Ratio::new(quantity, self.nodes[at as usize].total_in)
    }

    /// The part of process `p`'s inputs an output takes.
    /// In proportion to the outputs' declared values when every output declares one, else
    /// equally.
    fn output_weight(&self, p: u32, output: &Entry) -> Result<Ratio, DomainError> {
        let (mut outputs, mut declared) = (0usize, Some(Decimal::ZERO));
        for &o in self.links.outputs(p) {
            outputs += 1;
            declared = match (declared, self.snapshot.at(o).declared_value) {
                (Some(sum), Some(v)) => Some(add(sum, v)?),
                _ => None,
            };
        }
        Ok(match declared {
            Some(sum) if sum > Decimal::ZERO => Ratio::new(output.declared_value.unwrap_or_default(), sum),
            _ => Ratio::new(Decimal::ONE, Decimal::from(outputs.max(1))),
        })
    }

    /// The value of a use or cite: its rule, else (a use) `quantity × valuePerUnitOfUse`.
    fn use_value(
        &self,
        at: u32,
        e: &Entry,
        eq: usize,
        resource_value: Option<Decimal>,
    ) -> Result<Option<Valued>, DomainError> {
        let ruled = self.valuer(eq).value_in(e, self.process_of(at), resource_value)?;
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

    /// Marks the nodes whose whole value pass 3 reads: a used or cited asset (its
    /// contributors share the use), a process in another scope (credited whole to that scope),
    /// and every node below them. Pass 3 needs no other node's whole value, so pass 2 values
    /// only these; in a tree of work and materials that is none.
    fn mark_wholes(&mut self, order: &[u32]) {
        if self.wanted.is_empty() {
            return;
        }
        for c in std::mem::take(&mut self.wanted) {
            self.nodes[c as usize].wanted = true;
        }
        // Parents first, so that a mark reaches every node below.
        for &at in order.iter().rev() {
            if !self.nodes[at as usize].wanted {
                continue;
            }
            for i in self.nodes[at as usize].edges.clone() {
                if let Some(c) = self.edges[i].kind.child() {
                    self.nodes[c as usize].wanted = true;
                }
            }
        }
    }

    /// The valuation of an edge's event: a contribution by its rule; a use or a cite by
    /// [`Engine::use_value`], which reads the asset's whole value.
    fn edge_valuation(&mut self, eq: usize, i: usize) -> Result<Option<Arc<Valued>>, DomainError> {
        let edge = &self.edges[i];
        let (at, e) = (edge.at, self.snapshot.at(edge.at));
        let valued = match edge.kind {
            EdgeKind::Made { .. } | EdgeKind::Contributed | EdgeKind::Input => self.valuation(at, e, eq)?,
            EdgeKind::SubScope(ref sub) => self.valuation(at, e, sub.eq)?,
            EdgeKind::UseOrCite { child } => self.use_value(at, e, eq, child.map(|c| self.total_of(c)))?.map(Arc::new),
            EdgeKind::From { .. } | EdgeKind::Bought { .. } | EdgeKind::Consume { .. } => None,
        };
        Ok(valued)
    }

    /// Pass 2: the whole value of a node, whose children are valued already. Each edge's
    /// event is valued here, once, and kept for pass 3.
    fn value_node(&mut self, at: u32) -> Result<(), DomainError> {
        let eq = self.nodes[at as usize].key.1;
        let mut total = Decimal::ZERO;
        for i in self.nodes[at as usize].edges.clone() {
            let valued = match self.edges[i].known {
                true => self.edges[i].valued.clone(),
                false => self.edge_valuation(eq, i)?,
            };
            let v = match &self.edges[i].kind {
                EdgeKind::Made { process, weight } => {
                    add(self.weights[*weight as usize].of(self.total_of(*process))?, worth(&valued))?
                }
                EdgeKind::SubScope(sub) => add(sub.weight.of(self.total_of(sub.process))?, worth(&valued))?,
                EdgeKind::From { from: child, quantity } | EdgeKind::Consume { child, quantity } => {
                    self.part_of(*child, *quantity).of(self.total_of(*child))?
                }
                EdgeKind::Bought(bought) => {
                    let (reciprocal, weight) = (bought.reciprocal.clone(), bought.weight);
                    let mut v = Decimal::ZERO;
                    for &p in reciprocal.iter() {
                        for (_, valued, drawn) in self.payment_credits(p, eq)? {
                            v = add(v, weight.times(drawn)?.of(valued.value)?)?;
                        }
                    }
                    v
                }
                EdgeKind::UseOrCite { .. } | EdgeKind::Contributed | EdgeKind::Input => worth(&valued),
            };
            (self.edges[i].valued, self.edges[i].known) = (valued, true);
            total = add(total, v)?;
        }
        self.nodes[at as usize].total = total;
        Ok(())
    }

    /// Who a payment or expense of a purchase (the event at `p`) credits, with how much of
    /// the payment (whole): its provider when it is a contribution; else the deposits into
    /// the fund it came out of, made before it, in proportion to them. Each credit is (event
    /// credited, its valuation, the part of that valuation the payment drew).
    fn payment_credits(&mut self, p: u32, eq: usize) -> Result<Vec<Drawn>, DomainError> {
        if let Some(v) = self.value_of(p, eq)? {
            return Ok(vec![(p, v, Ratio::ONE)]);
        }
        let fund = self.links.of_event[p as usize].resource;
        if fund == NONE {
            return Ok(vec![]);
        }
        let (snapshot, payment) = (self.snapshot, self.snapshot.at(p));
        let before: Vec<u32> = self
            .links
            .sources(fund)
            .iter()
            .copied()
            .filter(|&d| snapshot.at(d).order_key() < payment.order_key())
            .collect();
        let deposited: Decimal = before.iter().filter_map(|&d| snapshot.at(d).resource_quantity).sum();
        let paid = payment.resource_quantity.unwrap_or_default();
        // A payment of more than the deposits before it draws all of them, no more.
        let drawn = if paid >= deposited { Ratio::new(deposited, deposited) } else { Ratio::new(paid, deposited) };
        let mut out = Vec::new();
        for d in before {
            if let Some(v) = self.value_of(d, eq)? {
                out.push((d, v, drawn));
            }
        }
        Ok(out)
    }

    /// Credits `value` of the last event of `via` (the events from node `at` to the credited
    /// one) to `to`; a second way to the same event and recipient adds to its share.
    fn credit(
        &mut self,
        at: u32,
        Via { events: via, id }: Via<'_>,
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
        let (agent, maintenance) = match to {
            To::Contributor(agent) => (agent, false),
            To::Maintenance(agent) => (agent, true),
        };
        let first = self.share_at[event as usize];
        let found = match first {
            _ if maintenance => self.share_else.get(&(event, to)).copied(),
            NONE => None,
            place if self.shares[place as usize].agent == agent => Some(place),
            _ => self.share_else.get(&(event, to)).copied(),
        };
        let list = if maintenance { &mut self.maintenance } else { &mut self.shares };
        if let Some(place) = found {
            let share = &mut list[place as usize];
            share.value = add(share.value, value)?;
            share.reaches += 1;
            return Ok(());
        }
        let place = u32::try_from(list.len()).unwrap_or(NONE);
        let before = &via[..via.len() - 1];
        let mut events = [NONE; 2];
        for (slot, e) in events.iter_mut().zip(before) {
            *slot = *e;
        }
        list.push(Credited {
            value,
            agent,
            event: id,
            node: at,
            via: events,
            via_len: u8::try_from(before.len().min(2)).unwrap_or(2),
            valued,
            how: how.into(),
            reaches: 1,
        });
        if !maintenance && first == NONE {
            self.share_at[event as usize] = place;
        } else {
            self.share_else.insert((event, to), place);
        }
        Ok(())
    }

    /// Credits `fraction` of an edge's own event (position, id, provider) to its provider.
    fn credit_own(
        &mut self,
        at: u32,
        (e_at, id, provider): (u32, EconomicEventId, AgentId),
        valued: Option<Arc<Valued>>,
        fraction: Ratio,
        how: &'static str,
    ) -> Result<(), DomainError> {
        let Some(v) = valued else {
            return Ok(());
        };
        let value = fraction.of(v.value)?;
        self.credit(at, Via { events: &[e_at], id }, To::Contributor(provider), v, value, how)
    }

    fn add_fraction(&mut self, at: u32, f: Ratio) -> Result<(), DomainError> {
        let node = &mut self.nodes[at as usize];
        node.fraction = node.fraction.plus(f)?;
        Ok(())
    }

    /// Pass 3: hands a node's fraction down its edges and credits the contributions met there.
    fn share_node(&mut self, at: u32) -> Result<(), DomainError> {
        let fraction = self.nodes[at as usize].fraction;
        if fraction.is_zero() {
            return Ok(());
        }
        for i in self.nodes[at as usize].edges.clone() {
            self.share_edge(at, i, fraction)?;
        }
        Ok(())
    }

    fn share_edge(&mut self, at: u32, i: usize, fraction: Ratio) -> Result<(), DomainError> {
        let eq = self.nodes[at as usize].key.1;
        let (e_at, id, provider) = (self.edges[i].at, self.edges[i].id, self.edges[i].provider);
        let valued = match self.edges[i].known {
            true => self.edges[i].valued.take(),
            false => self.edge_valuation(eq, i)?,
        };
        match &self.edges[i].kind {
            EdgeKind::Made { process, weight } => {
                let (process, weight) = (*process, self.weights[*weight as usize]);
                self.add_fraction(process, fraction.times(weight)?)?;
                self.credit_own(at, (e_at, id, provider), valued, fraction, "production credit")?;
            }
            EdgeKind::SubScope(sub) => {
                let (index, scope) = (sub.eq, sub.scope);
                let whole = add(sub.weight.of(self.total_of(sub.process))?, worth(&valued))?;
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
                self.credit(at, Via { events: &[e_at], id }, To::Contributor(scope), valued, value, "")?;
            }
            EdgeKind::From { from, quantity } => {
                let (from, quantity) = (*from, *quantity);
                self.add_fraction(from, fraction.times(self.part_of(from, quantity))?)?;
            }
            EdgeKind::Bought(bought) => {
                let f = fraction.times(bought.weight)?;
                for &p in bought.reciprocal.clone().iter() {
                    for (credited, v, drawn) in self.payment_credits(p, eq)? {
                        let value = f.times(drawn)?.of(v.value)?;
                        let (provider, credited_id) =
                            (self.snapshot.at(credited).provider, self.snapshot.at(credited).id);
                        if credited == p {
                            let agreement = self.snapshot.at(e_at).realization_of.unwrap_or_default();
                            let how = format!("paid for a purchase (agreement {agreement})");
                            self.credit(
                                at,
                                Via { events: &[e_at, p], id: credited_id },
                                To::Contributor(provider),
                                v,
                                value,
                                how,
                            )?;
                        } else {
                            let how = format!(
                                "deposited in the fund that paid {} for a purchase, in proportion to the deposits before it",
                                crate::canonical(self.snapshot.at(p).resource_quantity.unwrap_or_default())
                            );
                            self.credit(
                                at,
                                Via { events: &[e_at, p, credited], id: credited_id },
                                To::Contributor(provider),
                                v,
                                value,
                                how,
                            )?;
                        }
                    }
                }
            }
            EdgeKind::Contributed => {
                self.credit_own(at, (e_at, id, provider), valued, fraction, "contributed into the resource")?;
            }
            EdgeKind::Consume { child, quantity } => {
                let (child, quantity) = (*child, *quantity);
                self.add_fraction(child, fraction.times(self.part_of(child, quantity))?)?;
            }
            EdgeKind::UseOrCite { child } => {
                let child = *child;
                let Some(v) = valued else {
                    return Ok(());
                };
                self.share_use(at, e_at, child, (*v).clone(), fraction)?;
            }
            EdgeKind::Input => {
                self.credit_own(at, (e_at, id, provider), valued, fraction, "an input of the process")?;
            }
        }
        Ok(())
    }

    /// A use's or a cite's part (the event at `e_at`): its maintenance share to the asset's
    /// maintenance recipient, the rest to the asset's contributors when it holds any value,
    /// else to its owner.
    fn share_use(
        &mut self,
        at: u32,
        e_at: u32,
        child: Option<u32>,
        mut v: Valued,
        fraction: Ratio,
    ) -> Result<(), DomainError> {
        let e = self.snapshot.at(e_at);
        let whole = child.map(|c| self.total_of(c));
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
                self.credit(
                    at,
                    Via { events: &[e_at], id: e.id },
                    To::Maintenance(recipient),
                    Arc::new(m),
                    amount,
                    how,
                )?;
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
                self.credit(at, Via { events: &[e_at], id: e.id }, To::Contributor(owner), Arc::new(v), amount, how)?;
            }
        }
        Ok(())
    }

    /// The shares and the maintenance shares, each in order ([`in_order`]), written out.
    fn finish(self) -> Result<(Vec<Share>, Vec<Share>, Decimal), DomainError> {
        let tree: Arc<[Step]> = self.steps.into();
        let snapshot = self.snapshot;
        // The rolled-up value is summed here, where each share's value is at hand.
        let mut total = Decimal::ZERO;
        let mut written = |mut credits: Vec<Credited>| -> Result<Vec<Share>, DomainError> {
            let mut shares = Vec::with_capacity(credits.len());
            for at in in_order(&credits) {
                let c = &mut credits[at];
                total = add(total, c.value)?;
                let before = usize::from(c.via_len);
                let mut events = [c.event; 3];
                for (slot, &e) in events.iter_mut().zip(&c.via[..before]) {
                    *slot = snapshot.at(e).id;
                }
                let valued = c.valued.clone();
                shares.push(Share {
                    agent: c.agent,
                    event: c.event,
                    value: c.value,
                    event_value: valued.value,
                    path: SharePath::new(tree.clone(), c.node, &events[..=before]),
                    equation: valued.equation,
                    version: valued.version,
                    claim_type: valued.claim_type,
                    explanation: Explanation {
                        how: std::mem::take(&mut c.how),
                        valued,
                        value: c.value,
                        reaches: c.reaches,
                    },
                });
            }
            Ok(shares)
        };
        let shares = written(self.shares)?;
        let maintenance = written(self.maintenance)?;
        Ok((shares, maintenance, total))
    }
}

/// The places of `credits` in the order shares are listed: largest first, then by agent
/// and event (a total order: one share per event and recipient). The keys are sorted apart,
/// in one small array, and each share is then written once, in order.
fn in_order(credits: &[Credited]) -> Vec<usize> {
    match as_integers(credits) {
        Some(values) => order_by(credits, |at| std::cmp::Reverse(values[at])),
        None => order_by(credits, |at| std::cmp::Reverse(credits[at].value)),
    }
}

/// The places of `credits` in order of (`value(place)`, agent, event). Ids are compared as
/// the integers their bytes spell, big-endian: the order of their bytes, in one comparison.
fn order_by<K: Ord>(credits: &[Credited], value: impl Fn(usize) -> K) -> Vec<usize> {
    let mut keys: Vec<(K, u128, u128, usize)> = credits
        .iter()
        .enumerate()
        .map(|(at, s)| (value(at), s.agent.uuid().as_u128(), s.event.uuid().as_u128(), at))
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|(.., at)| at).collect()
}

/// The values as integers at the largest scale among them, when all fit (values of money
/// and hours have few decimals): two integers compare in one instruction, two decimals of
/// different scales are rescaled first. Sorting 60,000 shares by decimal was a tenth of a
/// rollup.
fn as_integers(credits: &[Credited]) -> Option<Vec<i128>> {
    let scale = credits.iter().map(|s| s.value.scale()).max()?;
    credits.iter().map(|s| s.value.mantissa().checked_mul(10i128.checked_pow(scale - s.value.scale())?)).collect()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
