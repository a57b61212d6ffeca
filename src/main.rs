//! The `ovn` command line: serve, migrate, print the schema, add an agent, mint a token, load
//! the demo, import and export.

// As in the library: the merged root objects' resolver futures nest past the default 128.
#![recursion_limit = "256"]

use std::net::TcpListener;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use ovn::Config;
use ovn_domain::agent::{AgentKind, AgentProfile};
use ovn_domain::text::Name;
use tracing_subscriber::EnvFilter;

/// The server allocates and frees much in bursts (a rollup writes and drops tens of
/// megabytes of shares; the value index holds a million small events). The system allocator
/// handed large blocks back to the kernel and faulted them in again on the next request, and
/// its timings swung with what the previous request had freed; mimalloc reuses its pages.
/// docs/performance.md has the figures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "ovn", version, about = "The backend of an Open Value Network (ValueFlows over GraphQL)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve GraphQL on OVN_BIND.
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Manage agents from the command line.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Mint a bearer token for an agent and print it alone on stdout.
    Token {
        /// The agent's id.
        #[arg(long)]
        agent: String,
    },
    /// Load a ValueFlows JSON-LD ledger (as `ovn export` writes it) into an empty database:
    /// everything is checked first, then written in one transaction.
    Import {
        /// The JSON-LD file.
        file: std::path::PathBuf,
    },
    /// Measure ovn against its performance targets (README, Performance) on a synthetic network (build with
    /// --release). Uses temporary databases; PostgreSQL too with --database-url.
    Bench {
        /// Seed of the synthetic network (same seed, same network).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Events in the bulk-import ledger.
        #[arg(long, default_value_t = 200_000)]
        events: usize,
        /// Levels of the process tree traced.
        #[arg(long, default_value_t = 9)]
        depth: u32,
        /// Inputs per process of the tree.
        #[arg(long, default_value_t = 3)]
        fanout: u32,
        /// Concurrent clients.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Sequential mutations timed from one client.
        #[arg(long, default_value_t = 2_000)]
        samples: usize,
        /// Mutations per client in the concurrent run.
        #[arg(long, default_value_t = 500)]
        per_client: usize,
        /// `agent(id)` requests per client.
        #[arg(long, default_value_t = 2_500)]
        reads_per_client: usize,
        /// Also run against this PostgreSQL server (fresh schemas, dropped afterwards).
        #[arg(long)]
        database_url: Option<String>,
        /// Compare with the figures in this file (as written by --json) instead of the README's.
        #[arg(long)]
        baseline: Option<std::path::PathBuf>,
        /// Also write the figures to this file (JSON), to compare a later run with.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
        /// Synthetic events of the in-memory flow index whose memory is measured (0 skips it).
        #[arg(long, default_value_t = 1_000_000)]
        index_events: usize,
        /// Contribution events of the fluid-equity scope in the value part (scale down for a quick run).
        #[arg(long, default_value_t = 1_000_000)]
        equity_events: usize,
        /// Work contributions of the project whose revenue the distribution part splits.
        #[arg(long, default_value_t = 100_000)]
        distribution_contributions: usize,
        /// Run only one part: mutations (and reads), import, trace, value (rollup and equity), or
        /// distribution.
        #[arg(long)]
        only: Option<String>,
        /// Write the bulk-import ledger (--events, --seed) to this JSON-LD file and stop.
        #[arg(long)]
        write_ledger: Option<std::path::PathBuf>,
    },
    /// Load the sensor kit of DESIGN 4.6 (a network, its project, four contributors, an adopted
    /// equation, a sale and its distribution) into an empty database, and print what to query.
    Demo,
    /// Write the whole ledger as ValueFlows JSON-LD (IRIs under OVN_PUBLIC_URL), or with
    /// `--format csv` one row per distribution line.
    Export {
        /// Output format: `jsonld` (the whole ledger) or `csv` (the distribution lines).
        #[arg(long, default_value = "jsonld")]
        format: String,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Create an agent and print its id (how the first agent comes to be).
    Add {
        /// Display name.
        #[arg(long)]
        name: String,
        /// person or organization.
        #[arg(long, default_value = "person")]
        kind: String,
    },
}

