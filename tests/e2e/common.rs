//! The end-to-end test harness: a fresh database per test (SQLite in a temporary directory, or
//! a fresh PostgreSQL schema when `OVN_TEST_POSTGRES_URL` is set), and a real ovn server on a
//! random local port, started through `ovn::start` exactly as `ovn serve` starts it.
//!
//! Every test module uses it as `crate::common`. Nothing here unwraps: helpers return
//! `anyhow::Result`, so a failure names what went wrong.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result, bail, ensure};
use ovn::Config;
use ovn_api::ApiSettings;
use ovn_api::auth::{AuthConfig, KeySettings};
use ovn_domain::agent::{AgentKind, AgentProfile};
use ovn_domain::text::Name;
use ovn_persistence::{DatabaseSettings, Store};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};
use tempfile::TempDir;

/// Set to a PostgreSQL URL (`postgres://postgres@127.0.0.1:5432/test`) to run every test on
/// PostgreSQL instead of SQLite. When set, an unreachable server fails the tests.
pub const POSTGRES_URL_VAR: &str = "OVN_TEST_POSTGRES_URL";

/// The PostgreSQL URL to test against, if one is configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR).ok().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty())
}

/// A fresh, empty database for one test.
pub struct TestDb {
    /// How ovn reaches it.
    pub settings: DatabaseSettings,
    /// A private temporary directory (the SQLite file, key files, anything else).
    pub dir: TempDir,
    /// The PostgreSQL server and schema, dropped with the `TestDb`.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// SQLite in a new temporary directory, or a new PostgreSQL schema `ovn_test_<uuid>`
    /// when `OVN_TEST_POSTGRES_URL` is set.
    pub async fn new() -> Result<Self> {
        let dir = tempfile::tempdir().context("creating a temporary directory")?;
        let Some(url) = postgres_url() else {
            let mut settings = DatabaseSettings::new(format!("sqlite://{}/ovn.db?mode=rwc", dir.path().display()));
            settings.max_connections = 4;
            return Ok(Self { settings, dir, postgres: None });
        };
        let schema = format!("ovn_test_{}", uuid::Uuid::new_v4().simple());
        let admin = admin_connection(&url).await?;
        admin
            .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
            .await
            .with_context(|| format!("creating schema {schema}"))?;
        admin.close().await.context("closing the admin connection")?;
        let mut settings = DatabaseSettings::new(url.clone());
        settings.max_connections = 4;
        settings.postgres_schema = Some(schema.clone());
        Ok(Self { settings, dir, postgres: Some((url, schema)) })
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The environment that points the `ovn` binary at this database.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![("DATABASE_URL".to_owned(), self.settings.url.clone())];
        if let Some(schema) = &self.settings.postgres_schema {
            env.push(("OVN_DATABASE_SCHEMA".to_owned(), schema.clone()));
        }
        env
    }

    /// The backend the tests must be running on.
    pub fn expected_backend(&self) -> sea_orm::DbBackend {
        if self.is_postgres() { sea_orm::DbBackend::Postgres } else { sea_orm::DbBackend::Sqlite }
    }

    /// Opens the database and runs the migrations (what `ovn migrate` does).
    pub async fn open_store(&self) -> Result<Store> {
        let store = Store::connect(&self.settings).await.context("connecting to the test database")?;
        ensure!(store.backend() == self.expected_backend(), "connected to {:?}", store.backend());
        <ovn_migration::Migrator as ovn_migration::MigratorTrait>::up(store.connection(), None)
            .await
            .context("migrating the test database")?;
        Ok(store)
    }
}

