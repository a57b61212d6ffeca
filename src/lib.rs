//! ovn: the backend of an Open Value Network. This crate is the binary's library: it reads
//! the configuration, opens and migrates the database, and starts the HTTP server; `import`,
//! `export`, `demo` and `bench` are the command-line glue around `ovn-jsonld` and the store. The CLI
//! (`src/main.rs`) and the end-to-end tests (`tests/`) both start ovn through here, so the
//! tests run exactly what production runs.

// async-graphql resolves the merged root objects (one per module) as nested futures whose
// layout the compiler computes recursively; with fourteen modules that passes the default 128.
#![recursion_limit = "256"]

pub mod bench;
pub mod config;
pub mod demo;
pub mod export;
pub mod import;

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::ServerHandle, middleware};
use anyhow::Context as _;
use ovn_api::{AppState, auth};
use ovn_migration::{Migrator, MigratorTrait};
use ovn_persistence::Store;

pub use config::Config;

/// Opens the database named by the configuration and brings its schema up to date.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database).await.context("opening the database")?;
    Migrator::up(store.connection(), None).await.context("migrating the database")?;
    Ok(store)
}

/// Loads (or, outside production, generates) the token keys.
pub fn load_auth(config: &Config) -> anyhow::Result<auth::AuthConfig> {
    auth::load_keys(&config.keys).context("loading the token keys")
}

/// A running server.
pub struct RunningServer {
    /// The port it listens on.
    pub port: u16,
    /// Stops it.
    pub handle: ServerHandle,
    /// Resolves when it has stopped.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Starts serving on `listener` (bound by the caller, so tests can bind port 0).
///
/// Also starts the governance sweeper ([`ovn_persistence::governance::sweeper`]), which decides
/// proposals at their deadline until the server stops.
pub async fn start(config: &Config, listener: TcpListener) -> anyhow::Result<RunningServer> {
    let store = open_store(config).await?;
    let auth = load_auth(config)?;
    let sweeper = ovn_persistence::governance::sweeper::spawn(store.clone(), config.governance_sweep);
    let state = AppState::new(store, auth, config.api.clone());
    let port = listener.local_addr()?.port();
    let workers = config.workers;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware::Logger::new("%r %s %Dms").log_target("ovn::http"))
            .configure(ovn_api::configure(state.clone()))
    })
    .workers(workers)
    .listen(listener)?
    .run();
    let handle = server.handle();
    let task = tokio::spawn(async move {
        let stopped = server.await;
        sweeper.abort();
        stopped
    });
    Ok(RunningServer { port, handle, task })
}
