//! Request bounds and modes over HTTP: body size, depth, aliases, the
//! fragment bomb (refused fast), batches, mutations over GET, queries over GET, production
//! mode (no introspection, no GraphiQL), development mode (GraphiQL), `/health`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::common::{data, error_codes, generate_private_key_pem, spawn_app, spawn_app_with};
use anyhow::{Context as _, Result, ensure};
use serde_json::{Value, json};

/// Percent-encodes a query-string value.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A real query `depth` fields deep: agents → edges → node → relationships → … → id.
fn deep_query(depth: usize) -> String {
    let mut chain = vec!["agents", "edges", "node"];
    let hops = ["relationships", "edges", "node", "subject"];
    while chain.len() < depth - 1 {
        chain.push(hops[(chain.len() - 3) % hops.len()]);
    }
    chain.push("id");
    let mut query = String::new();
    for field in &chain {
        query.push_str(field);
        query.push_str(" { ");
    }
    // The innermost field (`id`) has no selection set.
    query.truncate(query.len() - 3);
    for _ in 1..chain.len() {
        query.push_str(" }");
    }
    format!("{{ {query} }}")
}

/// `query { ...F1 }` where each `Fi` spreads `F(i+1)` twice: 2^levels spreads once expanded.
fn fragment_bomb(levels: usize) -> String {
    let mut doc = String::from("query{...F1}");
    for i in 1..levels {
        let _ = write!(doc, "fragment F{i} on Query{{...F{j} ...F{j}}}", j = i + 1);
    }
    let _ = write!(doc, "fragment F{levels} on Query{{actions{{id}}}}");
    doc
}

fn aliases(n: usize) -> String {
    let mut query = String::from("{");
    for i in 0..n {
        let _ = write!(query, " a{i}: action(id: \"work\") {{ id }}");
    }
    query.push_str(" }");
    query
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413() -> Result<()> {
    let app = spawn_app().await?;
    let padding = " ".repeat(1024 * 1024);
    let body = format!("{{\"query\": \"{{ actions {{ id }} }}\"{padding}}}");
    ensure!(body.len() > 1024 * 1024);
    let response = app
        .client
        .post(app.graphql_url())
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .context("sending the large body")?;
    assert_eq!(response.status().as_u16(), 413);

    // Just under the limit is fine.
    let padding = " ".repeat(1024 * 1024 - 100);
    let body = format!("{{\"query\": \"{{ actions {{ id }} }}\"{padding}}}");
    let response =
        app.client.post(app.graphql_url()).header("content-type", "application/json").body(body).send().await?;
    assert_eq!(response.status().as_u16(), 200);
    let response: Value = response.json().await?;
    assert_eq!(data(&response)?["actions"].as_array().map(Vec::len), Some(19));
    Ok(())
}

#[tokio::test]
async fn depth_and_aliases_are_limited() -> Result<()> {
    let app = spawn_app().await?;
    let deep = app.graphql(&deep_query(20), Value::Null).await?;
    assert_eq!(error_codes(&deep), ["LIMIT_EXCEEDED"], "{deep}");
    ensure!(deep.get("data").is_none_or(Value::is_null), "{deep}");
    // The limit is 15: a real 15-deep query runs.
    let fifteen = app.graphql(&deep_query(15), Value::Null).await?;
    assert_eq!(data(&fifteen)?["agents"]["edges"], json!([]));

    let many = app.graphql(&aliases(31), Value::Null).await?;
    assert_eq!(error_codes(&many), ["LIMIT_EXCEEDED"], "{many}");
    let thirty = app.graphql(&aliases(30), Value::Null).await?;
    assert_eq!(data(&thirty)?["a29"]["id"], "work");
    Ok(())
}

#[tokio::test]
async fn the_fragment_bomb_is_refused_within_50_ms() -> Result<()> {
    let app = spawn_app().await?;
    // Warm the connection so the timing measures the request, not the TCP handshake.
    data(&app.graphql("{ actions { id } }", Value::Null).await?)?;

    for levels in [24, 26] {
        let bomb = fragment_bomb(levels);
        ensure!(bomb.len() < 1024, "the bomb is {} bytes", bomb.len());
        let started = Instant::now();
        let (status, response) = app.post(None, &bomb, Value::Null).await?;
        let elapsed = started.elapsed();
        assert_eq!(error_codes(&response), ["LIMIT_EXCEEDED"], "{response}");
        assert!(status == 400 || status == 200, "status {status}");
        assert!(elapsed < Duration::from_millis(50), "{levels} levels took {elapsed:?} to refuse");
    }
    // Over GET too.
    let started = Instant::now();
    let (status, _, body) = app.get(&format!("/graphql?query={}", encode(&fragment_bomb(24)))).await?;
    let elapsed = started.elapsed();
    let response: Value = serde_json::from_str(&body)?;
    assert_eq!(error_codes(&response), ["LIMIT_EXCEEDED"], "{status} {response}");
    assert!(elapsed < Duration::from_millis(50), "GET took {elapsed:?} to refuse");
    Ok(())
}

#[tokio::test]
async fn batches_are_refused_and_not_run() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let create =
        json!({ "query": "mutation { createUnit(unit: { label: \"hour\", symbol: \"h\" }) { unit { id } } }" });
    let response =
        app.client.post(app.graphql_url()).bearer_auth(&token).json(&json!([create.clone(), create])).send().await?;
    let status = response.status().as_u16();
    let body: Value = response.json().await?;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&body), ["BAD_INPUT"]);
    assert_eq!(app.total("units").await?, 0, "a batched mutation ran");
    Ok(())
}

