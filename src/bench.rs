//! `ovn bench`: measures ovn against the performance targets of DESIGN.md section 11, on a
//! synthetic network that is reproducible from a seed.
//!
//! Why a built-in command rather than an external load tool: the figures that matter come
//! from ovn's real paths (the real server over real HTTP with a real token, the real import,
//! the real trace), on a database created for the run, so anyone can reproduce them with one
//! command on their own machine. Nothing here is a test: figures depend on the machine.
//!
//! What it does, on a fresh temporary SQLite database for each part (and on fresh PostgreSQL
//! schemas too when `--database-url` is given):
//! 1. **mutations**: starts the server in-process on `127.0.0.1:0`, mints a token, and records
//!    `createEconomicEvent` (a `consume` in scope of a project, which updates a resource) from
//!    one client (p50, p99 latency) and from `--clients` concurrent clients (events/s);
//! 2. **agent by id**: the same server answers `agent(id)` to `--clients` concurrent clients
//!    (requests/s);
//! 3. **bulk import**: generates a JSON-LD ledger of `--events` events (people, a project,
//!    specifications, processes, and a mix of raise, work, consume, use, cite, produce,
//!    transfer and transferCustody events) and imports it through `ovn import`'s path;
//! 4. **trace**: generates a process tree of `--depth` levels and `--fanout` inputs per process
//!    (every process consumes the outputs of `fanout` processes below it, plus some work;
//!    leaves are raised), imports it, then times `economicResource(id) { trace { __typename } }`
//!    over HTTP on the root, and separately the in-memory walk ([`FlowGraph::trace`]) on the
//!    slice loaded from the database.
//!
//! The generator draws everything (ids included) from a small PRNG (SplitMix64) seeded with
//! `--seed`, and applies every event with the domain's own rules as it goes, so the ledger is
//! valid by construction and identical for a given seed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use chrono::{DateTime, TimeZone as _, Utc};
use ovn_api::ApiSettings;
use ovn_api::auth::KeySettings;
use ovn_domain::agent::{Agent, AgentKind, AgentProfile, AgentRelationship, AgentRelationshipRole};
use ovn_domain::flow::{Direction, FlowNode};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit, ValuePerUnit};
use ovn_domain::observation::{self, Books, EventContext, NewEvent, ResourceState, creation};
use ovn_domain::observation::{EconomicEvent, EconomicResource, EventDetails, Process, ResourceDetails};
use ovn_domain::text::{Name, Uri};
use ovn_domain::{
    Action, AgentId, AgentRelationshipId, AgentRelationshipRoleId, EconomicEventId, EconomicResourceId, Measure,
    ProcessId, ProcessSpecificationId, ResourceSpecificationId, UnitId,
};
use ovn_migration::sea_orm::ConnectionTrait as _;
use ovn_persistence::ledger_io::{Ledger, Stamped};
use ovn_persistence::{DatabaseSettings, Store};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Config;
use crate::import::{ShowProgress, per_second};

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Seed of the synthetic network.
    pub seed: u64,
    /// Events in the bulk-import ledger.
    pub events: usize,
    /// Levels of the trace tree.
    pub depth: u32,
    /// Inputs per process of the trace tree.
    pub fanout: u32,
    /// Concurrent clients for the throughput figures.
    pub clients: usize,
    /// Sequential mutations timed from one client.
    pub samples: usize,
    /// Mutations per client in the concurrent run.
    pub per_client: usize,
    /// `agent(id)` requests per client.
    pub reads_per_client: usize,
    /// Also run on PostgreSQL (a fresh schema per part, dropped afterwards).
    pub database_url: Option<String>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            events: 200_000,
            depth: 9,
            fanout: 3,
            clients: 8,
            samples: 2_000,
            per_client: 500,
            reads_per_client: 2_500,
            database_url: None,
        }
    }
}

