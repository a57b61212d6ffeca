//! The shape of a network, from agent relationships with the seeded OVN roles: who may state
//! which relationship, what a network and an agent show of it, the cycles and second exchange
//! firms refused; and the books using it: contributions need affiliation, a steward records on
//! a project's behalf, a transfer waits for its receiver's consent.

use anyhow::Result;
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, error_codes, spawn_app, string_at};

const AFFILIATE_OF: &str = "00000000-0000-8000-8000-000000000001";
const PART_OF: &str = "00000000-0000-8000-8000-000000000002";
const EXCHANGE_FIRM_OF: &str = "00000000-0000-8000-8000-000000000003";
const CUSTODIAN_OF: &str = "00000000-0000-8000-8000-000000000004";
const STEWARD_OF: &str = "00000000-0000-8000-8000-000000000005";

const RELATE: &str = "mutation($r: AgentRelationshipCreateParams!) {
  createAgentRelationship(relationship: $r) { agentRelationship { id revisionId } } }";

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) {
    economicEvent { id consent } economicResource { id onhandQuantity { hasNumericalValue } } } }";

async fn organization(app: &TestApp, token: &str, name: &str, class: &str) -> Result<String> {
    let response = app
        .graphql_as(
            token,
            "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id } } }",
            json!({ "o": { "name": name, "classifiedAs": [class] } }),
        )
        .await?;
    string_at(&response, "/data/createOrganization/agent/id")
}

async fn relate(app: &TestApp, token: &str, subject: &str, role: &str, object: &str) -> Result<Value> {
    app.graphql_as(token, RELATE, json!({ "r": { "subject": subject, "relationship": role, "object": object } })).await
}

async fn related(app: &TestApp, token: &str, subject: &str, role: &str, object: &str) -> Result<String> {
    string_at(&relate(app, token, subject, role, object).await?, "/data/createAgentRelationship/agentRelationship/id")
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        list.as_array().into_iter().flatten().filter_map(|a| a["name"].as_str().map(str::to_owned)).collect();
    names.sort();
    names
}

/// A network, one project in it, a steward of the network, and three people.
struct Network {
    app: TestApp,
    network: String,
    project: String,
    steward: (String, String),
    alice: (String, String),
    bob: (String, String),
    eve: (String, String),
}

async fn network() -> Result<Network> {
    let app = spawn_app().await?;
    let steward = app.person_with_token("Steward").await?;
    let alice = app.person_with_token("Alice").await?;
    let bob = app.person_with_token("Bob").await?;
    let eve = app.person_with_token("Eve").await?;
    let network = organization(&app, &steward.1, "Sensorica", "ovn:Network").await?;
    let project = organization(&app, &steward.1, "Sensor kit", "ovn:Project").await?;
    related(&app, &steward.1, &steward.0, STEWARD_OF, &network).await?;
    related(&app, &steward.1, &project, PART_OF, &network).await?;
    Ok(Network { app, network, project, steward, alice, bob, eve })
}

