//! Intents and satisfactions over HTTP: an intent satisfied partly, then beyond its quantity,
//! by two events (satisfied, remaining and over-satisfied quantities exact, `finished`
//! flipping); a satisfaction in another unit refused with nothing written; who may write an
//! intent; a stale `revisionId`; the bridging lists on agents, processes, resources and
//! resource specifications.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, spawn_app, string_at};

const CREATE_INTENT: &str = "mutation($i: IntentCreateParams!) { createIntent(intent: $i) { intent {
  id revisionId action { id } provider { id } receiver { id } finished
  resourceQuantity { hasNumericalValue hasUnit { id } } } } }";
const UPDATE_INTENT: &str =
    "mutation($i: IntentUpdateParams!) { updateIntent(intent: $i) { intent { id revisionId name note } } }";
const CREATE_EVENT: &str = "mutation($e: EconomicEventCreateParams!) {
  createEconomicEvent(event: $e) { economicEvent { id } } }";
const CREATE_SATISFACTION: &str = "mutation($s: SatisfactionCreateParams!) {
  createSatisfaction(satisfaction: $s) { satisfaction {
    id revisionId resourceQuantity { hasNumericalValue hasUnit { id } }
    satisfies { id } satisfiedBy { __typename ... on EconomicEvent { id } } } } }";
const PROGRESS: &str = "query($id: ID!) { intent(id: $id) {
  finished deletable
  satisfiedQuantity { hasNumericalValue hasUnit { id } }
  remainingQuantity { hasNumericalValue }
  overSatisfiedQuantity { hasNumericalValue }
  satisfiedBy { id resourceQuantity { hasNumericalValue } satisfiedBy { ... on EconomicEvent { id } } } } }";

/// Runs a mutation that must succeed; returns its data.
async fn run(app: &TestApp, token: &str, query: &str, variables: Value) -> Result<Value> {
    let response = app.graphql_as(token, query, variables).await?;
    Ok(data(&response).with_context(|| format!("running {query}"))?.clone())
}

/// Records a `deliverService` event from `provider` to `receiver` of `quantity` in `unit`.
async fn delivery(
    app: &TestApp,
    token: &str,
    provider: &str,
    receiver: &str,
    quantity: &str,
    unit: &str,
) -> Result<String> {
    let event = json!({ "e": { "action": "deliverService", "provider": provider, "receiver": receiver,
        "resourceQuantity": { "hasNumericalValue": quantity, "hasUnit": unit },
        "hasPointInTime": "2026-11-01T10:00:00Z" } });
    let created = run(app, token, CREATE_EVENT, event).await?;
    string_at(&created, "/createEconomicEvent/economicEvent/id")
}

/// The (satisfied, remaining, over-satisfied, finished) of an intent.
async fn progress(app: &TestApp, intent: &str) -> Result<(Value, Value, Value, Value)> {
    let response = app.graphql(PROGRESS, json!({ "id": intent })).await?;
    let intent = &data(&response)?["intent"];
    Ok((
        intent["satisfiedQuantity"]["hasNumericalValue"].clone(),
        intent["remainingQuantity"]["hasNumericalValue"].clone(),
        intent["overSatisfiedQuantity"]["hasNumericalValue"].clone(),
        intent["finished"].clone(),
    ))
}

