//! The bench's synthetic network: valid ledgers of any size, reproducible from a seed, built
//! in memory without a database, for the bench to import and measure.
//!
//! Why a generator of its own rather than fixtures: the figures must come from ledgers large
//! enough to matter (hundreds of thousands of events) and identical from run to run. The
//! generator draws everything (ids included) from a small PRNG (SplitMix64) seeded with the
//! bench's `--seed`, and applies every event with the domain's own rules as it goes, so the
//! ledger is valid by construction and identical for a given seed. It measures nothing.

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};
use chrono::{DateTime, TimeZone as _, Utc};
use ovn_domain::agent::network::OvnRole;
use ovn_domain::agent::{Agent, AgentKind, AgentProfile, AgentRelationship, AgentRelationshipRole};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit, ValuePerUnit};
use ovn_domain::ledger_books::{Ledger, Stamped};
use ovn_domain::observation::{self, Books, EventContext, NewEvent, ResourceState, creation};
use ovn_domain::observation::{EconomicEvent, EconomicResource, EventDetails, Process, ResourceDetails};
use ovn_domain::text::{Name, Uri};
use ovn_domain::{
    Action, AgentId, AgentRelationshipId, AgentRelationshipRoleId, EconomicEventId, EconomicResourceId, Measure,
    ProcessId, ProcessSpecificationId, ResourceSpecificationId, UnitId,
};
use rust_decimal::Decimal;
use uuid::Uuid;

/// SplitMix64: tiny, fast, and good enough to draw a synthetic network.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.next() % n64).unwrap_or(0)
    }

    /// A version 7 UUID for `time`, its random part drawn from the generator (ids sort by
    /// creation, as ovn's own do).
    fn uuid_at(&mut self, time: DateTime<Utc>) -> Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes()[..2]);
        let millis = u64::try_from(time.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }

    /// `0.01` to `max_cents / 100`, in hundredths.
    fn amount(&mut self, max_cents: usize) -> Decimal {
        Decimal::new(i64::try_from(self.below(max_cents) + 1).unwrap_or(1), 2)
    }
}

fn name(text: &str) -> Result<Name> {
    Ok(Name::parse("name", text)?)
}

/// Builds a valid ledger record by record, applying each event with the domain rules.
struct Generator {
    rng: SplitMix,
    ledger: Ledger,
    clock: DateTime<Utc>,
    states: Books,
    based_on: HashMap<ProcessId, Option<ProcessSpecificationId>>,
}

impl Generator {
    fn new(seed: u64) -> Self {
        Self {
            rng: SplitMix(seed),
            ledger: Ledger::default(),
            clock: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default(),
            states: Books::new(),
            based_on: HashMap::new(),
        }
    }

    /// The next system time (each record a little after the previous one).
    fn tick(&mut self) -> DateTime<Utc> {
        self.clock += chrono::Duration::microseconds(250);
        self.clock
    }

    /// A fresh id, ordered like the records' times.
    fn uuid(&mut self) -> Uuid {
        let at = self.clock + chrono::Duration::microseconds(250);
        self.rng.uuid_at(at)
    }

    fn unit(&mut self, label: &str, symbol: &str) -> Result<UnitId> {
        let id = UnitId::from_uuid(self.uuid());
        let record = Unit { id, revision: 1, label: name(label)?, symbol: name(symbol)?, om_unit_identifier: None };
        let created = self.tick();
        self.ledger.units.push(Stamped { record, created });
        Ok(id)
    }

    fn agent(&mut self, kind: AgentKind, display: &str, classified_as: &[&str]) -> Result<AgentId> {
        let id = AgentId::from_uuid(self.uuid());
        let classified_as = classified_as.iter().map(|c| Uri::parse("classifiedAs", c)).collect::<Result<_, _>>()?;
        let profile = AgentProfile { name: name(display)?, image: None, note: None, classified_as };
        let created = self.tick();
        self.ledger.agents.push(Stamped { record: Agent { id, revision: 1, kind, profile }, created });
        Ok(id)
    }

    fn resource_specification(
        &mut self,
        display: &str,
        unit: UnitId,
        value: Option<ValuePerUnit>,
    ) -> Result<ResourceSpecificationId> {
        let id = ResourceSpecificationId::from_uuid(self.uuid());
        let record = ResourceSpecification {
            id,
            revision: 1,
            name: name(display)?,
            image: None,
            image_list: Vec::new(),
            resource_classified_as: Vec::new(),
            note: None,
            default_unit_of_resource: Some(unit),
            default_unit_of_effort: None,
            substitutable: None,
            default_value_per_unit: value,
            medium_of_exchange: None,
        };
        let created = self.tick();
        self.ledger.resource_specifications.push(Stamped { record, created });
        Ok(id)
    }

