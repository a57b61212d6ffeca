//! The `ovn` binary itself: `agent add`, `token`, `serve` and `schema`, run as child processes
//! with nothing but environment variables, the way an operator runs them.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestDb, data, request_body};
use anyhow::{Context as _, Result, bail, ensure};
use serde_json::{Value, json};

const OVN: &str = env!("CARGO_BIN_EXE_ovn");

/// The environment of every command: the test database and a dev key file in its directory,
/// nothing inherited (so a developer's `DATABASE_URL` or `OVN_ENV` cannot leak in). The
/// working directory is the test's own, so no stray `.env` is read either.
pub fn ovn(db: &TestDb, args: &[&str]) -> Command {
    let mut command = Command::new(OVN);
    command
        .args(args)
        .env_clear()
        .envs(db.env())
        .env("OVN_JWT_DEV_KEY_FILE", db.dir.path().join("dev-key.pem"))
        .env("RUST_LOG", "warn")
        .current_dir(db.dir.path())
        .stdin(Stdio::null());
    command
}

pub fn run(db: &TestDb, args: &[&str]) -> Result<Output> {
    let output = ovn(db, args).output().with_context(|| format!("running ovn {args:?}"))?;
    ensure!(
        output.status.success(),
        "ovn {args:?} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output)
}

/// Kills the server when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // Best effort: the child may already have exited.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_until_healthy(client: &reqwest::Client, base: &str, server: &mut Server) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.0.try_wait()? {
            bail!("ovn serve exited early: {status}");
        }
        if let Ok(response) = client.get(format!("{base}/health")).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("ovn serve did not become healthy within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn agent_add_token_and_serve_work_together() -> Result<()> {
    let db = TestDb::new().await?;

    let added = run(&db, &["agent", "add", "--name", "Alice"])?;
    let alice = String::from_utf8(added.stdout)?.trim().to_owned();
    uuid::Uuid::parse_str(&alice).with_context(|| format!("`ovn agent add` printed `{alice}`, not an id"))?;
    let org = run(&db, &["agent", "add", "--name", "Sensorica", "--kind", "organization"])?;
    let org = String::from_utf8(org.stdout)?.trim().to_owned();

    // stdout is the token and nothing else (logs go to stderr), so `$(ovn token …)` works.
    let minted = run(&db, &["token", "--agent", &alice])?;
    let stdout = String::from_utf8(minted.stdout)?;
    let token = stdout.trim_end_matches('\n');
    ensure!(!token.is_empty() && !token.contains(char::is_whitespace), "stdout was {stdout:?}");
    ensure!(token.split('.').count() == 3, "not a JWT: {stdout:?}");
    ensure!(stdout.matches('\n').count() == 1, "stdout must hold only the token: {stdout:?}");

    // A bad agent id is an error with a non-zero exit, not a token.
    let bad = ovn(&db, &["token", "--agent", "alice"]).output()?;
    ensure!(!bad.status.success() && bad.stdout.is_empty(), "ovn token --agent alice: {bad:?}");
    // So is a well-formed id of nobody.
    let nobody = ovn(&db, &["token", "--agent", &uuid::Uuid::now_v7().to_string()]).output()?;
    ensure!(!nobody.status.success() && nobody.stdout.is_empty(), "a token for no agent: {nobody:?}");
    ensure!(String::from_utf8_lossy(&nobody.stderr).contains("no agent with id"), "{nobody:?}");

    let port = free_port()?;
    let mut server = Server(
        ovn(&db, &["serve"])
            .env("OVN_BIND", format!("127.0.0.1:{port}"))
            .env("OVN_WORKERS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting ovn serve")?,
    );
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
    let base = format!("http://127.0.0.1:{port}");
    wait_until_healthy(&client, &base, &mut server).await?;

    let post = |query: &'static str, variables: Value, token: Option<&str>| {
        let mut request = client.post(format!("{base}/graphql")).json(&request_body(query, variables));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { anyhow::Ok(request.send().await?.json::<Value>().await?) }
    };

    let me = post("{ myAgent { __typename id name } }", Value::Null, Some(token)).await?;
    assert_eq!(data(&me)?["myAgent"], json!({ "__typename": "Person", "id": alice, "name": "Alice" }));

    let unit = post(
        "mutation($u: UnitCreateParams!) { createUnit(unit: $u) { unit { id label symbol } } }",
        json!({ "u": { "label": "hour", "symbol": "h" } }),
        Some(token),
    )
    .await?;
    assert_eq!(data(&unit)?["createUnit"]["unit"]["label"], "hour");

    // The agents added by the CLI are what the server reads.
    let organization = post("query($id: ID!) { organization(id: $id) { name } }", json!({ "id": org }), None).await?;
    assert_eq!(data(&organization)?["organization"]["name"], "Sensorica");
    let units = post("{ units { pageInfo { totalCount } } }", Value::Null, None).await?;
    assert_eq!(data(&units)?["units"]["pageInfo"]["totalCount"], 1);

    // Without the token the server refuses to write.
    let anonymous = post(
        "mutation($u: UnitCreateParams!) { createUnit(unit: $u) { unit { id } } }",
        json!({ "u": { "label": "minute", "symbol": "min" } }),
        None,
    )
    .await?;
    assert_eq!(crate::common::error_codes(&anonymous), ["UNAUTHENTICATED"]);

    drop(server);
    Ok(())
}