#[tokio::test]
async fn get_runs_queries_but_never_mutations() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;

    let (status, _, body) = app.get(&format!("/graphql?query={}", encode("{ action(id: \"work\") { id } }"))).await?;
    assert_eq!(status, 200);
    let response: Value = serde_json::from_str(&body)?;
    assert_eq!(data(&response)?["action"]["id"], "work");
    // With variables.
    let (status, _, body) = app
        .get(&format!(
            "/graphql?query={}&variables={}",
            encode("query($id: ID!) { action(id: $id) { id } }"),
            encode(r#"{"id":"transferCustody"}"#)
        ))
        .await?;
    assert_eq!(status, 200);
    assert_eq!(data(&serde_json::from_str(&body)?)?["action"]["id"], "transfer-custody");

    for mutation in [
        "mutation { createUnit(unit: { label: \"hour\", symbol: \"h\" }) { unit { id } } }",
        // An anonymous query first does not hide a mutation later in the document.
        "query Q { actions { id } } mutation M { createUnit(unit: { label: \"hour\", symbol: \"h\" }) { unit { id } } }",
    ] {
        let url = format!("{}/graphql?query={}&operationName=M", app.base_url, encode(mutation));
        let response = app.client.get(url).bearer_auth(&token).send().await?;
        let status = response.status().as_u16();
        ensure!(status != 200, "a mutation over GET was answered 200");
        let body: Value = response.json().await?;
        ensure!(!error_codes(&body).is_empty(), "{body}");
    }
    assert_eq!(app.total("units").await?, 0, "a mutation over GET wrote something");
    Ok(())
}

#[tokio::test]
async fn production_turns_off_introspection_and_graphiql() -> Result<()> {
    let pem = generate_private_key_pem()?;
    let app = spawn_app_with(move |config| {
        config.production = true;
        config.keys.production = true;
        config.keys.private_key_pem = Some(pem);
        config.api.production = true;
    })
    .await?;
    // No development key was generated.
    ensure!(!crate::common::dev_key_file(&app.db).exists(), "production generated a development key");

    // async-graphql answers a disabled `__schema` / `__type` with null: nothing is disclosed.
    let introspection = app.graphql("{ __schema { types { name } } }", Value::Null).await?;
    ensure!(
        introspection.pointer("/data/__schema").is_none_or(Value::is_null),
        "introspection answered: {introspection}"
    );
    let by_type = app.graphql("{ __type(name: \"Agent\") { name fields { name } } }", Value::Null).await?;
    ensure!(by_type.pointer("/data/__type").is_none_or(Value::is_null), "introspection answered: {by_type}");

    let (status, content_type, body) = app.get("/graphql").await?;
    ensure!(status != 200, "GET /graphql answered {status} in production");
    ensure!(!content_type.contains("html") && !body.to_lowercase().contains("<html"), "{content_type}: {body}");
    assert_eq!(error_codes(&serde_json::from_str(&body)?), ["NOT_FOUND"]);

    // Production still serves queries and accepts its own tokens.
    let (_, token) = app.person_with_token("Alice").await?;
    let unit = app.create_unit(&token, "hour", "h").await?;
    ensure!(!unit.is_empty());
    Ok(())
}

