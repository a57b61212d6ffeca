//! Who may write what, over HTTP: an event is recorded, corrected and annotated only by its
//! provider or receiver; a resource's details are changed only by its accountable agent or
//! its custodian. A refusal is `FORBIDDEN` and leaves the record as it was. And
//! `isContribution`: true exactly when the event is in scope of an organization and its
//! provider is another agent.

use anyhow::{Context as _, Result};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, spawn_app, string_at};

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id } economicResource { id } } }";
const UPDATE_EVENT: &str = "mutation($e: EconomicEventUpdateParams!) {
  updateEconomicEvent(event: $e) { economicEvent { revisionId note } } }";
const UPDATE_RESOURCE: &str = "mutation($r: EconomicResourceUpdateParams!) {
  updateEconomicResource(resource: $r) { economicResource { revisionId note } } }";

fn qty(value: &str) -> Value {
    json!({ "hasNumericalValue": value })
}

async fn record(app: &TestApp, token: &str, event: Value, resource: Value) -> Result<(String, Option<String>)> {
    let response = app.graphql_as(token, EVENT, json!({ "e": event, "r": resource })).await?;
    let id = string_at(&response, "/data/createEconomicEvent/economicEvent/id")?;
    let created =
        response.pointer("/data/createEconomicEvent/economicResource/id").and_then(Value::as_str).map(str::to_owned);
    Ok((id, created))
}

async fn process(app: &TestApp, token: &str) -> Result<String> {
    let response = app
        .graphql_as(
            token,
            "mutation { createProcess(process: { name: \"assembly\" }) { process { id } } }",
            Value::Null,
        )
        .await?;
    string_at(&response, "/data/createProcess/process/id")
}

async fn spec(app: &TestApp, token: &str) -> Result<String> {
    let response = app
        .graphql_as(
            token,
            "mutation { createResourceSpecification(resourceSpecification: { name: \"kit\" }) { resourceSpecification { id } } }",
            Value::Null,
        )
        .await?;
    string_at(&response, "/data/createResourceSpecification/resourceSpecification/id")
}

/// (revisionId, note) of an event.
async fn event_state(app: &TestApp, id: &str) -> Result<(Value, Value)> {
    let response =
        app.graphql("query($id: ID!) { economicEvent(id: $id) { revisionId note } }", json!({ "id": id })).await?;
    let e = &data(&response)?["economicEvent"];
    Ok((e["revisionId"].clone(), e["note"].clone()))
}

/// (revisionId, note) of a resource.
async fn resource_state(app: &TestApp, id: &str) -> Result<(Value, Value)> {
    let response =
        app.graphql("query($id: ID!) { economicResource(id: $id) { revisionId note } }", json!({ "id": id })).await?;
    let r = &data(&response)?["economicResource"];
    Ok((r["revisionId"].clone(), r["note"].clone()))
}

#[tokio::test]
async fn someone_elses_event_is_forbidden_to_record_correct_and_annotate() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let (_, carol_token) = app.person_with_token("Carol").await?;
    let assembly = process(&app, &alice_token).await?;
    let work = json!({ "action": "work", "provider": bob, "receiver": alice, "inputOf": assembly, "effortQuantity": qty("2") });

    // Carol records Bob's work for Alice: she is neither party.
    let refused = app.graphql_as(&carol_token, EVENT, json!({ "e": work })).await?;
    assert_refused(&refused, "createEconomicEvent", "FORBIDDEN")?;
    assert_eq!(app.total("economicEvents").await?, 0);

    let (event, _) = record(&app, &bob_token, work, Value::Null).await?;
    // Carol corrects it, naming herself as both agents: a correction takes the original's
    // agents, and she is not one of them.
    let correction = app
        .graphql_as(
            &carol_token,
            EVENT,
            json!({ "e": { "action": "work", "provider": bob, "receiver": alice, "inputOf": assembly, "corrects": event, "effortQuantity": qty("-1") } }),
        )
        .await?;
    assert_refused(&correction, "createEconomicEvent", "FORBIDDEN")?;
    assert_eq!(app.total("economicEvents").await?, 1);

    // Carol annotates it: forbidden, and the event keeps revision 1 and no note.
    let annotate = json!({ "e": { "revisionId": format!("{event}:1"), "note": "Carol was here" } });
    let response = app.graphql_as(&carol_token, UPDATE_EVENT, annotate.clone()).await?;
    assert_refused(&response, "updateEconomicEvent", "FORBIDDEN")?;
    assert_eq!(event_state(&app, &event).await?, (json!(format!("{event}:1")), Value::Null));
    // The control: the receiver may annotate it.
    let response = app.graphql_as(&alice_token, UPDATE_EVENT, annotate).await?;
    assert_eq!(data(&response)?["updateEconomicEvent"]["economicEvent"]["note"], "Carol was here");
    Ok(())
}

