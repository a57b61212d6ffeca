//! Idempotent creates over HTTP: a retry with the same key and input returns the first
//! record; the same key with another input is `IDEMPOTENCY_MISMATCH`; keys belong to agents.

use crate::common::{assert_refused, spawn_app, string_at};
use anyhow::{Context as _, Result, ensure};
use serde_json::json;

const CREATE_PERSON: &str = "mutation($p: AgentCreateParams!, $k: String) { createPerson(person: $p, idempotencyKey: $k) { agent { id name } } }";
const CREATE_UNIT: &str =
    "mutation($u: UnitCreateParams!, $k: String) { createUnit(unit: $u, idempotencyKey: $k) { unit { id label } } }";

#[tokio::test]
async fn create_person_replays_and_detects_mismatch() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let before = app.total("people").await?;

    let first =
        app.graphql_as(&token, CREATE_PERSON, json!({ "p": { "name": "Bob", "note": "n" }, "k": "person-1" })).await?;
    let id = string_at(&first, "/data/createPerson/agent/id")?;
    // The same input written differently (field order) is the same input.
    let retry =
        app.graphql_as(&token, CREATE_PERSON, json!({ "k": "person-1", "p": { "note": "n", "name": "Bob" } })).await?;
    assert_eq!(string_at(&retry, "/data/createPerson/agent/id")?, id);
    assert_eq!(app.total("people").await?, before + 1);

    let other = app
        .graphql_as(&token, CREATE_PERSON, json!({ "p": { "name": "Carol", "note": "n" }, "k": "person-1" }))
        .await?;
    assert_refused(&other, "createPerson", "IDEMPOTENCY_MISMATCH")?;
    assert_eq!(app.total("people").await?, before + 1);

    // Without a key every call creates.
    for _ in 0..2 {
        let response = app.graphql_as(&token, CREATE_PERSON, json!({ "p": { "name": "Bob", "note": "n" } })).await?;
        string_at(&response, "/data/createPerson/agent/id")?;
    }
    assert_eq!(app.total("people").await?, before + 3);
    Ok(())
}

#[tokio::test]
async fn create_unit_replays_and_detects_mismatch() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;

    let first =
        app.graphql_as(&token, CREATE_UNIT, json!({ "u": { "label": "hour", "symbol": "h" }, "k": "unit-1" })).await?;
    let id = string_at(&first, "/data/createUnit/unit/id")?;
    let retry =
        app.graphql_as(&token, CREATE_UNIT, json!({ "u": { "label": "hour", "symbol": "h" }, "k": "unit-1" })).await?;
    assert_eq!(string_at(&retry, "/data/createUnit/unit/id")?, id);

    let other = app
        .graphql_as(&token, CREATE_UNIT, json!({ "u": { "label": "minute", "symbol": "min" }, "k": "unit-1" }))
        .await?;
    assert_refused(&other, "createUnit", "IDEMPOTENCY_MISMATCH")?;
    assert_eq!(app.total("units").await?, 1);

    // A key used for one mutation cannot be reused for another.
    let across = app.graphql_as(&token, CREATE_PERSON, json!({ "p": { "name": "hour" }, "k": "unit-1" })).await?;
    assert_refused(&across, "createPerson", "IDEMPOTENCY_MISMATCH")?;
    Ok(())
}

#[tokio::test]
async fn keys_belong_to_the_agent_that_used_them() -> Result<()> {
    let app = spawn_app().await?;
    let (_, alice) = app.person_with_token("Alice").await?;
    let (_, bob) = app.person_with_token("Bob").await?;

    let mine = app.graphql_as(&alice, CREATE_PERSON, json!({ "p": { "name": "Dana" }, "k": "shared-key" })).await?;
    let theirs = app.graphql_as(&bob, CREATE_PERSON, json!({ "p": { "name": "Dana" }, "k": "shared-key" })).await?;
    let mine = string_at(&mine, "/data/createPerson/agent/id")?;
    let theirs = string_at(&theirs, "/data/createPerson/agent/id")?;
    assert_ne!(mine, theirs, "another agent's key must not replay someone else's record");
    // Bob's different input under Alice's key is no mismatch for Bob.
    let bob_other = app.graphql_as(&bob, CREATE_PERSON, json!({ "p": { "name": "Eve" }, "k": "another" })).await?;
    string_at(&bob_other, "/data/createPerson/agent/id")?;
    assert_eq!(app.total("people").await?, 5);

    // A blank key is refused, not silently ignored.
    let blank = app.graphql_as(&alice, CREATE_PERSON, json!({ "p": { "name": "Fay" }, "k": "" })).await?;
    assert_refused(&blank, "createPerson", "BAD_INPUT")?;
    Ok(())
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_record() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let attempts =
        (0..8).map(|_| app.graphql_as(&token, CREATE_PERSON, json!({ "p": { "name": "Bob" }, "k": "racing-key" })));
    let responses = futures::future::join_all(attempts).await;
    let mut ids = std::collections::BTreeSet::new();
    for response in responses {
        ids.insert(string_at(&response?, "/data/createPerson/agent/id")?);
    }
    assert_eq!(ids.len(), 1, "concurrent retries created {ids:?}");
    assert_eq!(app.total("people").await?, 2);
    Ok(())
}

/// One create mutation: its name, the document (taking `$i` and `$k`), the connection that
/// counts its records, and the pointer to the created id.
struct Create {
    name: &'static str,
    document: String,
    connection: &'static str,
    id_at: String,
}

