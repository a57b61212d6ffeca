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
//!    leaves are raised), imports it, then times `economicResource(id) { trace { __typename } }`
//!    over HTTP on the root, and separately the in-memory walk ([`FlowGraph::trace`](ovn_domain::flow::FlowGraph::trace)) on the
//!    slice loaded from the database.
//!
//! This module runs the parts and measures them; the data comes from [`generator`], which
//! measures nothing.

pub mod generator;

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use ovn_api::ApiSettings;
use ovn_api::auth::KeySettings;
use ovn_domain::flow::{Direction, FlowNode};
use ovn_domain::{AgentId, EconomicResourceId, ProcessId, UnitId};
use ovn_migration::sea_orm::ConnectionTrait as _;
use ovn_persistence::{DatabaseSettings, Store};
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
    /// Run only this part (`mutations`, `import` or `trace`); all when `None`.
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
    if let Some(path) = &options.write_ledger {
        return write_ledger(options, path);
    }
    if let Some(only) = &options.only {
        ensure!(["mutations", "import", "trace"].contains(&only.as_str()), "--only takes mutations, import or trace");
    }
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
