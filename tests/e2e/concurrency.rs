//! Concurrent writers over HTTP. On PostgreSQL transactions really run side by side, so a
//! read-check-write that does not lock its row loses updates; on SQLite writers take turns.
//! Either way the books must come out as if the requests had run one after the other.

use crate::common::{TestApp, data, error_codes, spawn_app, string_at};
use anyhow::{Context as _, Result};
use serde_json::{Value, json};

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id } economicResource { id } } }";
const UPDATE_RESOURCE: &str = "mutation($r: EconomicResourceUpdateParams!) {
  updateEconomicResource(resource: $r) { economicResource { revisionId note } } }";

async fn raise(app: &TestApp, token: &str, agent: &str, resource: &str) -> Result<Value> {
    app.graphql_as(
        token,
        EVENT,
        json!({ "e": { "action": "raise", "provider": agent, "receiver": agent, "resourceInventoriedAs": resource,
                       "resourceQuantity": { "hasNumericalValue": "1" } } }),
    )
    .await
}

/// A resource raised into being with 1 unit; returns its id.
async fn new_resource(app: &TestApp, token: &str, agent: &str) -> Result<String> {
    let spec = app
        .graphql_as(
            token,
            "mutation { createResourceSpecification(resourceSpecification: { name: \"grain\" }) { resourceSpecification { id } } }",
            Value::Null,
        )
        .await?;
    let spec = string_at(&spec, "/data/createResourceSpecification/resourceSpecification/id")?;
    let created = app
        .graphql_as(
            token,
            EVENT,
            json!({ "e": { "action": "raise", "provider": agent, "receiver": agent, "resourceConformsTo": spec,
                           "resourceQuantity": { "hasNumericalValue": "1" } },
                    "r": { "name": "grain" } }),
        )
        .await?;
    string_at(&created, "/data/createEconomicEvent/economicResource/id")
}

#[tokio::test]
async fn resource_updates_racing_events_lose_no_quantity() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let resource = new_resource(&app, &token, &alice).await?;

    // 30 raises of 1, while the resource's note is changed 30 times. Each raise is a new
    // revision of the resource, so an update made against the revision read before a raise is
    // a CONFLICT: the client reads the resource again and retries, as any client would.
    let raises = async {
        let all = (0..30).map(|_| raise(&app, &token, &alice, &resource));
        futures::future::join_all(all).await
    };
    let updates = async {
        for i in 1..=30 {
            loop {
                let read = app
                    .graphql("query($id: ID!) { economicResource(id: $id) { revisionId } }", json!({ "id": resource }))
                    .await?;
                let revision = string_at(&read, "/data/economicResource/revisionId")?;
                let response = app
                    .graphql_as(
                        &token,
                        UPDATE_RESOURCE,
                        json!({ "r": { "revisionId": revision, "note": format!("note {i}") } }),
                    )
                    .await?;
                match error_codes(&response).as_slice() {
                    [] => break,
                    [code] if code == "CONFLICT" => {}
                    other => anyhow::bail!("unexpected {other:?}: {response}"),
                }
            }
        }
        anyhow::Ok(())
    };
    let (raised, updated) = tokio::join!(raises, updates);
    updated?;
    for response in raised {
        data(&response?)?;
    }

    let read = app
        .graphql(
            "query($id: ID!) { economicResource(id: $id) { note accountingQuantity { hasNumericalValue } onhandQuantity { hasNumericalValue } } }",
            json!({ "id": resource }),
        )
        .await?;
    let read = &data(&read)?["economicResource"];
    assert_eq!(read["note"], "note 30");
    assert_eq!(read["accountingQuantity"]["hasNumericalValue"], "31", "an update overwrote an event's effect: {read}");
    assert_eq!(read["onhandQuantity"]["hasNumericalValue"], "31", "{read}");
    Ok(())
}

#[tokio::test]
async fn racing_updates_of_one_resource_revision_let_one_through() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let resource = new_resource(&app, &token, &alice).await?;
    let attempts = (0..6).map(|i| {
        app.graphql_as(
            &token,
            UPDATE_RESOURCE,
            json!({ "r": { "revisionId": format!("{resource}:1"), "note": format!("note {i}") } }),
        )
    });
    let mut won = 0;
    for response in futures::future::join_all(attempts).await {
        let response = response?;
        match error_codes(&response).as_slice() {
            [] => won += 1,
            [code] if code == "CONFLICT" => {}
            other => anyhow::bail!("unexpected {other:?}: {response}"),
        }
    }
    assert_eq!(won, 1, "more than one update of revision 1 went through");
    let read =
        app.graphql("query($id: ID!) { economicResource(id: $id) { revisionId } }", json!({ "id": resource })).await?;
    assert_eq!(data(&read)?["economicResource"]["revisionId"], format!("{resource}:2"));
    Ok(())
}