    fn process_specification(&mut self, display: &str) -> Result<ProcessSpecificationId> {
        let id = ProcessSpecificationId::from_uuid(self.uuid());
        let record = ProcessSpecification { id, revision: 1, name: name(display)?, note: None };
        let created = self.tick();
        self.ledger.process_specifications.push(Stamped { record, created });
        Ok(id)
    }

    fn process(
        &mut self,
        display: &str,
        based_on: Option<ProcessSpecificationId>,
        scope: AgentId,
    ) -> Result<ProcessId> {
        let id = ProcessId::from_uuid(self.uuid());
        let record = Process {
            id,
            revision: 1,
            name: name(display)?,
            has_beginning: None,
            has_end: None,
            finished: false,
            classified_as: Vec::new(),
            note: None,
            based_on,
            in_scope_of: vec![scope],
            planned_within: None,
        };
        let created = self.tick();
        self.ledger.processes.push(Stamped { record, created });
        self.based_on.insert(id, based_on);
        Ok(id)
    }

    fn relationship(&mut self, subject: AgentId, object: AgentId, role: AgentRelationshipRoleId) {
        let id = AgentRelationshipId::from_uuid(self.uuid());
        let record = AgentRelationship {
            id,
            revision: 1,
            subject,
            object,
            relationship: role,
            in_scope_of: vec![object],
            note: None,
        };
        let created = self.tick();
        self.ledger.relationships.push(Stamped { record, created });
    }

    fn role(&mut self, label: &str, inverse: &str) -> Result<AgentRelationshipRoleId> {
        let id = AgentRelationshipRoleId::from_uuid(self.uuid());
        let record = AgentRelationshipRole {
            id,
            revision: 1,
            role_label: name(label)?,
            inverse_role_label: Some(name(inverse)?),
            note: None,
        };
        let created = self.tick();
        self.ledger.roles.push(Stamped { record, created });
        Ok(id)
    }

    /// Records an event, creating a resource of `creates` when given, and applies it to its
    /// resources exactly as the live service would. Returns the event and the created
    /// resource.
    fn record(
        &mut self,
        mut core: NewEvent,
        details: EventDetails,
        creates: Option<ResourceSpecificationId>,
        resource_name: Option<String>,
    ) -> Result<(EconomicEventId, Option<EconomicResourceId>)> {
        let created_resource = creates.map(|_| EconomicResourceId::from_uuid(self.uuid()));
        core.creates_resource = created_resource.is_some();
        let context = EventContext {
            output_process_based_on: core.output_of.and_then(|p| self.based_on.get(&p).copied().flatten()),
            ..EventContext::default()
        };
        let action = core.action;
        let refused = || format!("generator: a {action} event was refused");
        let mut core = observation::prepare(core, &details, &context).with_context(refused)?;
        if let Some(new) = created_resource
            && !creation::assign(&mut core, new)
        {
            bail!("{action} cannot create a resource");
        }
        self.states.record(&core, &context).with_context(refused)?;
        let id = EconomicEventId::from_uuid(self.uuid());
        let created = self.tick();
        if let (Some(resource), Some(spec)) = (created_resource, creates) {
            let details =
                ResourceDetails { name: resource_name, conforms_to: Some(spec), ..ResourceDetails::default() };
            let record = EconomicResource {
                id: resource,
                revision: 1,
                state: ResourceState::default(),
                details,
                conforms_to: spec,
            };
            self.ledger.resources.push(Stamped { record, created });
        }
        self.ledger.events.push(EconomicEvent { id, revision: 1, core, details, created });
        Ok((id, created_resource))
    }

    fn state(&self, id: EconomicResourceId) -> Option<&ResourceState> {
        self.states.get(id)
    }

    /// The ledger, with every resource's state as its events left it, in export order.
    fn finish(mut self) -> Ledger {
        for resource in &mut self.ledger.resources {
            if let Some(state) = self.states.get(resource.record.id) {
                resource.record.state = state.clone();
            }
        }
        self.ledger.sort_by_id();
        self.ledger
    }
}

fn measure(value: Decimal, unit: UnitId) -> Option<Measure> {
    Some(Measure::new(value, Some(unit)))
}

