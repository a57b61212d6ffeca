//! `ovn bench`: measures ovn against its performance targets, on a synthetic network that is
//! reproducible from a seed ([`generator`]).
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
//!    leaves are raised), imports it, builds the in-memory flow index from it (timed), then
//!    times over HTTP on the root, once the server's own index is built:
//!    `economicResource(id) { trace { __typename } }`, the peer benchmark's
//!    `processTree(resource, UPSTREAM, maxDepth 16) { edges { from to action { id } quantity
//!    { hasNumericalValue } via } }`, and the compact `flowGraph(start) { ids kinds parents
//!    distances }`; and, for comparison, loading the slice level by level (the path walks take
//!    before the index is built) and the in-memory walk;
//! 5. **value**: the value engine on both of its targets. A rollup: the trace's tree made of
//!    contributions (`--depth`, `--fanout`, four work events per process, leaves raised in
//!    the project's scope by its affiliates; about 100,000 events upstream of the root with the
//!    defaults), an equation drafted through the Store (work `quantity * 10`, raise
//!    `quantity`), then `Store::value_rollup` end to end, the snapshot's load alone, the
//!    domain's `rollup()` alone on a loaded snapshot (the engine), and `valueRollup {
//!    totalValue }` over HTTP, each checked against the total worked out from the tree's shape;
//!    fluid equity: a project with `--equity-events` work contributions (1,000,000 by
//!    default), `Store::fluid_equity` on fresh stores (cold, and the load and the valuing
//!    apart), then again (warm: the cache), and `fluidEquity { total }` over HTTP;
//! 6. **distribution**: the same project shape with `--distribution-contributions` work
//!    contributions (100,000 by default), part of a network whose exchange firm was paid for
//!    two sales in the project's scope; an equation `STRAIGHT` (5% to a fund, 95% over the
//!    work valued `quantity * 10`) adopted by a vote of every contributor; then
//!    `Store::distribute_revenue` on a fresh store (cold: the first call, which writes the
//!    payouts), the same revenue again (the first answer), and `distributeRevenue` over HTTP
//!    for the second sale, each checked against the split worked out from the generator's
//!    ledger;
//! 7. **index memory** (run first, in a fresh process): builds the flow index of
//!    `--index-events` synthetic events in memory (no database) and reads the resident memory
//!    before and after.
//!
//! This module runs the parts and measures them; the data comes from [`generator`], which
//! measures nothing.

pub mod baseline;
pub mod client;
pub mod generator;

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use ovn_api::ApiSettings;
use ovn_api::auth::KeySettings;
use ovn_domain::flow::{Direction, FlowEvent, FlowGraph, FlowNode};
use ovn_domain::value::equation::{Bucket, BucketKind, ClaimType, EquationDraft, PercentageBehavior, Rule, Valuation};
use ovn_domain::value::formula::Formula;
use ovn_domain::value::snapshot::RuleScope;
use ovn_domain::{Action, AgentId, EconomicResourceId, ProcessId, UnitId, ValueEquationBucketId, ValueEquationRuleId};
use ovn_migration::sea_orm::ConnectionTrait as _;
use ovn_persistence::flow::FlowIndex;
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
    /// Compare with the figures of this file (written by `json`) instead of the README's.
    pub baseline: Option<PathBuf>,
    /// Also write the figures to this file, in the format `baseline` reads.
    pub json: Option<PathBuf>,
    /// Synthetic events in the index-memory part (0 skips it).
    pub index_events: usize,
    /// Contribution events of the fluid-equity scope in the value part.
    pub equity_events: usize,
    /// Work contributions of the project whose revenue the distribution part splits.
    pub distribution_contributions: usize,
    /// Run only this part (`mutations`, `import`, `trace`, `value` — which is `rollup` and
    /// `equity` —, or `distribution`); all when `None`.
    pub only: Option<String>,
    /// Instead of measuring, write the bulk-import ledger (`events` events) to this file, for
    /// timing `ovn import` on it (and measuring its memory) outside the bench.
    pub write_ledger: Option<PathBuf>,
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
            baseline: None,
            json: None,
            index_events: 1_000_000,
            equity_events: 1_000_000,
            distribution_contributions: 100_000,
            only: None,
            write_ledger: None,
        }
    }
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
        governance_sweep: crate::config::DEFAULT_GOVERNANCE_SWEEP,
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

    fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.running.port))
    }
}