#[tokio::test]
async fn an_intent_satisfied_by_two_events_is_partly_then_over_satisfied() -> Result<()> {
    // Arrange: Bob requests 10 kg of sorting work; Alice delivers.
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let kg = app.create_unit(&bob_token, "kilogram", "kg").await?;
    let hour = app.create_unit(&bob_token, "hour", "h").await?;
    let request = json!({ "i": { "action": "deliverService", "receiver": bob, "name": "sort 10 kg of parts",
        "resourceQuantity": { "hasNumericalValue": "10", "hasUnit": kg } } });
    let created = run(&app, &bob_token, CREATE_INTENT, request).await?;
    let intent = string_at(&created, "/createIntent/intent/id")?;
    assert_eq!(created["createIntent"]["intent"]["provider"], Value::Null);
    assert_eq!(created["createIntent"]["intent"]["receiver"]["id"], json!(bob));
    assert_eq!(created["createIntent"]["intent"]["finished"], json!(false));
    assert_eq!(progress(&app, &intent).await?, (json!("0"), json!("10"), json!("0"), json!(false)));

    // Act 1: a first delivery of 4 kg, the satisfaction taking the event's quantity.
    let first = delivery(&app, &alice_token, &alice, &bob, "4", &kg).await?;
    let satisfied =
        run(&app, &alice_token, CREATE_SATISFACTION, json!({ "s": { "satisfies": intent, "satisfiedBy": first } }))
            .await?;
    let satisfaction = &satisfied["createSatisfaction"]["satisfaction"];
    assert_eq!(satisfaction["resourceQuantity"], json!({ "hasNumericalValue": "4", "hasUnit": { "id": kg } }));
    assert_eq!(satisfaction["satisfiedBy"], json!({ "__typename": "EconomicEvent", "id": first }));
    // Assert: 4 of 10 done, 6 to go.
    assert_eq!(progress(&app, &intent).await?, (json!("4"), json!("6"), json!("0"), json!(false)));

    // Act 2: a second delivery of 9.25 kg of which 7.5 count for this intent: 11.5 of 10.
    let second = delivery(&app, &alice_token, &alice, &bob, "9.25", &kg).await?;
    let partial = json!({ "s": { "satisfies": intent, "satisfiedBy": second,
        "resourceQuantity": { "hasNumericalValue": "7.5", "hasUnit": kg } } });
    run(&app, &bob_token, CREATE_SATISFACTION, partial).await?;
    assert_eq!(progress(&app, &intent).await?, (json!("11.5"), json!("0"), json!("1.5"), json!(true)));

    // A satisfaction in hours is refused and writes nothing.
    let hours = delivery(&app, &alice_token, &alice, &bob, "2", &hour).await?;
    let before = app.total("satisfactions").await?;
    let refused = app
        .graphql_as(&alice_token, CREATE_SATISFACTION, json!({ "s": { "satisfies": intent, "satisfiedBy": hours } }))
        .await?;
    assert_refused(&refused, "createSatisfaction", "BAD_INPUT")?;
    let explicit = json!({ "s": { "satisfies": intent, "satisfiedBy": second,
        "resourceQuantity": { "hasNumericalValue": "1", "hasUnit": hour } } });
    assert_refused(
        &app.graphql_as(&alice_token, CREATE_SATISFACTION, explicit).await?,
        "createSatisfaction",
        "BAD_INPUT",
    )?;
    assert_eq!(app.total("satisfactions").await?, before);
    assert_eq!(before, 2);
    assert_eq!(progress(&app, &intent).await?, (json!("11.5"), json!("0"), json!("1.5"), json!(true)));

    // The links read both ways, and a satisfied intent is not deletable.
    let response = app.graphql(PROGRESS, json!({ "id": intent })).await?;
    let read = &data(&response)?["intent"];
    assert_eq!(read["deletable"], json!(false));
    let by: Vec<&Value> =
        read["satisfiedBy"].as_array().context("satisfiedBy")?.iter().map(|s| &s["satisfiedBy"]["id"]).collect();
    assert_eq!(by, [&json!(first), &json!(second)]);
    let event = app
        .graphql(
            "query($id: ID!) { economicEvent(id: $id) { satisfies { satisfies { id } resourceQuantity { hasNumericalValue } } } }",
            json!({ "id": second }),
        )
        .await?;
    assert_eq!(
        data(&event)?["economicEvent"]["satisfies"],
        json!([{ "satisfies": { "id": intent }, "resourceQuantity": { "hasNumericalValue": "7.5" } }])
    );
    Ok(())
}

