//! Proposals and claims over HTTP: an offer (a primary intent with a provider and a reciprocal
//! intent, proposed to an agent) listed in `offers`, not in `requests`, and on the agent's
//! `proposalsTo`; only the creator changes a proposal; a claim triggered by an event and
//! settled by two settlements (settled and remaining amounts exact); a settlement in another
//! unit, or by someone outside the claim, refused with nothing written; stale revisions.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, spawn_app, string_at};

const CREATE_INTENT: &str = "mutation($i: IntentCreateParams!) { createIntent(intent: $i) { intent { id } } }";
const CREATE_PROPOSAL: &str = "mutation($p: ProposalCreateParams!) { createProposal(proposal: $p) { proposal {
  id revisionId name unitBased purpose created } } }";
const UPDATE_PROPOSAL: &str =
    "mutation($p: ProposalUpdateParams!) { updateProposal(proposal: $p) { proposal { id revisionId name } } }";
const PROPOSE_INTENT: &str = "mutation($p: ID!, $i: ID!, $r: Boolean) {
  proposeIntent(publishedIn: $p, publishes: $i, reciprocal: $r) { proposedIntent {
    id revisionId reciprocal publishedIn { id } publishes { id } } } }";
const PROPOSE_TO: &str = "mutation($p: ID!, $a: ID!) { proposeTo(proposed: $p, proposedTo: $a) { proposedTo {
  id proposed { id } proposedTo { id } } } }";
const CREATE_EVENT: &str = "mutation($e: EconomicEventCreateParams!) {
  createEconomicEvent(event: $e) { economicEvent { id } } }";
const CREATE_CLAIM: &str = "mutation($c: ClaimCreateParams!) { createClaim(claim: $c) { claim {
  id revisionId provider { id } receiver { id } triggeredBy { id } finished
  resourceQuantity { hasNumericalValue } } } }";
const UPDATE_CLAIM: &str =
    "mutation($c: ClaimUpdateParams!) { updateClaim(claim: $c) { claim { id revisionId note } } }";
const CREATE_SETTLEMENT: &str = "mutation($s: SettlementCreateParams!) { createSettlement(settlement: $s) {
  settlement { id settles { id } settledBy { id } resourceQuantity { hasNumericalValue hasUnit { id } } } } }";
const CLAIM_PROGRESS: &str = "query($id: ID!) { claim(id: $id) {
  finished settledQuantity { hasNumericalValue hasUnit { id } } remainingQuantity { hasNumericalValue }
  settledBy { pageInfo { totalCount } edges { node { resourceQuantity { hasNumericalValue } } } } } }";

/// Runs a mutation that must succeed; returns its data.
async fn run(app: &TestApp, token: &str, query: &str, variables: Value) -> Result<Value> {
    let response = app.graphql_as(token, query, variables).await?;
    Ok(data(&response).with_context(|| format!("running {query}"))?.clone())
}

