//! The immutable slice of the books the value engine reads ([`Snapshot`]), as persistence
//! loads it, and the valuing of one event by an equation ([`Valuer::value`]): the rule that
//! matches it, the version that values it (`RESTATE`/`FORWARD`), the formula's variables and a
//! one-line explanation.

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::FastMap;
use super::equation::{ClaimType, MatchFacts, Rule, Valuation, ValueEquation, valuing_version};
use super::formula::{Formula, Variable, Variables};
use super::rates::{RateSource, Rates};
use crate::observation::event::contributor;
use crate::observation::{EconomicResource, PropertyRegime};
use crate::sharing::access::{AccessRule, maintenance_recipient, split_use_value, use_value_per_unit};
use crate::text::Uri;
use crate::{
    Action, AgentId, AgreementId, DomainError, EconomicEventId, EconomicResourceId, ProcessId, ProcessSpecificationId,
    ResourceSpecificationId, ValueEquationBucketId, ValueEquationId, ValueEquationRuleId,
};

/// What the engine needs of an economic event. Quantities are the event's with its
/// corrections added (persistence folds them in; correcting events are not listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapEvent {
    /// The event.
    pub id: EconomicEventId,
    /// `action`.
    pub action: Action,
    /// `provider`.
    pub provider: AgentId,
    /// `receiver`.
    pub receiver: AgentId,
    /// `resourceInventoriedAs`.
    pub resource_inventoried_as: Option<EconomicResourceId>,
    /// `toResourceInventoriedAs`.
    pub to_resource_inventoried_as: Option<EconomicResourceId>,
    /// `inputOf`.
    pub input_of: Option<ProcessId>,
    /// `outputOf`.
    pub output_of: Option<ProcessId>,
    /// `resourceQuantity`'s number.
    pub resource_quantity: Option<Decimal>,
    /// `effortQuantity`'s number.
    pub effort_quantity: Option<Decimal>,
    /// `resourceConformsTo` (for work: the skill).
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Vec<Uri>,
    /// `declaredValue`'s number.
    pub declared_value: Option<Decimal>,
    /// `realizationOf`.
    pub realization_of: Option<AgreementId>,
    /// When it happened (rates in force then apply).
    pub point_in_time: DateTime<Utc>,
    /// When it was recorded (which version values it under `FORWARD`; `asOf`).
    pub recorded: DateTime<Utc>,
    /// `inScopeOf`: the projects or networks it counts in.
    pub in_scope_of: Vec<AgentId>,
}

/// An event as a snapshot holds it: what the books say of it, shared with whatever read it
/// (persistence's value index keeps every event once, and a snapshot of a million of them
/// shares them rather than copying them), and whether it is a contribution, which depends on
/// the affiliations when the snapshot is taken. It reads as the event (`Deref`); writing to
/// it copies the event first, so the one it shares is never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The event.
    pub event: Arc<SnapEvent>,
    /// Whether it is a contribution (in scope of an organization its provider is affiliated
    /// with: [`crate::observation::EconomicEvent::is_contribution`]).
    pub is_contribution: bool,
}

impl Entry {
    /// `event`, a contribution or not.
    pub fn new(event: impl Into<Arc<SnapEvent>>, is_contribution: bool) -> Self {
        Self { event: event.into(), is_contribution }
    }
}

impl Deref for Entry {
    type Target = SnapEvent;

    fn deref(&self) -> &SnapEvent {
        &self.event
    }
}

impl DerefMut for Entry {
    /// Copies the event first when it is shared.
    fn deref_mut(&mut self) -> &mut SnapEvent {
        Arc::make_mut(&mut self.event)
    }
}

impl SnapEvent {
    /// The formula's `quantity`: the resource quantity, else the effort quantity.
    pub fn quantity(&self) -> Option<Decimal> {
        self.resource_quantity.or(self.effort_quantity)
    }

    /// The order events are taken in, whatever order they were loaded in.
    pub fn order_key(&self) -> (DateTime<Utc>, EconomicEventId) {
        (self.recorded, self.id)
    }
}