fn scoped(scope: AgentId) -> EventDetails {
    EventDetails { in_scope_of: vec![scope], ..EventDetails::default() }
}

/// A network of `events` events: people affiliated with a network, a project, 20 kinds of
/// resource, processes, resources raised with large balances, then a mix of work (30%),
/// consume (20%), use (10%), cite (8%), produce (15%), transfer (12%) and transferCustody
/// (5%), with declared values on work.
pub fn network(seed: u64, events: usize) -> Result<Ledger> {
    let mut g = Generator::new(seed);
    let kg = g.unit("kilogram", "kg")?;
    let hour = g.unit("hour", "h")?;
    let eur = g.unit("euro", "EUR")?;
    let network = g.agent(AgentKind::Organization, "Network", &["ovn:Network"])?;
    let project = g.agent(AgentKind::Organization, "Project", &["ovn:Project"])?;
    let affiliate = g.role("is affiliate of", "has affiliate")?;
    let people: Vec<AgentId> = (0..(events / 1_000).clamp(10, 1_000))
        .map(|i| g.agent(AgentKind::Person, &format!("Affiliate {i}"), &[]))
        .collect::<Result<_>>()?;
    for person in &people {
        g.relationship(*person, network, affiliate);
    }
    let value = ValuePerUnit { value: Decimal::new(1_250, 2), unit: Some(eur) };
    let specs: Vec<ResourceSpecificationId> =
        (0..20).map(|i| g.resource_specification(&format!("material {i}"), kg, Some(value))).collect::<Result<_>>()?;
    let process_specs: Vec<ProcessSpecificationId> =
        (0..10).map(|i| g.process_specification(&format!("step {i}"))).collect::<Result<_>>()?;
    let processes: Vec<ProcessId> = (0..(events / 50).max(10))
        .map(|i| {
            let spec = process_specs[g.rng.below(process_specs.len())];
            g.process(&format!("process {i}"), Some(spec), project)
        })
        .collect::<Result<_>>()?;
    let mut resources: Vec<EconomicResourceId> = Vec::new();
    let stocks = (events / 200).clamp(20, events.max(20));
    for i in 0..stocks.min(events) {
        let owner = people[g.rng.below(people.len())];
        let mut core = NewEvent::new(Action::Raise, owner, owner);
        core.resource_quantity = measure(Decimal::new(1_000_000, 0), kg);
        let spec = specs[g.rng.below(specs.len())];
        let (_, created) = g.record(core, EventDetails::default(), Some(spec), Some(format!("stock {i}")))?;
        resources.extend(created);
    }
    while g.ledger.events.len() < events {
        let person = people[g.rng.below(people.len())];
        let process = processes[g.rng.below(processes.len())];
        let resource = resources[g.rng.below(resources.len())];
        let q = g.rng.amount(1_000);
        let (accounting, onhand) =
            g.state(resource).map_or((Decimal::ZERO, Decimal::ZERO), |s| (s.accounting_quantity, s.onhand_quantity));
        let roll = g.rng.below(100);
        let (core, details) = match roll {
            0..30 => {
                let mut core = NewEvent::new(Action::Work, person, project);
                core.effort_quantity = measure(q, hour);
                core.input_of = Some(process);
                let mut details = scoped(project);
                details.declared_value = measure(q * Decimal::new(25, 0), eur);
                (core, details)
            }
            30..50 if accounting >= q && onhand >= q => {
                let mut core = NewEvent::new(Action::Consume, person, person);
                core.resource_inventoried_as = Some(resource);
                core.resource_quantity = measure(q, kg);
                core.input_of = Some(process);
                (core, scoped(project))
            }
            50..60 => {
                let mut core = NewEvent::new(Action::Use, person, project);
                core.resource_inventoried_as = Some(resource);
                core.effort_quantity = measure(q, hour);
                core.input_of = Some(process);
                (core, scoped(project))
            }
            60..68 => {
                let mut core = NewEvent::new(Action::Cite, person, project);
                core.resource_inventoried_as = Some(resource);
                core.resource_quantity = measure(Decimal::ONE, kg);
                core.input_of = Some(process);
                (core, scoped(project))
            }
            83..95 if accounting >= q && onhand >= q => {
                let to = resources[g.rng.below(resources.len())];
                let mut core = NewEvent::new(Action::Transfer, person, people[g.rng.below(people.len())]);
                core.resource_inventoried_as = Some(resource);
                core.to_resource_inventoried_as = Some(to);
                core.resource_quantity = measure(q, kg);
                (core, EventDetails::default())
            }
            95..100 if onhand >= q => {
                let to = resources[g.rng.below(resources.len())];
                let mut core = NewEvent::new(Action::TransferCustody, person, people[g.rng.below(people.len())]);
                core.resource_inventoried_as = Some(resource);
                core.to_resource_inventoried_as = Some(to);
                core.resource_quantity = measure(q, kg);
                (core, EventDetails::default())
            }
            _ => {
                let mut core = NewEvent::new(Action::Produce, person, person);
                core.resource_inventoried_as = Some(resource);
                core.resource_quantity = measure(q, kg);
                core.output_of = Some(process);
                (core, scoped(project))
            }
        };
        g.record(core, details, None, None)?;
    }
    Ok(g.finish())
}

