//! Access rules over HTTP: the owner of a pooled printer sets its rule and the history keeps
//! every version; anyone else is `FORBIDDEN`; bad terms are `BAD_INPUT`; concurrent changes
//! from one version each get their own number. A `use` event whose provider the rule does not
//! let in is `ACCESS_RULE_VIOLATION` naming the rule; a named agent, an affiliate under
//! `anyAffiliate` and a role holder pass; a specification's rule governs a resource without one
//! of its own. A NONDOMINIUM resource's rule cannot be set directly: only a passed
//! `CHANGE_ACCESS_RULE` proposal changes it, and a failed one changes nothing.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, spawn_app, string_at};
use crate::pools::{CUSTODIAN_OF, PART_OF, record, spec};
use crate::value_equations::{AFFILIATE_OF, STEWARD_OF, organization, relate};

const RULE_FIELDS: &str = "id version resource { id } resourceSpecification { id } scope { id } anyAffiliate
  roles { id } agents { id } minimumReputation requiresApproval longestBookingMinutes
  valuePerUnitOfUse { hasNumericalValue hasUnit { id } } maintenanceShare maintenanceRecipient { id } note
  setBy { id } setAt proposal { id }";

fn set_rule_query() -> String {
    format!(
        "mutation($r: ID, $s: ID, $rule: AccessRuleParams!) {{
           setAccessRule(resource: $r, resourceSpecification: $s, rule: $rule) {{ accessRule {{ {RULE_FIELDS} }} }} }}"
    )
}

fn history_query() -> String {
    format!(
        "query($r: ID, $s: ID) {{ accessRuleHistory(resource: $r, resourceSpecification: $s) {{ {RULE_FIELDS} }} }}"
    )
}

const PROPOSE: &str = "mutation($p: GovernanceProposalCreateParams!) { createGovernanceProposal(proposal: $p) {
  governanceProposal { id kind status resource { id } resourceSpecification { id }
    accessRule { scope { id } anyAffiliate agents { id } maintenanceShare note } } } }";
const VOTE: &str = "mutation($p: ID!, $y: Boolean!) { vote(proposal: $p, inFavour: $y) {
  governanceProposal { id status failureReason } } }";

/// A network with two stewards and a custodian, a project part of it; Alice (an affiliate)
/// owns a pooled printer; Bob is an affiliate; Carol is named by rules; Dan holds the
/// `maintainer` role toward the network; Eve is a stranger. A process to use the printer in.
struct Shared {
    app: TestApp,
    network: String,
    project: String,
    stewards: [(String, String); 2],
    custodian: (String, String),
    alice: (String, String),
    bob: (String, String),
    carol: (String, String),
    dan: (String, String),
    eve: (String, String),
    maintainer: String,
    printer_spec: String,
    printer: String,
    process: String,
    hour: String,
}