/// What the engine needs of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapResource {
    /// The resource.
    pub id: EconomicResourceId,
    /// `conformsTo`.
    pub conforms_to: Option<ResourceSpecificationId>,
    /// `classifiedAs`.
    pub classified_as: Vec<Uri>,
    /// `propertyRegime`.
    pub property_regime: PropertyRegime,
    /// What a unit of use is worth: its access rule's `valuePerUnitOfUse`, else the resource's
    /// own ([`use_value_per_unit`]).
    pub value_per_unit_of_use: Option<Decimal>,
    /// `primaryAccountable`: the owner a use of a pooled asset credits.
    pub primary_accountable: Option<AgentId>,
    /// `custodian`: who receives the maintenance share when the rule names nobody.
    pub custodian: Option<AgentId>,
    /// The access rule that governs it ([`crate::sharing::access::effective`]), if any: it
    /// prices a unit of use and takes its maintenance share of each use (D173).
    pub access_rule: Option<AccessRule>,
}

impl SnapResource {
    /// What the engine reads of `resource`, governed by `rule` (its effective access rule).
    pub fn of(resource: &EconomicResource, rule: Option<AccessRule>) -> Self {
        let per_unit = use_value_per_unit(rule.as_ref(), resource.details.value_per_unit_of_use.as_ref());
        Self {
            id: resource.id,
            conforms_to: Some(resource.conforms_to),
            classified_as: resource.details.classified_as.clone(),
            property_regime: resource.details.property_regime,
            value_per_unit_of_use: per_unit.map(|m| m.has_numerical_value),
            primary_accountable: resource.state.primary_accountable,
            custodian: resource.state.custodian,
            access_rule: rule,
        }
    }

    /// Who receives the maintenance share of its uses ([`maintenance_recipient`]).
    pub fn maintenance_recipient(&self) -> Option<AgentId> {
        maintenance_recipient(self.access_rule.as_ref(), self.custodian, self.primary_accountable)
    }

    /// A use's value `valued`, split by the access rule ([`split_use_value`], D173): the part
    /// that stays with the asset's owner (or its contributors, `whom`), and the maintenance
    /// share when the rule takes one. Both explain the split: "use: … = 36; 20% (7.2) to
    /// maintenance, 28.8 to the owner".
    pub fn split_use(&self, valued: Valued, whom: &str) -> (Valued, Option<Valued>) {
        let (maintenance, rest) = split_use_value(self.access_rule.as_ref(), valued.value);
        if maintenance.is_zero() {
            return (valued, None);
        }
        let share = self.access_rule.as_ref().map_or(Decimal::ZERO, |r| r.terms.maintenance_share);
        let said = Working::Said(format!(
            "{}; {}% ({}) to maintenance, {} to {whom}",
            valued.working,
            crate::canonical(share * Decimal::ONE_HUNDRED),
            crate::canonical(maintenance),
            crate::canonical(rest)
        ));
        let kept = Valued { value: rest, working: said.clone(), ..valued.clone() };
        (kept, Some(Valued { value: maintenance, working: said, ..valued }))
    }
}

/// Who an event in the snapshot is credited to ([`contributor`]): the owner of a pooled
/// asset for a use of it, else the provider. `used` is the resource it acts on.
pub fn contributor_of(e: &SnapEvent, used: Option<&SnapResource>) -> AgentId {
    contributor(e.action, e.provider, used.map(|r| (r.property_regime, r.primary_accountable)))
}

/// Whether a computation reads the resource `e` acts on (`resourceInventoriedAs`), when
/// `rules_read_resources` says whether any version in it does
/// ([`ValueEquation::reads_resources`]): always for a use or a cite (what a unit of use is
/// worth, whose asset it is, its access rule), else only then. No other resource is read.
pub fn reads_resource_of(e: &SnapEvent, rules_read_resources: bool) -> bool {
    rules_read_resources || matches!(e.action, Action::Use | Action::Cite)
}

/// What the engine needs of a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapProcess {
    /// The process.
    pub id: ProcessId,
    /// `basedOn`.
    pub based_on: Option<ProcessSpecificationId>,
    /// `classifiedAs`.
    pub classified_as: Vec<Uri>,
    /// `inScopeOf`.
    pub in_scope_of: Vec<AgentId>,
}

