//! Custodian agreements over HTTP: a network's steward makes one with the network's custodian
//! (a trust), the trust places three NONDOMINIUM resources under it; handing one to an agent
//! outside the network is refused (`FORBIDDEN`, naming the rule) and writes nothing; a passed
//! `TRANSFER_CUSTODIANSHIP` proposal moves all three and the agreement to a second trust (a
//! `transfer` where the trust also held the rights, `transferCustody` where the network did),
//! the custody history shows each change, and a booking (`use` commitment) on one of them is
//! untouched; a failure injected by a database trigger half way through the hand-over leaves
//! everything with the old custodian and the proposal open, and the vote after the trigger is
//! dropped moves all three.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, error_codes, spawn_app, string_at};
use crate::value_equations::{AFFILIATE_OF, STEWARD_OF, organization, relate};

const PART_OF: &str = "00000000-0000-8000-8000-000000000002";
const CUSTODIAN_OF: &str = "00000000-0000-8000-8000-000000000004";

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id consent } economicResource { id } } }";
const CREATE: &str = "mutation($a: CustodianAgreementCreateParams!) { createCustodianAgreement(agreement: $a) {
  custodianAgreement { id network { id } custodian { id } createdBy { id } agreement { id name note } } } }";
const PLACE: &str = "mutation($a: ID!, $r: ID!) { placeUnderCustodianAgreement(agreement: $a, resource: $r) {
  custodianAgreement { id resources { id } } } }";
const AGREEMENT: &str = "query($id: ID!) { custodianAgreement(id: $id) {
  id custodian { id } resources { id custodian { id } primaryAccountable { id } } } }";
const HISTORY: &str = "query($r: ID!) { custodyHistory(resource: $r) {
  time from { id } to { id } event { id action { id } provider { id } receiver { id } } } }";
const PROPOSE: &str = "mutation($p: GovernanceProposalCreateParams!) { createGovernanceProposal(proposal: $p) {
  governanceProposal { id status kind recipient { id } agreement { id custodian { id } } } } }";
const VOTE: &str =
    "mutation($p: ID!) { vote(proposal: $p, inFavour: true) { governanceProposal { id status failureReason } } }";

/// A network with a steward, an affiliate (Alice), a project, a custodian trust and a second
/// trust to take over, an outsider, and three NONDOMINIUM resources in the trust's custody
/// placed under one custodian agreement: the printer owned by the trust, the cutter and the
/// space owned by the network.
struct Held {
    app: TestApp,
    network: (String, String),
    steward: (String, String),
    alice: (String, String),
    trust: (String, String),
    second: String,
    outsider: String,
    each: String,
    agreement: String,
    /// Printer, cutter, space, in the order they were placed.
    resources: [String; 3],
}

fn one(unit: &str) -> Value {
    json!({ "hasNumericalValue": "1", "hasUnit": unit })
}

/// Records an event that must be written at once; returns the resource it created, if any.
async fn recorded(app: &TestApp, token: &str, event: Value, resource: Value) -> Result<Option<String>> {
    let response = app.graphql_as(token, EVENT, json!({ "e": event, "r": resource })).await?;
    let created = &data(&response)?["createEconomicEvent"];
    ensure!(created["economicEvent"]["consent"].is_null(), "recorded at once, not pending: {response}");
    Ok(created["economicResource"]["id"].as_str().map(str::to_owned))
}

/// `owner` raises one `name` of `spec` as a NONDOMINIUM resource; returns its id.
async fn raise(app: &TestApp, owner: &(String, String), name: &str, each: &str, spec: &str) -> Result<String> {
    let event = json!({ "action": "raise", "provider": owner.0, "receiver": owner.0, "resourceQuantity": one(each),
                        "resourceConformsTo": spec });
    recorded(app, &owner.1, event, json!({ "name": name, "propertyRegime": "NONDOMINIUM" }))
        .await?
        .context("a raised resource")
}

