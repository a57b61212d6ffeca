//! The correction rules over HTTP, on the database under test: a correcting event keeps the
//! original's action, agents, resources and process whatever the client sends for them,
//! carries signed deltas, and the resources are recomputed from them; corrections of
//! corrections, another action, a new resource and different quantities are refused, and
//! a refusal writes nothing. Every balance is worked out by hand in the comments.

use anyhow::{Context as _, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes, spawn_app, string_at};

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id } economicResource { id } } }";

const READ_EVENT: &str = "query($id: ID!) { economicEvent(id: $id) {
  action { id } provider { id } receiver { id } resourceInventoriedAs { id } toResourceInventoriedAs { id }
  inputOf { id } outputOf { id } resourceQuantity { hasNumericalValue } corrects { id } } }";

fn qty(value: &str) -> Value {
    json!({ "hasNumericalValue": value })
}

/// Records an event that must succeed; returns (event id, created resource id if any).
async fn record(app: &TestApp, token: &str, event: Value, resource: Value) -> Result<(String, Option<String>)> {
    let response = app.graphql_as(token, EVENT, json!({ "e": event, "r": resource })).await?;
    let id = string_at(&response, "/data/createEconomicEvent/economicEvent/id")?;
    let created =
        response.pointer("/data/createEconomicEvent/economicResource/id").and_then(Value::as_str).map(str::to_owned);
    Ok((id, created))
}

/// (accounting, onhand) of a resource.
async fn balance(app: &TestApp, resource: &str) -> Result<(String, String)> {
    let response = app
        .graphql(
            "query($id: ID!) { economicResource(id: $id) { accountingQuantity { hasNumericalValue } onhandQuantity { hasNumericalValue } } }",
            json!({ "id": resource }),
        )
        .await?;
    let r = &data(&response)?["economicResource"];
    Ok((
        r["accountingQuantity"]["hasNumericalValue"].as_str().context("accounting")?.to_owned(),
        r["onhandQuantity"]["hasNumericalValue"].as_str().context("onhand")?.to_owned(),
    ))
}

fn pair(accounting: &str, onhand: &str) -> (String, String) {
    (accounting.to_owned(), onhand.to_owned())
}