/// The slice of the books a computation reads. Built once, never changed.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The events in recording order; the lists below hold positions in it.
    events: Vec<Entry>,
    /// Where each event is, worked out on the first [`Snapshot::event`] (the engine itself
    /// never asks: a million-event snapshot need not hash them all).
    position: OnceLock<FastMap<EconomicEventId, usize>>,
    resources: FastMap<EconomicResourceId, SnapResource>,
    processes: Vec<SnapProcess>,
    /// Where each process is in `processes`.
    process_at: FastMap<ProcessId, u32>,
    /// Every version of the scopes involved that was ever adopted, by scope.
    history: FastMap<AgentId, Vec<ValueEquation>>,
    rates: Rates,
    /// How the events link resources, processes and agreements, worked out on the first
    /// question or by [`Snapshot::link`] (fluid equity over a million work events may ask none).
    links: OnceLock<Links>,
}

/// No node: an event with no such link.
pub(crate) const NONE: u32 = u32::MAX;

/// How a snapshot's events link its nodes, by number rather than by id: each resource,
/// process and agreement an event names has a number, and the events into each resource
/// (its sources), of each process (inputs, outputs) and realising each agreement are
/// listed, in recording order, as positions of events. The rollup walks these numbers: a
/// map from ids to lists cost it a hash lookup, and a cache miss, each time it met a node.
#[derive(Debug, Clone, Default)]
pub(crate) struct Links {
    resource: FastMap<EconomicResourceId, u32>,
    process: FastMap<ProcessId, u32>,
    agreement: FastMap<AgreementId, u32>,
    /// Each numbered resource's and process's id.
    pub(crate) resource_ids: Vec<EconomicResourceId>,
    pub(crate) process_ids: Vec<ProcessId>,
    /// Where each numbered process's record is in the snapshot ([`NONE`] when it has none).
    records: Vec<u32>,
    /// By event position: the numbers of what it names ([`NONE`] when it names nothing).
    pub(crate) of_event: Vec<EventLinks>,
    sources: Csr,
    inputs: Csr,
    outputs: Csr,
    realizing: Csr,
}

/// What an event names, by number ([`Links`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventLinks {
    /// `resourceInventoriedAs`.
    pub(crate) resource: u32,
    /// `inputOf`.
    pub(crate) input_of: u32,
    /// `outputOf`.
    pub(crate) output_of: u32,
}

impl EventLinks {
    /// The process the event is an input of, else an output of ([`NONE`] for neither).
    pub(crate) fn process(self) -> u32 {
        if self.input_of == NONE { self.output_of } else { self.input_of }
    }
}