async fn shared() -> Result<Shared> {
    let app = spawn_app().await?;
    let stewards = [app.person_with_token("Steward 1").await?, app.person_with_token("Steward 2").await?];
    let [alice, bob, carol, dan, eve] = [
        app.person_with_token("Alice").await?,
        app.person_with_token("Bob").await?,
        app.person_with_token("Carol").await?,
        app.person_with_token("Dan").await?,
        app.person_with_token("Eve").await?,
    ];
    let token = &stewards[0].1;
    let network = organization(&app, token, "Sensorica").await?;
    let project = organization(&app, token, "Sensor kit").await?;
    let trust = organization(&app, token, "Commons trust").await?;
    let custodian = (trust.clone(), app.token_for(&trust)?);
    for steward in &stewards {
        relate(&app, token, &steward.0, STEWARD_OF, &network).await?;
    }
    relate(&app, token, &project, PART_OF, &network).await?;
    relate(&app, token, &trust, CUSTODIAN_OF, &network).await?;
    for who in [&alice, &bob] {
        relate(&app, &who.1, &who.0, AFFILIATE_OF, &network).await?;
    }
    let role = app
        .graphql_as(
            &dan.1,
            "mutation { createAgentRelationshipRole(agentRelationshipRole: { roleLabel: \"maintainer of\" }) {
               agentRelationshipRole { id } } }",
            Value::Null,
        )
        .await?;
    let maintainer = string_at(&role, "/data/createAgentRelationshipRole/agentRelationshipRole/id")?;
    relate(&app, &dan.1, &dan.0, &maintainer, &network).await?;
    let hour = app.create_unit(token, "hour", "h").await?;
    let printer_spec = spec(&app, &alice.1, json!({ "name": "3D printer" })).await?;
    let printer = raise(&app, &alice, &printer_spec, "printer", "POOL_OF_SHAREABLES").await?;
    let process = string_at(
        &app.graphql_as(
            &alice.1,
            "mutation { createProcess(process: { name: \"assembly\" }) { process { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createProcess/process/id",
    )?;
    Ok(Shared {
        app,
        network,
        project,
        stewards,
        custodian,
        alice,
        bob,
        carol,
        dan,
        eve,
        maintainer,
        printer_spec,
        printer,
        process,
        hour,
    })
}

/// `who` raises one resource of `spec` under `regime`; returns its id.
async fn raise(app: &TestApp, who: &(String, String), spec: &str, name: &str, regime: &str) -> Result<String> {
    let response = record(
        app,
        &who.1,
        json!({ "action": "raise", "provider": who.0, "receiver": who.0, "resourceConformsTo": spec,
                "resourceQuantity": { "hasNumericalValue": "1" } }),
        json!({ "name": name, "propertyRegime": regime }),
    )
    .await?;
    string_at(&response, "/data/createEconomicEvent/economicResource/id")
}

impl Shared {
    async fn set_rule(&self, token: &str, resource: Option<&str>, spec: Option<&str>, rule: Value) -> Result<Value> {
        self.app.graphql_as(token, &set_rule_query(), json!({ "r": resource, "s": spec, "rule": rule })).await
    }

    /// [`Self::set_rule`] on a resource, which must succeed; returns the version written.
    async fn rule_set(&self, token: &str, resource: &str, rule: Value) -> Result<Value> {
        let response = self.set_rule(token, Some(resource), None, rule).await?;
        Ok(data(&response)?["setAccessRule"]["accessRule"].clone())
    }

    async fn history(&self, resource: Option<&str>, spec: Option<&str>) -> Result<Vec<Value>> {
        let response = self.app.graphql(&history_query(), json!({ "r": resource, "s": spec })).await?;
        Ok(data(&response)?["accessRuleHistory"].as_array().cloned().unwrap_or_default())
    }

    /// The `accessRules` of a resource, as (version, resource id, specification id).
    async fn in_force(&self, resource: &str) -> Result<Vec<(i64, Value, Value)>> {
        let response = self
            .app
            .graphql(
                "query($id: ID!) { economicResource(id: $id) { accessRules { version resource { id } resourceSpecification { id } } } }",
                json!({ "id": resource }),
            )
            .await?;
        let rules = data(&response)?["economicResource"]["accessRules"].as_array().cloned().unwrap_or_default();
        Ok(rules
            .iter()
            .map(|r| {
                (
                    r["version"].as_i64().unwrap_or(0),
                    r["resource"]["id"].clone(),
                    r["resourceSpecification"]["id"].clone(),
                )
            })
            .collect())
    }

    /// `who` records 2 hours of `use` of `resource` as its provider; returns the response.
    async fn use_it(&self, who: &(String, String), resource: &str) -> Result<Value> {
        let event = json!({ "action": "use", "provider": who.0, "receiver": self.project, "inputOf": self.process,
                            "resourceInventoriedAs": resource,
                            "effortQuantity": { "hasNumericalValue": "2", "hasUnit": self.hour } });
        record(&self.app, &who.1, event, Value::Null).await
    }