#[tokio::test]
async fn production_refuses_to_start_without_a_key() -> Result<()> {
    let started = spawn_app_with(|config| {
        config.production = true;
        config.keys.production = true;
        config.api.production = true;
    })
    .await;
    let Err(err) = started else { anyhow::bail!("production started without a signing key") };
    ensure!(format!("{err:#}").contains("no signing key"), "{err:#}");
    Ok(())
}

#[tokio::test]
async fn development_serves_graphiql_and_introspection() -> Result<()> {
    let app = spawn_app().await?;
    let (status, content_type, body) = app.get("/graphql").await?;
    assert_eq!(status, 200);
    ensure!(content_type.starts_with("text/html"), "{content_type}");
    let page = body.to_lowercase();
    ensure!(page.contains("<html") && page.contains("graphiql"), "not GraphiQL: {body}");
    let introspection = app.graphql("{ __schema { queryType { name } } }", Value::Null).await?;
    assert_eq!(data(&introspection)?["__schema"]["queryType"]["name"], "Query");
    Ok(())
}

#[tokio::test]
async fn health_is_ok() -> Result<()> {
    let app = spawn_app().await?;
    let (status, content_type, body) = app.get("/health").await?;
    assert_eq!(status, 200);
    ensure!(content_type.starts_with("application/json"), "{content_type}");
    assert_eq!(serde_json::from_str::<Value>(&body)?, json!({ "status": "ok" }));
    Ok(())
}

#[tokio::test]
async fn non_json_bodies_are_refused() -> Result<()> {
    let app = spawn_app().await?;
    let response = app
        .client
        .post(app.graphql_url())
        .header("content-type", "text/plain")
        .body("{ actions { id } }")
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 415);
    let response =
        app.client.post(app.graphql_url()).header("content-type", "application/json").body("{ not json").send().await?;
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await?;
    assert_eq!(error_codes(&body), ["BAD_INPUT"]);
    Ok(())
}

#[tokio::test]
async fn complexity_is_limited_by_its_setting() -> Result<()> {
    // `{ actions { id label } }` costs 1 + 2 = 3 under async-graphql's default field cost.
    let app = spawn_app_with(|config| config.api.max_complexity = 3).await?;
    let cheap = app.graphql("{ actions { id label } }", Value::Null).await?;
    assert_eq!(data(&cheap)?["actions"].as_array().map(Vec::len), Some(19));
    let dear = app.graphql("{ actions { id label resourceEffect onhandEffect } }", Value::Null).await?;
    assert_eq!(error_codes(&dear), ["LIMIT_EXCEEDED"], "{dear}");
    ensure!(dear.get("data").is_none_or(Value::is_null), "{dear}");
    Ok(())
}

/// Holds the database's write lock from another connection until the transaction is rolled
/// back, so the server's next write waits (up to the busy timeout, far past any budget here).
async fn hold_write_lock(app: &crate::common::TestApp) -> Result<sea_orm::DatabaseTransaction> {
    use sea_orm::{ConnectionTrait as _, TransactionTrait as _};
    let blocker = app.store.connection().begin().await?;
    if app.db.is_postgres() {
        blocker.execute_unprepared("LOCK TABLE unit IN EXCLUSIVE MODE").await?;
    } else {
        blocker.execute_unprepared("CREATE TABLE budget_probe (x INTEGER)").await?;
    }
    Ok(blocker)
}

const CREATE_UNIT_KEYED: &str =
    "mutation($k: String) { createUnit(unit: {label: \"hour\", symbol: \"h\"}, idempotencyKey: $k) { unit { id } } }";