/// Lists of positions by node number, all in one array (a node's list is a slice of it).
#[derive(Debug, Clone, Default)]
struct Csr {
    /// Where each node's list starts in `items`; one more entry than nodes.
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    /// The lists of `nodes` nodes from (node, position) pairs in recording order.
    fn of(nodes: usize, pairs: &[(u32, u32)]) -> Self {
        let mut start = vec![0u32; nodes + 1];
        for &(node, _) in pairs {
            start[node as usize + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(node, at) in pairs {
            let slot = &mut next[node as usize];
            items[*slot as usize] = at;
            *slot += 1;
        }
        Self { start, items }
    }

    fn list(&self, node: u32) -> &[u32] {
        match (self.start.get(node as usize), self.start.get(node as usize + 1)) {
            (Some(&from), Some(&to)) => &self.items[from as usize..to as usize],
            _ => &[],
        }
    }
}

/// A number for `id`, the next one when it has none yet.
fn number<K: std::hash::Hash + Eq + Copy>(map: &mut FastMap<K, u32>, ids: &mut Vec<K>, id: K) -> u32 {
    *map.entry(id).or_insert_with(|| {
        ids.push(id);
        u32::try_from(ids.len() - 1).unwrap_or(NONE)
    })
}

impl Links {
    fn of(events: &[Entry], process_at: &FastMap<ProcessId, u32>) -> Self {
        let mut links = Links::default();
        let mut agreement_ids = Vec::new();
        // Pairs of (node number, event position), in recording order.
        let (mut sources, mut inputs, mut outputs, mut realizing) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        links.of_event.reserve(events.len());
        for (at, e) in events.iter().enumerate() {
            let at = u32::try_from(at).unwrap_or(NONE);
            let resource = |links: &mut Links, r| number(&mut links.resource, &mut links.resource_ids, r);
            let on = e.resource_inventoried_as.map_or(NONE, |r| resource(&mut links, r));
            if let Some(r) = source_of(e) {
                let into = if Some(r) == e.resource_inventoried_as { on } else { resource(&mut links, r) };
                sources.push((into, at));
            }
            let input_of = e.input_of.map_or(NONE, |p| number(&mut links.process, &mut links.process_ids, p));
            if input_of != NONE {
                inputs.push((input_of, at));
            }
            let output_of = e.output_of.map_or(NONE, |p| number(&mut links.process, &mut links.process_ids, p));
            if output_of != NONE {
                outputs.push((output_of, at));
            }
            if let Some(a) = e.realization_of {
                realizing.push((number(&mut links.agreement, &mut agreement_ids, a), at));
            }
            links.of_event.push(EventLinks { resource: on, input_of, output_of });
        }
        let (r, p) = (links.resource_ids.len(), links.process_ids.len());
        links.sources = Csr::of(r, &sources);
        links.inputs = Csr::of(p, &inputs);
        links.outputs = Csr::of(p, &outputs);
        links.realizing = Csr::of(agreement_ids.len(), &realizing);
        links.records = links.process_ids.iter().map(|id| process_at.get(id).copied().unwrap_or(NONE)).collect();
        links
    }

    /// A resource's number, if an event names it.
    pub(crate) fn resource(&self, r: EconomicResourceId) -> u32 {
        self.resource.get(&r).copied().unwrap_or(NONE)
    }

    /// A process's number, if an event names it.
    fn process(&self, p: ProcessId) -> u32 {
        self.process.get(&p).copied().unwrap_or(NONE)
    }

    /// The positions of the events into resource `r` (by number).
    pub(crate) fn sources(&self, r: u32) -> &[u32] {
        self.sources.list(r)
    }

    /// The positions of the inputs of process `p` (by number).
    pub(crate) fn inputs(&self, p: u32) -> &[u32] {
        self.inputs.list(p)
    }

    /// The positions of the outputs of process `p` (by number).
    pub(crate) fn outputs(&self, p: u32) -> &[u32] {
        self.outputs.list(p)
    }

    /// The positions of the events realising agreement `a`.
    pub(crate) fn realizing(&self, a: AgreementId) -> &[u32] {
        self.agreement.get(&a).map_or(&[], |&n| self.realizing.list(n))
    }
}

impl Snapshot {
    /// Indexes what persistence loaded. Order of the inputs does not matter: every list is
    /// sorted by recording order.
    pub fn new(
        events: impl IntoIterator<Item = Entry>,
        resources: impl IntoIterator<Item = SnapResource>,
        processes: impl IntoIterator<Item = SnapProcess>,
        history: impl IntoIterator<Item = ValueEquation>,
        rates: Rates,
    ) -> Self {
        let mut events: Vec<Entry> = events.into_iter().collect();
        // Persistence hands them over in recording order, each once: one pass tells.
        if !events.is_sorted_by(|a, b| a.order_key() < b.order_key()) {
            events.sort_by_key(|e| e.order_key());
            // The same event given twice counts once: sorted, the copies are neighbours.
            events.dedup_by_key(|e| e.order_key());
        }
        let processes: Vec<SnapProcess> = processes.into_iter().collect();
        let mut by_scope: FastMap<AgentId, Vec<ValueEquation>> = FastMap::default();
        for v in history {
            by_scope.entry(v.scope).or_default().push(v);
        }
        for list in by_scope.values_mut() {
            list.sort_by_key(|v| v.version);
            list.dedup_by_key(|v| v.id);
        }
        Self {
            events,
            position: OnceLock::new(),
            resources: resources.into_iter().map(|r| (r.id, r)).collect(),
            process_at: processes.iter().enumerate().map(|(at, p)| (p.id, u32::try_from(at).unwrap_or(NONE))).collect(),
            processes,
            history: by_scope,
            rates,
            links: OnceLock::new(),
        }
    }

    /// Works out how the events link resources, processes and agreements now, rather than
    /// at the first question: a rollup asks for all of it, and persistence builds it while
    /// it loads the snapshot.
    pub fn link(self) -> Self {
        self.links();
        self
    }

    pub(crate) fn links(&self) -> &Links {
        self.links.get_or_init(|| Links::of(&self.events, &self.process_at))
    }

    /// The event at `at` in recording order.
    pub(crate) fn at(&self, at: u32) -> &Entry {
        &self.events[at as usize]
    }

    /// An event.
    pub fn event(&self, id: EconomicEventId) -> Option<&Entry> {
        let position = self.position.get_or_init(|| self.events.iter().enumerate().map(|(at, e)| (e.id, at)).collect());
        position.get(&id).map(|&at| &self.events[at])
    }

    /// Every event, in recording order.
    pub fn events(&self) -> impl Iterator<Item = &Entry> {
        self.events.iter()
    }

    /// How many events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether it holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// A resource.
    pub fn resource(&self, id: EconomicResourceId) -> Option<&SnapResource> {
        self.resources.get(&id)
    }

    /// A process.
    pub fn process(&self, id: ProcessId) -> Option<&SnapProcess> {
        self.process_at.get(&id).map(|&at| &self.processes[at as usize])
    }

    /// Process `p` by its number in [`Links`], when the snapshot holds its record.
    pub(crate) fn numbered_process(&self, p: u32) -> Option<&SnapProcess> {
        let at = *self.links().records.get(p as usize)?;
        self.processes.get(at as usize)
    }

    /// The versions of `scope` ever adopted, by version number.
    pub fn history(&self, scope: AgentId) -> &[ValueEquation] {
        self.history.get(&scope).map_or(&[], Vec::as_slice)
    }

    /// The version of `scope` adopted now, if any.
    pub fn adopted(&self, scope: AgentId) -> Option<&ValueEquation> {
        self.history(scope).iter().find(|v| v.status == super::equation::EquationStatus::Adopted)
    }

    fn listed<'a>(&'a self, list: &'a [u32]) -> impl Iterator<Item = &'a Entry> + 'a {
        list.iter().map(|&at| self.at(at))
    }

    /// The events that brought quantity into `r` (produced, transferred, moved or copied in,
    /// raised), in recording order.
    pub fn sources(&self, r: EconomicResourceId) -> impl Iterator<Item = &Entry> {
        let links = self.links();
        self.listed(links.sources(links.resource(r)))
    }

    /// The inputs of `p`, in recording order.
    pub fn inputs(&self, p: ProcessId) -> impl Iterator<Item = &Entry> {
        let links = self.links();
        self.listed(links.inputs(links.process(p)))
    }

    /// The outputs of `p`, in recording order.
    pub fn outputs(&self, p: ProcessId) -> impl Iterator<Item = &Entry> {
        let links = self.links();
        self.listed(links.outputs(links.process(p)))
    }

    /// The events realising agreement `a`, in recording order.
    pub fn realizing(&self, a: AgreementId) -> impl Iterator<Item = &Entry> {
        self.listed(self.links().realizing(a))
    }

    /// Everything that ever came into `r`: the sum of its sources' quantities (an error
    /// when it is too large for a decimal).
    pub fn total_in(&self, r: EconomicResourceId) -> Result<Decimal, DomainError> {
        self.sources(r)
            .filter_map(|e| e.resource_quantity)
            .try_fold(Decimal::ZERO, |sum, q| sum.checked_add(q))
            .ok_or_else(|| DomainError::Conflict("a quantity is too large to compute exactly".into()))
    }
}

/// The resource an event brings quantity into, if it is one of that resource's sources: the
/// output of a process or a raise (into its resource), a transfer, move or copy (into its
/// receiving resource, when that is another resource than the one it takes from).
pub fn source_of(e: &SnapEvent) -> Option<EconomicResourceId> {
    if e.output_of.is_some() || e.action == Action::Raise {
        return e.resource_inventoried_as;
    }
    e.to_resource_inventoried_as.filter(|to| Some(*to) != e.resource_inventoried_as)
}

/// Which rules value events in a computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    /// The equation's contribution buckets together ([`ValueEquation::rule_for`]).
    All,
    /// One bucket's rules (a distribution's bucket); a version without that bucket (a
    /// `FORWARD` one valuing earlier contributions) uses all its rules.
    Bucket(ValueEquationBucketId),
}