#[tokio::test]
async fn migrate_is_idempotent() -> Result<()> {
    let db = TestDb::new().await?;
    run(&db, &["migrate"])?;
    run(&db, &["migrate"])?;
    let store = db.open_store().await?;
    let page = store.agents(None, &ovn_persistence::PageRequest { want_total: true, ..Default::default() }).await?;
    assert_eq!(page.total_count, Some(0));
    Ok(())
}

#[test]
fn schema_command_prints_the_checked_in_schema() -> Result<()> {
    let output = Command::new(OVN).arg("schema").env_clear().output().context("running ovn schema")?;
    ensure!(output.status.success(), "ovn schema failed: {}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout)?;
    let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"))?;
    ensure!(
        printed == committed,
        "`ovn schema` differs from schema.graphql; run `cargo run -- schema > schema.graphql`"
    );
    Ok(())
}

/// Builds a small ledger over HTTP: Alice raises 12.50 kg of flour and consumes 2.25 kg of it
/// in baking, which produces one loaf. Returns the flour's and the loaf's ids.
pub async fn small_ledger(app: &crate::common::TestApp) -> Result<(String, String)> {
    use crate::common::string_at;
    let (alice, token) = app.person_with_token("Alice").await?;
    let kg = app.create_unit(&token, "kilogram", "kg").await?;
    let spec = string_at(
        &app.graphql_as(
            &token,
            "mutation { createResourceSpecification(resourceSpecification: { name: \"flour\" }) { resourceSpecification { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createResourceSpecification/resourceSpecification/id",
    )?;
    let baking = string_at(
        &app.graphql_as(
            &token,
            "mutation { createProcess(process: { name: \"baking\" }) { process { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createProcess/process/id",
    )?;
    let event = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
        createEconomicEvent(event: $e, newInventoriedResource: $r) { economicResource { id } } }";
    let raised = app
        .graphql_as(
            &token,
            event,
            json!({ "e": { "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                           "resourceQuantity": { "hasNumericalValue": "12.50", "hasUnit": kg } },
                    "r": { "name": "flour" } }),
        )
        .await?;
    let flour = string_at(&raised, "/data/createEconomicEvent/economicResource/id")?;
    let consumed = app
        .graphql_as(
            &token,
            event,
            json!({ "e": { "action": "consume", "provider": alice, "receiver": alice, "inputOf": baking,
                           "resourceInventoriedAs": flour, "resourceQuantity": { "hasNumericalValue": "2.25", "hasUnit": kg } } }),
        )
        .await?;
    data(&consumed)?;
    let produced = app
        .graphql_as(
            &token,
            event,
            json!({ "e": { "action": "produce", "provider": alice, "receiver": alice, "outputOf": baking,
                           "resourceConformsTo": spec, "resourceQuantity": { "hasNumericalValue": "1" } },
                    "r": { "name": "loaf" } }),
        )
        .await?;
    let loaf = string_at(&produced, "/data/createEconomicEvent/economicResource/id")?;
    Ok((flour, loaf))
}

#[tokio::test]
async fn export_and_import_commands_round_trip_through_a_file() -> Result<()> {
    let app = crate::common::spawn_app().await?;
    let (flour, _) = small_ledger(&app).await?;

    // `ovn export -o FILE`, as an operator runs it, against the server's database.
    let file = app.db.dir.path().join("ledger.jsonld");
    let file_arg = file.to_str().context("a UTF-8 path")?;
    run(&app.db, &["export", "--format", "jsonld", "-o", file_arg])?;
    let exported = std::fs::read_to_string(&file).context("the export file")?;
    let document: Value = serde_json::from_str(&exported).context("the export is JSON")?;
    let nodes = document["@graph"].as_array().context("@graph")?;
    // Alice, kg, the specification, the process, flour and loaf, and three events.
    assert_eq!(nodes.len(), 9, "{exported}");
    let stock =
        nodes.iter().find(|n| n["@type"] == "vf:EconomicResource" && n["vf:name"] == "flour").context("the flour")?;
    ensure!(stock["@id"].as_str().is_some_and(|id| id.ends_with(&flour)), "{stock}");
    // 12.50 - 2.25 = 10.25, exact, as a string.
    assert_eq!(stock["vf:accountingQuantity"]["om2:hasNumericalValue"], "10.25", "{stock}");
    // Without -o the same document goes to stdout.
    let stdout = run(&app.db, &["export"])?.stdout;
    ensure!(String::from_utf8(stdout)? == exported, "`ovn export` and `ovn export -o` differ");

    // `ovn import FILE` into a fresh database, then export again: the same bytes.
    let target = TestDb::new().await?;
    let imported = run(&target, &["import", file_arg])?;
    ensure!(imported.stdout.is_empty(), "the summary goes to stderr: {imported:?}");
    let again = target.dir.path().join("again.jsonld");
    run(&target, &["export", "-o", again.to_str().context("a UTF-8 path")?])?;
    ensure!(std::fs::read_to_string(&again)? == exported, "export, import, export changed the file");

    // A second import into the now non-empty database fails, and changes nothing.
    let refused = ovn(&target, &["import", file_arg]).output()?;
    ensure!(!refused.status.success(), "a second import succeeded: {refused:?}");
    let after = run(&target, &["export"])?.stdout;
    ensure!(String::from_utf8(after)? == exported, "a refused import changed the database");
    Ok(())
}
