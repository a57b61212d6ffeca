//! Value equations over HTTP: drafts created, read, updated and deleted, numbered 1, 2, ... per
//! scope; a `STRAIGHT` equation whose buckets do not add up to 100, a bad formula (with its
//! position and path), a missing recipient or a person as scope refused with nothing written;
//! who may draft (an affiliate or a steward) and who may change a draft (its author or a
//! steward); stale revisions; the history of a draft. Frozen versions: `governance.rs`.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, spawn_app, string_at};

pub const AFFILIATE_OF: &str = "00000000-0000-8000-8000-000000000001";
pub const STEWARD_OF: &str = "00000000-0000-8000-8000-000000000005";

pub const CREATE: &str = "mutation($e: ValueEquationCreateParams!) { createValueEquation(equation: $e) {
  valueEquation { id revisionId version status name } } }";
pub const UPDATE: &str = "mutation($e: ValueEquationUpdateParams!) { updateValueEquation(equation: $e) {
  valueEquation { id revisionId version status name percentageBehavior buckets { sequence percentage } } } }";
pub const DELETE: &str = "mutation($id: ID!) { deleteValueEquation(revisionId: $id) }";
const READ: &str = "query($id: ID!) { valueEquation(id: $id) {
  id version status percentageBehavior valuation name note created adoptedAt retiredAt scope { id } createdBy { id }
  buckets { id sequence name kind percentage recipient { id } periodStart periodEnd
    rules { id action { id } resourceConformsTo { id } resourceClassifiedAs processConformsTo { id }
            processClassifiedAs formula claimType } } } }";
const LIST: &str = "query($s: ID!, $st: EquationStatus) { valueEquations(scope: $s, status: $st) { version status } }";

/// Creates an organization; returns its id.
pub async fn organization(app: &TestApp, token: &str, name: &str) -> Result<String> {
    let response = app
        .graphql_as(
            token,
            "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id } } }",
            json!({ "o": { "name": name } }),
        )
        .await?;
    string_at(&response, "/data/createOrganization/agent/id")
}

/// States that `subject` is `role` of `object`, as `token`'s agent.
pub async fn relate(app: &TestApp, token: &str, subject: &str, role: &str, object: &str) -> Result<()> {
    let response = app
        .graphql_as(
            token,
            "mutation($r: AgentRelationshipCreateParams!) { createAgentRelationship(relationship: $r) {
               agentRelationship { id } } }",
            json!({ "r": { "subject": subject, "relationship": role, "object": object } }),
        )
        .await?;
    data(&response).with_context(|| format!("relating {subject} to {object}"))?;
    Ok(())
}

/// A project with a steward (who claimed it), and two affiliates who drafted nothing yet, and
/// a stranger; a fund organization to pay an `AGENT` bucket to.
pub struct Project {
    pub app: TestApp,
    pub project: String,
    pub fund: String,
    pub steward: (String, String),
    pub alice: (String, String),
    pub bob: (String, String),
    pub eve: (String, String),
}

/// A fresh [`Project`].
pub async fn project() -> Result<Project> {
    let app = spawn_app().await?;
    let steward = app.person_with_token("Steward").await?;
    let alice = app.person_with_token("Alice").await?;
    let bob = app.person_with_token("Bob").await?;
    let eve = app.person_with_token("Eve").await?;
    let project = organization(&app, &steward.1, "Sensor kit").await?;
    let fund = organization(&app, &steward.1, "Infrastructure fund").await?;
    relate(&app, &steward.1, &steward.0, STEWARD_OF, &project).await?;
    relate(&app, &alice.1, &alice.0, AFFILIATE_OF, &project).await?;
    relate(&app, &bob.1, &bob.0, AFFILIATE_OF, &project).await?;
    Ok(Project { app, project, fund, steward, alice, bob, eve })
}