/// An event's value by an equation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valued {
    /// The value (never negative).
    pub value: Decimal,
    /// The version that valued it.
    pub equation: ValueEquationId,
    /// That version's number.
    pub version: i32,
    /// The rule.
    pub rule: ValueEquationRuleId,
    /// How it shares in distributions.
    pub claim_type: ClaimType,
    /// How it was worked out.
    pub working: Working,
}

/// How an event's value was worked out, written out only when asked for (`Display`): most
/// valued events (a million in a fluid equity) are summed and never explained, and writing
/// every explanation out cost more than valuing the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Working {
    /// By a rule: "work: `quantity * rate * 1.5` (v1) with quantity 10, rate 30 = 450".
    Rule {
        /// The event's action.
        action: Action,
        /// The rule's formula.
        formula: Formula,
        /// The version's number.
        version: i32,
        /// What the variables held.
        variables: Variables,
        /// Whether `rate` was the skill's default rather than the agent's own.
        default_rate: bool,
        /// The result.
        value: Decimal,
    },
    /// Said in words already.
    Said(String),
}

impl fmt::Display for Working {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (action, formula, version, variables, default_rate, value) = match self {
            Working::Said(text) => return f.write_str(text),
            Working::Rule { action, formula, version, variables, default_rate, value } => {
                (action, formula, version, variables, default_rate, value)
            }
        };
        write!(f, "{}: `{}` (v{version})", action.id(), formula.text())?;
        for (i, v) in formula.variables().iter().enumerate() {
            f.write_str(if i == 0 { " with " } else { ", " })?;
            match variables.get(*v) {
                Some(x) if *v == Variable::Rate && *default_rate => {
                    write!(f, "rate {} (the skill's default)", crate::canonical(x))?
                }
                Some(x) => write!(f, "{} {}", v.name(), crate::canonical(x))?,
                None => write!(f, "{} none (counts as 0)", v.name())?,
            }
        }
        write!(f, " = {}", crate::canonical(*value))
    }
}