    /// [`Self::use_it`], which must be recorded.
    async fn used(&self, who: &(String, String), resource: &str) -> Result<()> {
        let response = self.use_it(who, resource).await?;
        data(&response).with_context(|| format!("{} using {resource}", who.0))?;
        Ok(())
    }

    /// [`Self::use_it`], which must be refused by the rule; returns the message.
    async fn refused_use(&self, who: &(String, String), resource: &str) -> Result<String> {
        let response = self.use_it(who, resource).await?;
        assert_refused(&response, "createEconomicEvent", "ACCESS_RULE_VIOLATION")
            .with_context(|| format!("{} using {resource}", who.0))?;
        Ok(response["errors"][0]["message"].as_str().unwrap_or_default().to_owned())
    }

    async fn propose(&self, token: &str, proposal: Value) -> Result<Value> {
        self.app.graphql_as(token, PROPOSE, json!({ "p": proposal })).await
    }

    async fn vote(&self, who: &(String, String), proposal: &str, in_favour: bool) -> Result<Value> {
        let response = self.app.graphql_as(&who.1, VOTE, json!({ "p": proposal, "y": in_favour })).await?;
        Ok(data(&response).with_context(|| format!("{} voting", who.0))?["vote"]["governanceProposal"].clone())
    }
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array().into_iter().flatten().filter_map(|item| item["id"].as_str()).collect()
}