#[tokio::test]
async fn an_intent_names_a_party_and_only_a_party_writes_it() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (_, carol_token) = app.person_with_token("Carol").await?;
    let hour = app.create_unit(&alice_token, "hour", "h").await?;
    let offer =
        json!({ "action": "work", "provider": alice, "effortQuantity": { "hasNumericalValue": "3", "hasUnit": hour } });

    // Nobody named: refused.
    let mut nobody = offer.clone();
    nobody["provider"] = Value::Null;
    assert_refused(
        &app.graphql_as(&alice_token, CREATE_INTENT, json!({ "i": nobody })).await?,
        "createIntent",
        "BAD_INPUT",
    )?;
    // The action's rules: work is effort, not a resource quantity.
    let mut wrong = offer.clone();
    wrong["resourceQuantity"] = json!({ "hasNumericalValue": "3", "hasUnit": hour });
    assert_refused(
        &app.graphql_as(&alice_token, CREATE_INTENT, json!({ "i": wrong })).await?,
        "createIntent",
        "BAD_INPUT",
    )?;
    // Carol cannot offer Alice's work; nobody without a token.
    assert_refused(
        &app.graphql_as(&carol_token, CREATE_INTENT, json!({ "i": offer })).await?,
        "createIntent",
        "FORBIDDEN",
    )?;
    assert_refused(&app.graphql(CREATE_INTENT, json!({ "i": offer })).await?, "createIntent", "UNAUTHENTICATED")?;
    assert_eq!(app.total("intents").await?, 0);

    // Alice can; Carol cannot change or delete it.
    let created = run(&app, &alice_token, CREATE_INTENT, json!({ "i": offer })).await?;
    let revision = string_at(&created, "/createIntent/intent/revisionId")?;
    let change = json!({ "i": { "revisionId": revision, "note": "evenings only" } });
    assert_refused(&app.graphql_as(&carol_token, UPDATE_INTENT, change.clone()).await?, "updateIntent", "FORBIDDEN")?;
    let delete = "mutation($r: ID!) { deleteIntent(revisionId: $r) }";
    assert_refused(
        &app.graphql_as(&carol_token, delete, json!({ "r": revision })).await?,
        "deleteIntent",
        "FORBIDDEN",
    )?;
    let updated = run(&app, &alice_token, UPDATE_INTENT, change).await?;
    let revision = string_at(&updated, "/updateIntent/intent/revisionId")?;
    ensure!(revision.ends_with(":2"), "the update made revision 2: {revision}");
    let deleted = run(&app, &alice_token, delete, json!({ "r": revision })).await?;
    assert_eq!(deleted["deleteIntent"], json!(true));
    assert_eq!(app.total("intents").await?, 0);
    Ok(())
}

#[tokio::test]
async fn updating_an_intent_at_a_stale_revision_is_a_conflict() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let kg = app.create_unit(&token, "kilogram", "kg").await?;
    let offer = json!({ "i": { "action": "transfer", "provider": alice,
        "resourceQuantity": { "hasNumericalValue": "5", "hasUnit": kg } } });
    let created = run(&app, &token, CREATE_INTENT, offer).await?;
    let first = string_at(&created, "/createIntent/intent/revisionId")?;
    run(&app, &token, UPDATE_INTENT, json!({ "i": { "revisionId": first, "name": "apples" } })).await?;
    let stale = app.graphql_as(&token, UPDATE_INTENT, json!({ "i": { "revisionId": first, "name": "pears" } })).await?;
    assert_refused(&stale, "updateIntent", "CONFLICT")?;
    let id = string_at(&created, "/createIntent/intent/id")?;
    let read = app.graphql("query($id: ID!) { intent(id: $id) { name revisionId } }", json!({ "id": id })).await?;
    assert_eq!(data(&read)?["intent"], json!({ "name": "apples", "revisionId": format!("{id}:2") }));
    Ok(())
}