/// Values events by one applied equation (adopted or a draft) over a snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Valuer<'a> {
    /// The books.
    pub snapshot: &'a Snapshot,
    /// The equation asked for.
    pub equation: &'a ValueEquation,
    /// Which of its rules.
    pub rules: RuleScope,
}

impl<'a> Valuer<'a> {
    /// The facts rules match on.
    fn facts<'s>(&'s self, e: &'s SnapEvent, process: Option<&'s SnapProcess>, classes: &'s [Uri]) -> MatchFacts<'s> {
        let resource = e.resource_inventoried_as.and_then(|r| self.snapshot.resource(r));
        MatchFacts {
            action: Some(e.action),
            resource_conforms_to: e.resource_conforms_to.or(resource.and_then(|r| r.conforms_to)),
            resource_classified_as: classes,
            process_conforms_to: process.and_then(|p| p.based_on),
            process_classified_as: process.map_or(&[], |p| p.classified_as.as_slice()),
        }
    }

    fn rule_of(&self, version: &'a ValueEquation, facts: &MatchFacts<'_>) -> Option<&'a Rule> {
        match self.rules {
            RuleScope::Bucket(bucket) if version.id == self.equation.id => {
                version.buckets.iter().find(|b| b.id == bucket).and_then(|b| b.rule_for(facts))
            }
            _ => version.rule_for(facts),
        }
    }

    /// The value of `e`, or `None` when no rule of the valuing version matches it.
    /// `resource_value` is the rolled-up value of the resource it acts on, when known.
    pub fn value(&self, e: &SnapEvent, resource_value: Option<Decimal>) -> Result<Option<Valued>, DomainError> {
        let process = e.input_of.or(e.output_of).and_then(|p| self.snapshot.process(p));
        self.value_in(e, process, resource_value)
    }

    /// [`Valuer::value`], given the process `e` is an input of, else an output of (the
    /// rollup knows it by number, without looking its id up).
    #[inline]
    pub(crate) fn value_in(
        &self,
        e: &SnapEvent,
        process: Option<&SnapProcess>,
        resource_value: Option<Decimal>,
    ) -> Result<Option<Valued>, DomainError> {
        let Some(priced) = self.priced(e, process, resource_value) else {
            return Ok(None);
        };
        priced.valued(e).map(Some)
    }

    /// What valuing `e` reads, before its formula is worked out: the version, the rule that
    /// matches (none: `e` is not valued) and the variables. The rollup values many events
    /// alike (hours at one rate) and works each such formula out once.
    #[inline]
    pub(crate) fn priced(
        &self,
        e: &SnapEvent,
        process: Option<&SnapProcess>,
        resource_value: Option<Decimal>,
    ) -> Option<Priced<'a>> {
        // A `RESTATE` version values everything itself: its scope's history is not read.
        let version = match self.equation.valuation {
            Valuation::Restate => self.equation,
            Valuation::Forward => {
                valuing_version(self.equation, self.snapshot.history(self.equation.scope), e.recorded)
            }
        };
        let resource = e.resource_inventoried_as.and_then(|r| self.snapshot.resource(r));
        let classes: Cow<'_, [Uri]> = match resource {
            Some(r) if !r.classified_as.is_empty() => {
                Cow::Owned(e.resource_classified_as.iter().chain(&r.classified_as).cloned().collect())
            }
            _ => Cow::Borrowed(&e.resource_classified_as),
        };
        let facts = self.facts(e, process, &classes);
        let rule = self.rule_of(version, &facts)?;
        let rate =
            facts.resource_conforms_to.and_then(|skill| self.snapshot.rates.rate(e.provider, skill, e.point_in_time));
        let variables = Variables {
            quantity: e.quantity(),
            effort: e.effort_quantity,
            declared_value: e.declared_value,
            rate: rate.map(|(r, _)| r),
            value_per_unit_of_use: resource.and_then(|r| r.value_per_unit_of_use),
            resource_value,
            reputation: None,
        };
        Some(Priced { version, rule, variables, default_rate: matches!(rate, Some((_, RateSource::Default))) })
    }
}