async fn admin_connection(url: &str) -> Result<sea_orm::DatabaseConnection> {
    let mut options = sea_orm::ConnectOptions::new(url.to_owned());
    options.max_connections(1).connect_timeout(Duration::from_secs(5)).sqlx_logging(false);
    sea_orm::Database::connect(options).await.with_context(|| {
        format!("{POSTGRES_URL_VAR} is set but PostgreSQL at {url} is unreachable (tests fail rather than skip)")
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((url, schema)) = self.postgres.take() else { return };
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
        // thread with its own runtime drops the schema. Best effort: a leftover schema is
        // reported, not fatal.
        let dropped = std::thread::spawn(move || -> Result<()> {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let admin = admin_connection(&url).await?;
                admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).await?;
                admin.close().await?;
                Ok(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(err)) => eprintln!("could not drop the test schema: {err:#}"),
            Err(_) => eprintln!("could not drop the test schema: the cleanup thread panicked"),
        }
    }
}

/// A generated Ed25519 private key, as PKCS#8 PEM (what production configurations hold).
pub fn generate_private_key_pem() -> Result<String> {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the key: {e}"))?;
    Ok(pem.to_string())
}

/// The configuration a test server starts with: the test database, a development key file
/// in the test's directory, development mode, default bounds, one worker.
pub fn test_config(db: &TestDb) -> Config {
    let production = false;
    Config {
        production,
        bind: "127.0.0.1:0".to_owned(),
        public_url: "http://127.0.0.1".to_owned(),
        workers: 1,
        database: db.settings.clone(),
        keys: KeySettings {
            issuer: "ovn".to_owned(),
            audience: "ovn".to_owned(),
            private_key_pem: None,
            private_key_file: None,
            public_keys: Vec::new(),
            kid: "ovn-1".to_owned(),
            dev_key_file: dev_key_file(db),
            production,
        },
        token_ttl: chrono::Duration::hours(1),
        api: ApiSettings { production, ..ApiSettings::default() },
        // Sooner than the default second, so that tests waiting for a deadline wait less.
        governance_sweep: Duration::from_millis(200),
    }
}

/// Where the development key of a test server is kept.
pub fn dev_key_file(db: &TestDb) -> PathBuf {
    db.dir.path().join("ovn-dev-key.pem")
}

/// A running test server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The server's token settings (to mint tokens).
    pub auth: AuthConfig,
    /// A second connection to the same database, for arranging and checking state directly.
    pub store: Store,
    handle: actix_web::dev::ServerHandle,
    /// The database (dropped last: after the server and the store).
    pub db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; the returned future only waits.
        drop(self.handle.stop(false));
    }
}

/// Starts a server on a fresh database with the test configuration.
pub async fn spawn_app() -> Result<TestApp> {
    spawn_app_with(|_| {}).await
}

/// Starts a server on a fresh database, after `adjust` has changed the test configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> Result<TestApp> {
    let db = TestDb::new().await?;
    let mut config = test_config(&db);
    adjust(&mut config);
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a local port")?;
    let running = ovn::start(&config, listener).await.context("starting ovn")?;
    let auth = ovn::load_auth(&config).context("loading the test server's keys")?;
    let store = ovn::open_store(&config).await.context("opening the test database")?;
    ensure!(store.backend() == db.expected_backend(), "the test server runs on {:?}", store.backend());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    Ok(TestApp {
        base_url: format!("http://127.0.0.1:{}", running.port),
        client,
        auth,
        store,
        handle: running.handle,
        db,
    })
}

/// The body of a GraphQL request.
pub fn request_body(query: &str, variables: Value) -> Value {
    if variables.is_null() { json!({ "query": query }) } else { json!({ "query": query, "variables": variables }) }
}