// ---------------------------------------------------------------- the synthetic network

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
        let core_action = core.action;
        let created_resource = creates.map(|_| EconomicResourceId::from_uuid(self.uuid()));
        core.creates_resource = created_resource.is_some();
        let context = EventContext {
            output_process_based_on: core.output_of.and_then(|p| self.based_on.get(&p).copied().flatten()),
            ..EventContext::default()
        };
        let mut core = observation::prepare(core, &details, &context)
            .with_context(|| format!("generator: a {} event was refused", core_action))?;
        if let Some(new) = created_resource
            && !creation::assign(&mut core, new)
        {
            bail!("{} cannot create a resource", core.action);
        }
        self.states
            .record(&core, &context)
            .with_context(|| format!("generator: a {} event was refused", core.action))?;
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
        let l = &mut self.ledger;
        l.units.sort_by_key(|s| s.record.id);
        l.agents.sort_by_key(|s| s.record.id);
        l.roles.sort_by_key(|s| s.record.id);
        l.relationships.sort_by_key(|s| s.record.id);
        l.resource_specifications.sort_by_key(|s| s.record.id);
        l.process_specifications.sort_by_key(|s| s.record.id);
        l.processes.sort_by_key(|s| s.record.id);
        l.resources.sort_by_key(|s| s.record.id);
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
    let root = grow(&mut g, 0, depth, fanout, &Tree { kg, hour, project, part, assembly, people: &people })?;
    Ok((g.finish(), root))
}

struct Tree<'a> {
    kg: UnitId,
    hour: UnitId,
    project: AgentId,
    part: ResourceSpecificationId,
    assembly: ProcessSpecificationId,
    people: &'a [AgentId],
}

fn grow(g: &mut Generator, level: u32, depth: u32, fanout: u32, t: &Tree<'_>) -> Result<EconomicResourceId> {
    let maker = t.people[g.rng.below(t.people.len())];
    if level >= depth {
        let mut core = NewEvent::new(Action::Raise, maker, maker);
        core.resource_quantity = measure(Decimal::ONE, t.kg);
        let (_, leaf) = g.record(core, EventDetails::default(), Some(t.part), None)?;
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
    let mut work = NewEvent::new(Action::Work, maker, t.project);
    work.effort_quantity = measure(Decimal::new(15, 1), t.hour);
    work.input_of = Some(process);
    g.record(work, scoped(t.project), None, None)?;
    let mut produce = NewEvent::new(Action::Produce, maker, maker);
    produce.resource_quantity = measure(Decimal::ONE, t.kg);
    produce.output_of = Some(process);
    let (_, output) = g.record(produce, scoped(t.project), Some(t.part), None)?;
    output.context("a produce created no resource")
}

// ---------------------------------------------------------------- databases and servers

/// Where a part of the bench runs: a fresh database each time.
enum Backend {
    Sqlite { dir: PathBuf },
    Postgres { url: String, schemas: Vec<String> },
}

impl Backend {
    fn label(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "SQLite",
            Self::Postgres { .. } => "PostgreSQL",
        }
    }

    async fn fresh(&mut self, name: &str) -> Result<DatabaseSettings> {
        match self {
            Self::Sqlite { dir } => Ok(DatabaseSettings::new(format!("sqlite://{}/{name}.db?mode=rwc", dir.display()))),
            Self::Postgres { url, schemas } => {
                let schema = format!("ovn_bench_{}", Uuid::new_v4().simple());
                let admin =
                    Store::connect(&DatabaseSettings::new(url.clone())).await.context("connecting to PostgreSQL")?;
                admin.connection().execute_unprepared(&format!("CREATE SCHEMA \"{schema}\"")).await?;
                schemas.push(schema.clone());
                let mut settings = DatabaseSettings::new(url.clone());
                settings.postgres_schema = Some(schema);
                Ok(settings)
            }
        }
    }

    async fn clean_up(&mut self) -> Result<()> {
        match self {
            Self::Sqlite { dir } => {
                std::fs::remove_dir_all(&*dir).with_context(|| format!("removing {}", dir.display()))?;
            }
            Self::Postgres { url, schemas } => {
                let admin = Store::connect(&DatabaseSettings::new(url.clone())).await?;
                for schema in schemas.drain(..) {
                    admin.connection().execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE")).await?;
                }
            }
        }
        Ok(())
    }
}