#[tokio::test]
async fn a_request_past_its_time_budget_is_cut_off() -> Result<()> {
    let app = spawn_app_with(|config| config.api.request_timeout = Duration::from_millis(300)).await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let blocker = hold_write_lock(&app).await?;
    let started = Instant::now();
    let (status, response) = app.post(Some(&token), CREATE_UNIT_KEYED, json!({ "k": "hour-1" })).await?;
    let waited = started.elapsed();
    blocker.rollback().await?;
    assert_eq!(status, 503, "{response}");
    ensure!(waited < Duration::from_secs(5), "answered after {waited:?}, not at the budget");
    // A mutation cut off by the budget may have been recorded or not: the answer says so,
    // and how to find out.
    assert_eq!(error_codes(&response), ["OUTCOME_UNKNOWN"], "{response}");
    let message = response["errors"][0]["message"].as_str().unwrap_or_default();
    ensure!(message.contains("idempotencyKey") && message.contains("retry"), "{message}");
    Ok(())
}

#[tokio::test]
async fn a_query_past_its_time_budget_is_limit_exceeded() -> Result<()> {
    use sea_orm::{ConnectionTrait as _, TransactionTrait as _};
    let app = spawn_app_with(|config| config.api.request_timeout = Duration::from_millis(300)).await?;
    // PostgreSQL's ACCESS EXCLUSIVE lock blocks readers too. SQLite's readers never wait for
    // a writer (WAL), so no lock can hold a read there: the query path is checked on
    // PostgreSQL.
    if !app.db.is_postgres() {
        return Ok(());
    }
    let blocker = app.store.connection().begin().await?;
    blocker.execute_unprepared("LOCK TABLE unit IN ACCESS EXCLUSIVE MODE").await?;
    let (status, response) = app.post(None, "{ units { edges { node { id } } } }", Value::Null).await?;
    blocker.rollback().await?;
    assert_eq!(status, 503, "{response}");
    assert_eq!(
        error_codes(&response),
        ["LIMIT_EXCEEDED"],
        "a read writes nothing, so its outcome is known: {response}"
    );
    Ok(())
}

#[tokio::test]
async fn a_retry_after_an_unknown_outcome_records_the_write_once() -> Result<()> {
    let app = spawn_app_with(|config| config.api.request_timeout = Duration::from_millis(300)).await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let blocker = hold_write_lock(&app).await?;
    let (status, response) = app.post(Some(&token), CREATE_UNIT_KEYED, json!({ "k": "hour-1" })).await?;
    assert_eq!((status, error_codes(&response)), (503, vec!["OUTCOME_UNKNOWN".to_owned()]), "{response}");
    blocker.rollback().await?;
    if !app.db.is_postgres() {
        // SQLite's writer still holds the cut-off write and commits it once the lock is free:
        // the first attempt lands after its client was told 503. (This is why the answer
        // cannot say "not recorded".)
        let deadline = Instant::now() + Duration::from_secs(10);
        while app.total("units").await? == 0 {
            ensure!(Instant::now() < deadline, "the cut-off write never landed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // The client retries under the same key, as the answer told it to, until it hears back.
    let mut unit = None;
    for _ in 0..20 {
        let (status, retry) = app.post(Some(&token), CREATE_UNIT_KEYED, json!({ "k": "hour-1" })).await?;
        if status == 503 && error_codes(&retry) == ["OUTCOME_UNKNOWN"] {
            continue;
        }
        unit = Some(crate::common::string_at(&retry, "/data/createUnit/unit/id")?);
        break;
    }
    let unit = unit.context("no retry was answered")?;
    assert_eq!(app.total("units").await?, 1, "the write was recorded once, not once per attempt");
    let listed = app.graphql("{ units { edges { node { id } } } }", Value::Null).await?;
    assert_eq!(data(&listed)?["units"]["edges"][0]["node"]["id"], unit.as_str(), "the retry answers with that record");
    // The key now stands for that unit: another input under it is a mismatch.
    let other = app
        .graphql_as(
            &token,
            "mutation { createUnit(unit: {label: \"minute\", symbol: \"min\"}, idempotencyKey: \"hour-1\") { unit { id } } }",
            Value::Null,
        )
        .await?;
    assert_eq!(error_codes(&other), ["IDEMPOTENCY_MISMATCH"], "{other}");
    Ok(())
}