#[tokio::test]
async fn the_owner_sets_a_pooled_printer_s_rule_and_its_history_keeps_every_version() -> Result<()> {
    let s = shared().await?;
    let alice = &s.alice.1;

    // v1: Carol by name, bookings of at most 2 hours, a fifth of each use to maintenance.
    let v1 = s
        .rule_set(
            alice,
            &s.printer,
            json!({ "scope": s.network, "agents": [s.carol.0], "longestBookingMinutes": 120,
                    "maintenanceShare": "0.20", "note": "v1" }),
        )
        .await?;
    ensure!(v1["version"] == 1 && v1["setBy"]["id"] == json!(s.alice.0), "{v1}");
    ensure!(v1["resource"]["id"] == json!(s.printer) && v1["resourceSpecification"].is_null(), "{v1}");
    ensure!(v1["scope"]["id"] == json!(s.network) && ids(&v1["agents"]) == [s.carol.0.as_str()], "{v1}");
    // Left out: nobody else, no approval, no value of its own; the share is kept as 0.2.
    ensure!(
        v1["anyAffiliate"] == false
            && v1["roles"] == json!([])
            && v1["requiresApproval"] == false
            && v1["longestBookingMinutes"] == 120
            && v1["maintenanceShare"] == "0.2"
            && v1["minimumReputation"].is_null()
            && v1["valuePerUnitOfUse"].is_null()
            && v1["maintenanceRecipient"].is_null()
            && v1["proposal"].is_null(),
        "{v1}"
    );

    // v2: any affiliate, the maintainers, 6 per hour of use, approval needed, Dan maintains it.
    let v2 = s
        .rule_set(
            alice,
            &s.printer,
            json!({ "scope": s.network, "anyAffiliate": true, "roles": [s.maintainer], "requiresApproval": true,
                    "valuePerUnitOfUse": { "hasNumericalValue": "6", "hasUnit": s.hour },
                    "maintenanceShare": "0.15", "maintenanceRecipient": s.dan.0, "minimumReputation": "0" }),
        )
        .await?;
    ensure!(v2["version"] == 2 && v2["anyAffiliate"] == true && ids(&v2["roles"]) == [s.maintainer.as_str()], "{v2}");
    ensure!(
        v2["valuePerUnitOfUse"] == json!({ "hasNumericalValue": "6", "hasUnit": { "id": s.hour } })
            && v2["requiresApproval"] == true
            && v2["maintenanceShare"] == "0.15"
            && v2["maintenanceRecipient"]["id"] == json!(s.dan.0)
            && v2["minimumReputation"] == "0"
            && v2["longestBookingMinutes"].is_null()
            && v2["agents"] == json!([]),
        "{v2}"
    );

    // The history: both versions, oldest first, each with its own terms; v2 is in force.
    let history = s.history(Some(&s.printer), None).await?;
    ensure!(history == [v1.clone(), v2.clone()], "{history:?}");
    ensure!(s.in_force(&s.printer).await? == [(2, json!(s.printer), Value::Null)]);

    // Nobody but the owner: an affiliate, a steward of the scope, the maintenance recipient.
    let rule = json!({ "scope": s.network, "anyAffiliate": true });
    for who in [&s.bob, &s.stewards[0], &s.dan] {
        let response = s.set_rule(&who.1, Some(&s.printer), None, rule.clone()).await?;
        assert_refused(&response, "setAccessRule", "FORBIDDEN")?;
    }

    // Bad terms are BAD_INPUT, naming the field.
    let bad = [
        (json!({ "scope": s.network, "maintenanceShare": "1.5" }), "maintenanceShare: "),
        (json!({ "scope": s.network, "minimumReputation": "-0.1" }), "minimumReputation: "),
        (json!({ "scope": s.network, "longestBookingMinutes": 0 }), "longestBookingMinutes: "),
        (json!({ "scope": s.network, "agents": [s.carol.0, s.carol.0] }), "agents: "),
        (json!({ "scope": s.network, "agents": [s.hour] }), "rule.agents: "),
        (json!({ "scope": s.alice.0 }), "scope: "),
    ];
    for (rule, field) in bad {
        let response = s.set_rule(alice, Some(&s.printer), None, rule).await?;
        assert_refused(&response, "setAccessRule", "BAD_INPUT")?;
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(message.starts_with(field), "{field}: {message}");
    }
    let both = s.set_rule(alice, Some(&s.printer), Some(&s.printer_spec), rule.clone()).await?;
    assert_refused(&both, "setAccessRule", "BAD_INPUT")?;
    ensure!(s.history(Some(&s.printer), None).await?.len() == 2, "a refused change writes nothing");

    // Eight changes sent at once from v2: each is written, as v3 to v10, none lost or doubled.
    let changes = (0..8).map(|n| {
        let rule = json!({ "scope": s.network, "anyAffiliate": true, "note": format!("change {n}") });
        s.set_rule(alice, Some(&s.printer), None, rule)
    });
    for response in futures::future::join_all(changes).await {
        data(&response?)?;
    }
    let history = s.history(Some(&s.printer), None).await?;
    let versions: Vec<i64> = history.iter().filter_map(|r| r["version"].as_i64()).collect();
    ensure!(versions == (1..=10).collect::<Vec<i64>>(), "{versions:?}");
    let mut notes: Vec<&str> = history[2..].iter().filter_map(|r| r["note"].as_str()).collect();
    notes.sort_unstable();
    ensure!(notes == (0..8).map(|n| format!("change {n}")).collect::<Vec<_>>(), "{notes:?}");
    Ok(())
}