impl TestApp {
    /// `/graphql`.
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.base_url)
    }

    /// POSTs a GraphQL request without a token; returns the HTTP status and the JSON body.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> Result<(u16, Value)> {
        let mut request = self.client.post(self.graphql_url()).json(&request_body(query, variables));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.context("sending the GraphQL request")?;
        let status = response.status().as_u16();
        let text = response.text().await.context("reading the response")?;
        let body = serde_json::from_str(&text).with_context(|| format!("response ({status}) is not JSON: {text}"))?;
        Ok((status, body))
    }

    /// Runs `query` without a token; returns the response body (data and errors).
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Value> {
        Ok(self.post(None, query, variables).await?.1)
    }

    /// Runs `query` with `token`; returns the response body (data and errors).
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Result<Value> {
        Ok(self.post(Some(token), query, variables).await?.1)
    }

    /// A token for `agent_id`, minted with the server's own key.
    pub fn token_for(&self, agent_id: &str) -> Result<String> {
        let agent = uuid::Uuid::parse_str(agent_id).with_context(|| format!("`{agent_id}` is not an agent id"))?;
        Ok(ovn_api::auth::mint(&self.auth, agent, chrono::Duration::hours(1))?)
    }

    /// Creates an agent directly in the store (as `ovn agent add` does); returns its id.
    pub async fn create_agent_via_store(&self, name: &str, kind: AgentKind) -> Result<String> {
        let profile =
            AgentProfile { name: Name::parse("name", name)?, image: None, note: None, classified_as: Vec::new() };
        let outcome = self.store.create_agent(kind, profile, None).await?;
        Ok(outcome.id.to_string())
    }

    /// A new person created in the store, and a token for them.
    pub async fn person_with_token(&self, name: &str) -> Result<(String, String)> {
        let id = self.create_agent_via_store(name, AgentKind::Person).await?;
        let token = self.token_for(&id)?;
        Ok((id, token))
    }

    /// `pageInfo.totalCount` of a root connection (`units`, `agents`, …).
    pub async fn total(&self, connection: &str) -> Result<i64> {
        let response =
            self.graphql(&format!("{{ {connection} {{ pageInfo {{ totalCount }} }} }}"), Value::Null).await?;
        let data = data(&response)?;
        data[connection]["pageInfo"]["totalCount"]
            .as_i64()
            .with_context(|| format!("no totalCount for {connection}: {response}"))
    }

    /// Creates a unit with a token; returns its id.
    pub async fn create_unit(&self, token: &str, label: &str, symbol: &str) -> Result<String> {
        let response = self
            .graphql_as(
                token,
                "mutation($u: UnitCreateParams!) { createUnit(unit: $u) { unit { id } } }",
                json!({ "u": { "label": label, "symbol": symbol } }),
            )
            .await?;
        string_at(&response, "/data/createUnit/unit/id")
    }

    /// GET `path` (relative to the base URL); returns status, content type and body text.
    pub async fn get(&self, path_and_query: &str) -> Result<(u16, String, String)> {
        let response = self.client.get(format!("{}{path_and_query}", self.base_url)).send().await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok((status, content_type, response.text().await?))
    }
}

/// The `extensions.code` of every error in a GraphQL response, in order.
pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors.iter().map(|e| e["extensions"]["code"].as_str().unwrap_or("<no code>").to_owned()).collect()
        })
        .unwrap_or_default()
}

/// The `data` of a response that must have no errors.
pub fn data(response: &Value) -> Result<&Value> {
    if let Some(errors) = response.get("errors") {
        bail!("unexpected errors: {errors}");
    }
    let data = response.get("data").with_context(|| format!("no data in {response}"))?;
    ensure!(!data.is_null(), "data is null in {response}");
    Ok(data)
}

/// The string at a JSON pointer (`/data/createUnit/unit/id`) of a response.
pub fn string_at(response: &Value, pointer: &str) -> Result<String> {
    match response.pointer(pointer) {
        Some(Value::String(text)) => Ok(text.clone()),
        other => bail!("expected a string at {pointer}, found {other:?} in {response}"),
    }
}

/// Asserts that a response failed with exactly the error codes `expected` and no data for
/// the failed field (`field` is the root field's name).
pub fn assert_refused(response: &Value, field: &str, expected: &str) -> Result<()> {
    let codes = error_codes(response);
    ensure!(codes == [expected], "expected [{expected}] from {field}, got {codes:?}: {response}");
    let value = response.pointer(&format!("/data/{field}"));
    ensure!(value.is_none() || value == Some(&Value::Null), "{field} returned data despite the error: {response}");
    Ok(())
}