#[tokio::test]
async fn the_ovn_roles_are_seeded_and_fixed() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let response = app
        .graphql(
            "{ agentRelationshipRoles(first: 20) { edges { node { id roleLabel inverseRoleLabel revisionId } } } }",
            Value::Null,
        )
        .await?;
    let edges = data(&response)?["agentRelationshipRoles"]["edges"].as_array().cloned().unwrap_or_default();
    let labels: Vec<(String, String)> = edges
        .iter()
        .map(|e| {
            (
                e["node"]["id"].as_str().unwrap_or_default().to_owned(),
                e["node"]["roleLabel"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            (AFFILIATE_OF.to_owned(), "affiliateOf".to_owned()),
            (PART_OF.to_owned(), "partOf".to_owned()),
            (EXCHANGE_FIRM_OF.to_owned(), "exchangeFirmOf".to_owned()),
            (CUSTODIAN_OF.to_owned(), "custodianOf".to_owned()),
            (STEWARD_OF.to_owned(), "stewardOf".to_owned()),
        ]
    );
    let revision = edges[0]["node"]["revisionId"].as_str().unwrap_or_default().to_owned();
    let renamed = app
        .graphql_as(
            &token,
            "mutation($r: AgentRelationshipRoleUpdateParams!) { updateAgentRelationshipRole(agentRelationshipRole: $r) { agentRelationshipRole { id } } }",
            json!({ "r": { "revisionId": revision, "roleLabel": "memberOf" } }),
        )
        .await?;
    assert_refused(&renamed, "updateAgentRelationshipRole", "FORBIDDEN")?;
    let deleted = app
        .graphql_as(
            &token,
            "mutation($id: ID!) { deleteAgentRelationshipRole(revisionId: $id) }",
            json!({ "id": revision }),
        )
        .await?;
    assert_refused(&deleted, "deleteAgentRelationshipRole", "FORBIDDEN")?;
    Ok(())
}

#[tokio::test]
async fn a_network_shows_its_affiliates_parts_officers_and_an_agent_its_networks() -> Result<()> {
    let n = network().await?;
    let app = &n.app;
    let (steward, steward_token) = &n.steward;
    let (alice, alice_token) = &n.alice;
    let (bob, bob_token) = &n.bob;
    let (eve, eve_token) = &n.eve;
    // Joining is open; affiliating someone else is a steward's act.
    related(app, alice_token, alice, AFFILIATE_OF, &n.network).await?;
    assert_refused(
        &relate(app, alice_token, bob, AFFILIATE_OF, &n.network).await?,
        "createAgentRelationship",
        "FORBIDDEN",
    )?;
    related(app, steward_token, bob, AFFILIATE_OF, &n.project).await?;
    // A second claim to steward the network, and officers named by a non-steward, are refused.
    assert_refused(
        &relate(app, eve_token, eve, STEWARD_OF, &n.network).await?,
        "createAgentRelationship",
        "FORBIDDEN",
    )?;
    let firm = organization(app, steward_token, "Exchange firm", "ovn:ExchangeFirm").await?;
    let custodian = organization(app, steward_token, "Custodian trust", "ovn:Custodian").await?;
    assert_refused(
        &relate(app, eve_token, &firm, EXCHANGE_FIRM_OF, &n.network).await?,
        "createAgentRelationship",
        "FORBIDDEN",
    )?;
    related(app, steward_token, &firm, EXCHANGE_FIRM_OF, &n.network).await?;
    related(app, steward_token, &custodian, CUSTODIAN_OF, &n.network).await?;
    // One exchange firm per network; a relationship is stated once.
    let other_firm = organization(app, steward_token, "Other firm", "ovn:ExchangeFirm").await?;
    assert_refused(
        &relate(app, steward_token, &other_firm, EXCHANGE_FIRM_OF, &n.network).await?,
        "createAgentRelationship",
        "CONFLICT",
    )?;
    assert_refused(
        &relate(app, alice_token, alice, AFFILIATE_OF, &n.network).await?,
        "createAgentRelationship",
        "CONFLICT",
    )?;

    let response = app
        .graphql(
            "query($n: ID!) { organization(id: $n) { affiliates { name } parts { name } exchangeFirm { name }
                custodians { name } stewards { name } } }",
            json!({ "n": n.network }),
        )
        .await?;
    let network = &data(&response)?["organization"];
    assert_eq!(names(&network["affiliates"]), ["Alice"]);
    assert_eq!(names(&network["parts"]), ["Sensor kit"]);
    assert_eq!(network["exchangeFirm"]["name"], "Exchange firm");
    assert_eq!(names(&network["custodians"]), ["Custodian trust"]);
    assert_eq!(names(&network["stewards"]), ["Steward"]);
    // Alice is in the network (directly); Bob through the project he joined.
    for (who, networks, projects) in
        [(alice, vec!["Sensorica"], vec![]), (bob, vec!["Sensorica"], vec!["Sensor kit"]), (eve, vec![], vec![])]
    {
        let response = app
            .graphql("query($a: ID!) { person(id: $a) { networks { name } projects { name } } }", json!({ "a": who }))
            .await?;
        let person = &data(&response)?["person"];
        assert_eq!(names(&person["networks"]), networks, "{who}");
        assert_eq!(names(&person["projects"]), projects, "{who}");
    }
    let response =
        app.graphql("query($a: ID!) { organization(id: $a) { networks { name } } }", json!({ "a": n.project })).await?;
    assert_eq!(names(&data(&response)?["organization"]["networks"]), ["Sensorica"]);
    // Leaving is open; ending someone else's affiliation is a steward's act.
    let relationships = app
        .graphql(
            "query($a: ID!) { person(id: $a) { relationshipsAsSubject { edges { node { revisionId } } } } }",
            json!({ "a": bob }),
        )
        .await?;
    let bobs = string_at(&relationships, "/data/person/relationshipsAsSubject/edges/0/node/revisionId")?;
    let ended = app
        .graphql_as(eve_token, "mutation($r: ID!) { deleteAgentRelationship(revisionId: $r) }", json!({ "r": bobs }))
        .await?;
    assert_refused(&ended, "deleteAgentRelationship", "FORBIDDEN")?;
    let left = app
        .graphql_as(bob_token, "mutation($r: ID!) { deleteAgentRelationship(revisionId: $r) }", json!({ "r": bobs }))
        .await?;
    assert_eq!(data(&left)?["deleteAgentRelationship"], true);
    let _ = steward;
    Ok(())
}