#[tokio::test]
async fn someone_elses_resource_is_forbidden_to_update() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let (_, carol_token) = app.person_with_token("Carol").await?;
    let kit = spec(&app, &alice_token).await?;
    let (_, kits) = record(
        &app,
        &alice_token,
        json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": kit, "resourceQuantity": qty("2") }),
        json!({ "name": "kits" }),
    )
    .await?;
    let kits = kits.context("kits")?;
    // Alice lends one kit to Bob: Bob's new resource is Alice's (accountable) in Bob's custody
    // (Bob, the receiver, records it).
    let (_, lent) = record(
        &app,
        &bob_token,
        json!({ "action": "transferCustody", "provider": alice, "receiver": bob, "resourceInventoriedAs": kits, "resourceQuantity": qty("1") }),
        json!({ "name": "kit on loan" }),
    )
    .await?;
    let lent = lent.context("lent kit")?;

    // The loan changed Alice's kits (an event's change is a revision of the resource): 2;
    // the lent kit was created by it: 1.
    for (resource, revision) in [(&kits, 2), (&lent, 1)] {
        let response = app
            .graphql_as(
                &carol_token,
                UPDATE_RESOURCE,
                json!({ "r": { "revisionId": format!("{resource}:{revision}"), "note": "mine now" } }),
            )
            .await?;
        assert_refused(&response, "updateEconomicResource", "FORBIDDEN")?;
        assert_eq!(resource_state(&app, resource).await?, (json!(format!("{resource}:{revision}")), Value::Null));
    }
    // Bob is neither accountable for Alice's own kits nor their custodian.
    let response = app
        .graphql_as(
            &bob_token,
            UPDATE_RESOURCE,
            json!({ "r": { "revisionId": format!("{kits}:2"), "note": "mine now" } }),
        )
        .await?;
    assert_refused(&response, "updateEconomicResource", "FORBIDDEN")?;
    // The controls: the custodian and the accountable agent may change the lent kit.
    let response = app
        .graphql_as(
            &bob_token,
            UPDATE_RESOURCE,
            json!({ "r": { "revisionId": format!("{lent}:1"), "note": "in Bob's bag" } }),
        )
        .await?;
    assert_eq!(data(&response)?["updateEconomicResource"]["economicResource"]["revisionId"], format!("{lent}:2"));
    let response = app
        .graphql_as(
            &alice_token,
            UPDATE_RESOURCE,
            json!({ "r": { "revisionId": format!("{lent}:2"), "note": "back soon" } }),
        )
        .await?;
    assert_eq!(data(&response)?["updateEconomicResource"]["economicResource"]["note"], "back soon");
    Ok(())
}

#[tokio::test]
async fn is_contribution_needs_an_organization_scope_and_another_provider_who_is_an_affiliate() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let (carol, carol_token) = app.person_with_token("Carol").await?;
    let project = string_at(
        &app.graphql_as(
            &alice_token,
            "mutation { createOrganization(organization: { name: \"Sensor project\" }) { agent { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createOrganization/agent/id",
    )?;
    // Bob joins the project (the seeded `affiliateOf` role); Carol does not.
    let joined = app
        .graphql_as(
            &bob_token,
            "mutation($r: AgentRelationshipCreateParams!) { createAgentRelationship(relationship: $r) { agentRelationship { id } } }",
            json!({ "r": { "subject": bob, "relationship": "00000000-0000-8000-8000-000000000001", "object": project } }),
        )
        .await?;
    data(&joined)?;
    let assembly = process(&app, &alice_token).await?;
    let work = |provider: &str, receiver: &str, scope: Option<&str>| {
        let mut event = json!({ "action": "work", "provider": provider, "receiver": receiver, "inputOf": assembly,
                                "effortQuantity": qty("1") });
        if let Some(scope) = scope {
            event["inScopeOf"] = json!([scope]);
        }
        event
    };
    let cases = [
        // Bob works for the project, in its scope: a contribution.
        ("Bob for the project, in its scope", &bob_token, work(&bob, &project, Some(&project)), true),
        // Bob works for Alice, in the project's scope: still a contribution to the project.
        ("Bob for Alice, in the project's scope", &bob_token, work(&bob, &alice, Some(&project)), true),
        // Carol is no affiliate of the project: her work in its scope is no contribution.
        ("Carol for the project, in its scope", &carol_token, work(&carol, &project, Some(&project)), false),
        // No scope: not a contribution to anything.
        ("Bob for the project, no scope", &bob_token, work(&bob, &project, None), false),
        // A person's scope is no organization.
        ("Bob for Alice, in Alice's scope", &bob_token, work(&bob, &alice, Some(&alice)), false),
        // The project providing to Alice in its own scope contributes nothing to itself.
        ("the project for Alice, in its scope", &alice_token, work(&project, &alice, Some(&project)), false),
    ];
    for (case, token, event, expected) in cases {
        let (id, _) = record(&app, token, event, Value::Null).await.with_context(|| case)?;
        let response =
            app.graphql("query($id: ID!) { economicEvent(id: $id) { isContribution } }", json!({ "id": id })).await?;
        assert_eq!(data(&response)?["economicEvent"]["isContribution"], expected, "{case}");
    }
    Ok(())
}