#[tokio::test]
async fn a_correction_keeps_the_originals_flow_and_moves_signed_deltas() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let spec = string_at(
        &app.graphql_as(
            &token,
            "mutation { createResourceSpecification(resourceSpecification: { name: \"flour\" }) { resourceSpecification { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createResourceSpecification/resourceSpecification/id",
    )?;
    let process = string_at(
        &app.graphql_as(
            &token,
            "mutation { createProcess(process: { name: \"baking\" }) { process { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createProcess/process/id",
    )?;

    // Alice raises 10: her flour 10 / 10.
    let (_, flour) = record(
        &app,
        &token,
        json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec, "resourceQuantity": qty("10") }),
        json!({ "name": "flour" }),
    )
    .await?;
    let flour = flour.context("raise creates the flour")?;
    // She transfers 4 to Bob into a new resource: hers 10 - 4 = 6 / 6, his 4 / 4 (Bob, the
    // receiver, records it: his consent).
    let (transfer, bobs) = record(
        &app,
        &bob_token,
        json!({ "action": "transfer", "provider": alice, "receiver": bob, "resourceInventoriedAs": flour, "resourceQuantity": qty("4") }),
        json!({ "name": "Bob's flour" }),
    )
    .await?;
    let bobs = bobs.context("transfer creates Bob's flour")?;
    assert_eq!(balance(&app, &flour).await?, pair("6", "6"));
    assert_eq!(balance(&app, &bobs).await?, pair("4", "4"));

    // It was 3, not 4: Bob (a party to it) corrects by -1, naming himself as both agents and
    // no resource at all. The correction still runs Alice -> Bob, between the same two
    // resources, and moves the delta back: hers 6 + 1 = 7 / 7, his 4 - 1 = 3 / 3.
    let (fix, _) = record(
        &app,
        &bob_token,
        json!({ "action": "transfer", "provider": bob, "receiver": bob, "corrects": transfer, "resourceQuantity": qty("-1") }),
        Value::Null,
    )
    .await?;
    assert_eq!(balance(&app, &flour).await?, pair("7", "7"));
    assert_eq!(balance(&app, &bobs).await?, pair("3", "3"));
    let read = app.graphql(READ_EVENT, json!({ "id": fix })).await?;
    let e = &data(&read)?["economicEvent"];
    assert_eq!(e["action"]["id"], "transfer");
    assert_eq!(e["provider"]["id"], alice.as_str(), "the original's provider");
    assert_eq!(e["receiver"]["id"], bob.as_str(), "the original's receiver");
    assert_eq!(e["resourceInventoriedAs"]["id"], flour.as_str());
    assert_eq!(e["toResourceInventoriedAs"]["id"], bobs.as_str());
    assert_eq!(e["resourceQuantity"]["hasNumericalValue"], "-1");
    assert_eq!(e["corrects"]["id"], transfer.as_str());

    // Alice consumes 2 in baking: 7 - 2 = 5 / 5. It was 3: a correction of +1, sent without
    // inputOf, lands in the same process and takes one more: 5 - 1 = 4 / 4.
    let (consume, _) = record(
        &app,
        &token,
        json!({ "action": "consume", "provider": alice, "receiver": alice, "inputOf": process,
                "resourceInventoriedAs": flour, "resourceQuantity": qty("2") }),
        Value::Null,
    )
    .await?;
    assert_eq!(balance(&app, &flour).await?, pair("5", "5"));
    let (more, _) = record(
        &app,
        &token,
        json!({ "action": "consume", "provider": alice, "receiver": alice, "corrects": consume, "resourceQuantity": qty("1") }),
        Value::Null,
    )
    .await?;
    assert_eq!(balance(&app, &flour).await?, pair("4", "4"));
    let read = app.graphql(READ_EVENT, json!({ "id": more })).await?;
    let e = &data(&read)?["economicEvent"];
    assert_eq!(e["inputOf"]["id"], process.as_str(), "the original's process");
    assert_eq!(e["resourceInventoriedAs"]["id"], flour.as_str(), "the original's resource");
    assert_eq!(e["outputOf"], Value::Null);

    // The refusals: each BAD_INPUT naming the field at fault, and nothing written.
    let events = app.total("economicEvents").await?;
    let resources = app.total("economicResources").await?;
    let cases = [
        (
            "a correction of a correction",
            json!({ "action": "consume", "provider": alice, "receiver": alice, "corrects": more, "resourceQuantity": qty("1") }),
            Value::Null,
            "corrects",
        ),
        (
            "another action than the original's",
            json!({ "action": "lower", "provider": alice, "receiver": alice, "corrects": consume, "resourceQuantity": qty("1") }),
            Value::Null,
            "action",
        ),
        (
            "a new resource",
            json!({ "action": "consume", "provider": alice, "receiver": alice, "corrects": consume, "resourceQuantity": qty("1") }),
            json!({ "name": "more flour" }),
            "newInventoriedResource",
        ),
        (
            "an effort quantity where the original has a resource quantity",
            json!({ "action": "consume", "provider": alice, "receiver": alice, "corrects": consume, "effortQuantity": qty("1") }),
            Value::Null,
            "resourceQuantity",
        ),
        (
            "an event that does not exist",
            json!({ "action": "consume", "provider": alice, "receiver": alice,
                    "corrects": uuid::Uuid::now_v7().to_string(), "resourceQuantity": qty("1") }),
            Value::Null,
            "corrects",
        ),
    ];
    for (case, event, resource, field) in cases {
        let response = app.graphql_as(&token, EVENT, json!({ "e": event, "r": resource })).await?;
        ensure!(error_codes(&response) == ["BAD_INPUT"], "{case}: {response}");
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(message.contains(field), "{case}: the message should name `{field}`: {message}");
    }
    ensure!(app.total("economicEvents").await? == events, "a refused correction was recorded");
    ensure!(app.total("economicResources").await? == resources, "a refused correction made a resource");
    assert_eq!(balance(&app, &flour).await?, pair("4", "4"));
    assert_eq!(balance(&app, &bobs).await?, pair("3", "3"));
    Ok(())
}