#[tokio::test]
async fn a_network_is_never_part_of_itself() -> Result<()> {
    let n = network().await?;
    let app = &n.app;
    let token = &n.steward.1;
    let sub = organization(app, token, "Sub-network", "ovn:Network").await?;
    related(app, token, &sub, PART_OF, &n.network).await?;
    let before = app.total("agentRelationships").await?;
    for (subject, object, case) in [
        (&n.network, &n.network, "directly"),
        (&n.network, &sub, "network in its own sub-network"),
        (&n.network, &n.project, "network in its own project"),
    ] {
        let response = relate(app, token, subject, PART_OF, object).await?;
        assert_refused(&response, "createAgentRelationship", "CYCLE").map_err(|e| e.context(case))?;
    }
    assert_eq!(app.total("agentRelationships").await?, before, "nothing written");
    Ok(())
}

#[tokio::test]
async fn contributions_need_affiliation_and_a_steward_records_on_behalf() -> Result<()> {
    let n = network().await?;
    let app = &n.app;
    let (alice, alice_token) = &n.alice;
    let (bob, bob_token) = &n.bob;
    let (_, steward_token) = &n.steward;
    let (eve, eve_token) = &n.eve;
    related(app, alice_token, alice, AFFILIATE_OF, &n.network).await?;
    let assembly = string_at(
        &app.graphql_as(
            steward_token,
            "mutation { createProcess(process: { name: \"assembly\" }) { process { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createProcess/process/id",
    )?;
    let work = |provider: &str, scope: Option<&str>| {
        let mut event = json!({ "action": "work", "provider": provider, "receiver": n.project, "inputOf": assembly,
                                "effortQuantity": { "hasNumericalValue": "3" } });
        if let Some(scope) = scope {
            event["inScopeOf"] = json!([scope]);
        }
        json!({ "e": event })
    };
    let contribution = |response: Value| async move {
        let id = string_at(&response, "/data/createEconomicEvent/economicEvent/id")?;
        let read =
            app.graphql("query($id: ID!) { economicEvent(id: $id) { isContribution } }", json!({ "id": id })).await?;
        anyhow::Ok(data(&read)?["economicEvent"]["isContribution"].as_bool())
    };
    // Alice is an affiliate of the network the project is part of: her work counts.
    assert_eq!(
        contribution(app.graphql_as(alice_token, EVENT, work(alice, Some(&n.project))).await?).await?,
        Some(true)
    );
    // Bob is no affiliate: his work is recorded, and is no contribution.
    assert_eq!(contribution(app.graphql_as(bob_token, EVENT, work(bob, Some(&n.project))).await?).await?, Some(false));
    // The network's steward records Alice's work on her behalf, in the project's scope.
    assert_eq!(
        contribution(app.graphql_as(steward_token, EVENT, work(alice, Some(&n.project))).await?).await?,
        Some(true)
    );
    // Not without the scope, and nobody else may.
    let events = app.total("economicEvents").await?;
    assert_refused(
        &app.graphql_as(steward_token, EVENT, work(alice, None)).await?,
        "createEconomicEvent",
        "FORBIDDEN",
    )?;
    assert_refused(
        &app.graphql_as(eve_token, EVENT, work(alice, Some(&n.project))).await?,
        "createEconomicEvent",
        "FORBIDDEN",
    )?;
    assert_eq!(app.total("economicEvents").await?, events, "nothing written");
    // Providing events in a project's scope makes it one of the agent's projects, affiliate or
    // not; Eve provided nothing there.
    for (who, projects) in [(bob, vec!["Sensor kit"]), (alice, vec!["Sensor kit"]), (eve, vec![])] {
        let response =
            app.graphql("query($a: ID!) { person(id: $a) { projects { name } } }", json!({ "a": who })).await?;
        assert_eq!(names(&data(&response)?["person"]["projects"]), projects, "{who}");
    }
    // Likewise the steward commits on Alice's behalf, in the project's scope; Eve may not.
    let commit = json!({ "c": { "action": "work", "provider": alice, "receiver": n.project, "inputOf": assembly,
                                "effortQuantity": { "hasNumericalValue": "5" }, "inScopeOf": [n.project] } });
    let create =
        "mutation($c: CommitmentCreateParams!) { createCommitment(commitment: $c) { commitment { provider { id } } } }";
    let committed = app.graphql_as(steward_token, create, commit.clone()).await?;
    assert_eq!(data(&committed)?["createCommitment"]["commitment"]["provider"]["id"], alice.as_str());
    assert_refused(&app.graphql_as(eve_token, create, commit).await?, "createCommitment", "FORBIDDEN")?;
    let _ = eve;
    Ok(())
}

async fn onhand(app: &TestApp, resource: &str) -> Result<String> {
    let response = app
        .graphql(
            "query($id: ID!) { economicResource(id: $id) { onhandQuantity { hasNumericalValue } } }",
            json!({ "id": resource }),
        )
        .await?;
    string_at(&response, "/data/economicResource/onhandQuantity/hasNumericalValue")
}

#[tokio::test]
async fn a_transfer_waits_for_its_receivers_consent() -> Result<()> {
    let n = network().await?;
    let app = &n.app;
    let (alice, alice_token) = &n.alice;
    let (bob, bob_token) = &n.bob;
    let (_, eve_token) = &n.eve;
    let (_, steward_token) = &n.steward;
    let kg = app.create_unit(alice_token, "kilogram", "kg").await?;
    let spec = string_at(
        &app.graphql_as(alice_token, "mutation { createResourceSpecification(resourceSpecification: { name: \"copper\" }) { resourceSpecification { id } } }", Value::Null).await?,
        "/data/createResourceSpecification/resourceSpecification/id",
    )?;
    let raised = app
        .graphql_as(
            alice_token,
            EVENT,
            json!({ "e": { "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                           "resourceQuantity": { "hasNumericalValue": "10", "hasUnit": kg } },
                    "r": { "name": "Alice's copper" } }),
        )
        .await?;
    let copper = string_at(&raised, "/data/createEconomicEvent/economicResource/id")?;
    let give = |to: &str, amount: &str| {
        json!({ "e": { "action": "transfer", "provider": alice, "receiver": to, "resourceInventoriedAs": copper,
                       "resourceQuantity": { "hasNumericalValue": amount, "hasUnit": kg } },
                "r": { "name": "received copper" } })
    };
    // Alice gives Bob 4 kg: it waits, and nothing moves.
    let offered = app.graphql_as(alice_token, EVENT, give(bob, "4")).await?;
    let waiting = string_at(&offered, "/data/createEconomicEvent/economicEvent/id")?;
    assert_eq!(data(&offered)?["createEconomicEvent"]["economicEvent"]["consent"], "PENDING");
    assert_eq!(data(&offered)?["createEconomicEvent"]["economicResource"], Value::Null);
    assert_eq!(onhand(app, &copper).await?, "10");
    let read = app.graphql("query($id: ID!) { economicEvent(id: $id) { id } }", json!({ "id": waiting })).await?;
    assert_eq!(data(&read)?["economicEvent"], Value::Null, "not in the books yet");
    let listed = app
        .graphql(
            "query($b: ID!) { pendingTransfers(receiver: $b) { id consent resourceQuantity { hasNumericalValue } } }",
            json!({ "b": bob }),
        )
        .await?;
    assert_eq!(
        data(&listed)?["pendingTransfers"],
        json!([{ "id": waiting, "consent": "PENDING", "resourceQuantity": { "hasNumericalValue": "4" } }])
    );
    // Only Bob (or a steward of Bob) may decide.
    let accept = "mutation($e: ID!) { acceptTransfer(event: $e) { economicEvent { id consent } economicResource { id onhandQuantity { hasNumericalValue } } } }";
    assert_refused(&app.graphql_as(eve_token, accept, json!({ "e": waiting })).await?, "acceptTransfer", "FORBIDDEN")?;
    assert_refused(
        &app.graphql_as(alice_token, accept, json!({ "e": waiting })).await?,
        "acceptTransfer",
        "FORBIDDEN",
    )?;
    assert_eq!(onhand(app, &copper).await?, "10");
    // Bob accepts: recorded now, under the same id, and the copper moves.
    let accepted = app.graphql_as(bob_token, accept, json!({ "e": waiting })).await?;
    let event = &data(&accepted)?["acceptTransfer"];
    assert_eq!(event["economicEvent"], json!({ "id": waiting, "consent": "ACCEPTED" }));
    assert_eq!(event["economicResource"]["onhandQuantity"]["hasNumericalValue"], "4");
    assert_eq!(onhand(app, &copper).await?, "6");
    assert_refused(&app.graphql_as(bob_token, accept, json!({ "e": waiting })).await?, "acceptTransfer", "CONFLICT")?;
    // A second offer Bob rejects: nothing moves, ever.
    let second = string_at(
        &app.graphql_as(alice_token, EVENT, give(bob, "3")).await?,
        "/data/createEconomicEvent/economicEvent/id",
    )?;
    let rejected =
        app.graphql_as(bob_token, "mutation($e: ID!) { rejectTransfer(event: $e) }", json!({ "e": second })).await?;
    assert_eq!(data(&rejected)?["rejectTransfer"], true);
    assert_refused(&app.graphql_as(bob_token, accept, json!({ "e": second })).await?, "acceptTransfer", "CONFLICT")?;
    assert_eq!(onhand(app, &copper).await?, "6");
    let listed = app.graphql("query($b: ID!) { pendingTransfers(receiver: $b) { id } }", json!({ "b": bob })).await?;
    assert_eq!(data(&listed)?["pendingTransfers"], json!([]));
    // An offer that no longer fits the books when accepted is refused and stays pending.
    let big = string_at(
        &app.graphql_as(alice_token, EVENT, give(bob, "5")).await?,
        "/data/createEconomicEvent/economicEvent/id",
    )?;
    // (`lower`: a `consume` is a process input and would need `inputOf`.)
    let spent = json!({ "e": { "action": "lower", "provider": alice, "receiver": alice, "resourceInventoriedAs": copper,
                               "resourceQuantity": { "hasNumericalValue": "2", "hasUnit": kg } } });
    data(&app.graphql_as(alice_token, EVENT, spent).await?)?;
    let too_late = app.graphql_as(bob_token, accept, json!({ "e": big })).await?;
    assert_eq!(error_codes(&too_late).len(), 1, "{too_late}");
    assert_eq!(onhand(app, &copper).await?, "4");
    let listed = app.graphql("query($b: ID!) { pendingTransfers(receiver: $b) { id } }", json!({ "b": bob })).await?;
    assert_eq!(data(&listed)?["pendingTransfers"], json!([{ "id": big }]));
    // Bob records a transfer to himself: his own consent. A steward of the project receives
    // for it.
    let own = app.graphql_as(bob_token, EVENT, give(bob, "1")).await?;
    assert_eq!(data(&own)?["createEconomicEvent"]["economicEvent"]["consent"], Value::Null);
    assert_eq!(onhand(app, &copper).await?, "3");
    let to_project = app.graphql_as(steward_token, EVENT, give(&n.project, "1")).await?;
    assert_refused(&to_project, "createEconomicEvent", "FORBIDDEN")?;
    let mut in_scope = give(&n.project, "1");
    in_scope["e"]["inScopeOf"] = json!([n.project]);
    let to_project = app.graphql_as(steward_token, EVENT, in_scope).await?;
    assert_eq!(data(&to_project)?["createEconomicEvent"]["economicEvent"]["consent"], Value::Null);
    assert_eq!(onhand(app, &copper).await?, "2");
    Ok(())
}

#[tokio::test]
async fn a_new_resource_can_be_packed_in_a_container() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let spec = string_at(
        &app.graphql_as(&token, "mutation { createResourceSpecification(resourceSpecification: { name: \"kit\" }) { resourceSpecification { id } } }", Value::Null).await?,
        "/data/createResourceSpecification/resourceSpecification/id",
    )?;
    let raise = |name: &str, container: Option<&str>| {
        let mut resource = json!({ "name": name });
        if let Some(container) = container {
            resource["containedIn"] = json!(container);
        }
        json!({ "e": { "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                       "resourceQuantity": { "hasNumericalValue": "1" } }, "r": resource })
    };
    let crate_id = string_at(
        &app.graphql_as(&token, EVENT, raise("crate", None)).await?,
        "/data/createEconomicEvent/economicResource/id",
    )?;
    let kit = string_at(
        &app.graphql_as(&token, EVENT, raise("kit", Some(&crate_id))).await?,
        "/data/createEconomicEvent/economicResource/id",
    )?;
    let read = app
        .graphql("query($id: ID!) { economicResource(id: $id) { containedIn { id } } }", json!({ "id": kit }))
        .await?;
    assert_eq!(data(&read)?["economicResource"]["containedIn"]["id"], crate_id.as_str());
    let events = app.total("economicEvents").await?;
    let missing = app.graphql_as(&token, EVENT, raise("lost", Some("00000000-0000-7000-8000-000000000000"))).await?;
    assert_refused(&missing, "createEconomicEvent", "BAD_INPUT")?;
    assert_eq!(app.total("economicEvents").await?, events, "nothing written");
    Ok(())
}

#[tokio::test]
async fn a_receivers_open_commitment_is_its_consent_beforehand() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let kg = app.create_unit(&alice_token, "kilogram", "kg").await?;
    let spec = string_at(
        &app.graphql_as(&alice_token, "mutation { createResourceSpecification(resourceSpecification: { name: \"copper\" }) { resourceSpecification { id } } }", Value::Null).await?,
        "/data/createResourceSpecification/resourceSpecification/id",
    )?;
    let raised = app
        .graphql_as(
            &alice_token,
            EVENT,
            json!({ "e": { "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                           "resourceQuantity": { "hasNumericalValue": "10", "hasUnit": kg } },
                    "r": { "name": "Alice's copper" } }),
        )
        .await?;
    let copper = string_at(&raised, "/data/createEconomicEvent/economicResource/id")?;
    let commit = |token: &str| {
        let app = &app;
        let token = token.to_owned();
        let (alice, bob, spec, kg) = (alice.clone(), bob.clone(), spec.clone(), kg.clone());
        async move {
            let response = app
                .graphql_as(
                    &token,
                    "mutation($c: CommitmentCreateParams!) { createCommitment(commitment: $c) { commitment { id } } }",
                    json!({ "c": { "action": "transfer", "provider": alice, "receiver": bob, "resourceConformsTo": spec,
                                   "resourceQuantity": { "hasNumericalValue": "2", "hasUnit": kg } } }),
                )
                .await?;
            string_at(&response, "/data/createCommitment/commitment/id")
        }
    };
    let give = |fulfils: &str| {
        json!({ "e": { "action": "transfer", "provider": alice, "receiver": bob, "resourceInventoriedAs": copper,
                       "resourceConformsTo": spec, "resourceQuantity": { "hasNumericalValue": "2", "hasUnit": kg },
                       "fulfills": [fulfils] },
                "r": { "name": "Bob's copper" } })
    };
    let progress = |commitment: String| {
        let app = &app;
        async move {
            let response = app
                .graphql(
                    "query($c: ID!) { commitment(id: $c) { fulfilledQuantity { hasNumericalValue } finished } }",
                    json!({ "c": commitment }),
                )
                .await?;
            anyhow::Ok(data(&response)?["commitment"].clone())
        }
    };
    // Bob committed to receive 2 kg: Alice's transfer fulfilling it is his consent, recorded at once.
    let bobs = commit(&bob_token).await?;
    let given = app.graphql_as(&alice_token, EVENT, give(&bobs)).await?;
    assert_eq!(data(&given)?["createEconomicEvent"]["economicEvent"]["consent"], Value::Null, "{given}");
    assert_eq!(onhand(&app, &copper).await?, "8");
    assert_eq!(
        progress(bobs.clone()).await?,
        json!({ "fulfilledQuantity": { "hasNumericalValue": "2" }, "finished": true })
    );
    // A fulfilled commitment is no longer open: the next transfer naming it waits.
    let again = app.graphql_as(&alice_token, EVENT, give(&bobs)).await?;
    assert_eq!(data(&again)?["createEconomicEvent"]["economicEvent"]["consent"], "PENDING");
    // Alice's own commitment to give is no consent of Bob's: it waits, and its fulfilment is
    // written when Bob accepts.
    let alices = commit(&alice_token).await?;
    let offered = app.graphql_as(&alice_token, EVENT, give(&alices)).await?;
    let waiting = string_at(&offered, "/data/createEconomicEvent/economicEvent/id")?;
    assert_eq!(data(&offered)?["createEconomicEvent"]["economicEvent"]["consent"], "PENDING");
    assert_eq!(progress(alices.clone()).await?["finished"], false, "nothing fulfils it yet");
    assert_eq!(onhand(&app, &copper).await?, "8");
    let accepted = app
        .graphql_as(
            &bob_token,
            "mutation($e: ID!) { acceptTransfer(event: $e) { economicEvent { id } } }",
            json!({ "e": waiting }),
        )
        .await?;
    data(&accepted)?;
    assert_eq!(onhand(&app, &copper).await?, "6");
    assert_eq!(progress(alices).await?, json!({ "fulfilledQuantity": { "hasNumericalValue": "2" }, "finished": true }));
    Ok(())
}