/// A process tree `depth` levels deep: the root resource is the output of a process that
/// consumes the outputs of `fanout` processes (and some work), and so on down to raised leaf
/// resources. Returns the ledger and the root resource.
pub fn tree(seed: u64, depth: u32, fanout: u32) -> Result<(Ledger, EconomicResourceId)> {
    let mut g = Generator::new(seed);
    let kg = g.unit("kilogram", "kg")?;
    let hour = g.unit("hour", "h")?;
    let project = g.agent(AgentKind::Organization, "Project", &["ovn:Project"])?;
    let people: Vec<AgentId> =
        (0..10).map(|i| g.agent(AgentKind::Person, &format!("Maker {i}"), &[])).collect::<Result<_>>()?;
    let part = g.resource_specification("part", kg, None)?;
    let assembly = g.process_specification("assembly")?;
    let shape = Tree { kg, hour, project, part, assembly, people: &people, works: 1, scoped_leaves: false };
    let root = grow(&mut g, 0, depth, fanout, &shape)?;
    Ok((g.finish(), root))
}

/// The process tree the value engine rolls up ([`value_tree`]) and what its rollup must
/// give.
pub struct ValueTree {
    /// The ledger: the makers are affiliates of the project, so every event in its scope is a
    /// contribution.
    pub ledger: Ledger,
    /// The deliverable at the top.
    pub root: EconomicResourceId,
    /// The project the tree is made in.
    pub project: AgentId,
    /// A maker (an affiliate, so it may draft the project's equation).
    pub maker: AgentId,
    /// The raised leaves (1 kg each).
    pub leaves: usize,
    /// The work events (1.5 h each).
    pub works: usize,
}

/// The trace's tree made of contributions: `works` work events of 1.5 h per process, leaves
/// raised (1 kg) in scope of the project, and the makers affiliates of the project. Every
/// process consumes all of its inputs' 1 kg and makes 1 kg, so the root embodies every leaf
/// and every hour of work, whole.
pub fn value_tree(seed: u64, depth: u32, fanout: u32, works: u32) -> Result<ValueTree> {
    let mut g = Generator::new(seed);
    let kg = g.unit("kilogram", "kg")?;
    let hour = g.unit("hour", "h")?;
    let project = g.agent(AgentKind::Organization, "Project", &["ovn:Project"])?;
    let people: Vec<AgentId> =
        (0..10).map(|i| g.agent(AgentKind::Person, &format!("Maker {i}"), &[])).collect::<Result<_>>()?;
    for person in &people {
        g.relationship(*person, project, OvnRole::AffiliateOf.id());
    }
    let part = g.resource_specification("part", kg, None)?;
    let assembly = g.process_specification("assembly")?;
    let shape = Tree { kg, hour, project, part, assembly, people: &people, works, scoped_leaves: true };
    let root = grow(&mut g, 0, depth, fanout, &shape)?;
    let ledger = g.finish();
    let count = |action: Action| ledger.events.iter().filter(|e| e.core.action == action).count();
    let (leaves, works) = (count(Action::Raise), count(Action::Work));
    let maker = people.first().copied().context("no maker")?;
    Ok(ValueTree { ledger, root, project, maker, leaves, works })
}

struct Tree<'a> {
    kg: UnitId,
    hour: UnitId,
    project: AgentId,
    part: ResourceSpecificationId,
    assembly: ProcessSpecificationId,
    people: &'a [AgentId],
    /// Work events per process.
    works: u32,
    /// Whether leaves are raised in scope of the project (contributions) or outside any.
    scoped_leaves: bool,
}