#[tokio::test]
async fn a_use_the_rule_does_not_allow_is_refused_naming_the_rule() -> Result<()> {
    let s = shared().await?;

    // No rule yet: only the owner uses the printer.
    s.used(&s.alice, &s.printer).await?;
    let message = s.refused_use(&s.bob, &s.printer).await?;
    ensure!(message.contains("has no access rule") && message.contains(&s.printer), "{message}");

    // v1: Carol by name and the maintainers toward the network; affiliates are not let in.
    s.rule_set(&s.alice.1, &s.printer, json!({ "scope": s.network, "agents": [s.carol.0], "roles": [s.maintainer] }))
        .await?;
    s.used(&s.carol, &s.printer).await?;
    s.used(&s.dan, &s.printer).await?;
    s.used(&s.alice, &s.printer).await?;
    let label = format!("access rule v1 of resource {}", s.printer);
    for who in [&s.eve, &s.bob] {
        let message = s.refused_use(who, &s.printer).await?;
        ensure!(message.starts_with(&label) && message.contains(&who.0), "{message}");
    }

    // v2: any affiliate of the project; Bob, an affiliate of the network it is part of, is one.
    // Carol is no longer named, and Eve is still nobody.
    s.rule_set(&s.alice.1, &s.printer, json!({ "scope": s.project, "anyAffiliate": true })).await?;
    s.used(&s.bob, &s.printer).await?;
    let label = format!("access rule v2 of resource {}", s.printer);
    for who in [&s.carol, &s.eve] {
        let message = s.refused_use(who, &s.printer).await?;
        ensure!(message.starts_with(&label), "{message}");
    }

    // A rule on the printers' specification governs Alice's second printer, which has none of
    // its own; the first keeps its own. Only a steward of the rule's scope sets it.
    let second = raise(&s.app, &s.alice, &s.printer_spec, "second printer", "POOL_OF_SHAREABLES").await?;
    let spec_rule = json!({ "scope": s.network, "agents": [s.eve.0] });
    let response = s.set_rule(&s.alice.1, None, Some(&s.printer_spec), spec_rule.clone()).await?;
    assert_refused(&response, "setAccessRule", "FORBIDDEN")?;
    let response = s.set_rule(&s.stewards[1].1, None, Some(&s.printer_spec), spec_rule).await?;
    let rule = &data(&response)?["setAccessRule"]["accessRule"];
    ensure!(rule["version"] == 1 && rule["resourceSpecification"]["id"] == json!(s.printer_spec), "{rule}");
    ensure!(rule["resource"].is_null(), "{rule}");
    ensure!(s.in_force(&second).await? == [(1, Value::Null, json!(s.printer_spec))]);
    ensure!(s.in_force(&s.printer).await? == [(2, json!(s.printer), Value::Null)]);
    s.used(&s.eve, &second).await?;
    let message = s.refused_use(&s.bob, &second).await?;
    ensure!(message.starts_with(&format!("access rule v1 of resource specification {}", s.printer_spec)), "{message}");
    s.refused_use(&s.eve, &s.printer).await?;
    ensure!(s.history(None, Some(&s.printer_spec)).await?.len() == 1);
    Ok(())
}