/// The sensor kit's equation (DESIGN 4.6): 5% to the fund, 95% to the deliverable's
/// contributors, design work at 1.5 times the rate.
pub fn sensor_kit(scope: &str, fund: &str, name: &str) -> Value {
    json!({
        "scope": scope, "name": name, "percentageBehavior": "STRAIGHT", "note": "the sensor kit",
        "buckets": [
            { "sequence": 1, "name": "infrastructure", "kind": "AGENT", "percentage": "5", "recipient": fund },
            { "sequence": 2, "name": "contributors", "kind": "DELIVERABLE", "percentage": "95", "rules": [
                { "action": "work", "resourceClassifiedAs": ["https://sensorica.co/skill/design"],
                  "formula": "quantity * rate * 1.5", "claimType": "EQUITY" },
                { "action": "work", "formula": "quantity * rate", "claimType": "EQUITY" },
                { "action": "transfer", "formula": "quantity", "claimType": "DEBT" }
            ] }
        ]
    })
}

/// Drafts an equation that must be accepted; returns its `valueEquation`.
pub async fn draft(app: &TestApp, token: &str, equation: Value) -> Result<Value> {
    let response = app.graphql_as(token, CREATE, json!({ "e": equation })).await?;
    Ok(data(&response).context("drafting an equation")?["createValueEquation"]["valueEquation"].clone())
}

/// The versions of a scope, as (version, status), newest first.
async fn versions(app: &TestApp, scope: &str) -> Result<Vec<(i64, String)>> {
    let response = app.graphql(LIST, json!({ "s": scope })).await?;
    Ok(data(&response)?["valueEquations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| (v["version"].as_i64().unwrap_or(-1), v["status"].as_str().unwrap_or_default().to_owned()))
        .collect())
}

fn text<'v>(value: &'v Value, pointer: &str) -> &'v str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