fn grow(g: &mut Generator, level: u32, depth: u32, fanout: u32, t: &Tree<'_>) -> Result<EconomicResourceId> {
    let maker = t.people[g.rng.below(t.people.len())];
    if level >= depth {
        let mut core = NewEvent::new(Action::Raise, maker, maker);
        core.resource_quantity = measure(Decimal::ONE, t.kg);
        let details = if t.scoped_leaves { scoped(t.project) } else { EventDetails::default() };
        let (_, leaf) = g.record(core, details, Some(t.part), None)?;
        return leaf.context("a raise created no resource");
    }
    let inputs = (0..fanout).map(|_| grow(g, level + 1, depth, fanout, t)).collect::<Result<Vec<_>>>()?;
    let process = g.process(&format!("assembly at level {level}"), Some(t.assembly), t.project)?;
    for input in inputs {
        let mut core = NewEvent::new(Action::Consume, maker, maker);
        core.resource_inventoried_as = Some(input);
        core.resource_quantity = measure(Decimal::ONE, t.kg);
        core.input_of = Some(process);
        g.record(core, scoped(t.project), None, None)?;
    }
    for _ in 0..t.works {
        let mut work = NewEvent::new(Action::Work, maker, t.project);
        work.effort_quantity = measure(Decimal::new(15, 1), t.hour);
        work.input_of = Some(process);
        g.record(work, scoped(t.project), None, None)?;
    }
    let mut produce = NewEvent::new(Action::Produce, maker, maker);
    produce.resource_quantity = measure(Decimal::ONE, t.kg);
    produce.output_of = Some(process);
    let (_, output) = g.record(produce, scoped(t.project), Some(t.part), None)?;
    output.context("a produce created no resource")
}

/// A project's books for fluid equity ([`equity`]) and what its equity must add up to.
pub struct EquityBooks {
    /// The ledger.
    pub ledger: Ledger,
    /// The project whose equity is asked for.
    pub project: AgentId,
    /// An affiliate (it may draft the project's equation).
    pub affiliate: AgentId,
    /// The hours of all the work, summed.
    pub hours: Decimal,
}

/// A project with `events` contributions: work by its affiliates (1,000 of them, or one per
/// thousand events when fewer), in its scope, 0.01 to 8 hours each, inputs of its processes
/// (one per thousand events).
pub fn equity(seed: u64, events: usize) -> Result<EquityBooks> {
    let mut g = Generator::new(seed);
    let drawn = contributions(&mut g, events)?;
    Ok(EquityBooks { ledger: g.finish(), project: drawn.project, affiliate: drawn.affiliate, hours: drawn.hours })
}

/// What [`contributions`] drew: the project, an affiliate, the hours summed.
struct Contributions {
    project: AgentId,
    affiliate: AgentId,
    hours: Decimal,
}

/// The shape [`equity`] and [`revenue`] share: a project, its affiliates, its processes and
/// `events` work contributions, drawn into `g`.
fn contributions(g: &mut Generator, events: usize) -> Result<Contributions> {
    let hour = g.unit("hour", "h")?;
    let project = g.agent(AgentKind::Organization, "Project", &["ovn:Project"])?;
    let people: Vec<AgentId> = (0..(events / 1_000).clamp(1, 1_000))
        .map(|i| g.agent(AgentKind::Person, &format!("Affiliate {i}"), &[]))
        .collect::<Result<_>>()?;
    for person in &people {
        g.relationship(*person, project, OvnRole::AffiliateOf.id());
    }
    let processes: Vec<ProcessId> = (0..(events / 1_000).max(1))
        .map(|i| g.process(&format!("process {i}"), None, project))
        .collect::<Result<_>>()?;
    let mut hours = Decimal::ZERO;
    for _ in 0..events {
        let person = people[g.rng.below(people.len())];
        let process = processes[g.rng.below(processes.len())];
        let q = g.rng.amount(800);
        hours += q;
        let mut core = NewEvent::new(Action::Work, person, project);
        core.effort_quantity = measure(q, hour);
        core.input_of = Some(process);
        g.record(core, scoped(project), None, None)?;
    }
    let affiliate = people.first().copied().context("no affiliate")?;
    Ok(Contributions { project, affiliate, hours })
}