fn config(database: DatabaseSettings, key_dir: &std::path::Path) -> Config {
    Config {
        production: false,
        bind: "127.0.0.1:0".to_owned(),
        public_url: "http://127.0.0.1".to_owned(),
        workers: std::thread::available_parallelism().map_or(2, usize::from),
        database,
        keys: KeySettings {
            issuer: "ovn".to_owned(),
            audience: "ovn".to_owned(),
            private_key_pem: None,
            private_key_file: None,
            public_keys: Vec::new(),
            kid: "ovn-bench".to_owned(),
            dev_key_file: key_dir.join("bench-key.pem"),
            production: false,
        },
        token_ttl: chrono::Duration::hours(1),
        api: ApiSettings { request_timeout: Duration::from_secs(120), ..ApiSettings::default() },
    }
}

struct Server {
    running: crate::RunningServer,
    url: String,
    client: reqwest::Client,
}

impl Server {
    async fn start(config: &Config) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let running = crate::start(config, listener).await?;
        let url = format!("http://127.0.0.1:{}/graphql", running.port);
        let client =
            reqwest::Client::builder().pool_max_idle_per_host(256).timeout(Duration::from_secs(300)).build()?;
        Ok(Self { running, url, client })
    }

    async fn post(&self, token: Option<&str>, body: &Value) -> Result<Value> {
        let mut request = self.client.post(&self.url).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response: Value = request.send().await?.json().await?;
        if let Some(errors) = response.get("errors") {
            bail!("the server answered with errors: {errors}");
        }
        Ok(response)
    }

    async fn stop(self) {
        self.running.handle.stop(true).await;
    }
}

// ---------------------------------------------------------------- the measurements

/// One line of the report.
struct Figure {
    work: String,
    measured: String,
    target: &'static str,
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1_000.0)
}