async fn held() -> Result<Held> {
    let app = spawn_app().await?;
    let steward = app.person_with_token("Steward").await?;
    let alice = app.person_with_token("Alice").await?;
    let outsider = app.person_with_token("Outsider").await?.0;
    let network = organization(&app, &steward.1, "Sensorica").await?;
    let network = (network.clone(), app.token_for(&network)?);
    let project = organization(&app, &steward.1, "Sensor kit").await?;
    let trust = organization(&app, &steward.1, "Commons trust").await?;
    let trust = (trust.clone(), app.token_for(&trust)?);
    let second = organization(&app, &steward.1, "Second trust").await?;
    relate(&app, &steward.1, &steward.0, STEWARD_OF, &network.0).await?;
    relate(&app, &steward.1, &project, PART_OF, &network.0).await?;
    relate(&app, &steward.1, &trust.0, CUSTODIAN_OF, &network.0).await?;
    relate(&app, &alice.1, &alice.0, AFFILIATE_OF, &project).await?;
    let each = app.create_unit(&steward.1, "each", "ea").await?;
    let spec = app
        .graphql_as(
            &steward.1,
            "mutation($s: ResourceSpecificationCreateParams!) { createResourceSpecification(resourceSpecification: $s) {
               resourceSpecification { id } } }",
            json!({ "s": { "name": "Lab equipment" } }),
        )
        .await?;
    let equipment = string_at(&spec, "/data/createResourceSpecification/resourceSpecification/id")?;
    let printer = raise(&app, &trust, "3D printer", &each, &equipment).await?;
    let mut resources = vec![printer];
    for name in ["Laser cutter", "Workshop space"] {
        let owned = raise(&app, &network, name, &each, &equipment).await?;
        // The trust takes the network's resource into its custody (as its receiver, no
        // consent to wait for); the network keeps the rights.
        let custody = json!({ "action": "transferCustody", "provider": network.0, "receiver": trust.0,
                              "resourceInventoriedAs": owned, "toResourceInventoriedAs": owned,
                              "resourceQuantity": one(&each) });
        recorded(&app, &trust.1, custody, Value::Null).await?;
        resources.push(owned);
    }
    // Only a steward of the network makes the agreement.
    let params = json!({ "network": network.0, "custodian": trust.0, "name": "Custody of the lab", "note": "D160" });
    let by_alice = app.graphql_as(&alice.1, CREATE, json!({ "a": params })).await?;
    assert_refused(&by_alice, "createCustodianAgreement", "FORBIDDEN")?;
    let not_custodian = json!({ "network": network.0, "custodian": second, "name": "Custody of the lab" });
    let refused = app.graphql_as(&steward.1, CREATE, json!({ "a": not_custodian })).await?;
    assert_refused(&refused, "createCustodianAgreement", "BAD_INPUT")?;
    let created = app.graphql_as(&steward.1, CREATE, json!({ "a": params })).await?;
    let agreement = &data(&created)?["createCustodianAgreement"]["custodianAgreement"];
    ensure!(
        agreement["network"]["id"] == json!(network.0) && agreement["custodian"]["id"] == json!(trust.0),
        "{agreement}"
    );
    ensure!(agreement["agreement"]["name"] == "Custody of the lab" && agreement["agreement"]["id"] == agreement["id"]);
    let agreement = agreement["id"].as_str().context("agreement id")?.to_owned();
    // The custodian places them; nobody else can, and a PRIVATE resource cannot be held.
    let by_steward = app.graphql_as(&steward.1, PLACE, json!({ "a": agreement, "r": resources[0] })).await?;
    assert_refused(&by_steward, "placeUnderCustodianAgreement", "FORBIDDEN")?;
    let private = recorded(
        &app,
        &trust.1,
        json!({ "action": "raise", "provider": trust.0, "receiver": trust.0, "resourceQuantity": one(&each),
                "resourceConformsTo": equipment }),
        json!({ "name": "Office chair" }),
    )
    .await?
    .context("the chair")?;
    let refused = app.graphql_as(&trust.1, PLACE, json!({ "a": agreement, "r": private })).await?;
    assert_refused(&refused, "placeUnderCustodianAgreement", "BAD_INPUT")?;
    for (placed, resource) in resources.iter().enumerate() {
        let response = app.graphql_as(&trust.1, PLACE, json!({ "a": agreement, "r": resource })).await?;
        let held = &data(&response)?["placeUnderCustodianAgreement"]["custodianAgreement"]["resources"];
        ensure!(held.as_array().map(Vec::len) == Some(placed + 1), "{held}");
    }
    let twice = app.graphql_as(&trust.1, PLACE, json!({ "a": agreement, "r": resources[0] })).await?;
    assert_refused(&twice, "placeUnderCustodianAgreement", "CONFLICT")?;
    let resources: [String; 3] = resources.try_into().map_err(|_| anyhow::anyhow!("three resources"))?;
    Ok(Held { app, network, steward, alice, trust, second, outsider, each, agreement, resources })
}