/// Runs every client `count` times, concurrently; how long it took.
async fn run_clients(clients: Vec<client::Client>, count: usize) -> Result<Duration> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut client in clients {
        tasks.push(tokio::spawn(async move {
            for _ in 0..count {
                client.post().await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed())
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
    let generator::Stocks { ledger, person: alice, project, process, unit: kg, stocks } =
        generator::stocks(options.seed, options.clients)?;
    crate::import::write(&store, ledger, ShowProgress::Hidden).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let server = Server::start(&config).await?;
    let token = ovn_api::auth::mint(&crate::load_auth(&config)?, alice.uuid(), chrono::Duration::hours(1))?;
    let first = stocks.first().copied().context("no stock")?;
    let body = consume_body(alice, project, process, kg, first);
    let addr = server.addr();
    eprintln!("bench [{label}]: {} sequential createEconomicEvent …", options.samples);
    let mut client = client::Client::connect(addr, Some(&token), &serde_json::to_vec(&body)?).await?;
    for _ in 0..50 {
        client.post().await?;
    }
    let mut latencies = Vec::with_capacity(options.samples);
    for _ in 0..options.samples {
        let started = Instant::now();
        client.post().await?;
        latencies.push(started.elapsed());
    }
    drop(client);
    latencies.sort();
    eprintln!("bench [{label}]: {} clients × {} createEconomicEvent …", options.clients, options.per_client);
    let mut clients = Vec::new();
    for stock in stocks.iter().copied().cycle().take(options.clients) {
        let body = serde_json::to_vec(&consume_body(alice, project, process, kg, stock))?;
        clients.push(client::Client::connect(addr, Some(&token), &body).await?);
    }
    let concurrent = run_clients(clients, options.per_client).await?;
    eprintln!("bench [{label}]: {} clients × {} agent(id) …", options.clients, options.reads_per_client);
    let read = serde_json::to_vec(
        &json!({ "query": "query($id: ID!) { agent(id: $id) { id name } }", "variables": { "id": alice.to_string() } }),
    )?;
    let mut clients = Vec::new();
    for _ in 0..options.clients {
        let mut client = client::Client::connect(addr, None, &read).await?;
        for _ in 0..20 {
            client.post().await?;
        }
        clients.push(client);
    }
    let reads = run_clients(clients, options.reads_per_client).await?;
    server.stop().await;
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
    let ledger = generator::network(options.seed, options.events)?;
    let mut document = Vec::new();
    ovn_jsonld::write(&ledger, "http://127.0.0.1", &mut document)?;
    drop(ledger);
    let config = config(backend.fresh("import").await?, key_dir);
    let store = crate::open_store(&config).await?;
    let megabytes = document.len() / 1_000_000;
    eprintln!("bench [{label}]: importing {megabytes} MB of JSON-LD …");
    let summary = crate::import::import_owned(&store, document, ShowProgress::Hidden)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(vec![Figure {
        work: format!(
            "bulk import of {} events, {megabytes} MB (overlapped: read {:.2} s, check {:.2} s, wait for the \
             database {:.2} s; finish {:.2} s) [{label}]",
            summary.events,
            summary.read.as_secs_f64(),
            summary.check.as_secs_f64(),
            summary.wait.as_secs_f64(),
            summary.finish.as_secs_f64()
        ),
        measured: rate(summary.events, summary.total(), "events"),
        target: "> 100,000 events/s",
    }])
}

/// Posts `body` three times and returns the median time and the last answer.
async fn median_of_3(server: &Server, body: &Value) -> Result<(Duration, Value)> {
    let mut times = Vec::new();
    let mut last = Value::Null;
    for _ in 0..3 {
        let started = Instant::now();
        last = server.post(None, body).await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((percentile(&times, 50), last))
}

const PROCESS_TREE: &str = "query($id: ID!) { processTree(resource: $id, direction: UPSTREAM, maxDepth: 16) { \
     edges { from to action { id } quantity { hasNumericalValue } via } } }";

const FLOW_GRAPH: &str = "query($id: ID!) { flowGraph(start: $id) { ids kinds parents distances truncated } }";

async fn trace(backend: &mut Backend, options: &BenchOptions, key_dir: &std::path::Path) -> Result<Vec<Figure>> {
    let label = backend.label();
    eprintln!("bench [{label}]: generating a process tree (depth {}, fan-out {}) …", options.depth, options.fanout);
    let (ledger, root) = generator::tree(options.seed, options.depth, options.fanout)?;
    let events = ledger.events.len();
    let mut document = Vec::new();
    ovn_jsonld::write(&ledger, "http://127.0.0.1", &mut document)?;
    drop(ledger);
    let config = config(backend.fresh("trace").await?, key_dir);
    let store = crate::open_store(&config).await?;
    let summary = crate::import::import_owned(&store, document, ShowProgress::Hidden)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = FlowNode::Resource(root);
    let loaded = Instant::now();
    let graph = store.flow_graph(start, Direction::Upstream, usize::MAX, None).await?;
    let load = loaded.elapsed();
    let walked = Instant::now();
    let nodes = graph.trace(start, None);
    let walk = walked.elapsed();
    let index = FlowIndex::new(store.clone());
    let build = index.build().await?;
    let indexed = index.len();
    drop(index);
    let server = Server::start(&config).await?;
    // The server builds its own index in the background; until then walks load slices. Its
    // build takes as long as the one just timed: wait well past it.
    tokio::time::sleep(build * 3 + Duration::from_millis(500)).await;
    let variables = json!({ "id": root.to_string() });
    let query = json!({
        "query": "query($id: ID!) { economicResource(id: $id) { trace { __typename } } }",
        "variables": variables,
    });
    eprintln!("bench [{label}]: tracing {} nodes over HTTP …", nodes.len());
    let (traced, response) = median_of_3(&server, &query).await?;
    let returned = response.pointer("/data/economicResource/trace").and_then(Value::as_array).map_or(0, Vec::len);
    ensure!(returned == nodes.len(), "the API traced {returned} nodes, the domain walk {}", nodes.len());
    let tree_body = json!({ "query": PROCESS_TREE, "variables": variables });
    let (treed, response) = median_of_3(&server, &tree_body).await?;
    let edges = response.pointer("/data/processTree/edges").and_then(Value::as_array).map_or(0, Vec::len);
    let tree = graph.process_tree(root, Direction::Upstream, Some(16));
    ensure!(edges == tree.edges.len(), "the API's process tree has {edges} edges, the domain's {}", tree.edges.len());
    let compact_body = json!({ "query": FLOW_GRAPH, "variables": variables });
    let (compact, response) = median_of_3(&server, &compact_body).await?;
    let ids = response.pointer("/data/flowGraph/ids").and_then(Value::as_array).map_or(0, Vec::len);
    ensure!(ids == nodes.len(), "flowGraph answered {ids} nodes, the domain walk {}", nodes.len());
    server.stop().await;
    Ok(vec![
        Figure {
            work: format!("import of the tree: {events} events [{label}]"),
            measured: rate(summary.events, summary.total(), "events"),
            target: "> 100,000 events/s",
        },
        Figure {
            work: format!("flow index built from the log: {indexed} events [{label}]"),
            measured: ms(build),
            target: "",
        },
        Figure {
            work: format!("trace {{ __typename }} of {} nodes over HTTP (median of 3) [{label}]", nodes.len()),
            measured: ms(traced),
            target: "< 500 ms",
        },
        Figure {
            work: format!("processTree {{ edges }} ({edges} edges) over HTTP (median of 3) [{label}]"),
            measured: ms(treed),
            target: "< 500 ms",
        },
        Figure {
            work: format!("flowGraph (compact) of {ids} nodes over HTTP (median of 3) [{label}]"),
            measured: ms(compact),
            target: "< 500 ms",
        },
        Figure {
            work: format!("  before the index: loading the slice level by level [{label}]"),
            measured: ms(load),
            target: "",
        },
        Figure { work: format!("  the in-memory walk (FlowGraph::trace) [{label}]"), measured: ms(walk), target: "" },
    ])
}

// ---------------------------------------------------------------- the value engine

/// Work events per process of the rollup's tree: with the default tree (depth 9, fan-out 3)
/// about 100,000 events are upstream of the root.
const VALUE_WORKS: u32 = 4;

/// Timed runs of each value figure (the median is reported).
const VALUE_RUNS: usize = 5;

/// Warm fluid-equity runs (answered by the cache).
const WARM_RUNS: usize = 10;

const VALUE_ROLLUP: &str = "query($r: ID!, $e: ID!) { valueRollup(resource: $r, equation: $e) { totalValue } }";

const FLUID_EQUITY: &str = "query($s: ID!, $e: ID!) { fluidEquity(scope: $s, equation: $e) { total } }";

/// A draft of `scope`'s equation: one `DELIVERABLE` bucket of 100% with these rules.
fn equation_draft(scope: AgentId, rules: &[(Action, &str)]) -> Result<EquationDraft> {
    Ok(EquationDraft {
        scope,
        name: "bench".to_owned(),
        percentage_behavior: PercentageBehavior::Straight,
        valuation: Valuation::Restate,
        note: None,
        buckets: vec![Bucket {
            id: ValueEquationBucketId::new(),
            sequence: 1,
            name: "deliverable".to_owned(),
            kind: BucketKind::Deliverable,
            percentage: Decimal::ONE_HUNDRED,
            recipient: None,
            period_start: None,
            period_end: None,
            rules: equity_rules(rules)?,
        }],
    })
}

/// `EQUITY` rules valuing each action by its formula.
fn equity_rules(rules: &[(Action, &str)]) -> Result<Vec<Rule>> {
    rules
        .iter()
        .map(|(action, formula)| {
            Ok(Rule {
                id: ValueEquationRuleId::new(),
                action: *action,
                resource_conforms_to: None,
                resource_classified_as: Vec::new(),
                process_conforms_to: None,
                process_classified_as: Vec::new(),
                formula: Formula::parse(formula)?,
                claim_type: ClaimType::Equity,
            })
        })
        .collect()
}

/// Runs `work` `runs` times; the median time and the last answer.
async fn median_of<T>(runs: usize, mut work: impl AsyncFnMut() -> Result<T>) -> Result<(Duration, T)> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        last = Some(work().await?);
        times.push(started.elapsed());
    }
    times.sort();
    Ok((percentile(&times, 50), last.context("no run")?))
}

/// The decimal an answer holds at `pointer` (the API writes decimals as strings).
fn decimal_at(response: &Value, pointer: &str) -> Result<Decimal> {
    let found = response.pointer(pointer).with_context(|| format!("no {pointer} in {response}"))?;
    let text = found.as_str().map_or_else(|| found.to_string(), str::to_owned);
    text.parse().with_context(|| format!("{pointer} is not a decimal: {text}"))
}

/// Imports `ledger` into a fresh database named `name`; its configuration and a store on it.
async fn imported(
    backend: &mut Backend,
    name: &str,
    ledger: &ovn_domain::ledger_books::Ledger,
    key_dir: &std::path::Path,
) -> Result<(Config, Store, crate::import::ImportSummary)> {
    let mut document = Vec::new();
    ovn_jsonld::write(ledger, "http://127.0.0.1", &mut document)?;
    let config = config(backend.fresh(name).await?, key_dir);
    let store = crate::open_store(&config).await?;
    let summary = crate::import::import_owned(&store, document, ShowProgress::Hidden)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((config, store, summary))
}

async fn value_rollup(backend: &mut Backend, options: &BenchOptions, key_dir: &std::path::Path) -> Result<Vec<Figure>> {
    let label = backend.label();
    eprintln!(
        "bench [{label}]: generating a tree of contributions (depth {}, fan-out {}, {VALUE_WORKS} works per process) …",
        options.depth, options.fanout
    );
    let tree = generator::value_tree(options.seed, options.depth, options.fanout, VALUE_WORKS)?;
    // Every leaf is 1 kg raised, valued `quantity` (1); every work 1.5 h, valued
    // `quantity * 10` (15); each process consumes all of its inputs, so the root holds all.
    let expected = Decimal::from(tree.leaves) + Decimal::from(tree.works) * Decimal::from(15);
    let (root, project, maker) = (tree.root, tree.project, tree.maker);
    let (config, store, summary) = imported(backend, "value-rollup", &tree.ledger, key_dir).await?;
    drop(tree);
    let draft = equation_draft(project, &[(Action::Work, "quantity * 10"), (Action::Raise, "quantity")])?;
    let equation = store.create_value_equation(maker, draft, None).await?.equation;
    let eq = equation.id;
    eprintln!("bench [{label}]: rolling up {} imported events …", summary.events);
    // The server builds its value index at start; here it is built first, and timed apart.
    let built = store.build_value_index().await?;
    let (end_to_end, (_, rolled)) =
        median_of(VALUE_RUNS, async || Ok(store.value_rollup(root, None, Some(eq)).await?)).await?;
    let (load, snapshot) = median_of(VALUE_RUNS, async || Ok(store.rollup_snapshot(root, &equation).await?)).await?;
    let upstream = snapshot.events().count();
    let (engine, alone) = median_of(VALUE_RUNS, async || {
        Ok(ovn_domain::value::rollup::rollup(&snapshot, root, None, &equation, RuleScope::All)?)
    })
    .await?;
    drop(snapshot);
    let server = Server::start(&config).await?;
    let body = json!({ "query": VALUE_ROLLUP, "variables": { "r": root.to_string(), "e": eq.to_string() } });
    // The first request waits for the index the server began building at start.
    server.post(None, &body).await?;
    let (http, response) = median_of(VALUE_RUNS, async || server.post(None, &body).await).await?;
    server.stop().await;
    let over_http = decimal_at(&response, "/data/valueRollup/totalValue")?;
    ensure!(expected > Decimal::ZERO, "the tree holds no contribution");
    for (what, total) in
        [("Store::value_rollup", rolled.total_value), ("rollup()", alone.total_value), ("valueRollup", over_http)]
    {
        ensure!(total == expected, "{what} rolled up {total}, the tree's shape gives {expected}");
    }
    let shares = rolled.shares.len();
    Ok(vec![
        Figure {
            work: format!(
                "valueRollup {{ totalValue }} over HTTP, {upstream} upstream events (total {expected}, {shares} shares; median of {VALUE_RUNS}) [{label}]"
            ),
            measured: ms(http),
            target: "< 300 ms",
        },
        Figure {
            work: format!("  Store::value_rollup, end to end (median of {VALUE_RUNS}) [{label}]"),
            measured: ms(end_to_end),
            target: "< 300 ms",
        },
        Figure {
            work: format!("  building the value index from the log ({} events, once) [{label}]", summary.events),
            measured: ms(built),
            target: "",
        },
        Figure {
            work: format!("  loading the snapshot (Store::rollup_snapshot; median of {VALUE_RUNS}) [{label}]"),
            measured: ms(load),
            target: "",
        },
        Figure {
            work: format!("  the engine alone (rollup() on a loaded snapshot; median of {VALUE_RUNS}) [{label}]"),
            measured: ms(engine),
            target: "< 50 ms",
        },
    ])
}

async fn value_equity(backend: &mut Backend, options: &BenchOptions, key_dir: &std::path::Path) -> Result<Vec<Figure>> {
    let label = backend.label();
    let count = options.equity_events;
    eprintln!("bench [{label}]: generating a project of {count} contributions (seed {}) …", options.seed);
    let books = generator::equity(options.seed, count)?;
    // Every contribution is work valued `quantity * 10`.
    let expected = books.hours * Decimal::TEN;
    let (project, affiliate) = (books.project, books.affiliate);
    eprintln!("bench [{label}]: importing them …");
    let (config, store, _) = imported(backend, "value-equity", &books.ledger, key_dir).await?;
    drop(books);
    let draft = equation_draft(project, &[(Action::Work, "quantity * 10")])?;
    let equation = store.create_value_equation(affiliate, draft, None).await?.equation;
    let eq = equation.id;
    eprintln!("bench [{label}]: fluid equity of {count} contributions …");
    // Cold: a fresh store each time, so nothing is cached; its value index is built first
    // (a server builds it at start), and timed apart.
    let mut colds = Vec::new();
    let mut builds = Vec::new();
    let mut kept = None;
    for _ in 0..3 {
        let fresh = crate::open_store(&config).await?;
        builds.push(fresh.build_value_index().await?);
        let started = Instant::now();
        let answer = fresh.fluid_equity(project, Some(eq), None).await?;
        colds.push(started.elapsed());
        kept = Some((fresh, answer));
    }
    colds.sort();
    builds.sort();
    let cold = percentile(&colds, 50);
    let built = percentile(&builds, 50);
    let (warm_store, cold_answer) = kept.context("no cold run")?;
    let (warm, warm_answer) =
        median_of(WARM_RUNS, async || Ok(warm_store.fluid_equity(project, Some(eq), None).await?)).await?;
    ensure!(Arc::ptr_eq(&cold_answer, &warm_answer), "the warm answer was computed again, not kept");
    let (load, snapshot) = median_of(3, async || Ok(Arc::new(store.scope_snapshot(project, &equation).await?))).await?;
    let (engine, alone) =
        median_of(3, async || Ok(ovn_domain::value::equity::fluid_equity(&snapshot, project, &equation, None)?))
            .await?;
    drop(snapshot);
    let server = Server::start(&config).await?;
    let body = json!({ "query": FLUID_EQUITY, "variables": { "s": project.to_string(), "e": eq.to_string() } });
    let started = Instant::now();
    server.post(None, &body).await?;
    let http_first = started.elapsed();
    // Cold again once the kept answer is too old to trust: worked out anew from the index.
    tokio::time::sleep(ovn_persistence::value::cache::MAX_AGE + Duration::from_millis(100)).await;
    let started = Instant::now();
    server.post(None, &body).await?;
    let http_cold = started.elapsed();
    let (http, response) = median_of(WARM_RUNS, async || server.post(None, &body).await).await?;
    server.stop().await;
    let over_http = decimal_at(&response, "/data/fluidEquity/total")?;
    let contributions = alone.counted;
    ensure!(contributions == count, "{contributions} of the {count} events were valued as contributions");
    for (what, total) in
        [("Store::fluid_equity", cold_answer.1.total), ("fluid_equity()", alone.total), ("fluidEquity", over_http)]
    {
        ensure!(total == expected, "{what} summed to {total}, the books give {expected}");
    }
    Ok(vec![
        Figure {
            work: format!(
                "fluidEquity of {count} contributions, cold (Store::fluid_equity on a fresh store; total {expected}, {} holders; median of 3) [{label}]",
                alone.holders.len()
            ),
            measured: ms(cold),
            target: "< 1 s",
        },
        Figure {
            work: format!("  building the value index from the log ({count} events; median of 3) [{label}]"),
            measured: ms(built),
            target: "",
        },
        Figure {
            work: format!("  loading the scope snapshot (Store::scope_snapshot; median of 3) [{label}]"),
            measured: ms(load),
            target: "",
        },
        Figure {
            work: format!("  valuing and summing (fluid_equity() on a loaded snapshot; median of 3) [{label}]"),
            measured: ms(engine),
            target: "",
        },
        Figure {
            work: format!(
                "fluidEquity of {count} contributions, warm (Store, cache hit; median of {WARM_RUNS}) [{label}]"
            ),
            measured: ms(warm),
            target: "< 50 ms",
        },
        Figure {
            work: format!(
                "fluidEquity {{ total }} over HTTP, {count} contributions, first after start (waits for the value index) [{label}]"
            ),
            measured: ms(http_first),
            target: "",
        },
        Figure {
            work: format!(
                "fluidEquity {{ total }} over HTTP, {count} contributions, cold (the kept answer expired) [{label}]"
            ),
            measured: ms(http_cold),
            target: "< 1 s",
        },
        Figure {
            work: format!(
                "fluidEquity {{ total }} over HTTP, {count} contributions, warm (median of {WARM_RUNS}) [{label}]"
            ),
            measured: ms(http),
            target: "< 50 ms",
        },
    ])
}

const DISTRIBUTE_REVENUE: &str = "mutation($r: ID!) { distributeRevenue(revenueEvent: $r) { distribution { \
     id amount unclaimed lines { agent { id } amount } } } }";

/// The `STRAIGHT` equation the distribution part adopts: 5% to `fund` (`AGENT`), 95% over
/// the period's work valued `quantity * 10` (`PERIOD`, no dates: every contribution).
fn straight_draft(scope: AgentId, fund: AgentId) -> Result<EquationDraft> {
    let bucket = |sequence: i32, name: &str, kind: BucketKind, percentage: i64| Bucket {
        id: ValueEquationBucketId::new(),
        sequence,
        name: name.to_owned(),
        kind,
        percentage: Decimal::from(percentage),
        recipient: None,
        period_start: None,
        period_end: None,
        rules: Vec::new(),
    };
    let fund_bucket = Bucket { recipient: Some(fund), ..bucket(1, "infrastructure", BucketKind::Agent, 5) };
    let work = Bucket {
        rules: equity_rules(&[(Action::Work, "quantity * 10")])?,
        ..bucket(2, "work", BucketKind::Period, 95)
    };
    Ok(EquationDraft {
        scope,
        name: "STRAIGHT".to_owned(),
        percentage_behavior: PercentageBehavior::Straight,
        valuation: Valuation::Restate,
        note: None,
        buckets: vec![fund_bucket, work],
    })
}

/// What the generator's books say a distribution must pay: each affiliate's hours (every
/// contribution is work valued `quantity * 10`, so the 10 cancels out of the shares) and the
/// fund.
struct Expected {
    fund: AgentId,
    hours: std::collections::HashMap<AgentId, Decimal>,
    total: Decimal,
}

impl Expected {
    /// Worked out from the ledger's work events, without the store.
    fn of(books: &generator::RevenueBooks) -> Self {
        let mut hours = std::collections::HashMap::new();
        for event in books.ledger.events.iter().filter(|e| e.core.action == Action::Work) {
            let h = event.core.effort_quantity.map_or(Decimal::ZERO, |m| m.has_numerical_value);
            *hours.entry(event.core.provider).or_insert(Decimal::ZERO) += h;
        }
        let total = hours.values().copied().sum();
        Self { fund: books.fund, hours, total }
    }

    /// Checks `lines` (agent, amount) split `amount`: they sum to it exactly, the fund gets
    /// exactly 5%, and each affiliate 95% × its hours / all hours, to within one minor unit
    /// (0.01: largest remainder rounds each line down or up by less than a cent).
    fn check(&self, what: &str, amount: Decimal, unclaimed: Decimal, lines: &[(AgentId, Decimal)]) -> Result<()> {
        let paid: Decimal = lines.iter().map(|(_, a)| *a).sum();
        ensure!(paid == amount, "{what}: the lines sum to {paid}, the revenue is {amount}");
        ensure!(unclaimed == Decimal::ZERO, "{what}: {unclaimed} unclaimed");
        let fund: Vec<Decimal> = lines.iter().filter(|(a, _)| *a == self.fund).map(|(_, x)| *x).collect();
        let five = amount * Decimal::from(5) / Decimal::ONE_HUNDRED;
        ensure!(fund == [five], "{what}: the fund got {fund:?}, 5% of {amount} is {five}");
        let pot = amount - five;
        let cent = Decimal::new(1, 2);
        let mut seen = 0;
        for (agent, got) in lines.iter().filter(|(a, _)| *a != self.fund) {
            let hours = self.hours.get(agent).with_context(|| format!("{what}: {agent} did no work but got {got}"))?;
            let exact = pot * *hours / self.total;
            ensure!(
                (*got - exact).abs() < cent,
                "{what}: {agent} got {got}, {hours} h of {} gives {exact}",
                self.total
            );
            seen += 1;
        }
        ensure!(seen == self.hours.len(), "{what}: {seen} affiliates paid, {} worked", self.hours.len());
        Ok(())
    }
}

/// Adopts `draft` the real way: an `ADOPT_VALUE_EQUATION` proposal by `proposer`, then a vote
/// in favour by every elector (the project's active contributors, one vote each), which
/// decides it as soon as the last one is cast. With 100 affiliates by default that is 100
/// short transactions, a few seconds at most, outside every timing.
async fn adopted(
    store: &Store,
    proposer: AgentId,
    draft: EquationDraft,
) -> Result<ovn_domain::value::equation::ValueEquation> {
    use ovn_domain::governance::{NewProposal, ProposalKind, ProposalStatus};
    let scope = draft.scope;
    let equation = store.create_value_equation(proposer, draft, None).await?.equation;
    let new = NewProposal {
        kind: ProposalKind::AdoptValueEquation,
        scope,
        value_equation: Some(equation.id),
        pool: None,
        amount: None,
        recipient: None,
        agreement: None,
        access_rule: None,
        deadline: chrono::Utc::now() + chrono::Duration::days(1),
        note: None,
    };
    let proposal = store.create_governance_proposal(proposer, new, None).await?;
    let electors = store.governance_electors_of(&[proposal.id]).await?.remove(&proposal.id).unwrap_or_default();
    let mut decided = proposal;
    for elector in &electors {
        decided = store.vote(elector.agent, decided.id, true).await?;
    }
    ensure!(decided.status == ProposalStatus::Passed, "the proposal was not adopted: {:?}", decided.status);
    let stored =
        store.value_equations_by_id(&[equation.id]).await?.remove(&equation.id).context("the equation is gone")?;
    ensure!(stored.equation.adopted_at.is_some(), "the equation passed but is not adopted");
    Ok(stored.equation)
}

async fn distribution(backend: &mut Backend, options: &BenchOptions, key_dir: &std::path::Path) -> Result<Vec<Figure>> {
    use ovn_persistence::value::distributions::DistributeRevenue;
    let label = backend.label();
    let count = options.distribution_contributions;
    eprintln!("bench [{label}]: generating a project of {count} contributions with revenue (seed {}) …", options.seed);
    let books = generator::revenue(options.seed, count)?;
    let expected = Expected::of(&books);
    let (project, affiliate, firm, fund) = (books.project, books.affiliate, books.firm, books.fund);
    let [(first, amount), (second, second_amount)] = books.sales[..] else { bail!("the generator made no two sales") };
    eprintln!("bench [{label}]: importing them …");
    let (config, store, _) = imported(backend, "distribution", &books.ledger, key_dir).await?;
    drop(books);
    eprintln!("bench [{label}]: adopting STRAIGHT by a vote of the contributors …");
    let equation = adopted(&store, affiliate, straight_draft(project, fund)?).await?;
    let command =
        |revenue_event| DistributeRevenue { revenue_event, equation: None, deliverable: None, quantity: None };
    eprintln!("bench [{label}]: distributing {amount} over {count} contributions …");
    // Cold: the first call for this revenue event, on a fresh store; it writes the payouts, so
    // it runs once.
    let fresh = crate::open_store(&config).await?;
    let built = fresh.build_value_index().await?;
    let started = Instant::now();
    let written = fresh.distribute_revenue(firm, command(first), None).await?;
    let cold = started.elapsed();
    let (again, answered) =
        median_of(VALUE_RUNS, async || Ok(fresh.distribute_revenue(firm, command(first), None).await?)).await?;
    ensure!(answered.id == written.id, "a second call wrote another distribution");
    ensure!(written.equation == equation.id, "distributed by another version");
    let lines = fresh.distribution_lines(&[written.id]).await?.remove(&written.id).unwrap_or_default();
    let pairs: Vec<(AgentId, Decimal)> = lines.iter().map(|l| (l.agent, l.amount)).collect();
    expected.check("Store::distribute_revenue", written.amount, written.unclaimed, &pairs)?;
    ensure!(written.amount == amount, "distributed {}, the sale was {amount}", written.amount);
    // Over HTTP: the second sale, distributed by the exchange firm with its own token.
    let server = Server::start(&config).await?;
    let token = ovn_api::auth::mint(&crate::load_auth(&config)?, firm.uuid(), chrono::Duration::hours(1))?;
    let body = json!({ "query": DISTRIBUTE_REVENUE, "variables": { "r": second.to_string() } });
    // Waits for the value index the server began building at start (a fluid equity, kept
    // apart from what the distribution reads of it).
    let equity =
        json!({ "query": FLUID_EQUITY, "variables": { "s": project.to_string(), "e": equation.id.to_string() } });
    server.post(None, &equity).await?;
    let started = Instant::now();
    let response = server.post(Some(&token), &body).await?;
    let http = started.elapsed();
    server.stop().await;
    let answered = response.pointer("/data/distributeRevenue/distribution").context("no distribution")?;
    let mut over_http = Vec::new();
    for line in answered["lines"].as_array().into_iter().flatten() {
        let agent = line.pointer("/agent/id").and_then(Value::as_str).context("a line without agent")?;
        let agent = AgentId::from_uuid(agent.parse().with_context(|| format!("agent id {agent}"))?);
        over_http.push((agent, decimal_at(line, "/amount")?));
    }
    let http_amount = decimal_at(answered, "/amount")?;
    ensure!(http_amount == second_amount, "distributed {http_amount} over HTTP, the sale was {second_amount}");
    expected.check("distributeRevenue", http_amount, decimal_at(answered, "/unclaimed")?, &over_http)?;
    let paid = lines.len();
    Ok(vec![
        Figure {
            work: format!(
                "distributeRevenue of {amount} over {count} contributions, cold (Store::distribute_revenue on a fresh store, first call: {paid} lines paid; once) [{label}]"
            ),
            measured: ms(cold),
            target: "< 500 ms",
        },
        Figure {
            work: format!("  building the value index from the log first (once) [{label}]"),
            measured: ms(built),
            target: "",
        },
        Figure {
            work: format!("  the same revenue again (answers the first; median of {VALUE_RUNS}) [{label}]"),
            measured: ms(again),
            target: "< 500 ms",
        },
        Figure {
            work: format!(
                "distributeRevenue over HTTP, a second sale of {second_amount}, {count} contributions (first call; once) [{label}]"
            ),
            measured: ms(http),
            target: "< 500 ms",
        },
    ])
}

/// Resident memory of this process, in bytes (Linux; `None` elsewhere).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The flow index of `count` synthetic events, built in memory: its resident size.
fn index_memory(count: usize) -> Result<Vec<Figure>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    eprintln!("bench: building the flow index of {count} synthetic events in memory …");
    // A production chain with a few branches: each process consumes the previous resource and
    // is given work, and produces the next; one event in ten is a transfer, so resources and
    // processes are shared the way a real ledger shares them.
    let kg = UnitId::new();
    let hour = UnitId::new();
    let at = chrono::Utc::now();
    let mut resource = EconomicResourceId::new();
    let mut process = ProcessId::new();
    let mut events = Vec::with_capacity(count);
    for i in 0..count {
        let (action, from, to, input, output) = match i % 10 {
            0 => {
                process = ProcessId::new();
                (ovn_domain::Action::Consume, Some(resource), None, Some(process), None)
            }
            1 | 2 => (ovn_domain::Action::Work, None, None, Some(process), None),
            3 => {
                resource = EconomicResourceId::new();
                (ovn_domain::Action::Produce, Some(resource), None, None, Some(process))
            }
            4 => {
                let to = EconomicResourceId::new();
                let from = resource;
                resource = to;
                (ovn_domain::Action::Transfer, Some(from), Some(to), None, None)
            }
            _ => (ovn_domain::Action::Use, Some(resource), None, Some(process), None),
        };
        let quantity = |unit| Some(ovn_domain::Measure::new(rust_decimal::Decimal::new(i as i64, 2), Some(unit)));
        let work = action == ovn_domain::Action::Work;
        events.push(FlowEvent {
            id: ovn_domain::EconomicEventId::new(),
            action,
            resource_inventoried_as: from,
            to_resource_inventoried_as: to,
            input_of: input,
            output_of: output,
            resource_quantity: if work { None } else { quantity(kg) },
            effort_quantity: if work { quantity(hour) } else { None },
            has_point_in_time: at,
            created: at + chrono::Duration::microseconds(i as i64),
            corrects: None,
        });
    }
    // Measured with the events alive from before the build to after it, so that what grows
    // is the index alone, whether or not the allocator hands freed memory back at once.
    let before = resident_bytes().context("reading /proc/self/statm")?;
    let started = Instant::now();
    let mut graph = FlowGraph::default();
    graph.extend(events.iter().cloned());
    let took = started.elapsed();
    let after = resident_bytes().context("reading /proc/self/statm")?;
    drop(events);
    ensure!(graph.len() == count, "indexed {} of {count} events", graph.len());
    let per_million = (after.saturating_sub(before)) as f64 / count as f64 * 1_000_000.0 / 1_048_576.0;
    drop(graph);
    Ok(vec![Figure {
        work: format!("flow index of {count} synthetic events: resident memory (built in {})", ms(took)),
        measured: format!("{per_million:.0} MiB per million events"),
        target: "",
    }])
}

async fn run_on(backend: &mut Backend, options: &BenchOptions, key_dir: &std::path::Path) -> Result<Vec<Figure>> {
    let runs = |part: &str| options.only.as_deref().is_none_or(|only| only == part);
    let mut figures = Vec::new();
    if runs("mutations") {
        figures.extend(mutations_and_reads(backend, options, key_dir).await?);
    }
    if runs("import") {
        figures.extend(bulk_import(backend, options, key_dir).await?);
    }
    if runs("trace") {
        figures.extend(trace(backend, options, key_dir).await?);
    }
    if runs("value") || runs("rollup") {
        figures.extend(value_rollup(backend, options, key_dir).await?);
    }
    if runs("value") || runs("equity") {
        figures.extend(value_equity(backend, options, key_dir).await?);
    }
    if runs("distribution") {
        figures.extend(distribution(backend, options, key_dir).await?);
    }
    Ok(figures)
}

/// Writes the bulk-import ledger to `path` (see [`BenchOptions::write_ledger`]).
fn write_ledger(options: &BenchOptions, path: &std::path::Path) -> Result<()> {
    let ledger = generator::network(options.seed, options.events)?;
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let summary = ovn_jsonld::write(&ledger, "http://127.0.0.1", &mut out)?;
    std::io::Write::flush(&mut out)?;
    eprintln!("wrote {} records ({} events) to {}", summary.total(), summary.events, path.display());
    Ok(())
}

/// The report: each figure beside its target and its reference, regressions called out.
fn table(figures: &[Figure], reference: &baseline::Baseline) -> String {
    let compared: Vec<Option<baseline::Compared>> =
        figures.iter().map(|f| reference.compare(&f.work, &f.measured)).collect();
    let width = figures.iter().map(|f| f.work.chars().count()).max().unwrap_or(4).max(4);
    let measured = figures.iter().map(|f| f.measured.chars().count()).max().unwrap_or(8).max(8);
    let mut out = String::new();
    let _ = writeln!(out, "| {:width$} | {:>measured$} | target | reference | change |", "work", "measured");
    let _ = writeln!(out, "|{}|{}|---|---:|---:|", "-".repeat(width + 2), "-".repeat(measured + 2));
    for (f, c) in figures.iter().zip(&compared) {
        let (then, change) = match c {
            Some(c) => {
                let flag = if c.is_regression() { " REGRESSION" } else { "" };
                (c.reference.clone(), format!("{:+.0}%{flag}", c.gain * 100.0))
            }
            None => (String::new(), String::new()),
        };
        let _ = writeln!(out, "| {:width$} | {:>measured$} | {} | {then} | {change} |", f.work, f.measured, f.target);
    }
    let regressions: Vec<&Figure> = figures
        .iter()
        .zip(&compared)
        .filter(|(_, c)| c.as_ref().is_some_and(|c| c.is_regression()))
        .map(|(f, _)| f)
        .collect();
    let _ = writeln!(
        out,
        "\nreference: {}; change: how much more work per unit of time than the reference (a regression is worse by more than {:.0}%)",
        reference.source(),
        baseline::REGRESSION * 100.0
    );
    if regressions.is_empty() {
        let _ = writeln!(out, "no regression");
    } else {
        let _ = writeln!(out, "{} REGRESSION(S):", regressions.len());
        for f in regressions {
            let _ = writeln!(out, "- {}: {}", f.work, f.measured);
        }
    }
    out
}

/// Runs the bench and prints the table on stdout.
pub async fn run(options: &BenchOptions) -> Result<()> {
    if let Some(path) = &options.write_ledger {
        return write_ledger(options, path);
    }
    if let Some(only) = &options.only {
        ensure!(
            ["mutations", "import", "trace", "value", "rollup", "equity", "distribution"].contains(&only.as_str()),
            "--only takes mutations, import, trace, value (or one half of it: rollup, equity) or distribution"
        );
    }
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("ovn-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // First, while the process is fresh: later parts leave freed heap that the index would
    // reuse without growing the resident size.
    let memory = index_memory(options.index_events)?;
    let mut sqlite = Backend::Sqlite { dir: dir.clone() };
    let result = run_on(&mut sqlite, options, &dir).await;
    let cleaned = sqlite.clean_up().await;
    let mut figures = memory;
    figures.extend(result?);
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
        "ovn bench (seed {}, {} import events, tree depth {} fan-out {}, {} equity events, {} distribution contributions, {} clients, {} CPUs) in {:.0} s\n",
        options.seed,
        options.events,
        options.depth,
        options.fanout,
        options.equity_events,
        options.distribution_contributions,
        options.clients,
        std::thread::available_parallelism().map_or(0, usize::from),
        started.elapsed().as_secs_f64()
    );
    let reference = baseline::Baseline::load(options.baseline.as_deref())?;
    print!("{}", table(&figures, &reference));
    if let Some(path) = &options.json {
        let stored: Vec<baseline::Stored> =
            figures.iter().map(|f| baseline::Stored { work: f.work.clone(), measured: f.measured.clone() }).collect();
        std::fs::write(path, serde_json::to_string_pretty(&stored)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