#[tokio::test]
async fn a_nondominium_rule_changes_only_through_a_passed_vote() -> Result<()> {
    let s = shared().await?;
    // The custodian holds a workshop for the network, owned by nobody.
    let workshop = raise(&s.app, &s.custodian, &s.printer_spec, "workshop", "NONDOMINIUM").await?;
    let rule =
        json!({ "scope": s.network, "anyAffiliate": true, "maintenanceShare": "0.1", "note": "open to affiliates" });

    // Not directly, not even by its custodian or a steward; the message says how.
    for who in [&s.custodian, &s.stewards[0]] {
        let response = s.set_rule(&who.1, Some(&workshop), None, rule.clone()).await?;
        assert_refused(&response, "setAccessRule", "FORBIDDEN")?;
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(message.contains("NONDOMINIUM") && message.contains("CHANGE_ACCESS_RULE"), "{message}");
    }
    let message = s.refused_use(&s.bob, &workshop).await?;
    ensure!(message.contains("has no access rule"), "{message}");

    // Proposals are checked: the rule's scope is the proposal's, a pooled resource is its
    // owner's to rule, and another network's electorate does not vote this one's assets.
    let proposal = |resource: &str, rule: Value| {
        json!({ "kind": "CHANGE_ACCESS_RULE", "scope": s.network, "resource": resource, "accessRule": rule,
                "deadline": "2099-01-01T00:00:00Z" })
    };
    let elsewhere = json!({ "scope": s.project, "anyAffiliate": true });
    let refusals = [
        (proposal(&workshop, elsewhere), "BAD_INPUT", "accessRule.scope: "),
        (proposal(&s.printer, rule.clone()), "BAD_INPUT", "resource: "),
        (
            json!({ "kind": "CHANGE_ACCESS_RULE", "scope": s.network, "resource": workshop,
                 "deadline": "2099-01-01T00:00:00Z" }),
            "BAD_INPUT",
            "accessRule: ",
        ),
    ];
    for (input, code, field) in refusals {
        let response = s.propose(&s.stewards[0].1, input).await?;
        assert_refused(&response, "createGovernanceProposal", code)?;
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(message.starts_with(field), "{field}: {message}");
    }
    let other = organization(&s.app, &s.stewards[0].1, "Another network").await?;
    relate(&s.app, &s.stewards[0].1, &s.stewards[0].0, STEWARD_OF, &other).await?;
    let foreign = json!({ "kind": "CHANGE_ACCESS_RULE", "scope": other, "resource": workshop,
                          "accessRule": { "scope": other, "anyAffiliate": true }, "deadline": "2099-01-01T00:00:00Z" });
    assert_refused(&s.propose(&s.stewards[0].1, foreign).await?, "createGovernanceProposal", "FORBIDDEN")?;

    // A proposal the two stewards (the network's electorate: it has no contributors yet) split
    // on: 1 for of 2 cast is below two thirds; FAILED, and the workshop still has no rule.
    let response = s.propose(&s.stewards[0].1, proposal(&workshop, rule.clone())).await?;
    let failed = &data(&response)?["createGovernanceProposal"]["governanceProposal"];
    ensure!(failed["kind"] == "CHANGE_ACCESS_RULE" && failed["status"] == "OPEN", "{failed}");
    ensure!(failed["resource"]["id"] == json!(workshop) && failed["resourceSpecification"].is_null(), "{failed}");
    ensure!(
        failed["accessRule"]
            == json!({ "scope": { "id": s.network }, "anyAffiliate": true, "agents": [], "maintenanceShare": "0.1",
                       "note": "open to affiliates" }),
        "{failed}"
    );
    let failed = failed["id"].as_str().context("proposal id")?.to_owned();
    s.vote(&s.stewards[0], &failed, true).await?;
    let decided = s.vote(&s.stewards[1], &failed, false).await?;
    ensure!(decided["status"] == "FAILED", "{decided}");
    ensure!(s.history(Some(&workshop), None).await?.is_empty(), "a failed vote writes no rule");
    s.refused_use(&s.bob, &workshop).await?;

    // Both for: PASSED, and the rule is written as v1 by the proposal, set by its proposer.
    let response = s.propose(&s.stewards[1].1, proposal(&workshop, rule)).await?;
    let passed = string_at(&response, "/data/createGovernanceProposal/governanceProposal/id")?;
    s.vote(&s.stewards[0], &passed, true).await?;
    let decided = s.vote(&s.stewards[1], &passed, true).await?;
    ensure!(decided["status"] == "PASSED", "{decided}");
    let history = s.history(Some(&workshop), None).await?;
    ensure!(history.len() == 1, "{history:?}");
    let v1 = &history[0];
    ensure!(
        v1["version"] == 1
            && v1["proposal"]["id"] == json!(passed)
            && v1["setBy"]["id"] == json!(s.stewards[1].0)
            && v1["anyAffiliate"] == true
            && v1["maintenanceShare"] == "0.1"
            && v1["note"] == "open to affiliates",
        "{v1}"
    );
    ensure!(s.in_force(&workshop).await? == [(1, json!(workshop), Value::Null)]);
    // Now an affiliate uses it; a stranger still does not.
    s.used(&s.bob, &workshop).await?;
    let message = s.refused_use(&s.eve, &workshop).await?;
    ensure!(message.starts_with(&format!("access rule v1 of resource {workshop}")), "{message}");
    Ok(())
}