/// The agreement's custodian, and each resource's (custodian, primaryAccountable), in order.
async fn holders(h: &Held) -> Result<(String, Vec<(String, String)>)> {
    let response = h.app.graphql(AGREEMENT, json!({ "id": h.agreement })).await?;
    let agreement = &data(&response)?["custodianAgreement"];
    let resources = agreement["resources"].as_array().context("resources")?;
    let each = resources
        .iter()
        .map(|r| {
            (
                r["custodian"]["id"].as_str().unwrap_or_default().to_owned(),
                r["primaryAccountable"]["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    Ok((string_at(&response, "/data/custodianAgreement/custodian/id")?, each))
}

/// A resource's custody history as (from, to, action) triples.
async fn history(h: &Held, resource: &str) -> Result<Vec<(Option<String>, String, String)>> {
    let response = h.app.graphql(HISTORY, json!({ "r": resource })).await?;
    let entries = data(&response)?["custodyHistory"].as_array().context("history")?.clone();
    Ok(entries
        .iter()
        .map(|e| {
            (
                e["from"]["id"].as_str().map(str::to_owned),
                e["to"]["id"].as_str().unwrap_or_default().to_owned(),
                e["event"]["action"]["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

/// The steward proposes to hand the agreement to the second trust; returns the proposal.
async fn propose(h: &Held) -> Result<String> {
    let proposal = json!({ "kind": "TRANSFER_CUSTODIANSHIP", "scope": h.network.0, "agreement": h.agreement,
                           "recipient": h.second, "deadline": "2099-01-01T00:00:00Z" });
    let response = h.app.graphql_as(&h.steward.1, PROPOSE, json!({ "p": proposal })).await?;
    let proposal = &data(&response)?["createGovernanceProposal"]["governanceProposal"];
    ensure!(proposal["status"] == "OPEN" && proposal["kind"] == "TRANSFER_CUSTODIANSHIP", "{proposal}");
    ensure!(proposal["recipient"]["id"] == json!(h.second), "{proposal}");
    ensure!(proposal["agreement"]["id"] == json!(h.agreement), "{proposal}");
    Ok(proposal["id"].as_str().context("proposal id")?.to_owned())
}

/// Every event in the books.
async fn event_count(h: &Held) -> Result<i64> {
    h.app.total("economicEvents").await
}

fn trio(from: Option<&str>, to: &str, action: &str) -> (Option<String>, String, String) {
    (from.map(str::to_owned), to.to_owned(), action.to_owned())
}

#[tokio::test]
async fn a_held_resource_is_not_handed_to_an_agent_outside_the_network() -> Result<()> {
    let h = held().await?;
    let before = event_count(&h).await?;
    for (action, resource) in
        [("transfer", &h.resources[0]), ("transferAllRights", &h.resources[0]), ("transferCustody", &h.resources[1])]
    {
        let event = json!({ "action": action, "provider": h.trust.0, "receiver": h.outsider,
                            "resourceInventoriedAs": resource, "toResourceInventoriedAs": resource,
                            "resourceQuantity": one(&h.each) });
        let response = h.app.graphql_as(&h.trust.1, EVENT, json!({ "e": event })).await?;
        assert_refused(&response, "createEconomicEvent", "FORBIDDEN")?;
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(message.contains("custodian agreement rule") && message.contains(&h.outsider), "{action}: {message}");
    }
    ensure!(event_count(&h).await? == before, "nothing written");
    let (custodian, each) = holders(&h).await?;
    ensure!(custodian == h.trust.0 && each.iter().all(|(c, _)| *c == h.trust.0), "{each:?}");
    Ok(())
}

#[tokio::test]
async fn a_passed_custodianship_moves_every_resource_and_keeps_the_booking() -> Result<()> {
    let h = held().await?;
    // Alice books the cutter for two hours (a `use` commitment of it, input of her process).
    let process = h
        .app
        .graphql_as(
            &h.alice.1,
            "mutation { createProcess(process: { name: \"cutting\" }) { process { id } } }",
            Value::Null,
        )
        .await?;
    let process = string_at(&process, "/data/createProcess/process/id")?;
    // The trust books its own resource: with no access rule set (a NONDOMINIUM rule takes a
    // vote), only its holder may (the rule's checks are the bookings tests').
    let booking = json!({ "action": "use", "provider": h.trust.0, "receiver": h.trust.0, "inputOf": process,
                          "resourceInventoriedAs": h.resources[1], "effortQuantity": one(&h.each),
                          "hasBeginning": "2099-03-01T10:00:00Z", "hasEnd": "2099-03-01T12:00:00Z" });
    let booked = h
        .app
        .graphql_as(
            &h.trust.1,
            "mutation($c: CommitmentCreateParams!) { createCommitment(commitment: $c) { commitment { id } } }",
            json!({ "c": booking }),
        )
        .await?;
    let booking = string_at(&booked, "/data/createCommitment/commitment/id")?;
    const BOOKING: &str = "query($id: ID!) { commitment(id: $id) { revisionId finished provider { id } receiver { id }
      resourceInventoriedAs { id } hasBeginning hasEnd } }";
    let before = data(&h.app.graphql(BOOKING, json!({ "id": booking })).await?)?["commitment"].clone();
    let events = event_count(&h).await?;

    let proposal = propose(&h).await?;
    let voted = h.app.graphql_as(&h.steward.1, VOTE, json!({ "p": proposal })).await?;
    let decided = &data(&voted)?["vote"]["governanceProposal"];
    ensure!(decided["status"] == "PASSED", "the steward is the whole electorate: {decided}");

    // One event per resource; the agreement and all three now with the second trust, the
    // printer's rights with it too (the trust held them), the network keeping the others'.
    ensure!(event_count(&h).await? == events + 3, "three hand-overs");
    let (custodian, each) = holders(&h).await?;
    ensure!(custodian == h.second, "the agreement names the new custodian");
    let (net, second) = (h.network.0.clone(), h.second.clone());
    ensure!(
        each == [(second.clone(), second.clone()), (second.clone(), net.clone()), (second.clone(), net.clone())],
        "{each:?}"
    );
    let trust = h.trust.0.as_str();
    ensure!(
        history(&h, &h.resources[0]).await? == [trio(None, trust, "raise"), trio(Some(trust), &second, "transfer")],
        "printer: {:?}",
        history(&h, &h.resources[0]).await?
    );
    for resource in &h.resources[1..] {
        let found = history(&h, resource).await?;
        ensure!(
            found
                == [
                    trio(None, &net, "raise"),
                    trio(Some(&net), trust, "transfer-custody"),
                    trio(Some(trust), &second, "transfer-custody"),
                ],
            "{resource}: {found:?}"
        );
    }
    // The booking is as it was: same revision, same resource, same times.
    let after = data(&h.app.graphql(BOOKING, json!({ "id": booking })).await?)?["commitment"].clone();
    ensure!(after == before, "{before} became {after}");

    // The new custodian is custodianOf the network and bound by the same rule.
    let second_token = h.app.token_for(&h.second)?;
    let out = json!({ "action": "transfer", "provider": h.second, "receiver": h.outsider,
                      "resourceInventoriedAs": h.resources[0], "toResourceInventoriedAs": h.resources[0],
                      "resourceQuantity": one(&h.each) });
    let refused = h.app.graphql_as(&second_token, EVENT, json!({ "e": out })).await?;
    assert_refused(&refused, "createEconomicEvent", "FORBIDDEN")?;
    let response = h
        .app
        .graphql(
            "query($id: ID!) { agent(id: $id) { relationshipsAsSubject { edges { node { relationship { id } object { id } } } } } }",
            json!({ "id": h.second }),
        )
        .await?;
    let ties = data(&response)?["agent"]["relationshipsAsSubject"]["edges"].to_string();
    ensure!(ties.contains(CUSTODIAN_OF) && ties.contains(&h.network.0), "{ties}");
    Ok(())
}

/// Makes the database refuse the hand-over event of `resource` (the second placed).
async fn inject_failure(h: &Held, resource: &str) -> Result<()> {
    use sea_orm::ConnectionTrait as _;
    let conn = h.app.store.connection();
    if h.app.db.is_postgres() {
        conn.execute_unprepared(
            "CREATE FUNCTION custody_test_abort() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'injected failure'; END $$",
        )
        .await?;
        conn.execute_unprepared(&format!(
            "CREATE TRIGGER custody_test_abort BEFORE INSERT ON economic_event FOR EACH ROW
             WHEN (NEW.resource_inventoried_as = '{resource}') EXECUTE FUNCTION custody_test_abort()"
        ))
        .await?;
    } else {
        conn.execute_unprepared(&format!(
            "CREATE TRIGGER custody_test_abort BEFORE INSERT ON economic_event
             WHEN NEW.resource_inventoried_as = '{resource}'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        ))
        .await?;
    }
    Ok(())
}

async fn drop_failure(h: &Held) -> Result<()> {
    use sea_orm::ConnectionTrait as _;
    let conn = h.app.store.connection();
    if h.app.db.is_postgres() {
        conn.execute_unprepared("DROP TRIGGER custody_test_abort ON economic_event").await?;
        conn.execute_unprepared("DROP FUNCTION custody_test_abort()").await?;
    } else {
        conn.execute_unprepared("DROP TRIGGER custody_test_abort").await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_failure_half_way_leaves_everything_with_the_old_custodian() -> Result<()> {
    let h = held().await?;
    let proposal = propose(&h).await?;
    let events = event_count(&h).await?;
    let histories = [history(&h, &h.resources[0]).await?, history(&h, &h.resources[1]).await?];
    inject_failure(&h, &h.resources[1]).await?;

    let failed = h.app.graphql_as(&h.steward.1, VOTE, json!({ "p": proposal })).await?;
    ensure!(!error_codes(&failed).is_empty(), "the deciding vote fails: {failed}");
    ensure!(event_count(&h).await? == events, "no event written (the printer's was rolled back)");
    let (custodian, each) = holders(&h).await?;
    ensure!(custodian == h.trust.0, "the agreement stays with the old custodian");
    ensure!(each.iter().all(|(c, _)| *c == h.trust.0), "every resource stays: {each:?}");
    ensure!(histories == [history(&h, &h.resources[0]).await?, history(&h, &h.resources[1]).await?]);
    let status =
        h.app.graphql("query($id: ID!) { governanceProposal(id: $id) { status } }", json!({ "id": proposal })).await?;
    ensure!(string_at(&status, "/data/governanceProposal/status")? == "OPEN", "{status}");

    drop_failure(&h).await?;
    let voted = h.app.graphql_as(&h.steward.1, VOTE, json!({ "p": proposal })).await?;
    ensure!(data(&voted)?["vote"]["governanceProposal"]["status"] == "PASSED", "{voted}");
    ensure!(event_count(&h).await? == events + 3);
    let (custodian, each) = holders(&h).await?;
    ensure!(custodian == h.second && each.iter().all(|(c, _)| *c == h.second), "{each:?}");
    Ok(())
}
