//! The knowledge layer and the agent module over HTTP: creates with a token, refusal without
//! one (and nothing written), optimistic concurrency through `revisionId`, deletes,
//! ownership of a person's profile, `NOT_FOUND`, `myAgent`.

use crate::common::{TestApp, assert_refused, data, error_codes, spawn_app, string_at};
use anyhow::{Result, ensure};
use serde_json::{Value, json};

const CREATE_PERSON: &str =
    "mutation($p: AgentCreateParams!) { createPerson(person: $p) { agent { id revisionId name note } } }";
const CREATE_ORGANIZATION: &str = "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id revisionId name classifiedAs } } }";
const CREATE_UNIT: &str =
    "mutation($u: UnitCreateParams!) { createUnit(unit: $u) { unit { id revisionId label symbol omUnitIdentifier } } }";
const CREATE_RESOURCE_SPECIFICATION: &str = "mutation($r: ResourceSpecificationCreateParams!) {
  createResourceSpecification(resourceSpecification: $r) { resourceSpecification {
    id revisionId name note resourceClassifiedAs
    defaultUnitOfResource { id label symbol }
    defaultValuePerUnit { hasNumericalValue hasUnit { id symbol } } } } }";
const CREATE_PROCESS_SPECIFICATION: &str = "mutation($p: ProcessSpecificationCreateParams!) {
  createProcessSpecification(processSpecification: $p) { processSpecification { id revisionId name note } } }";
const CREATE_ROLE: &str = "mutation($r: AgentRelationshipRoleCreateParams!) {
  createAgentRelationshipRole(agentRelationshipRole: $r) { agentRelationshipRole { id revisionId roleLabel inverseRoleLabel } } }";
const CREATE_RELATIONSHIP: &str = "mutation($r: AgentRelationshipCreateParams!) {
  createAgentRelationship(relationship: $r) { agentRelationship {
    id revisionId note subject { id name } object { id name } relationship { id roleLabel }
    inScopeOf { __typename ... on Organization { id name } ... on Person { id } } } } }";
const UPDATE_UNIT: &str =
    "mutation($u: UnitUpdateParams!) { updateUnit(unit: $u) { unit { id revisionId label symbol omUnitIdentifier } } }";
const UPDATE_PERSON: &str =
    "mutation($p: AgentUpdateParams!) { updatePerson(person: $p) { agent { id revisionId name note } } }";

/// Every root connection a create in this file can add to, with its count.
async fn counts(app: &TestApp) -> Result<Vec<(&'static str, i64)>> {
    let mut counts = Vec::new();
    for connection in [
        "agents",
        "units",
        "resourceSpecifications",
        "processSpecifications",
        "agentRelationshipRoles",
        "agentRelationships",
    ] {
        counts.push((connection, app.total(connection).await?));
    }
    Ok(counts)
}

