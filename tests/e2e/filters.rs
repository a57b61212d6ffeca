//! The `filter` arguments of `economicEvents`, `economicResources` and `processes`: each field
//! alone, some together, with the expected records worked out by hand from the small ledger
//! below (text search in any case, with `%` and `_` taken literally; classifications matched
//! as whole elements).

use std::collections::BTreeSet;

use anyhow::{Context as _, Result};
use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes, spawn_app, string_at};

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id } economicResource { id } } }";

async fn ids(app: &TestApp, connection: &str, input_type: &str, filter: Value) -> Result<BTreeSet<String>> {
    let response = app
        .graphql(
            &format!(
                "query($f: {input_type}) {{ {connection}(first: 100, filter: $f) {{ edges {{ node {{ id }} }} }} }}"
            ),
            json!({ "f": filter }),
        )
        .await?;
    Ok(data(&response)?[connection]["edges"]
        .as_array()
        .context("edges")?
        .iter()
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
        .collect())
}

fn set(items: &[&String]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).clone()).collect()
}

async fn create(app: &TestApp, token: &str, query: &str, variables: Value, id_at: &str) -> Result<String> {
    string_at(&app.graphql_as(token, query, variables).await?, id_at)
}

#[tokio::test]
async fn economic_events_filter_by_each_field() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let (carol, carol_token) = app.person_with_token("Carol").await?;
    let project = create(
        &app,
        &alice_token,
        "mutation { createOrganization(organization: { name: \"Sensor project\" }) { agent { id } } }",
        Value::Null,
        "/data/createOrganization/agent/id",
    )
    .await?;
    let spec = create(
        &app,
        &carol_token,
        "mutation { createResourceSpecification(resourceSpecification: { name: \"copper\" }) { resourceSpecification { id } } }",
        Value::Null,
        "/data/createResourceSpecification/resourceSpecification/id",
    )
    .await?;
    let process = create(
        &app,
        &alice_token,
        "mutation { createProcess(process: { name: \"assembly\" }) { process { id } } }",
        Value::Null,
        "/data/createProcess/process/id",
    )
    .await?;
    let id_at = "/data/createEconomicEvent/economicEvent/id";
    let hours = json!({ "hasNumericalValue": "2" });
    // e1: Alice works for herself on 10 January, in the project's scope.
    let e1 = create(
        &app,
        &alice_token,
        EVENT,
        json!({ "e": { "action": "work", "provider": alice, "receiver": alice, "effortQuantity": hours, "inputOf": process,
                       "hasPointInTime": "2026-01-10T10:00:00Z", "inScopeOf": [project],
                       "note": "Soldering the COPPER board" } }),
        id_at,
    )
    .await?;
    // e2: Bob works for Alice from 1 to 2 February, no scope.
    let e2 = create(
        &app,
        &bob_token,
        EVENT,
        json!({ "e": { "action": "work", "provider": bob, "receiver": alice, "effortQuantity": hours, "inputOf": process,
                       "hasBeginning": "2026-02-01T09:00:00Z", "hasEnd": "2026-02-02T17:00:00Z",
                       "note": "design review, 100% done" } }),
        id_at,
    )
    .await?;
    // e3: Carol raises copper on 15 March.
    let raised = app
        .graphql_as(
            &carol_token,
            EVENT,
            json!({ "e": { "action": "raise", "provider": carol, "receiver": carol, "resourceConformsTo": spec,
                           "resourceQuantity": { "hasNumericalValue": "5" }, "hasPointInTime": "2026-03-15T12:00:00Z",
                           "resourceClassifiedAs": ["https://example.org/kinds/metal"] },
                    "r": { "name": "copper", "classifiedAs": ["https://example.org/kinds/metal"] } }),
        )
        .await?;
    let e3 = string_at(&raised, id_at)?;
    let copper = string_at(&raised, "/data/createEconomicEvent/economicResource/id")?;
    // e4: Carol transfers copper to Bob on 1 April, in the project's scope (Bob, the receiver,
    // records it: a transfer recorded by Carol alone would wait for his consent).
    let e4 = create(
        &app,
        &bob_token,
        EVENT,
        json!({ "e": { "action": "transfer", "provider": carol, "receiver": bob, "resourceInventoriedAs": copper,
                       "resourceQuantity": { "hasNumericalValue": "1" }, "hasPointInTime": "2026-04-01T08:00:00Z",
                       "inScopeOf": [project], "resourceClassifiedAs": ["https://example.org/kinds/metal"] },
                "r": { "name": "Bob's copper" } }),
        id_at,
    )
    .await?;

    let t = "EconomicEventFilterParams";
    let cases = [
        ("no filter", json!({}), set(&[&e1, &e2, &e3, &e4])),
        ("providerId Bob", json!({ "providerId": [bob] }), set(&[&e2])),
        ("providerId Alice or Carol", json!({ "providerId": [alice, carol] }), set(&[&e1, &e3, &e4])),
        ("receiverId Alice", json!({ "receiverId": [alice] }), set(&[&e1, &e2])),
        ("receiverId Bob", json!({ "receiverId": [bob] }), set(&[&e4])),
        ("action work", json!({ "action": ["work"] }), set(&[&e1, &e2])),
        ("action raise or transfer", json!({ "action": ["raise", "transfer"] }), set(&[&e3, &e4])),
        ("action transfer-custody (none)", json!({ "action": ["transfer-custody"] }), set(&[])),
        // At or after 1 March: e3 (15 March) and e4 (1 April).
        ("startDate 1 March", json!({ "startDate": "2026-03-01T00:00:00Z" }), set(&[&e3, &e4])),
        // At or before 15 February: e1 (10 January) and e2 (ended 2 February).
        ("endDate 15 February", json!({ "endDate": "2026-02-15T00:00:00Z" }), set(&[&e1, &e2])),
        // Between 15 January and 31 March: e2 (1-2 February) and e3 (15 March).
        (
            "startDate 15 January, endDate 31 March",
            json!({ "startDate": "2026-01-15T00:00:00Z", "endDate": "2026-03-31T00:00:00Z" }),
            set(&[&e2, &e3]),
        ),
        ("inScopeOf the project", json!({ "inScopeOf": project }), set(&[&e1, &e4])),
        ("inScopeOf Bob (none)", json!({ "inScopeOf": bob }), set(&[])),
        (
            "providerId Carol, inScopeOf the project",
            json!({ "providerId": [carol], "inScopeOf": project }),
            set(&[&e4]),
        ),
        (
            "receiverId Alice, action work, providerId Bob",
            json!({ "receiverId": [alice], "action": ["work"], "providerId": [bob] }),
            set(&[&e2]),
        ),
    ];
    for (case, filter, expected) in cases {
        assert_eq!(ids(&app, "economicEvents", t, filter).await?, expected, "{case}");
    }
    let text_and_classes = [
        // Only e1's note holds "copper", in capitals.
        ("searchString copper", json!({ "searchString": "copper" }), set(&[&e1])),
        ("searchString DESIGN", json!({ "searchString": "DESIGN" }), set(&[&e2])),
        // `%` is a character, not a wildcard: only e2's note holds one.
        ("searchString %", json!({ "searchString": "%" }), set(&[&e2])),
        ("searchString _ (none)", json!({ "searchString": "_" }), set(&[])),
        (
            "resourceClassifiedAs metal",
            json!({ "resourceClassifiedAs": ["https://example.org/kinds/metal"] }),
            set(&[&e3, &e4]),
        ),
        // A prefix of a classification is not the classification.
        (
            "resourceClassifiedAs a prefix (none)",
            json!({ "resourceClassifiedAs": ["https://example.org/kinds/met"] }),
            set(&[]),
        ),
        (
            "resourceClassifiedAs metal, receiverId Bob",
            json!({ "resourceClassifiedAs": ["https://example.org/kinds/metal"], "receiverId": [bob] }),
            set(&[&e4]),
        ),
    ];
    for (case, filter, expected) in text_and_classes {
        assert_eq!(ids(&app, "economicEvents", t, filter).await?, expected, "{case}");
    }
    // Resources: the copper Carol raised, and Bob's copper from the transfer.
    let bobs = string_at(
        &app.graphql(
            "query($id: ID!) { economicEvent(id: $id) { toResourceInventoriedAs { id } } }",
            json!({ "id": e4 }),
        )
        .await?,
        "/data/economicEvent/toResourceInventoriedAs/id",
    )?;
    let r = "EconomicResourceFilterParams";
    let resources = [
        ("no filter", json!({}), set(&[&copper, &bobs])),
        ("searchString BOB", json!({ "searchString": "BOB" }), set(&[&bobs])),
        ("searchString copper", json!({ "searchString": "copper" }), set(&[&copper, &bobs])),
        ("classifiedAs metal", json!({ "classifiedAs": ["https://example.org/kinds/metal"] }), set(&[&copper])),
        ("conformsTo copper", json!({ "conformsTo": spec }), set(&[&copper, &bobs])),
    ];
    for (case, filter, expected) in resources {
        assert_eq!(ids(&app, "economicResources", r, filter).await?, expected, "{case}");
    }
    let refused = app
        .graphql(
            "query($f: EconomicEventFilterParams) { economicEvents(filter: $f) { edges { node { id } } } }",
            json!({ "f": { "resourceClassifiedAs": ["not a uri"] } }),
        )
        .await?;
    assert_eq!(error_codes(&refused), ["BAD_INPUT"], "{refused}");
    Ok(())
}