/// The ids of a connection's nodes.
fn ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .map(|edges| edges.iter().filter_map(|e| e["node"]["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

async fn intent(app: &TestApp, token: &str, intent: Value) -> Result<String> {
    string_at(&run(app, token, CREATE_INTENT, json!({ "i": intent })).await?, "/createIntent/intent/id")
}

#[tokio::test]
async fn an_offer_is_listed_in_offers_not_in_requests_and_on_the_agent_it_is_proposed_to() -> Result<()> {
    // Arrange: Alice offers 3 hours of design for 90 EUR; Bob requests a laser cutter.
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let hour = app.create_unit(&alice_token, "hour", "h").await?;
    let eur = app.create_unit(&alice_token, "euro", "EUR").await?;
    let design = intent(
        &app,
        &alice_token,
        json!({ "action": "work", "provider": alice, "effortQuantity": { "hasNumericalValue": "3", "hasUnit": hour } }),
    )
    .await?;
    let payment = intent(
        &app,
        &alice_token,
        json!({ "action": "transfer", "receiver": alice, "resourceQuantity": { "hasNumericalValue": "90", "hasUnit": eur } }),
    )
    .await?;
    let cutter = intent(
        &app,
        &bob_token,
        json!({ "action": "use", "receiver": bob, "effortQuantity": { "hasNumericalValue": "2", "hasUnit": hour } }),
    )
    .await?;

    // Act: Alice's offer, proposed to Bob; Bob's request.
    let offer =
        run(&app, &alice_token, CREATE_PROPOSAL, json!({ "p": { "name": "Design for hire", "purpose": "offer" } }))
            .await?;
    assert_eq!(offer["createProposal"]["proposal"]["purpose"], json!("offer"));
    assert_eq!(offer["createProposal"]["proposal"]["unitBased"], json!(false));
    let offer_revision = string_at(&offer, "/createProposal/proposal/revisionId")?;
    let offer = string_at(&offer, "/createProposal/proposal/id")?;
    let primary = run(&app, &alice_token, PROPOSE_INTENT, json!({ "p": offer, "i": design })).await?;
    assert_eq!(primary["proposeIntent"]["proposedIntent"]["reciprocal"], json!(false));
    assert_eq!(primary["proposeIntent"]["proposedIntent"]["publishes"]["id"], json!(design));
    run(&app, &alice_token, PROPOSE_INTENT, json!({ "p": offer, "i": payment, "r": true })).await?;
    let to = run(&app, &alice_token, PROPOSE_TO, json!({ "p": offer, "a": bob })).await?;
    assert_eq!(to["proposeTo"]["proposedTo"]["proposedTo"]["id"], json!(bob));
    let request = run(&app, &bob_token, CREATE_PROPOSAL, json!({ "p": { "name": "Need a cutter" } })).await?;
    let request = string_at(&request, "/createProposal/proposal/id")?;
    run(&app, &bob_token, PROPOSE_INTENT, json!({ "p": request, "i": cutter })).await?;
    // A proposal with no primary intent is neither.
    let empty = run(&app, &bob_token, CREATE_PROPOSAL, json!({ "p": { "name": "Draft" } })).await?;
    let empty = string_at(&empty, "/createProposal/proposal/id")?;

    // Assert: offers, requests, Bob's proposalsTo, the proposal's intents.
    let response = app
        .graphql(
            "query($b: ID!, $o: ID!) {
               offers { edges { node { id } } } requests { edges { node { id } } } proposals { edges { node { id } } }
               bob: person(id: $b) { proposalsTo { edges { node { id } } } proposals { edges { node { id } } } }
               proposal(id: $o) { primaryIntents { id } reciprocalIntents { id }
                 publishes { reciprocal publishes { id } } publishedTo { proposedTo { id } } } }",
            json!({ "b": bob, "o": offer }),
        )
        .await?;
    let d = data(&response)?;
    assert_eq!(ids(&d["offers"]), std::slice::from_ref(&offer));
    assert_eq!(ids(&d["requests"]), std::slice::from_ref(&request));
    assert_eq!(ids(&d["proposals"]), [offer.clone(), request.clone(), empty.clone()]);
    assert_eq!(ids(&d["bob"]["proposalsTo"]), std::slice::from_ref(&offer));
    assert_eq!(ids(&d["bob"]["proposals"]), [request, empty], "created by Bob");
    assert_eq!(d["proposal"]["primaryIntents"], json!([{ "id": design }]));
    assert_eq!(d["proposal"]["reciprocalIntents"], json!([{ "id": payment }]));
    assert_eq!(d["proposal"]["publishedTo"], json!([{ "proposedTo": { "id": bob } }]));

    // Only Alice changes her proposal; a stale revision is a conflict.
    let change = json!({ "p": { "revisionId": offer_revision, "name": "Design, 3 h" } });
    assert_refused(&app.graphql_as(&bob_token, UPDATE_PROPOSAL, change.clone()).await?, "updateProposal", "FORBIDDEN")?;
    assert_refused(
        &app.graphql_as(&bob_token, PROPOSE_INTENT, json!({ "p": offer, "i": cutter })).await?,
        "proposeIntent",
        "FORBIDDEN",
    )?;
    run(&app, &alice_token, UPDATE_PROPOSAL, change.clone()).await?;
    assert_refused(&app.graphql_as(&alice_token, UPDATE_PROPOSAL, change).await?, "updateProposal", "CONFLICT")?;
    // Publishing the same intent twice is a conflict; the proposal still has two.
    assert_refused(
        &app.graphql_as(&alice_token, PROPOSE_INTENT, json!({ "p": offer, "i": design })).await?,
        "proposeIntent",
        "CONFLICT",
    )?;
    let response =
        app.graphql("query($o: ID!) { proposal(id: $o) { publishes { id } } }", json!({ "o": offer })).await?;
    assert_eq!(data(&response)?["proposal"]["publishes"].as_array().map(Vec::len), Some(2));
    Ok(())
}

/// Records an event; returns its id.
async fn event(app: &TestApp, token: &str, event: Value) -> Result<String> {
    string_at(&run(app, token, CREATE_EVENT, json!({ "e": event })).await?, "/createEconomicEvent/economicEvent/id")
}

/// A `transfer` of `amount` EUR (no inventoried resource) from `provider` to `receiver`,
/// recorded by the receiver (so that it needs no further consent).
fn payment(provider: &str, receiver: &str, amount: &str, unit: &str) -> Value {
    json!({ "action": "transfer", "provider": provider, "receiver": receiver,
        "resourceQuantity": { "hasNumericalValue": amount, "hasUnit": unit }, "hasPointInTime": "2026-11-02T09:00:00Z" })
}

/// (settled, remaining, finished, number of settlements) of a claim.
async fn claim_progress(app: &TestApp, claim: &str) -> Result<(Value, Value, Value, Value)> {
    let response = app.graphql(CLAIM_PROGRESS, json!({ "id": claim })).await?;
    let claim = &data(&response)?["claim"];
    Ok((
        claim["settledQuantity"]["hasNumericalValue"].clone(),
        claim["remainingQuantity"]["hasNumericalValue"].clone(),
        claim["finished"].clone(),
        claim["settledBy"]["pageInfo"]["totalCount"].clone(),
    ))
}

#[tokio::test]
async fn a_claim_triggered_by_an_event_is_settled_by_two_settlements() -> Result<()> {
    // Arrange: Alice delivers 3 hours of design to Bob and claims 120.50 EUR for it.
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let (_, carol_token) = app.person_with_token("Carol").await?;
    let hour = app.create_unit(&alice_token, "hour", "h").await?;
    let eur = app.create_unit(&alice_token, "euro", "EUR").await?;
    let delivered = event(
        &app,
        &alice_token,
        json!({ "action": "deliverService", "provider": alice, "receiver": bob,
            "resourceQuantity": { "hasNumericalValue": "3", "hasUnit": hour }, "hasPointInTime": "2026-11-01T17:00:00Z" }),
    )
    .await?;
    let claim = json!({ "c": { "action": "transfer", "triggeredBy": delivered, "note": "invoice 42",
        "resourceQuantity": { "hasNumericalValue": "120.50", "hasUnit": eur } } });
    // Carol is no party to the event, hence none to the claim.
    assert_refused(&app.graphql_as(&carol_token, CREATE_CLAIM, claim.clone()).await?, "createClaim", "FORBIDDEN")?;
    let created = run(&app, &alice_token, CREATE_CLAIM, claim).await?;
    let made = &created["createClaim"]["claim"];
    // Who received owes; who provided is owed.
    assert_eq!((&made["provider"]["id"], &made["receiver"]["id"]), (&json!(bob), &json!(alice)));
    assert_eq!(made["triggeredBy"]["id"], json!(delivered));
    let claim = string_at(&created, "/createClaim/claim/id")?;
    let revision = string_at(&created, "/createClaim/claim/revisionId")?;
    assert_eq!(claim_progress(&app, &claim).await?, (json!("0"), json!("120.5"), json!(false), json!(0)));

    // Act 1: Bob pays 50 (Alice records the receipt), the settlement taking its amount.
    let first = event(&app, &alice_token, payment(&bob, &alice, "50", &eur)).await?;
    let settled =
        run(&app, &bob_token, CREATE_SETTLEMENT, json!({ "s": { "settles": claim, "settledBy": first } })).await?;
    assert_eq!(
        settled["createSettlement"]["settlement"]["resourceQuantity"],
        json!({ "hasNumericalValue": "50", "hasUnit": { "id": eur } })
    );
    assert_eq!(claim_progress(&app, &claim).await?, (json!("50"), json!("70.5"), json!(false), json!(1)));

    // A settlement in hours, or by Carol, is refused and writes nothing.
    let in_hours = json!({ "s": { "settles": claim, "settledBy": first,
        "resourceQuantity": { "hasNumericalValue": "1", "hasUnit": hour } } });
    assert_refused(&app.graphql_as(&bob_token, CREATE_SETTLEMENT, in_hours).await?, "createSettlement", "BAD_INPUT")?;
    let by_carol = json!({ "s": { "settles": claim, "settledBy": first } });
    assert_refused(&app.graphql_as(&carol_token, CREATE_SETTLEMENT, by_carol).await?, "createSettlement", "FORBIDDEN")?;
    assert_eq!(app.total("settlements").await?, 1);

    // Act 2: Bob pays 100, of which 70.50 settle this claim.
    let second = event(&app, &alice_token, payment(&bob, &alice, "100", &eur)).await?;
    let rest = json!({ "s": { "settles": claim, "settledBy": second,
        "resourceQuantity": { "hasNumericalValue": "70.50", "hasUnit": eur } } });
    run(&app, &alice_token, CREATE_SETTLEMENT, rest).await?;
    assert_eq!(claim_progress(&app, &claim).await?, (json!("120.5"), json!("0"), json!(true), json!(2)));
    let response = app
        .graphql(
            "query($e: ID!, $a: ID!) { economicEvent(id: $e) { settles { settles { id } resourceQuantity { hasNumericalValue } } }
               person(id: $a) { agentClaimsAsReceiver { edges { node { id } } } claims { edges { node { id } } } } }",
            json!({ "e": second, "a": alice }),
        )
        .await?;
    let d = data(&response)?;
    assert_eq!(
        d["economicEvent"]["settles"],
        json!([{ "settles": { "id": claim }, "resourceQuantity": { "hasNumericalValue": "70.5" } }])
    );
    assert_eq!(ids(&d["person"]["agentClaimsAsReceiver"]), std::slice::from_ref(&claim));
    assert!(ids(&d["person"]["claims"]).is_empty(), "vf-graphql 0.9's `claims` is an IntentConnection, kept empty");

    // A stale revision of the claim is a conflict; a settled claim cannot be deleted.
    run(&app, &alice_token, UPDATE_CLAIM, json!({ "c": { "revisionId": revision, "note": "paid" } })).await?;
    let stale =
        app.graphql_as(&alice_token, UPDATE_CLAIM, json!({ "c": { "revisionId": revision, "note": "late" } })).await?;
    assert_refused(&stale, "updateClaim", "CONFLICT")?;
    let delete = app
        .graphql_as(
            &alice_token,
            "mutation($r: ID!) { deleteClaim(revisionId: $r) }",
            json!({ "r": format!("{claim}:2") }),
        )
        .await?;
    assert_refused(&delete, "deleteClaim", "CONFLICT")?;
    Ok(())
}