#[tokio::test]
async fn creates_every_kind_of_knowledge_record_with_a_token() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;

    let person = app.graphql_as(&token, CREATE_PERSON, json!({ "p": { "name": "Bob", "note": "maker" } })).await?;
    let person = &data(&person)?["createPerson"]["agent"];
    assert_eq!((&person["name"], &person["note"]), (&json!("Bob"), &json!("maker")));
    let bob = string_at(person, "/id")?;
    assert_eq!(person["revisionId"], format!("{bob}:1"));

    let organization = app
        .graphql_as(
            &token,
            CREATE_ORGANIZATION,
            json!({ "o": { "name": "Sensorica", "classifiedAs": ["ovn:Network", "https://example.org/kinds/lab"] } }),
        )
        .await?;
    let organization = &data(&organization)?["createOrganization"]["agent"];
    assert_eq!(organization["name"], "Sensorica");
    assert_eq!(organization["classifiedAs"], json!(["ovn:Network", "https://example.org/kinds/lab"]));
    let network = string_at(organization, "/id")?;

    // The same label and symbol twice give the same unit; another symbol another unit.
    let kilogram = app
        .graphql_as(
            &token,
            CREATE_UNIT,
            json!({ "u": { "label": "kilogram", "symbol": "kg", "omUnitIdentifier": "kilogram" } }),
        )
        .await?;
    let kilogram = data(&kilogram)?["createUnit"]["unit"].clone();
    assert_eq!(kilogram["omUnitIdentifier"], "kilogram");
    let again = app.graphql_as(&token, CREATE_UNIT, json!({ "u": { "label": "kilogram", "symbol": "kg" } })).await?;
    assert_eq!(data(&again)?["createUnit"]["unit"]["id"], kilogram["id"]);
    let euro = app.create_unit(&token, "euro", "EUR").await?;
    ensure!(json!(euro) != kilogram["id"]);
    assert_eq!(app.total("units").await?, 2);

    let spec = app
        .graphql_as(
            &token,
            CREATE_RESOURCE_SPECIFICATION,
            json!({ "r": {
                "name": "Aluminium",
                "note": "6061 alloy",
                "resourceClassifiedAs": ["https://example.org/metal"],
                "defaultUnitOfResource": kilogram["id"],
                "defaultValuePerUnit": { "hasNumericalValue": "12345678901234567.89", "hasUnit": euro },
            } }),
        )
        .await?;
    let created = data(&spec)?["createResourceSpecification"]["resourceSpecification"].clone();
    assert_eq!(created["name"], "Aluminium");
    assert_eq!(created["resourceClassifiedAs"], json!(["https://example.org/metal"]));
    assert_eq!(created["defaultUnitOfResource"]["id"], kilogram["id"]);
    assert_eq!(created["defaultUnitOfResource"]["symbol"], "kg");
    assert_eq!(
        created["defaultValuePerUnit"],
        json!({ "hasNumericalValue": "12345678901234567.89", "hasUnit": { "id": euro, "symbol": "EUR" } })
    );
    // Read back through the query, not only the mutation's answer.
    let read = app
        .graphql(
            "query($id: ID!) { resourceSpecification(id: $id) { name defaultValuePerUnit { hasNumericalValue } defaultUnitOfResource { label } } }",
            json!({ "id": created["id"] }),
        )
        .await?;
    assert_eq!(
        data(&read)?["resourceSpecification"],
        json!({ "name": "Aluminium", "defaultValuePerUnit": { "hasNumericalValue": "12345678901234567.89" }, "defaultUnitOfResource": { "label": "kilogram" } })
    );

    let process = app
        .graphql_as(&token, CREATE_PROCESS_SPECIFICATION, json!({ "p": { "name": "Milling", "note": "CNC" } }))
        .await?;
    let process = &data(&process)?["createProcessSpecification"]["processSpecification"];
    assert_eq!((&process["name"], &process["note"]), (&json!("Milling"), &json!("CNC")));

    let role = app
        .graphql_as(
            &token,
            CREATE_ROLE,
            json!({ "r": { "roleLabel": "affiliate of", "inverseRoleLabel": "has affiliate" } }),
        )
        .await?;
    let role = data(&role)?["createAgentRelationshipRole"]["agentRelationshipRole"].clone();
    assert_eq!((&role["roleLabel"], &role["inverseRoleLabel"]), (&json!("affiliate of"), &json!("has affiliate")));

    let relationship = app
        .graphql_as(
            &token,
            CREATE_RELATIONSHIP,
            json!({ "r": { "subject": bob, "object": network, "relationship": role["id"], "inScopeOf": [network], "note": "since 2024" } }),
        )
        .await?;
    let relationship = &data(&relationship)?["createAgentRelationship"]["agentRelationship"];
    assert_eq!(relationship["subject"], json!({ "id": bob, "name": "Bob" }));
    assert_eq!(relationship["object"], json!({ "id": network, "name": "Sensorica" }));
    assert_eq!(relationship["relationship"], json!({ "id": role["id"], "roleLabel": "affiliate of" }));
    assert_eq!(
        relationship["inScopeOf"],
        json!([{ "__typename": "Organization", "id": network, "name": "Sensorica" }])
    );
    assert_eq!(relationship["note"], "since 2024");

    assert_eq!(
        counts(&app).await?,
        [
            ("agents", 3),
            ("units", 2),
            ("resourceSpecifications", 1),
            ("processSpecifications", 1),
            ("agentRelationshipRoles", 1 + 5), // and the five seeded OVN roles
            ("agentRelationships", 1)
        ]
    );
    Ok(())
}