/// An event priced by a rule ([`Valuer::priced`]): all its valuation depends on but the
/// formula's result. Two events priced alike are valued alike.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Priced<'a> {
    /// The version that values the event.
    pub(crate) version: &'a ValueEquation,
    /// Its rule that matches the event.
    pub(crate) rule: &'a Rule,
    /// What the formula's variables hold.
    pub(crate) variables: Variables,
    /// Whether `rate` is the skill's default rather than the agent's own.
    pub(crate) default_rate: bool,
}

impl Priced<'_> {
    /// Works the formula out: the valuation of `e` (an error for a failing formula or a
    /// negative value).
    #[inline]
    pub(crate) fn valued(&self, e: &SnapEvent) -> Result<Valued, DomainError> {
        let Priced { version, rule, variables, default_rate } = *self;
        let value = rule.formula.eval(&variables).map_err(|err| {
            DomainError::invalid("formula", format!("`{}` on event {}: {err}", rule.formula.text(), e.id))
        })?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(DomainError::invalid(
                "formula",
                format!("`{}` gives a negative value ({value}) for event {}", rule.formula.text(), e.id),
            ));
        }
        Ok(Valued {
            value,
            equation: version.id,
            version: version.version,
            rule: rule.id,
            claim_type: rule.claim_type,
            working: Working::Rule {
                action: e.action,
                formula: rule.formula.clone(),
                version: version.version,
                variables,
                default_rate,
                value,
            },
        })
    }
}