#[tokio::test]
async fn a_draft_is_created_read_updated_and_deleted_and_versions_are_numbered_per_scope() -> Result<()> {
    // Arrange
    let p = project().await?;
    let app = &p.app;
    let (alice, alice_token) = &p.alice;
    let other = organization(app, &p.steward.1, "Other project").await?;
    relate(app, alice_token, alice, AFFILIATE_OF, &other).await?;

    // Act: two versions of the project, one of the other project.
    let v1 = draft(app, alice_token, sensor_kit(&p.project, &p.fund, "v1")).await?;
    let v2 = draft(app, alice_token, sensor_kit(&p.project, &p.fund, "v2")).await?;
    let elsewhere = draft(app, alice_token, sensor_kit(&other, &p.fund, "first")).await?;

    // Assert: numbered per scope, drafts, read back whole.
    assert_eq!((v1["version"].as_i64(), v1["status"].as_str()), (Some(1), Some("DRAFT")));
    assert_eq!(v2["version"].as_i64(), Some(2));
    assert_eq!(elsewhere["version"].as_i64(), Some(1), "versions are numbered per scope");
    let id = v1["id"].as_str().unwrap_or_default();
    let read = app.graphql(READ, json!({ "id": id })).await?;
    let e = &data(&read)?["valueEquation"];
    assert_eq!(text(e, "/scope/id"), p.project);
    assert_eq!(text(e, "/createdBy/id"), *alice);
    assert_eq!((text(e, "/percentageBehavior"), text(e, "/valuation")), ("STRAIGHT", "RESTATE"));
    assert_eq!((text(e, "/note"), e["adoptedAt"].is_null(), e["retiredAt"].is_null()), ("the sensor kit", true, true));
    let buckets = e["buckets"].as_array().cloned().unwrap_or_default();
    assert_eq!(buckets.len(), 2);
    assert_eq!(
        (text(&buckets[0], "/kind"), text(&buckets[0], "/percentage"), text(&buckets[0], "/recipient/id")),
        ("AGENT", "5", p.fund.as_str())
    );
    assert_eq!(buckets[0]["rules"], json!([]));
    assert_eq!((text(&buckets[1], "/kind"), text(&buckets[1], "/percentage")), ("DELIVERABLE", "95"));
    let rules = buckets[1]["rules"].as_array().cloned().unwrap_or_default();
    assert_eq!(rules.len(), 3);
    assert_eq!(text(&rules[0], "/action/id"), "work");
    assert_eq!(rules[0]["resourceClassifiedAs"], json!(["https://sensorica.co/skill/design"]));
    assert_eq!((text(&rules[0], "/formula"), text(&rules[0], "/claimType")), ("quantity * rate * 1.5", "EQUITY"));
    assert_eq!((text(&rules[2], "/action/id"), text(&rules[2], "/claimType")), ("transfer", "DEBT"));
    assert_eq!(versions(app, &p.project).await?, [(2, "DRAFT".to_owned()), (1, "DRAFT".to_owned())]);

    // Act: the author renames v1 and replaces its buckets with two REMAINING halves.
    let first_revision = v1["revisionId"].as_str().unwrap_or_default().to_owned();
    let changes = json!({ "e": { "id": id, "revisionId": first_revision, "name": "v1, halves",
        "percentageBehavior": "REMAINING", "note": null,
        "buckets": [
            { "sequence": 1, "name": "fund", "kind": "AGENT", "percentage": "50", "recipient": p.fund },
            { "sequence": 2, "name": "rest", "kind": "PERIOD", "percentage": "100",
              "periodStart": "2026-01-01T00:00:00Z",
              "rules": [{ "action": "work", "formula": "effort * rate", "claimType": "ONCE" }] }
        ] } });
    let updated = app.graphql_as(alice_token, UPDATE, changes.clone()).await?;
    let u = &data(&updated)?["updateValueEquation"]["valueEquation"];

    // Assert: a new revision with the new buckets; the stale revision is refused.
    assert_eq!(
        (text(u, "/name"), text(u, "/percentageBehavior"), text(u, "/status")),
        ("v1, halves", "REMAINING", "DRAFT")
    );
    assert_eq!(u["buckets"], json!([{ "sequence": 1, "percentage": "50" }, { "sequence": 2, "percentage": "100" }]));
    assert_ne!(text(u, "/revisionId"), first_revision);
    assert_refused(&app.graphql_as(alice_token, UPDATE, changes).await?, "updateValueEquation", "CONFLICT")?;
    let before = app
        .graphql(
            "query($id: ID!, $r: ID!) { valueEquation(id: $id) { note revision(revisionId: $r) { name note buckets { kind } } } }",
            json!({ "id": id, "r": first_revision }),
        )
        .await?;
    let before = &data(&before)?["valueEquation"];
    assert!(before["note"].is_null(), "the note was cleared");
    assert_eq!(before["revision"]["name"], "v1");
    assert_eq!(before["revision"]["note"], "the sensor kit");
    assert_eq!(before["revision"]["buckets"], json!([{ "kind": "AGENT" }, { "kind": "DELIVERABLE" }]));

    // Act and assert: v2 deleted; the next draft takes its number (versions are the drafts
    // kept, 1, 2, ... without gaps).
    let deleted = app.graphql_as(alice_token, DELETE, json!({ "id": v2["revisionId"] })).await?;
    assert_eq!(data(&deleted)?["deleteValueEquation"], true);
    let gone = app.graphql(READ, json!({ "id": v2["id"] })).await?;
    assert!(data(&gone)?["valueEquation"].is_null());
    let v3 = draft(app, alice_token, sensor_kit(&p.project, &p.fund, "v3")).await?;
    assert_eq!(v3["version"].as_i64(), Some(2));
    let listed = app.graphql(LIST, json!({ "s": p.project, "st": "DRAFT" })).await?;
    assert_eq!(
        data(&listed)?["valueEquations"],
        json!([{ "version": 2, "status": "DRAFT" }, { "version": 1, "status": "DRAFT" }])
    );
    Ok(())
}