#[tokio::test]
async fn processes_filter_by_each_field() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let org = |name: &str| {
        let app = &app;
        let token = token.clone();
        let name = name.to_owned();
        async move {
            create(
                app,
                &token,
                "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id } } }",
                json!({ "o": { "name": name } }),
                "/data/createOrganization/agent/id",
            )
            .await
        }
    };
    let project = org("Sensor project").await?;
    let other = org("Another project").await?;
    let process = |params: Value| {
        let app = &app;
        let token = token.clone();
        async move {
            create(
                app,
                &token,
                "mutation($p: ProcessCreateParams!) { createProcess(process: $p) { process { id } } }",
                json!({ "p": params }),
                "/data/createProcess/process/id",
            )
            .await
        }
    };
    // p1: open, in the project. p2: open, no scope. p3: finished, in the project.
    // p4: finished, in the other project.
    let p1 =
        process(json!({ "name": "design", "inScopeOf": [project], "classifiedAs": ["https://example.org/kinds/rd"],
                             "hasBeginning": "2026-01-01T00:00:00Z", "hasEnd": "2026-01-31T00:00:00Z" }))
        .await?;
    let p2 = process(json!({ "name": "sourcing", "note": "find a copper supplier" })).await?;
    let p3 = process(json!({ "name": "assembly", "inScopeOf": [project], "finished": true,
                             "classifiedAs": ["https://example.org/kinds/make"],
                             "hasBeginning": "2026-02-01T00:00:00Z", "hasEnd": "2026-02-10T00:00:00Z" }))
    .await?;
    let p4 = process(json!({ "name": "testing", "inScopeOf": [other], "finished": true })).await?;

    let t = "ProcessFilterParams";
    let cases = [
        ("no filter", json!({}), set(&[&p1, &p2, &p3, &p4])),
        ("finished", json!({ "finished": true }), set(&[&p3, &p4])),
        ("not finished", json!({ "finished": false }), set(&[&p1, &p2])),
        ("inScopeOf the project", json!({ "inScopeOf": [project] }), set(&[&p1, &p3])),
        ("inScopeOf the other project", json!({ "inScopeOf": [other] }), set(&[&p4])),
        ("finished, in the project", json!({ "finished": true, "inScopeOf": [project] }), set(&[&p3])),
        ("not finished, in the other project", json!({ "finished": false, "inScopeOf": [other] }), set(&[])),
    ];
    for (case, filter, expected) in cases {
        assert_eq!(ids(&app, "processes", t, filter).await?, expected, "{case}");
    }
    let text_classes_dates = [
        ("searchString SIGN", json!({ "searchString": "SIGN" }), set(&[&p1])),
        // p2's note, not its name, holds "copper".
        ("searchString copper", json!({ "searchString": "copper" }), set(&[&p2])),
        ("classifiedAs make", json!({ "classifiedAs": ["https://example.org/kinds/make"] }), set(&[&p3])),
        (
            "classifiedAs make or rd",
            json!({ "classifiedAs": ["https://example.org/kinds/make", "https://example.org/kinds/rd"] }),
            set(&[&p1, &p3]),
        ),
        // Beginning on or after 15 January: only p3 (p2 and p4 have no beginning).
        ("startDate 15 January", json!({ "startDate": "2026-01-15T00:00:00Z" }), set(&[&p3])),
        // Ending on or before 31 January: only p1.
        ("endDate 31 January", json!({ "endDate": "2026-01-31T00:00:00Z" }), set(&[&p1])),
        (
            "classifiedAs rd, finished (none)",
            json!({ "classifiedAs": ["https://example.org/kinds/rd"], "finished": true }),
            set(&[]),
        ),
    ];
    for (case, filter, expected) in text_classes_dates {
        assert_eq!(ids(&app, "processes", t, filter).await?, expected, "{case}");
    }
    Ok(())
}