fn create(name: &'static str, argument: &str, input_type: &str, selection: &str, connection: &'static str) -> Create {
    Create {
        name,
        document: format!(
            "mutation($i: {input_type}!, $k: String) {{ {name}({argument}: $i, idempotencyKey: $k) {{ {selection} {{ id }} }} }}"
        ),
        connection,
        id_at: format!("/data/{name}/{selection}/id"),
    }
}

#[tokio::test]
async fn every_create_replays_its_key_and_refuses_another_input_under_it() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let (bob, _) = app.person_with_token("Bob").await?;
    let role = app
        .graphql_as(
            &token,
            "mutation { createAgentRelationshipRole(agentRelationshipRole: { roleLabel: \"is member of\" }) { agentRelationshipRole { id } } }",
            json!(null),
        )
        .await?;
    let role = string_at(&role, "/data/createAgentRelationshipRole/agentRelationshipRole/id")?;
    let process = app
        .graphql_as(
            &token,
            "mutation { createProcess(process: { name: \"assembly\" }) { process { id } } }",
            json!(null),
        )
        .await?;
    let process = string_at(&process, "/data/createProcess/process/id")?;
    let work = |hours: &str| {
        json!({ "action": "work", "provider": alice, "receiver": bob, "inputOf": process,
                "effortQuantity": { "hasNumericalValue": hours } })
    };
    // Each create with two different inputs: `a` is sent twice under one key, then `b` under
    // the same key.
    let cases = [
        (
            create("createPerson", "person", "AgentCreateParams", "agent", "people"),
            json!({ "name": "Carol" }),
            json!({ "name": "Dan" }),
        ),
        (
            create("createOrganization", "organization", "OrganizationCreateParams", "agent", "organizations"),
            json!({ "name": "Sensor project" }),
            json!({ "name": "Another project" }),
        ),
        (
            create(
                "createAgentRelationshipRole",
                "agentRelationshipRole",
                "AgentRelationshipRoleCreateParams",
                "agentRelationshipRole",
                "agentRelationshipRoles",
            ),
            json!({ "roleLabel": "is affiliate of" }),
            json!({ "roleLabel": "is steward of" }),
        ),
        (
            create(
                "createAgentRelationship",
                "relationship",
                "AgentRelationshipCreateParams",
                "agentRelationship",
                "agentRelationships",
            ),
            json!({ "subject": alice, "object": bob, "relationship": role }),
            json!({ "subject": bob, "object": alice, "relationship": role }),
        ),
        (
            create("createUnit", "unit", "UnitCreateParams", "unit", "units"),
            json!({ "label": "hour", "symbol": "h" }),
            json!({ "label": "minute", "symbol": "min" }),
        ),
        (
            create(
                "createProcessSpecification",
                "processSpecification",
                "ProcessSpecificationCreateParams",
                "processSpecification",
                "processSpecifications",
            ),
            json!({ "name": "assembly" }),
            json!({ "name": "testing" }),
        ),
        (
            create(
                "createResourceSpecification",
                "resourceSpecification",
                "ResourceSpecificationCreateParams",
                "resourceSpecification",
                "resourceSpecifications",
            ),
            json!({ "name": "sensor kit" }),
            json!({ "name": "copper" }),
        ),
        (
            create("createEconomicEvent", "event", "EconomicEventCreateParams", "economicEvent", "economicEvents"),
            work("2"),
            work("3"),
        ),
        (
            create("createProcess", "process", "ProcessCreateParams", "process", "processes"),
            json!({ "name": "assemble kit #1" }),
            json!({ "name": "assemble kit #2" }),
        ),
    ];
    ensure!(cases.len() == 9, "every create mutation that takes idempotencyKey is listed");
    for (create, a, b) in cases {
        let key = format!("key-{}", create.name);
        let before = app.total(create.connection).await?;
        let first = app.graphql_as(&token, &create.document, json!({ "i": a, "k": key })).await?;
        let id = string_at(&first, &create.id_at).with_context(|| create.name)?;
        let retry = app.graphql_as(&token, &create.document, json!({ "i": a, "k": key })).await?;
        ensure!(string_at(&retry, &create.id_at)? == id, "{}: the retry made another record: {retry}", create.name);
        let other = app.graphql_as(&token, &create.document, json!({ "i": b, "k": key })).await?;
        assert_refused(&other, create.name, "IDEMPOTENCY_MISMATCH").with_context(|| create.name)?;
        ensure!(
            app.total(create.connection).await? == before + 1,
            "{}: one record for three requests under one key",
            create.name
        );
    }
    Ok(())
}

#[tokio::test]
async fn create_unit_records_the_key_when_it_answers_with_an_existing_unit() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    // The unit exists before the keyed request; createUnit answers with it rather than make
    // a second unit with the same label and symbol.
    let existing = app.create_unit(&token, "hour", "h").await?;
    let first =
        app.graphql_as(&token, CREATE_UNIT, json!({ "u": { "label": "hour", "symbol": "h" }, "k": "unit-k" })).await?;
    assert_eq!(string_at(&first, "/data/createUnit/unit/id")?, existing);
    // The key now stands for that answer: another input under it is a mismatch, not a unit.
    let other = app
        .graphql_as(&token, CREATE_UNIT, json!({ "u": { "label": "minute", "symbol": "min" }, "k": "unit-k" }))
        .await?;
    assert_refused(&other, "createUnit", "IDEMPOTENCY_MISMATCH")?;
    assert_eq!(app.total("units").await?, 1);
    let retry =
        app.graphql_as(&token, CREATE_UNIT, json!({ "u": { "label": "hour", "symbol": "h" }, "k": "unit-k" })).await?;
    assert_eq!(string_at(&retry, "/data/createUnit/unit/id")?, existing);
    Ok(())
}