#[tokio::test]
async fn every_create_without_a_token_is_unauthenticated_and_writes_nothing() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let unit = app.create_unit(&token, "hour", "h").await?;
    let role = app.graphql_as(&token, CREATE_ROLE, json!({ "r": { "roleLabel": "member of" } })).await?;
    let role = string_at(&role, "/data/createAgentRelationshipRole/agentRelationshipRole/id")?;
    let before = counts(&app).await?;
    assert_eq!(before[0], ("agents", 1));

    let attempts = [
        ("createPerson", CREATE_PERSON, json!({ "p": { "name": "Mallory" } })),
        ("createOrganization", CREATE_ORGANIZATION, json!({ "o": { "name": "Shadow org" } })),
        ("createUnit", CREATE_UNIT, json!({ "u": { "label": "gram", "symbol": "g" } })),
        (
            "createResourceSpecification",
            CREATE_RESOURCE_SPECIFICATION,
            json!({ "r": { "name": "Steel", "defaultUnitOfResource": unit, "defaultValuePerUnit": { "hasNumericalValue": "1.5" } } }),
        ),
        ("createProcessSpecification", CREATE_PROCESS_SPECIFICATION, json!({ "p": { "name": "Welding" } })),
        ("createAgentRelationshipRole", CREATE_ROLE, json!({ "r": { "roleLabel": "owner of" } })),
        (
            "createAgentRelationship",
            CREATE_RELATIONSHIP,
            json!({ "r": { "subject": alice, "object": alice, "relationship": role, "inScopeOf": [alice] } }),
        ),
    ];
    for (field, mutation, variables) in attempts {
        let response = app.graphql(mutation, variables.clone()).await?;
        assert_refused(&response, field, "UNAUTHENTICATED")?;
        // A malformed Authorization header is no better than none.
        let (status, response) = {
            let sent = app
                .client
                .post(app.graphql_url())
                .header("Authorization", format!("Token {token}"))
                .json(&crate::common::request_body(mutation, variables))
                .send()
                .await?;
            (sent.status().as_u16(), sent.json::<Value>().await?)
        };
        assert_eq!(status, 200);
        assert_refused(&response, field, "UNAUTHENTICATED")?;
    }
    assert_eq!(counts(&app).await?, before, "an unauthenticated create wrote something");
    Ok(())
}

#[tokio::test]
async fn updates_check_the_revision_and_bump_it() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let unit = app.create_unit(&token, "kilogram", "kg").await?;
    let first = format!("{unit}:1");

    // Current revision: the change lands and the revision moves on; omitted fields stay.
    let updated =
        app.graphql_as(&token, UPDATE_UNIT, json!({ "u": { "revisionId": first, "label": "kilogramme" } })).await?;
    let updated = &data(&updated)?["updateUnit"]["unit"];
    assert_eq!(updated["revisionId"], format!("{unit}:2"));
    assert_eq!((&updated["label"], &updated["symbol"]), (&json!("kilogramme"), &json!("kg")));

    // Stale revision: refused, nothing changed.
    let stale = app.graphql_as(&token, UPDATE_UNIT, json!({ "u": { "revisionId": first, "label": "pound" } })).await?;
    assert_refused(&stale, "updateUnit", "CONFLICT")?;
    let read = app.graphql("query($id: ID!) { unit(id: $id) { label revisionId } }", json!({ "id": unit })).await?;
    assert_eq!(data(&read)?["unit"], json!({ "label": "kilogramme", "revisionId": format!("{unit}:2") }));

    // `null` erases an optional field; the next update needs the next revision.
    let cleared = app
        .graphql_as(
            &token,
            UPDATE_UNIT,
            json!({ "u": { "revisionId": format!("{unit}:2"), "omUnitIdentifier": null, "symbol": "kgs" } }),
        )
        .await?;
    let cleared = &data(&cleared)?["updateUnit"]["unit"];
    assert_eq!(cleared["revisionId"], format!("{unit}:3"));
    assert_eq!((&cleared["symbol"], &cleared["omUnitIdentifier"]), (&json!("kgs"), &Value::Null));

    // Resource specifications: the decimal survives an update of another field.
    let spec = app
        .graphql_as(
            &token,
            CREATE_RESOURCE_SPECIFICATION,
            json!({ "r": { "name": "Copper", "defaultValuePerUnit": { "hasNumericalValue": "0.10" } } }),
        )
        .await?;
    let spec = string_at(&spec, "/data/createResourceSpecification/resourceSpecification/id")?;
    let renamed = app
        .graphql_as(
            &token,
            "mutation($r: ResourceSpecificationUpdateParams!) { updateResourceSpecification(resourceSpecification: $r) {
               resourceSpecification { revisionId name defaultValuePerUnit { hasNumericalValue } } } }",
            json!({ "r": { "revisionId": format!("{spec}:1"), "name": "Copper wire" } }),
        )
        .await?;
    assert_eq!(
        data(&renamed)?["updateResourceSpecification"]["resourceSpecification"],
        json!({ "revisionId": format!("{spec}:2"), "name": "Copper wire", "defaultValuePerUnit": { "hasNumericalValue": "0.1" } })
    );

    // Delete: a stale revision is a conflict, the current one deletes.
    let delete = "mutation($r: ID!) { deleteUnit(revisionId: $r) }";
    let stale = app.graphql_as(&token, delete, json!({ "r": format!("{unit}:2") })).await?;
    assert_refused(&stale, "deleteUnit", "CONFLICT")?;
    assert_eq!(app.total("units").await?, 1);
    let deleted = app.graphql_as(&token, delete, json!({ "r": format!("{unit}:3") })).await?;
    assert_eq!(data(&deleted)?["deleteUnit"], true);
    assert_eq!(app.total("units").await?, 0);
    let gone = app.graphql("query($id: ID!) { unit(id: $id) { id } }", json!({ "id": unit })).await?;
    assert_eq!(data(&gone)?["unit"], Value::Null);
    // Deleting again: the record is gone.
    let again = app.graphql_as(&token, delete, json!({ "r": format!("{unit}:3") })).await?;
    assert_refused(&again, "deleteUnit", "NOT_FOUND")?;
    Ok(())
}