fn init_logs(production: bool, default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if production || std::env::var("OVN_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second initialisation (never expected) is harmless; keep the first subscriber.
    drop(result);
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    dotenvy::dotenv().ok();
    let cli = Cli::parse();
    if let Command::Schema = cli.command {
        print!("{}", ovn_api::sdl());
        return Ok(());
    }
    let config = Config::from_env()?;
    // The bench would otherwise log every one of its requests.
    let quiet = matches!(cli.command, Command::Bench { .. });
    init_logs(config.production, if quiet { "warn" } else { "info" });
    match cli.command {
        Command::Schema => {}
        Command::Serve => {
            let listener = TcpListener::bind(&config.bind).with_context(|| format!("binding {}", config.bind))?;
            let server = ovn::start(&config, listener).await?;
            tracing::info!(bind = %config.bind, production = config.production, "ovn is serving GraphQL at /graphql");
            server.task.await.context("server task")??;
        }
        Command::Migrate => {
            ovn::open_store(&config).await?;
            tracing::info!("database is up to date");
        }
        Command::Agent { command: AgentCommand::Add { name, kind } } => {
            let store = ovn::open_store(&config).await?;
            let profile =
                AgentProfile { name: Name::parse("name", &name)?, image: None, note: None, classified_as: Vec::new() };
            let outcome = store.create_agent(AgentKind::parse(&kind)?, profile, None).await?;
            println!("{}", outcome.id);
        }
        Command::Demo => {
            let store = ovn::open_store(&config).await?;
            let ids = ovn::demo::load(&store, &config.api).await?;
            print!("{ids}");
        }
        Command::Import { file } => {
            let store = ovn::open_store(&config).await?;
            let summary = ovn::import::import_file(&store, &file, ovn::import::ShowProgress::Stderr)
                .await
                .map_err(|err| anyhow::anyhow!("{err}"))?;
            eprintln!("{summary}");
        }
        Command::Export { format, output } => {
            anyhow::ensure!(
                format == "jsonld" || format == "csv",
                "unknown export format `{format}` (`jsonld` or `csv`)"
            );
            let store = ovn::open_store(&config).await?;
            if format == "csv" {
                let lines = match &output {
                    Some(path) => {
                        let file =
                            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
                        ovn::export::export_distributions_csv(&store, std::io::BufWriter::new(file)).await?
                    }
                    None => ovn::export::export_distributions_csv(&store, std::io::stdout().lock()).await?,
                };
                tracing::info!(lines, "exported the distribution lines");
                return Ok(());
            }
            let summary = match &output {
                Some(path) => {
                    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
                    ovn::export::export(&store, &config.public_url, file).await?
                }
                None => ovn::export::export(&store, &config.public_url, std::io::stdout().lock()).await?,
            };
            tracing::info!(records = summary.total(), events = summary.events, "exported");
        }
        Command::Bench {
            seed,
            events,
            depth,
            fanout,
            clients,
            samples,
            per_client,
            reads_per_client,
            database_url,
            baseline,
            json,
            index_events,
            equity_events,
            distribution_contributions,
            only,
            write_ledger,
        } => {
            let options = ovn::bench::BenchOptions {
                seed,
                events,
                depth,
                fanout,
                clients,
                samples,
                per_client,
                reads_per_client,
                database_url,
                baseline,
                json,
                index_events,
                equity_events,
                distribution_contributions,
                only,
                write_ledger,
            };
            ovn::bench::run(&options).await?;
        }
        Command::Token { agent } => {
            let agent = ovn_domain::AgentId::parse(&agent)?;
            // A token for nobody would be accepted by the server yet act for no one.
            let store = ovn::open_store(&config).await?;
            if store.agent(agent).await?.is_none() {
                anyhow::bail!("no agent with id {agent} (create one with `ovn agent add`)");
            }
            let auth = ovn::load_auth(&config)?;
            let token = ovn_api::auth::mint(&auth, agent.uuid(), config.token_ttl)?;
            println!("{token}");
        }
    }
    Ok(())
}