fn rate(count: usize, elapsed: Duration, unit: &str) -> String {
    format!("{:.0} {unit}/s", per_second(count, elapsed))
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

const CONSUME: &str =
    "mutation($e: EconomicEventCreateParams!) { createEconomicEvent(event: $e) { economicEvent { id } } }";

/// The ledger the mutation part starts from: one person, a project, a process and one large
/// stock per client.
fn mutation_setup(
    seed: u64,
    clients: usize,
) -> Result<(Ledger, AgentId, AgentId, ProcessId, UnitId, Vec<EconomicResourceId>)> {
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
    Ok((g.finish(), alice, project, process, kg, stocks))
}

fn consume_body(alice: AgentId, project: AgentId, process: ProcessId, kg: UnitId, stock: EconomicResourceId) -> Value {
    json!({ "query": CONSUME, "variables": { "e": {
        "action": "consume", "provider": alice.to_string(), "receiver": alice.to_string(),
        "resourceInventoriedAs": stock.to_string(), "inputOf": process.to_string(), "inScopeOf": [project.to_string()],
        "resourceQuantity": { "hasNumericalValue": "0.01", "hasUnit": kg.to_string() }
    } } })
}

async fn mutations_and_reads(
    backend: &mut Backend,
    options: &BenchOptions,
    key_dir: &std::path::Path,
) -> Result<Vec<Figure>> {
    let label = backend.label();
    let settings = backend.fresh("mutations").await?;
    let config = config(settings, key_dir);
    let store = crate::open_store(&config).await?;
    let (ledger, alice, project, process, kg, stocks) = mutation_setup(options.seed, options.clients)?;
    crate::import::write(&store, ledger, ShowProgress::Hidden).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let server = Server::start(&config).await?;
    let token = ovn_api::auth::mint(&crate::load_auth(&config)?, alice.uuid(), chrono::Duration::hours(1))?;
    let first = stocks.first().copied().context("no stock")?;
    let body = consume_body(alice, project, process, kg, first);
    eprintln!("bench [{label}]: {} sequential createEconomicEvent …", options.samples);
    for _ in 0..50 {
        server.post(Some(&token), &body).await?;
    }
    let mut latencies = Vec::with_capacity(options.samples);
    for _ in 0..options.samples {
        let started = Instant::now();
        server.post(Some(&token), &body).await?;
        latencies.push(started.elapsed());
    }
    latencies.sort();
    eprintln!("bench [{label}]: {} clients × {} createEconomicEvent …", options.clients, options.per_client);
    let server = Arc::new(server);
    let token = Arc::new(token);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for stock in stocks.iter().copied().cycle().take(options.clients) {
        let (server, token) = (Arc::clone(&server), Arc::clone(&token));
        let body = consume_body(alice, project, process, kg, stock);
        let per_client = options.per_client;
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_client {
                server.post(Some(&token), &body).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let concurrent = started.elapsed();
    eprintln!("bench [{label}]: {} clients × {} agent(id) …", options.clients, options.reads_per_client);
    let read =
        json!({ "query": "query($id: ID!) { agent(id: $id) { id name } }", "variables": { "id": alice.to_string() } });
    for _ in 0..100 {
        server.post(None, &read).await?;
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..options.clients {
        let server = Arc::clone(&server);
        let read = read.clone();
        let count = options.reads_per_client;
        tasks.push(tokio::spawn(async move {
            for _ in 0..count {
                server.post(None, &read).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let reads = started.elapsed();
    if let Ok(server) = Arc::try_unwrap(server) {
        server.stop().await;
    }
    Ok(vec![
        Figure {
            work: format!("createEconomicEvent over HTTP, 1 client, p50 [{label}]"),
            measured: ms(percentile(&latencies, 50)),
            target: "< 2 ms",
        },
        Figure {
            work: format!("createEconomicEvent over HTTP, 1 client, p99 [{label}]"),
            measured: ms(percentile(&latencies, 99)),
            target: "",
        },
        Figure {
            work: format!("createEconomicEvent over HTTP, {} clients [{label}]", options.clients),
            measured: rate(options.clients * options.per_client, concurrent, "events"),
            target: "> 3,000 events/s",
        },
        Figure {
            work: format!("agent(id) over HTTP, {} clients [{label}]", options.clients),
            measured: rate(options.clients * options.reads_per_client, reads, "requests"),
            target: "> 10,000 requests/s",
        },
    ])
}

async fn bulk_import(backend: &mut Backend, options: &BenchOptions, key_dir: &std::path::Path) -> Result<Vec<Figure>> {
    let label = backend.label();
    eprintln!("bench [{label}]: generating a ledger of {} events (seed {}) …", options.events, options.seed);
    let ledger = network(options.seed, options.events)?;
    let mut document = Vec::new();
    crate::export::write_jsonld(&ledger, "http://127.0.0.1", &mut document)?;
    drop(ledger);
    let config = config(backend.fresh("import").await?, key_dir);
    let store = crate::open_store(&config).await?;
    eprintln!("bench [{label}]: importing {} MB of JSON-LD …", document.len() / 1_000_000);
    let summary = crate::import::import_bytes(&store, &document, ShowProgress::Hidden)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(vec![Figure {
        work: format!(
            "bulk import of {} events, {} MB (read {:.2} s, check {:.2} s, write {:.2} s) [{label}]",
            summary.events,
            document.len() / 1_000_000,
            summary.read.as_secs_f64(),
            summary.check.as_secs_f64(),
            summary.write.as_secs_f64()
        ),
        measured: rate(summary.events, summary.total(), "events"),
        target: "> 100,000 events/s",
    }])
}

async fn trace(backend: &mut Backend, options: &BenchOptions, key_dir: &std::path::Path) -> Result<Vec<Figure>> {
    let label = backend.label();
    eprintln!("bench [{label}]: generating a process tree (depth {}, fan-out {}) …", options.depth, options.fanout);
    let (ledger, root) = tree(options.seed, options.depth, options.fanout)?;
    let events = ledger.events.len();
    let mut document = Vec::new();
    crate::export::write_jsonld(&ledger, "http://127.0.0.1", &mut document)?;
    drop(ledger);
    let config = config(backend.fresh("trace").await?, key_dir);
    let store = crate::open_store(&config).await?;
    let summary = crate::import::import_bytes(&store, &document, ShowProgress::Hidden)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(document);
    let start = FlowNode::Resource(root);
    let loaded = Instant::now();
    let graph = store.flow_graph(start, Direction::Upstream, usize::MAX, None).await?;
    let load = loaded.elapsed();
    let walked = Instant::now();
    let nodes = graph.trace(start, None);
    let walk = walked.elapsed();
    let server = Server::start(&config).await?;
    let query = json!({
        "query": "query($id: ID!) { economicResource(id: $id) { trace { __typename } } }",
        "variables": { "id": root.to_string() }
    });
    eprintln!("bench [{label}]: tracing {} nodes over HTTP …", nodes.len());
    let mut times = Vec::new();
    let mut returned = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let response = server.post(None, &query).await?;
        times.push(started.elapsed());
        returned = response.pointer("/data/economicResource/trace").and_then(Value::as_array).map_or(0, Vec::len);
    }
    server.stop().await;
    ensure!(returned == nodes.len(), "the API traced {returned} nodes, the domain walk {}", nodes.len());
    times.sort();
    Ok(vec![
        Figure {
            work: format!("import of the tree: {events} events [{label}]"),
            measured: rate(summary.events, summary.total(), "events"),
            target: "> 100,000 events/s",
        },
        Figure {
            work: format!("trace of {} nodes over HTTP (GraphQL, median of 3) [{label}]", nodes.len()),
            measured: ms(percentile(&times, 50)),
            target: "< 500 ms",
        },
        Figure {
            work: format!("  of which: loading the slice from the database [{label}]"),
            measured: ms(load),
            target: "",
        },
        Figure {
            work: format!("  and the in-memory walk (FlowGraph::trace) [{label}]"),
            measured: ms(walk),
            target: "",
        },
    ])
}

async fn run_on(backend: &mut Backend, options: &BenchOptions, key_dir: &std::path::Path) -> Result<Vec<Figure>> {
    let mut figures = mutations_and_reads(backend, options, key_dir).await?;
    figures.extend(bulk_import(backend, options, key_dir).await?);
    figures.extend(trace(backend, options, key_dir).await?);
    Ok(figures)
}

fn table(figures: &[Figure]) -> String {
    let width = figures.iter().map(|f| f.work.chars().count()).max().unwrap_or(4).max(4);
    let measured = figures.iter().map(|f| f.measured.chars().count()).max().unwrap_or(8).max(8);
    let mut out = String::new();
    let _ = writeln!(out, "| {:width$} | {:>measured$} | target |", "work", "measured");
    let _ = writeln!(out, "|{}|{}|---|", "-".repeat(width + 2), "-".repeat(measured + 2));
    for f in figures {
        let _ = writeln!(out, "| {:width$} | {:>measured$} | {} |", f.work, f.measured, f.target);
    }
    out
}

/// Runs the bench and prints the table on stdout.
pub async fn run(options: &BenchOptions) -> Result<()> {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("ovn-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut sqlite = Backend::Sqlite { dir: dir.clone() };
    let result = run_on(&mut sqlite, options, &dir).await;
    let cleaned = sqlite.clean_up().await;
    let mut figures = result?;
    cleaned?;
    if let Some(url) = &options.database_url {
        let key_dir = std::env::temp_dir().join(format!("ovn-bench-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&key_dir)?;
        let mut postgres = Backend::Postgres { url: url.clone(), schemas: Vec::new() };
        let result = run_on(&mut postgres, options, &key_dir).await;
        let cleaned = postgres.clean_up().await;
        std::fs::remove_dir_all(&key_dir).ok();
        figures.extend(result?);
        cleaned?;
    }
    println!(
        "ovn bench (seed {}, {} import events, tree depth {} fan-out {}, {} clients, {} CPUs) in {:.0} s\n",
        options.seed,
        options.events,
        options.depth,
        options.fanout,
        options.clients,
        std::thread::available_parallelism().map_or(0, usize::from),
        started.elapsed().as_secs_f64()
    );
    print!("{}", table(&figures));
    Ok(())
}