#[tokio::test]
async fn a_person_changes_only_their_own_profile() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;

    let forbidden = app
        .graphql_as(&alice_token, UPDATE_PERSON, json!({ "p": { "revisionId": format!("{bob}:1"), "name": "Bobby" } }))
        .await?;
    assert_refused(&forbidden, "updatePerson", "FORBIDDEN")?;
    let delete = "mutation($r: ID!) { deletePerson(revisionId: $r) }";
    let forbidden = app.graphql_as(&alice_token, delete, json!({ "r": format!("{bob}:1") })).await?;
    assert_refused(&forbidden, "deletePerson", "FORBIDDEN")?;
    let read = app.graphql("query($id: ID!) { person(id: $id) { name revisionId } }", json!({ "id": bob })).await?;
    assert_eq!(data(&read)?["person"], json!({ "name": "Bob", "revisionId": format!("{bob}:1") }));

    let own = app
        .graphql_as(&bob_token, UPDATE_PERSON, json!({ "p": { "revisionId": format!("{bob}:1"), "note": "welder" } }))
        .await?;
    assert_eq!(
        data(&own)?["updatePerson"]["agent"],
        json!({ "id": bob, "revisionId": format!("{bob}:2"), "name": "Bob", "note": "welder" })
    );
    let own = app.graphql_as(&alice_token, delete, json!({ "r": format!("{alice}:1") })).await?;
    assert_eq!(data(&own)?["deletePerson"], true);
    assert_eq!(app.total("people").await?, 1);
    Ok(())
}