#[tokio::test]
async fn intents_are_listed_on_their_agents_process_resource_specification_and_scope() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let hour = app.create_unit(&alice_token, "hour", "h").await?;
    let project = run(
        &app,
        &alice_token,
        "mutation { createOrganization(organization: { name: \"Sensor kit\" }) { agent { id } } }",
        Value::Null,
    )
    .await?;
    let project = string_at(&project, "/createOrganization/agent/id")?;
    let spec = run(
        &app,
        &alice_token,
        "mutation { createResourceSpecification(resourceSpecification: { name: \"Soldering\", mediumOfExchange: false }) {
           resourceSpecification { id mediumOfExchange } } }",
        Value::Null,
    )
    .await?;
    assert_eq!(spec["createResourceSpecification"]["resourceSpecification"]["mediumOfExchange"], json!(false));
    let spec = string_at(&spec, "/createResourceSpecification/resourceSpecification/id")?;
    let process = run(
        &app,
        &alice_token,
        "mutation { createProcess(process: { name: \"Assemble\" }) { process { id } } }",
        Value::Null,
    )
    .await?;
    let process = string_at(&process, "/createProcess/process/id")?;
    // Alice offers work into the process; Bob requests it in the project's scope.
    let offer = json!({ "i": { "action": "work", "provider": alice, "inputOf": process, "resourceConformsTo": spec,
        "effortQuantity": { "hasNumericalValue": "2", "hasUnit": hour } } });
    let offer = string_at(&run(&app, &alice_token, CREATE_INTENT, offer).await?, "/createIntent/intent/id")?;
    let request = json!({ "i": { "action": "work", "receiver": bob, "inScopeOf": [project],
        "effortQuantity": { "hasNumericalValue": "1", "hasUnit": hour } } });
    let request = string_at(&run(&app, &bob_token, CREATE_INTENT, request).await?, "/createIntent/intent/id")?;

    let ids = |v: &Value| -> Vec<String> {
        v["edges"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["node"]["id"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let response = app
        .graphql(
            "query($a: ID!, $b: ID!, $p: ID!, $s: ID!, $o: ID!) {
               alice: person(id: $a) { intents { edges { node { id } } } intentsAsProvider { edges { node { id } } }
                 intentsAsReceiver { edges { node { id } } } }
               bob: person(id: $b) { intentsAsReceiver { edges { node { id } } } }
               project: organization(id: $o) { intentsInScope { edges { node { id } } } }
               process(id: $p) { intendedInputs { id } intendedOutputs { id } }
               resourceSpecification(id: $s) { intents { edges { node { id } } } } }",
            json!({ "a": alice, "b": bob, "p": process, "s": spec, "o": project }),
        )
        .await?;
    let d = data(&response)?;
    assert_eq!(ids(&d["alice"]["intents"]), std::slice::from_ref(&offer));
    assert_eq!(ids(&d["alice"]["intentsAsProvider"]), std::slice::from_ref(&offer));
    assert!(ids(&d["alice"]["intentsAsReceiver"]).is_empty());
    assert_eq!(ids(&d["bob"]["intentsAsReceiver"]), std::slice::from_ref(&request));
    assert_eq!(ids(&d["project"]["intentsInScope"]), [request]);
    assert_eq!(d["process"]["intendedInputs"], json!([{ "id": offer }]));
    assert_eq!(d["process"]["intendedOutputs"], json!([]));
    assert_eq!(ids(&d["resourceSpecification"]["intents"]), [offer]);

    // A process an intent names is not deletable, and deleting it is refused.
    let response = app.graphql("query($p: ID!) { process(id: $p) { deletable } }", json!({ "p": process })).await?;
    assert_eq!(data(&response)?["process"]["deletable"], json!(false));
    let delete =
        app.graphql_as(&alice_token, "mutation($p: ID!) { deleteProcess(id: $p) }", json!({ "p": process })).await?;
    assert_refused(&delete, "deleteProcess", "CONFLICT")?;
    Ok(())
}

#[tokio::test]
async fn a_retried_create_intent_with_the_same_key_answers_the_first_intent() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let hour = app.create_unit(&token, "hour", "h").await?;
    let create = "mutation($i: IntentCreateParams!, $k: String) { createIntent(intent: $i, idempotencyKey: $k) { intent { id } } }";
    let offer =
        json!({ "action": "work", "provider": alice, "effortQuantity": { "hasNumericalValue": "3", "hasUnit": hour } });
    let first = run(&app, &token, create, json!({ "i": offer, "k": "offer-1" })).await?;
    let again = run(&app, &token, create, json!({ "i": offer, "k": "offer-1" })).await?;
    assert_eq!(first, again);
    let mut other = offer.clone();
    other["note"] = json!("another input");
    assert_refused(
        &app.graphql_as(&token, create, json!({ "i": other, "k": "offer-1" })).await?,
        "createIntent",
        "IDEMPOTENCY_MISMATCH",
    )?;
    assert_eq!(app.total("intents").await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_steward_writes_the_intents_of_the_project_it_stewards() -> Result<()> {
    // Arrange: Alice stewards the project (the seeded `stewardOf` role); Carol does not.
    let app = spawn_app().await?;
    let (_, alice_token) = app.person_with_token("Alice").await?;
    let (steward, steward_token) = app.person_with_token("Steward").await?;
    let (_, carol_token) = app.person_with_token("Carol").await?;
    let project = run(
        &app,
        &alice_token,
        "mutation { createOrganization(organization: { name: \"Sensor kit\", classifiedAs: [\"ovn:Project\"] }) { agent { id } } }",
        Value::Null,
    )
    .await?;
    let project = string_at(&project, "/createOrganization/agent/id")?;
    let steward_of = "00000000-0000-8000-8000-000000000005";
    run(
        &app,
        &steward_token,
        "mutation($r: AgentRelationshipCreateParams!) { createAgentRelationship(relationship: $r) { agentRelationship { id } } }",
        json!({ "r": { "subject": steward, "relationship": steward_of, "object": project } }),
    )
    .await?;
    let kg = app.create_unit(&steward_token, "kilogram", "kg").await?;
    let offer = json!({ "i": { "action": "transfer", "provider": project,
        "resourceQuantity": { "hasNumericalValue": "20", "hasUnit": kg } } });

    // Act and assert: Carol may not offer the project's stock; its steward may.
    assert_refused(&app.graphql_as(&carol_token, CREATE_INTENT, offer.clone()).await?, "createIntent", "FORBIDDEN")?;
    let created = run(&app, &steward_token, CREATE_INTENT, offer).await?;
    assert_eq!(created["createIntent"]["intent"]["provider"]["id"], json!(project));
    let revision = string_at(&created, "/createIntent/intent/revisionId")?;
    let change = json!({ "i": { "revisionId": revision, "note": "pick up on Fridays" } });
    assert_refused(&app.graphql_as(&carol_token, UPDATE_INTENT, change.clone()).await?, "updateIntent", "FORBIDDEN")?;
    run(&app, &steward_token, UPDATE_INTENT, change).await?;
    Ok(())
}

#[tokio::test]
async fn a_commitment_satisfies_an_intent_like_an_event_does() -> Result<()> {
    // Arrange: Bob requests 10 kg; Alice commits 6 kg of it, then delivers 5 kg more.
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let kg = app.create_unit(&bob_token, "kilogram", "kg").await?;
    let hour = app.create_unit(&bob_token, "hour", "h").await?;
    let request = json!({ "i": { "action": "deliverService", "receiver": bob,
        "resourceQuantity": { "hasNumericalValue": "10", "hasUnit": kg } } });
    let intent = string_at(&run(&app, &bob_token, CREATE_INTENT, request).await?, "/createIntent/intent/id")?;
    let commit = "mutation($c: CommitmentCreateParams!) { createCommitment(commitment: $c) { commitment { id } } }";
    let promise = |quantity: &str, unit: &str| {
        json!({ "c": { "action": "deliverService", "provider": alice, "receiver": bob,
            "resourceQuantity": { "hasNumericalValue": quantity, "hasUnit": unit } } })
    };
    let commitment =
        string_at(&run(&app, &alice_token, commit, promise("6", &kg)).await?, "/createCommitment/commitment/id")?;

    // Act: the commitment satisfies the intent (its quantity by default), then an event.
    let by_commitment = run(
        &app,
        &alice_token,
        CREATE_SATISFACTION,
        json!({ "s": { "satisfies": intent, "satisfiedBy": commitment } }),
    )
    .await?;
    let satisfaction = &by_commitment["createSatisfaction"]["satisfaction"];
    assert_eq!(satisfaction["resourceQuantity"], json!({ "hasNumericalValue": "6", "hasUnit": { "id": kg } }));
    let which = app
        .graphql(
            "query($id: ID!) { satisfaction(id: $id) { satisfiedBy { __typename ... on Commitment { id } } } }",
            json!({ "id": satisfaction["id"] }),
        )
        .await?;
    assert_eq!(data(&which)?["satisfaction"]["satisfiedBy"], json!({ "__typename": "Commitment", "id": commitment }));
    assert_eq!(progress(&app, &intent).await?, (json!("6"), json!("4"), json!("0"), json!(false)));
    let delivered = delivery(&app, &alice_token, &alice, &bob, "5", &kg).await?;
    run(&app, &bob_token, CREATE_SATISFACTION, json!({ "s": { "satisfies": intent, "satisfiedBy": delivered } }))
        .await?;

    // Assert: 11 of 10, events and commitments alike; a commitment in hours is refused.
    assert_eq!(progress(&app, &intent).await?, (json!("11"), json!("0"), json!("1"), json!(true)));
    let in_hours =
        string_at(&run(&app, &alice_token, commit, promise("1", &hour)).await?, "/createCommitment/commitment/id")?;
    let refused = app
        .graphql_as(&alice_token, CREATE_SATISFACTION, json!({ "s": { "satisfies": intent, "satisfiedBy": in_hours } }))
        .await?;
    assert_refused(&refused, "createSatisfaction", "BAD_INPUT")?;
    let listed = app
        .graphql(
            "query($id: ID!) { commitment(id: $id) { satisfies { satisfies { id } } } }",
            json!({ "id": commitment }),
        )
        .await?;
    assert_eq!(data(&listed)?["commitment"]["satisfies"], json!([{ "satisfies": { "id": intent } }]));
    Ok(())
}
