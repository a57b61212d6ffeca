//! Configuration: one typed struct, read once from the environment (and from `.env` when
//! present). `.env.example` documents every variable.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use ovn_api::ApiSettings;
use ovn_api::auth::KeySettings;
use ovn_persistence::DatabaseSettings;

/// Everything ovn reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `OVN_ENV=production` turns off introspection, suggestions and GraphiQL, and refuses to
    /// start without a configured signing key.
    pub production: bool,
    /// `OVN_BIND`: address to listen on.
    pub bind: String,
    /// `OVN_PUBLIC_URL`: the base of every record's IRI.
    pub public_url: String,
    /// `OVN_WORKERS`: HTTP worker threads.
    pub workers: usize,
    /// `DATABASE_URL` and friends.
    pub database: DatabaseSettings,
    /// Token keys.
    pub keys: KeySettings,
    /// `OVN_TOKEN_TTL_HOURS`: lifetime of tokens minted by `ovn token`.
    pub token_ttl: chrono::Duration,
    /// Request bounds.
    pub api: ApiSettings,
    /// `OVN_GOVERNANCE_SWEEP_MS`: how often the server decides the governance proposals whose
    /// deadline has come.
    pub governance_sweep: Duration,
}

/// How often a server sweeps governance proposals by default: a proposal is decided at most
/// about a second after its deadline.
pub const DEFAULT_GOVERNANCE_SWEEP: Duration = Duration::from_secs(1);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(text) => text.trim().parse().ok().with_context(|| format!("{name} must be a number, not `{text}`")),
    }
}

/// The sweep period from milliseconds; a period of 0 would make the sweeper spin.
fn sweep_period(millis: u64) -> anyhow::Result<Duration> {
    if millis == 0 {
        bail!("OVN_GOVERNANCE_SWEEP_MS must be at least 1");
    }
    Ok(Duration::from_millis(millis))
}

impl Config {
    /// Reads the configuration from the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let production = match var("OVN_ENV").as_deref() {
            None | Some("development") | Some("test") => false,
            Some("production") => true,
            Some(other) => bail!("OVN_ENV must be development, test or production, not `{other}`"),
        };
        let mut database =
            DatabaseSettings::new(var("DATABASE_URL").unwrap_or_else(|| "sqlite://ovn.db?mode=rwc".into()));
        database.max_connections = number("OVN_DATABASE_MAX_CONNECTIONS", database.max_connections)?;
        database.postgres_schema = var("OVN_DATABASE_SCHEMA");
        let public_keys = match var("OVN_JWT_PUBLIC_KEYS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|entry| {
                    let (kid, path) = entry.split_once('=').context("OVN_JWT_PUBLIC_KEYS entries are kid=path")?;
                    let pem = std::fs::read_to_string(path.trim()).with_context(|| format!("reading {path}"))?;
                    Ok((kid.trim().to_owned(), pem))
                })
                .collect::<anyhow::Result<Vec<_>>>()?,
        };
        let keys = KeySettings {
            issuer: var("OVN_JWT_ISSUER").unwrap_or_else(|| "ovn".into()),
            audience: var("OVN_JWT_AUDIENCE").unwrap_or_else(|| "ovn".into()),
            private_key_pem: var("OVN_JWT_PRIVATE_KEY"),
            private_key_file: var("OVN_JWT_PRIVATE_KEY_FILE").map(PathBuf::from),
            public_keys,
            kid: var("OVN_JWT_KID").unwrap_or_else(|| "ovn-1".into()),
            dev_key_file: PathBuf::from(var("OVN_JWT_DEV_KEY_FILE").unwrap_or_else(|| "ovn-dev-key.pem".into())),
            production,
        };
        let defaults = ApiSettings::default();
        let mut document = defaults.document;
        document.max_depth = number("OVN_MAX_DEPTH", document.max_depth)?;
        document.max_aliases = number("OVN_MAX_ALIASES", document.max_aliases)?;
        document.max_fragment_spreads = number("OVN_MAX_FRAGMENT_SPREADS", document.max_fragment_spreads)?;
        document.max_selections = number("OVN_MAX_SELECTIONS", document.max_selections)?;
        let api = ApiSettings {
            production,
            max_body_bytes: number("OVN_MAX_BODY_BYTES", defaults.max_body_bytes)?,
            max_depth: document.max_depth,
            max_complexity: number("OVN_MAX_COMPLEXITY", defaults.max_complexity)?,
            request_timeout: Duration::from_millis(number(
                "OVN_REQUEST_TIMEOUT_MS",
                u64::try_from(defaults.request_timeout.as_millis()).unwrap_or(10_000),
            )?),
            document,
            max_flow_nodes: number("OVN_MAX_FLOW_NODES", defaults.max_flow_nodes)?,
        };
        Ok(Self {
            production,
            bind: var("OVN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            public_url: var("OVN_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into()),
            workers: number("OVN_WORKERS", 2)?,
            database,
            keys,
            token_ttl: chrono::Duration::hours(number("OVN_TOKEN_TTL_HOURS", 24)?),
            api,
            governance_sweep: sweep_period(number(
                "OVN_GOVERNANCE_SWEEP_MS",
                u64::try_from(DEFAULT_GOVERNANCE_SWEEP.as_millis()).unwrap_or(1_000),
            )?)?,
        })
    }
}