#[tokio::test]
async fn unknown_records_are_not_found_and_malformed_ids_are_bad_input() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let nobody = uuid::Uuid::now_v7();

    let unit = app
        .graphql_as(&token, UPDATE_UNIT, json!({ "u": { "revisionId": format!("{nobody}:1"), "label": "x" } }))
        .await?;
    assert_refused(&unit, "updateUnit", "NOT_FOUND")?;
    let spec = app
        .graphql_as(
            &token,
            "mutation($r: ID!) { deleteResourceSpecification(revisionId: $r) }",
            json!({ "r": format!("{nobody}:4") }),
        )
        .await?;
    assert_refused(&spec, "deleteResourceSpecification", "NOT_FOUND")?;
    let role = app
        .graphql_as(
            &token,
            "mutation($r: AgentRelationshipRoleUpdateParams!) { updateAgentRelationshipRole(agentRelationshipRole: $r) { agentRelationshipRole { id } } }",
            json!({ "r": { "revisionId": format!("{nobody}:1"), "roleLabel": "x" } }),
        )
        .await?;
    assert_refused(&role, "updateAgentRelationshipRole", "NOT_FOUND")?;
    let organization = app
        .graphql_as(
            &token,
            "mutation($o: OrganizationUpdateParams!) { updateOrganization(organization: $o) { agent { id } } }",
            json!({ "o": { "revisionId": format!("{nobody}:1"), "name": "x" } }),
        )
        .await?;
    assert_refused(&organization, "updateOrganization", "NOT_FOUND")?;

    // A relationship between agents that do not exist is refused and not written.
    let role = app.graphql_as(&token, CREATE_ROLE, json!({ "r": { "roleLabel": "member of" } })).await?;
    let role = string_at(&role, "/data/createAgentRelationshipRole/agentRelationshipRole/id")?;
    let dangling = app
        .graphql_as(
            &token,
            CREATE_RELATIONSHIP,
            json!({ "r": { "subject": nobody, "object": nobody, "relationship": role } }),
        )
        .await?;
    let codes = error_codes(&dangling);
    ensure!(codes == ["NOT_FOUND"] || codes == ["BAD_INPUT"], "dangling relationship: {dangling}");
    assert_eq!(app.total("agentRelationships").await?, 0);

    // Reads of unknown ids are null, malformed ids BAD_INPUT.
    let read =
        app.graphql("query($id: ID!) { unit(id: $id) { id } agent(id: $id) { id } }", json!({ "id": nobody })).await?;
    assert_eq!(data(&read)?, &json!({ "unit": null, "agent": null }));
    let malformed = app.graphql("{ unit(id: \"not-a-uuid\") { id } }", Value::Null).await?;
    assert_eq!(error_codes(&malformed), ["BAD_INPUT"]);
    let no_number = app.graphql_as(&token, UPDATE_UNIT, json!({ "u": { "revisionId": nobody, "label": "x" } })).await?;
    assert_refused(&no_number, "updateUnit", "BAD_INPUT")?;
    Ok(())
}

#[tokio::test]
async fn my_agent_is_the_agent_the_token_names() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let query = "{ myAgent { __typename id name } }";

    let mine = app.graphql_as(&alice_token, query, Value::Null).await?;
    assert_eq!(data(&mine)?["myAgent"], json!({ "__typename": "Person", "id": alice, "name": "Alice" }));
    let theirs = app.graphql_as(&bob_token, query, Value::Null).await?;
    assert_eq!(data(&theirs)?["myAgent"], json!({ "__typename": "Person", "id": bob, "name": "Bob" }));

    // Anonymous: nobody, no error. A refused token: an error, not an anonymous answer.
    let anonymous = app.graphql(query, Value::Null).await?;
    assert_eq!(data(&anonymous)?["myAgent"], Value::Null);
    let refused = app.graphql_as("garbage", query, Value::Null).await?;
    assert_refused(&refused, "myAgent", "UNAUTHENTICATED")?;
    Ok(())
}

#[tokio::test]
async fn concurrent_updates_of_one_revision_let_exactly_one_through() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let unit = app.create_unit(&token, "hour", "h").await?;
    let attempts = (0..6).map(|i| {
        app.graphql_as(
            &token,
            UPDATE_UNIT,
            json!({ "u": { "revisionId": format!("{unit}:1"), "label": format!("hour {i}") } }),
        )
    });
    let responses = futures::future::join_all(attempts).await;
    let mut won = Vec::new();
    let mut conflicts = 0;
    for response in responses {
        let response = response?;
        match error_codes(&response).as_slice() {
            [] => won.push(string_at(&response, "/data/updateUnit/unit/label")?),
            [code] if code == "CONFLICT" => conflicts += 1,
            other => anyhow::bail!("unexpected {other:?}: {response}"),
        }
    }
    assert_eq!((won.len(), conflicts), (1, 5), "winners {won:?}");
    let read = app.graphql("query($id: ID!) { unit(id: $id) { label revisionId } }", json!({ "id": unit })).await?;
    assert_eq!(data(&read)?["unit"], json!({ "label": won[0], "revisionId": format!("{unit}:2") }));
    Ok(())
}