/// A project's books with revenue to distribute ([`revenue`]).
pub struct RevenueBooks {
    /// The ledger.
    pub ledger: Ledger,
    /// The project that sold (part of the network).
    pub project: AgentId,
    /// An affiliate (it may draft and propose the project's equation).
    pub affiliate: AgentId,
    /// The network's exchange firm, which received the payments (and may distribute them).
    pub firm: AgentId,
    /// The agent an `AGENT` bucket may pay (an infrastructure fund).
    pub fund: AgentId,
    /// The currency's unit.
    pub currency: UnitId,
    /// The sales: each a customer's payment to the exchange firm in scope of the project,
    /// with its amount.
    pub sales: Vec<(EconomicEventId, Decimal)>,
}

/// What each sale of [`revenue`] pays, in euros (the first is distributed through the
/// Store, the second over HTTP).
pub const SALES: [Decimal; 2] =
    [Decimal::from_parts(10_000_000, 0, 0, false, 2), Decimal::from_parts(5_000_000, 0, 0, false, 2)];

/// [`equity`]'s project with `contributions` work contributions, made part of a network
/// whose exchange firm was paid for the project's sales: a euro (a medium of exchange), a
/// customer who raises euros and pays the firm each of [`SALES`] in scope of the project (the
/// revenue events), and an infrastructure fund for the equation's `AGENT` bucket.
pub fn revenue(seed: u64, contributions_count: usize) -> Result<RevenueBooks> {
    let mut g = Generator::new(seed);
    let Contributions { project, affiliate, .. } = contributions(&mut g, contributions_count)?;
    let eur = g.unit("euro", "EUR")?;
    let money = g.resource_specification("euro", eur, None)?;
    if let Some(spec) = g.ledger.resource_specifications.last_mut() {
        spec.record.medium_of_exchange = Some(true);
    }
    let network = g.agent(AgentKind::Organization, "Network", &["ovn:Network"])?;
    let firm = g.agent(AgentKind::Organization, "Exchange firm", &["ovn:ExchangeFirm"])?;
    let fund = g.agent(AgentKind::Organization, "Infrastructure fund", &[])?;
    let customer = g.agent(AgentKind::Person, "Customer", &[])?;
    g.relationship(project, network, OvnRole::PartOf.id());
    g.relationship(firm, network, OvnRole::ExchangeFirmOf.id());
    let mut sales = Vec::new();
    for (i, amount) in SALES.into_iter().enumerate() {
        let mut raise = NewEvent::new(Action::Raise, customer, customer);
        raise.resource_quantity = measure(amount, eur);
        let (_, wallet) = g.record(raise, EventDetails::default(), Some(money), Some(format!("wallet {i}")))?;
        let mut pay = NewEvent::new(Action::Transfer, customer, firm);
        pay.resource_inventoried_as = Some(wallet.context("a raise created no wallet")?);
        pay.resource_quantity = measure(amount, eur);
        let (event, _) = g.record(pay, scoped(project), Some(money), Some(format!("till {i}")))?;
        sales.push((event, amount));
    }
    Ok(RevenueBooks { ledger: g.finish(), project, affiliate, firm, fund, currency: eur, sales })
}

/// The ledger the bench's mutations start from, and the records they name.
pub struct Stocks {
    /// One person, a project, a process and one large stock per client.
    pub ledger: Ledger,
    /// The person who records the mutations.
    pub person: AgentId,
    /// The project the mutations are in scope of.
    pub project: AgentId,
    /// The process the mutations are inputs of.
    pub process: ProcessId,
    /// The unit of the stocks.
    pub unit: UnitId,
    /// The stocks, one per client.
    pub stocks: Vec<EconomicResourceId>,
}

/// One person, a project, a process and one large stock (raised) per client.
pub fn stocks(seed: u64, clients: usize) -> Result<Stocks> {
    let mut g = Generator::new(seed);
    let kg = g.unit("kilogram", "kg")?;
    let alice = g.agent(AgentKind::Person, "Alice", &[])?;
    let project = g.agent(AgentKind::Organization, "Project", &["ovn:Project"])?;
    let spec = g.resource_specification("copper", kg, None)?;
    let process = g.process("assembly", None, project)?;
    let mut stocks = Vec::new();
    for _ in 0..clients.max(1) {
        let mut core = NewEvent::new(Action::Raise, alice, alice);
        core.resource_quantity = measure(Decimal::new(1_000_000_000, 0), kg);
        let (_, stock) = g.record(core, EventDetails::default(), Some(spec), None)?;
        stocks.push(stock.context("no stock")?);
    }
    Ok(Stocks { ledger: g.finish(), person: alice, project, process, unit: kg, stocks })
}