#[tokio::test]
async fn bad_drafts_are_refused_naming_the_field_and_nothing_is_written() -> Result<()> {
    let p = project().await?;
    let app = &p.app;
    let (alice, alice_token) = &p.alice;
    let refused = async |equation: Value| -> Result<String> {
        let response = app.graphql_as(alice_token, CREATE, json!({ "e": equation })).await?;
        assert_refused(&response, "createValueEquation", "BAD_INPUT")?;
        Ok(response["errors"][0]["message"].as_str().unwrap_or_default().to_owned())
    };

    // STRAIGHT buckets adding up to 95.
    let mut short = sensor_kit(&p.project, &p.fund, "short");
    short["buckets"][1]["percentage"] = json!("90");
    assert_eq!(refused(short).await?, "buckets: the percentages of a STRAIGHT equation must add up to 100, not 95");

    // A formula naming a variable that does not exist, at position 12 of the second bucket's
    // first rule.
    let mut typo = sensor_kit(&p.project, &p.fund, "typo");
    typo["buckets"][1]["rules"][0]["formula"] = json!("quantity * ratee");
    let message = refused(typo).await?;
    assert!(message.starts_with("buckets[1].rules[0].formula: at position 12: unknown variable `ratee`"), "{message}");

    // An AGENT bucket paying an agent that does not exist.
    let mut nobody = sensor_kit(&p.project, &p.fund, "nobody");
    let missing = uuid::Uuid::now_v7().to_string();
    nobody["buckets"][0]["recipient"] = json!(missing);
    assert_eq!(refused(nobody).await?, format!("buckets[0].recipient: agent `{missing}` does not exist"));

    // An AGENT bucket with rules; a person as scope.
    let mut ruled = sensor_kit(&p.project, &p.fund, "ruled");
    ruled["buckets"][0]["rules"] = ruled["buckets"][1]["rules"].clone();
    let message = refused(ruled).await?;
    assert!(message.starts_with("buckets[0].rules: ") && message.ends_with("has no rules"), "{message}");
    let personal = refused(sensor_kit(alice, &p.fund, "mine")).await?;
    assert!(personal.starts_with("scope: is a person"), "{personal}");

    // Nothing was written.
    assert_eq!(versions(app, &p.project).await?, []);
    Ok(())
}

#[tokio::test]
async fn affiliates_and_stewards_draft_and_only_the_author_or_a_steward_changes_a_draft() -> Result<()> {
    let p = project().await?;
    let app = &p.app;
    let (_, alice_token) = &p.alice;
    let (_, bob_token) = &p.bob;
    let (_, eve_token) = &p.eve;
    let (_, steward_token) = &p.steward;

    // A stranger drafts nothing; nor does an anonymous client.
    let stranger = app.graphql_as(eve_token, CREATE, json!({ "e": sensor_kit(&p.project, &p.fund, "x") })).await?;
    assert_refused(&stranger, "createValueEquation", "FORBIDDEN")?;
    let anonymous = app.graphql(CREATE, json!({ "e": sensor_kit(&p.project, &p.fund, "x") })).await?;
    assert_refused(&anonymous, "createValueEquation", "UNAUTHENTICATED")?;

    // Alice drafts; Bob, another affiliate, may neither change nor delete her draft.
    let v1 = draft(app, alice_token, sensor_kit(&p.project, &p.fund, "v1")).await?;
    let rename = |revision: &Value, name: &str| json!({ "e": { "revisionId": revision, "name": name } });
    let by_bob = app.graphql_as(bob_token, UPDATE, rename(&v1["revisionId"], "Bob's")).await?;
    assert_refused(&by_bob, "updateValueEquation", "FORBIDDEN")?;
    assert_refused(
        &app.graphql_as(bob_token, DELETE, json!({ "id": v1["revisionId"] })).await?,
        "deleteValueEquation",
        "FORBIDDEN",
    )?;

    // The project's steward may, and drafts versions too.
    let by_steward = app.graphql_as(steward_token, UPDATE, rename(&v1["revisionId"], "tidied")).await?;
    let tidied = &data(&by_steward)?["updateValueEquation"]["valueEquation"];
    assert_eq!(tidied["name"], "tidied");
    let v2 = draft(app, steward_token, sensor_kit(&p.project, &p.fund, "steward's")).await?;
    assert_eq!(v2["version"].as_i64(), Some(2));
    let deleted = app.graphql_as(steward_token, DELETE, json!({ "id": tidied["revisionId"] })).await?;
    assert_eq!(data(&deleted)?["deleteValueEquation"], true);
    assert_eq!(versions(app, &p.project).await?, [(2, "DRAFT".to_owned())]);
    Ok(())
}