#[tokio::test]
async fn racing_updates_of_one_process_revision_let_one_through() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let process = app
        .graphql_as(
            &token,
            "mutation { createProcess(process: { name: \"milling\" }) { process { id } } }",
            Value::Null,
        )
        .await?;
    let process = string_at(&process, "/data/createProcess/process/id")?;
    let attempts = (0..6).map(|i| {
        app.graphql_as(
            &token,
            "mutation($p: ProcessUpdateParams!) { updateProcess(process: $p) { process { revisionId } } }",
            json!({ "p": { "revisionId": format!("{process}:1"), "note": format!("note {i}") } }),
        )
    });
    let mut won = 0;
    for response in futures::future::join_all(attempts).await {
        let response = response?;
        match error_codes(&response).as_slice() {
            [] => won += 1,
            [code] if code == "CONFLICT" => {}
            other => anyhow::bail!("unexpected {other:?}: {response}"),
        }
    }
    assert_eq!(won, 1, "more than one update of revision 1 went through");
    let read = app.graphql("query($id: ID!) { process(id: $id) { revisionId } }", json!({ "id": process })).await?;
    let revision = data(&read)?["process"]["revisionId"].as_str().context("revisionId")?.to_owned();
    assert_eq!(revision, format!("{process}:2"));
    Ok(())
}

#[tokio::test]
async fn racing_creates_of_one_unit_give_one_unit() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let attempts = (0..8).map(|_| {
        app.graphql_as(
            &token,
            "mutation { createUnit(unit: { label: \"hour\", symbol: \"h\" }) { unit { id } } }",
            Value::Null,
        )
    });
    let mut ids = std::collections::BTreeSet::new();
    for response in futures::future::join_all(attempts).await {
        ids.insert(string_at(&response?, "/data/createUnit/unit/id")?);
    }
    assert_eq!(ids.len(), 1, "the same label and symbol gave several units: {ids:?}");
    assert_eq!(app.total("units").await?, 1);
    Ok(())
}

#[tokio::test]
async fn racing_events_never_overdraw_a_resource() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let resource = new_resource(&app, &token, &alice).await?;
    // 1 + 9 = 10 units, then 20 concurrent lowers of 1: exactly 10 fit.
    let nine = app
        .graphql_as(
            &token,
            EVENT,
            json!({ "e": { "action": "raise", "provider": alice, "receiver": alice, "resourceInventoriedAs": resource,
                           "resourceQuantity": { "hasNumericalValue": "9" } } }),
        )
        .await?;
    data(&nine)?;
    let lowers = (0..20).map(|_| {
        app.graphql_as(
            &token,
            EVENT,
            json!({ "e": { "action": "lower", "provider": alice, "receiver": alice, "resourceInventoriedAs": resource,
                           "resourceQuantity": { "hasNumericalValue": "1" } } }),
        )
    });
    let (mut recorded, mut refused) = (0, 0);
    for response in futures::future::join_all(lowers).await {
        let response = response?;
        match error_codes(&response).as_slice() {
            [] => recorded += 1,
            [code] if code == "BAD_INPUT" => refused += 1,
            other => anyhow::bail!("unexpected {other:?}: {response}"),
        }
    }
    assert_eq!((recorded, refused), (10, 10));
    let read = app
        .graphql(
            "query($id: ID!) { economicResource(id: $id) { accountingQuantity { hasNumericalValue } onhandQuantity { hasNumericalValue } } }",
            json!({ "id": resource }),
        )
        .await?;
    let read = &data(&read)?["economicResource"];
    assert_eq!(
        (&read["accountingQuantity"]["hasNumericalValue"], &read["onhandQuantity"]["hasNumericalValue"]),
        (&json!("0"), &json!("0"))
    );
    Ok(())
}

#[tokio::test]
async fn commits_are_durable_wal_and_synchronous_full_on_sqlite() -> Result<()> {
    use sea_orm::{ConnectionTrait as _, Statement};
    let app = spawn_app().await?;
    let store = &app.store;
    let one = |sql: &str| {
        let statement = Statement::from_string(store.backend(), sql.to_owned());
        async move { store.connection().query_one_raw(statement).await?.context("no row") }
    };
    if app.db.is_postgres() {
        // PostgreSQL answers a commit once its WAL record is flushed, unless turned off.
        let row = one("SHOW synchronous_commit").await?;
        assert_eq!(row.try_get_by_index::<String>(0)?, "on");
    } else {
        // A commit survives power loss: the write-ahead log, fsynced at every commit
        // (`synchronous` 2 is FULL; NORMAL, 1, may lose the last commits in WAL mode).
        let row = one("PRAGMA journal_mode").await?;
        assert_eq!(row.try_get_by_index::<String>(0)?, "wal");
        let row = one("PRAGMA synchronous").await?;
        assert_eq!(row.try_get_by_index::<i64>(0)?, 2);
    }
    Ok(())
}
