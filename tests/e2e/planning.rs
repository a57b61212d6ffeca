//! The planning layer over HTTP, on the database under test: a plan with commitments,
//! fulfilled by events partly and then beyond, with remaining and over-fulfilled quantities
//! worked out by hand; stale updates; refused fulfilments (another action, another resource
//! specification, another unit) that write nothing; an agreement realised by the two
//! transfers of a purchase; and `EconomicEventCreateParams.fulfills`, which writes the
//! fulfilment with the event or nothing at all.

use anyhow::{Context as _, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, error_codes, spawn_app, string_at};

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id } economicResource { id } } }";

const COMMITMENT: &str = "mutation($c: CommitmentCreateParams!) {
  createCommitment(commitment: $c) { commitment { id revisionId } } }";

const PROGRESS: &str = "query($id: ID!) { commitment(id: $id) {
  finished deletable fulfilledBy { id }
  fulfilledQuantity { hasNumericalValue } remainingQuantity { hasNumericalValue }
  overFulfilledQuantity { hasNumericalValue } } }";

fn qty(value: &str, unit: &str) -> Value {
    json!({ "hasNumericalValue": value, "hasUnit": unit })
}

/// Runs a mutation that must succeed and returns the string at `pointer`.
async fn create(app: &TestApp, token: &str, query: &str, variables: Value, pointer: &str) -> Result<String> {
    string_at(&app.graphql_as(token, query, variables).await?, pointer)
}

/// Records an event that must succeed; returns (event id, resource id).
async fn record(app: &TestApp, token: &str, event: Value, resource: Value) -> Result<(String, Option<String>)> {
    let response = app.graphql_as(token, EVENT, json!({ "e": event, "r": resource })).await?;
    let id = string_at(&response, "/data/createEconomicEvent/economicEvent/id")?;
    let resource =
        response.pointer("/data/createEconomicEvent/economicResource/id").and_then(Value::as_str).map(str::to_owned);
    Ok((id, resource))
}

async fn commit(app: &TestApp, token: &str, commitment: Value) -> Result<(String, String)> {
    let response = app.graphql_as(token, COMMITMENT, json!({ "c": commitment })).await?;
    Ok((
        string_at(&response, "/data/createCommitment/commitment/id")?,
        string_at(&response, "/data/createCommitment/commitment/revisionId")?,
    ))
}

/// (fulfilled, remaining, over-fulfilled, finished, number of fulfilments) of a commitment.
async fn progress(app: &TestApp, commitment: &str) -> Result<(String, String, String, bool, usize)> {
    let response = app.graphql(PROGRESS, json!({ "id": commitment })).await?;
    let c = &data(&response)?["commitment"];
    let number = |field: &str| -> Result<String> {
        Ok(c[field]["hasNumericalValue"].as_str().with_context(|| format!("{field} in {c}"))?.to_owned())
    };
    Ok((
        number("fulfilledQuantity")?,
        number("remainingQuantity")?,
        number("overFulfilledQuantity")?,
        c["finished"].as_bool().context("finished")?,
        c["fulfilledBy"].as_array().context("fulfilledBy")?.len(),
    ))
}

fn expect(
    fulfilled: &str,
    remaining: &str,
    over: &str,
    finished: bool,
    count: usize,
) -> (String, String, String, bool, usize) {
    (fulfilled.to_owned(), remaining.to_owned(), over.to_owned(), finished, count)
}

/// Two people, two units (hour, kg), a specification of flour, a process and 20 kg of
/// Alice's flour.
struct Bakery {
    alice: String,
    alice_token: String,
    bob: String,
    bob_token: String,
    hour: String,
    kg: String,
    flour_spec: String,
    process: String,
    flour: String,
}

async fn bakery(app: &TestApp) -> Result<Bakery> {
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let hour = app.create_unit(&alice_token, "hour", "h").await?;
    let kg = app.create_unit(&alice_token, "kilogram", "kg").await?;
    let flour_spec = create(
        app,
        &alice_token,
        "mutation { createResourceSpecification(resourceSpecification: { name: \"flour\" }) { resourceSpecification { id } } }",
        Value::Null,
        "/data/createResourceSpecification/resourceSpecification/id",
    )
    .await?;
    let process = create(
        app,
        &alice_token,
        "mutation { createProcess(process: { name: \"baking\" }) { process { id } } }",
        Value::Null,
        "/data/createProcess/process/id",
    )
    .await?;
    let (_, flour) = record(
        app,
        &alice_token,
        json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": flour_spec,
                "resourceQuantity": qty("20", &kg) }),
        json!({ "name": "flour" }),
    )
    .await?;
    Ok(Bakery {
        alice,
        alice_token,
        bob,
        bob_token,
        hour,
        kg,
        flour_spec,
        process,
        flour: flour.context("the raise creates the flour")?,
    })
}

#[tokio::test]
async fn a_plan_with_two_commitments_is_fulfilled_partly_then_beyond() -> Result<()> {
    let app = spawn_app().await?;
    let b = bakery(&app).await?;
    let token = &b.alice_token;
    let plan = create(
        &app,
        token,
        "mutation { createPlan(plan: { name: \"bread\" }) { plan { id } } }",
        Value::Null,
        "/data/createPlan/plan/id",
    )
    .await?;
    // The process joins the plan by an update (plannedWithin is a process field too).
    let revision = string_at(
        &app.graphql("query($id: ID!) { process(id: $id) { revisionId } }", json!({ "id": b.process })).await?,
        "/data/process/revisionId",
    )?;
    let joined = app
        .graphql_as(
            token,
            "mutation($p: ProcessUpdateParams!) { updateProcess(process: $p) { process { plannedWithin { id } } } }",
            json!({ "p": { "revisionId": revision, "plannedWithin": plan } }),
        )
        .await?;
    ensure!(string_at(&joined, "/data/updateProcess/process/plannedWithin/id")? == plan, "{joined}");

    // Alice commits 8 hours of work and 10 kg of flour to the baking, for Bob.
    let (work, _) = commit(
        &app,
        token,
        json!({ "action": "work", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "plannedWithin": plan, "effortQuantity": qty("8", &b.hour) }),
    )
    .await?;
    let (flour, _) = commit(
        &app,
        token,
        json!({ "action": "consume", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "plannedWithin": plan, "resourceConformsTo": b.flour_spec, "resourceQuantity": qty("10", &b.kg) }),
    )
    .await?;

    // Listed under the plan, the process and the agent.
    let listed = app
        .graphql(
            "query($plan: ID!, $process: ID!, $alice: ID!) {
               plan(id: $plan) { processes { id } nonProcessCommitments { id } commitments { id } deletable
                                 involvedAgents { edges { node { id } } } }
               process(id: $process) { committedInputs { id action { id } } committedOutputs { id } }
               person(id: $alice) { commitmentsAsProvider { edges { node { id } } }
                                    commitmentsAsReceiver { edges { node { id } } } plans { edges { node { id } } } } }",
            json!({ "plan": plan, "process": b.process, "alice": b.alice }),
        )
        .await?;
    let d = data(&listed)?;
    let ids = |list: &Value| -> Vec<String> {
        list.as_array().into_iter().flatten().filter_map(|v| v["id"].as_str().map(str::to_owned)).collect()
    };
    let node_ids = |connection: &Value| -> Vec<String> {
        connection["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
            .collect()
    };
    ensure!(ids(&d["plan"]["processes"]) == [b.process.clone()], "{d}");
    ensure!(ids(&d["plan"]["nonProcessCommitments"]).is_empty(), "both are process inputs: {d}");
    ensure!(ids(&d["plan"]["commitments"]) == [work.clone(), flour.clone()], "{d}");
    ensure!(d["plan"]["deletable"] == json!(false), "{d}");
    ensure!(node_ids(&d["plan"]["involvedAgents"]).len() == 2, "Alice and Bob: {d}");
    ensure!(ids(&d["process"]["committedInputs"]) == [work.clone(), flour.clone()], "{d}");
    ensure!(ids(&d["process"]["committedOutputs"]).is_empty(), "{d}");
    ensure!(node_ids(&d["person"]["commitmentsAsProvider"]) == [work.clone(), flour.clone()], "{d}");
    ensure!(node_ids(&d["person"]["commitmentsAsReceiver"]).is_empty(), "{d}");
    ensure!(node_ids(&d["person"]["plans"]) == [plan.clone()], "{d}");

    // Work: 3 h fulfil 3 of 8, 5 remain.
    record(
        &app,
        token,
        json!({ "action": "work", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "effortQuantity": qty("3", &b.hour), "fulfills": [work] }),
        Value::Null,
    )
    .await?;
    assert_eq!(progress(&app, &work).await?, expect("3", "5", "0", false, 1));
    // Then 6 h more: 9 of 8, nothing remains, 1 h beyond, finished.
    record(
        &app,
        token,
        json!({ "action": "work", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "effortQuantity": qty("6", &b.hour), "fulfills": [work] }),
        Value::Null,
    )
    .await?;
    assert_eq!(progress(&app, &work).await?, expect("9", "0", "1", true, 2));

    // Flour: 4 kg consumed, linked afterwards by createFulfillment (its quantity defaults to
    // the event's): 4 of 10, 6 remain.
    let (consumed, _) = record(
        &app,
        token,
        json!({ "action": "consume", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "resourceInventoriedAs": b.flour, "resourceQuantity": qty("4", &b.kg) }),
        Value::Null,
    )
    .await?;
    let unplanned = app
        .graphql("query($id: ID!) { process(id: $id) { unplannedInputs { id } } }", json!({ "id": b.process }))
        .await?;
    ensure!(ids(&data(&unplanned)?["process"]["unplannedInputs"]) == [consumed.clone()], "{unplanned}");
    let fulfilment = app
        .graphql_as(
            &b.bob_token,
            "mutation($f: FulfillmentCreateParams!) { createFulfillment(fulfillment: $f) {
               fulfillment { id resourceQuantity { hasNumericalValue hasUnit { id } } fulfills { id } fulfilledBy { id } } } }",
            json!({ "f": { "fulfilledBy": consumed, "fulfills": flour } }),
        )
        .await?;
    let f = &data(&fulfilment)?["createFulfillment"]["fulfillment"];
    ensure!(f["resourceQuantity"]["hasNumericalValue"] == json!("4"), "{f}");
    ensure!(f["resourceQuantity"]["hasUnit"]["id"] == json!(b.kg), "{f}");
    ensure!(f["fulfills"]["id"] == json!(flour) && f["fulfilledBy"]["id"] == json!(consumed), "{f}");
    assert_eq!(progress(&app, &flour).await?, expect("4", "6", "0", false, 1));
    // Then 7.5 kg: 11.5 of 10, 1.5 beyond.
    record(
        &app,
        token,
        json!({ "action": "consume", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "resourceInventoriedAs": b.flour, "resourceQuantity": qty("7.5", &b.kg), "fulfills": [flour] }),
        Value::Null,
    )
    .await?;
    assert_eq!(progress(&app, &flour).await?, expect("11.5", "0", "1.5", true, 2));
    // Every input now fulfils a commitment.
    let unplanned = app
        .graphql("query($id: ID!) { process(id: $id) { unplannedInputs { id } } }", json!({ "id": b.process }))
        .await?;
    ensure!(ids(&data(&unplanned)?["process"]["unplannedInputs"]).is_empty(), "{unplanned}");

    // A fulfilled commitment and a plan with commitments cannot be deleted.
    let revision = string_at(
        &app.graphql("query($id: ID!) { commitment(id: $id) { revisionId } }", json!({ "id": flour })).await?,
        "/data/commitment/revisionId",
    )?;
    let refused = app
        .graphql_as(token, "mutation($r: ID!) { deleteCommitment(revisionId: $r) }", json!({ "r": revision }))
        .await?;
    assert_refused(&refused, "deleteCommitment", "CONFLICT")?;
    let plan_revision = string_at(
        &app.graphql("query($id: ID!) { plan(id: $id) { revisionId } }", json!({ "id": plan })).await?,
        "/data/plan/revisionId",
    )?;
    let refused = app
        .graphql_as(token, "mutation($r: ID!) { deletePlan(revisionId: $r) }", json!({ "r": plan_revision }))
        .await?;
    assert_refused(&refused, "deletePlan", "CONFLICT")?;
    // Nor a process with commitments.
    let deletable =
        app.graphql("query($id: ID!) { process(id: $id) { deletable } }", json!({ "id": b.process })).await?;
    ensure!(deletable.pointer("/data/process/deletable") == Some(&json!(false)), "{deletable}");
    Ok(())
}

#[tokio::test]
async fn a_stale_update_conflicts_and_a_refused_fulfilment_writes_nothing() -> Result<()> {
    let app = spawn_app().await?;
    let b = bakery(&app).await?;
    let token = &b.alice_token;
    let (flour, first_revision) = commit(
        &app,
        token,
        json!({ "action": "consume", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "resourceConformsTo": b.flour_spec, "resourceQuantity": qty("10", &b.kg) }),
    )
    .await?;
    const UPDATE: &str = "mutation($c: CommitmentUpdateParams!) {
      updateCommitment(commitment: $c) { commitment { revisionId note resourceQuantity { hasNumericalValue } } } }";
    let updated = app
        .graphql_as(
            token,
            UPDATE,
            json!({ "c": { "revisionId": first_revision, "note": "for the rye", "resourceQuantity": qty("12", &b.kg) } }),
        )
        .await?;
    let c = &data(&updated)?["updateCommitment"]["commitment"];
    ensure!(c["note"] == json!("for the rye") && c["resourceQuantity"]["hasNumericalValue"] == json!("12"), "{c}");
    ensure!(c["revisionId"] != json!(first_revision), "an update moves the revision: {c}");
    // The same update again, against the revision it already replaced.
    let stale = app.graphql_as(token, UPDATE, json!({ "c": { "revisionId": first_revision, "note": "late" } })).await?;
    assert_refused(&stale, "updateCommitment", "CONFLICT")?;
    // Someone who is neither provider nor receiver commits nobody.
    let (eve, eve_token) = app.person_with_token("Eve").await?;
    let forbidden = app
        .graphql_as(
            &eve_token,
            COMMITMENT,
            json!({ "c": { "action": "transfer", "provider": b.alice, "receiver": b.bob,
                           "resourceQuantity": qty("1", &b.kg) } }),
        )
        .await?;
    assert_refused(&forbidden, "createCommitment", "FORBIDDEN")?;
    // A commitment breaks the event's action rules: work needs effortQuantity, not kg.
    let bad = app
        .graphql_as(
            token,
            COMMITMENT,
            json!({ "c": { "action": "work", "provider": b.alice, "receiver": eve, "inputOf": b.process,
                           "resourceQuantity": qty("1", &b.kg) } }),
        )
        .await?;
    assert_refused(&bad, "createCommitment", "BAD_INPUT")?;
    // A process with a commitment (and no event yet) cannot be deleted.
    let refused =
        app.graphql_as(token, "mutation($id: ID!) { deleteProcess(id: $id) }", json!({ "id": b.process })).await?;
    assert_refused(&refused, "deleteProcess", "CONFLICT")?;

    // Three events that cannot fulfil the flour commitment.
    let litre = app.create_unit(token, "litre", "l").await?;
    let water_spec = create(
        &app,
        token,
        "mutation { createResourceSpecification(resourceSpecification: { name: \"water\" }) { resourceSpecification { id } } }",
        Value::Null,
        "/data/createResourceSpecification/resourceSpecification/id",
    )
    .await?;
    let (_, water) = record(
        &app,
        token,
        json!({ "action": "raise", "provider": b.alice, "receiver": b.alice, "resourceConformsTo": water_spec,
                "resourceQuantity": qty("5", &b.kg) }),
        json!({ "name": "water" }),
    )
    .await?;
    let (_, flour_in_litres) = record(
        &app,
        token,
        json!({ "action": "raise", "provider": b.alice, "receiver": b.alice, "resourceConformsTo": b.flour_spec,
                "resourceQuantity": qty("5", &litre) }),
        json!({ "name": "flour by volume" }),
    )
    .await?;
    let (used, _) = record(
        &app,
        token,
        json!({ "action": "use", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "resourceInventoriedAs": b.flour, "resourceQuantity": qty("1", &b.kg) }),
        Value::Null,
    )
    .await?;
    let (other_spec, _) = record(
        &app,
        token,
        json!({ "action": "consume", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "resourceInventoriedAs": water, "resourceQuantity": qty("1", &b.kg) }),
        Value::Null,
    )
    .await?;
    let (other_unit, _) = record(
        &app,
        token,
        json!({ "action": "consume", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "resourceInventoriedAs": flour_in_litres, "resourceQuantity": qty("1", &litre) }),
        Value::Null,
    )
    .await?;
    const FULFIL: &str =
        "mutation($f: FulfillmentCreateParams!) { createFulfillment(fulfillment: $f) { fulfillment { id } } }";
    for (what, event, message) in [
        ("another action", &used, "own action"),
        ("another resource specification", &other_spec, "resource specification"),
        ("another unit", &other_unit, "unit"),
    ] {
        let refused =
            app.graphql_as(token, FULFIL, json!({ "f": { "fulfilledBy": event, "fulfills": flour } })).await?;
        assert_refused(&refused, "createFulfillment", "BAD_INPUT").with_context(|| what.to_owned())?;
        let text = refused["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(text.contains(message), "{what}: {text}");
    }
    ensure!(app.total("fulfillments").await? == 0, "a refused fulfilment writes nothing");
    assert_eq!(progress(&app, &flour).await?, expect("0", "12", "0", false, 0));
    Ok(())
}

#[tokio::test]
async fn an_agreement_groups_the_reciprocal_transfers_of_a_purchase() -> Result<()> {
    let app = spawn_app().await?;
    let (buyer, buyer_token) = app.person_with_token("Carol").await?;
    let (seller, seller_token) = app.person_with_token("Supplier").await?;
    let each = app.create_unit(&seller_token, "each", "ea").await?;
    let eur = app.create_unit(&buyer_token, "euro", "EUR").await?;
    let spec = |name: &str| json!({ "s": { "name": name } });
    const SPEC: &str = "mutation($s: ResourceSpecificationCreateParams!) {
      createResourceSpecification(resourceSpecification: $s) { resourceSpecification { id } } }";
    let sensor =
        create(&app, &seller_token, SPEC, spec("sensor"), "/data/createResourceSpecification/resourceSpecification/id")
            .await?;
    let money =
        create(&app, &buyer_token, SPEC, spec("money"), "/data/createResourceSpecification/resourceSpecification/id")
            .await?;
    let (_, stock) = record(
        &app,
        &seller_token,
        json!({ "action": "raise", "provider": seller, "receiver": seller, "resourceConformsTo": sensor,
                "resourceQuantity": qty("10", &each) }),
        json!({ "name": "sensors" }),
    )
    .await?;
    let (_, cash) = record(
        &app,
        &buyer_token,
        json!({ "action": "raise", "provider": buyer, "receiver": buyer, "resourceConformsTo": money,
                "resourceQuantity": qty("300", &eur) }),
        json!({ "name": "Carol's cash" }),
    )
    .await?;
    let agreement = create(
        &app,
        &buyer_token,
        "mutation { createAgreement(agreement: { name: \"10 sensors for 300 EUR\" }) { agreement { id } } }",
        Value::Null,
        "/data/createAgreement/agreement/id",
    )
    .await?;
    // The sensors change hands as part of the agreement (each transfer is recorded by its
    // receiver: its consent).
    let (delivery, _) = record(
        &app,
        &buyer_token,
        json!({ "action": "transfer", "provider": seller, "receiver": buyer, "resourceInventoriedAs": stock,
                "resourceQuantity": qty("10", &each), "realizationOf": agreement }),
        json!({ "name": "Carol's sensors" }),
    )
    .await?;
    // The payment is recorded first and linked to the agreement afterwards (a link, not a
    // quantity: it may change on an event).
    let (payment, _) = record(
        &app,
        &seller_token,
        json!({ "action": "transfer", "provider": buyer, "receiver": seller, "resourceInventoriedAs": cash,
                "resourceQuantity": qty("300", &eur) }),
        json!({ "name": "Supplier's cash" }),
    )
    .await?;
    let revision = string_at(
        &app.graphql("query($id: ID!) { economicEvent(id: $id) { revisionId } }", json!({ "id": payment })).await?,
        "/data/economicEvent/revisionId",
    )?;
    let linked = app
        .graphql_as(
            &buyer_token,
            "mutation($e: EconomicEventUpdateParams!) { updateEconomicEvent(event: $e) { economicEvent { realizationOf { id } } } }",
            json!({ "e": { "revisionId": revision, "realizationOf": agreement } }),
        )
        .await?;
    ensure!(string_at(&linked, "/data/updateEconomicEvent/economicEvent/realizationOf/id")? == agreement, "{linked}");

    let read = app
        .graphql(
            "query($id: ID!) { agreement(id: $id) { name
               economicEvents { id action { id } realizationOf { id } resourceQuantity { hasNumericalValue } }
               unplannedEconomicEvents { id } commitments { id }
               involvedAgents { pageInfo { totalCount } } } }",
            json!({ "id": agreement }),
        )
        .await?;
    let a = &data(&read)?["agreement"];
    let events = a["economicEvents"].as_array().context("economicEvents")?;
    let listed: Vec<&str> = events.iter().filter_map(|e| e["id"].as_str()).collect();
    ensure!(listed == [delivery.as_str(), payment.as_str()], "both transfers, in recording order: {a}");
    for event in events {
        ensure!(event["realizationOf"]["id"] == json!(agreement), "{event}");
        ensure!(event["action"]["id"] == json!("transfer"), "{event}");
    }
    ensure!(events[0]["resourceQuantity"]["hasNumericalValue"] == json!("10"), "{a}");
    ensure!(events[1]["resourceQuantity"]["hasNumericalValue"] == json!("300"), "{a}");
    ensure!(a["unplannedEconomicEvents"].as_array().map(Vec::len) == Some(2), "no commitment was made: {a}");
    ensure!(a["involvedAgents"]["pageInfo"]["totalCount"] == json!(2), "{a}");

    // Only its creator changes it, and events realising it keep it.
    let agreement_revision = string_at(
        &app.graphql("query($id: ID!) { agreement(id: $id) { revisionId } }", json!({ "id": agreement })).await?,
        "/data/agreement/revisionId",
    )?;
    let foreign = app
        .graphql_as(
            &seller_token,
            "mutation($a: AgreementUpdateParams) { updateAgreement(agreement: $a) { agreement { name } } }",
            json!({ "a": { "revisionId": agreement_revision, "name": "12 sensors" } }),
        )
        .await?;
    assert_refused(&foreign, "updateAgreement", "FORBIDDEN")?;
    let refused = app
        .graphql_as(
            &buyer_token,
            "mutation($r: ID!) { deleteAgreement(revisionId: $r) }",
            json!({ "r": agreement_revision }),
        )
        .await?;
    assert_refused(&refused, "deleteAgreement", "CONFLICT")?;
    Ok(())
}

#[tokio::test]
async fn fulfills_on_an_event_writes_the_fulfilment_with_it_or_nothing() -> Result<()> {
    let app = spawn_app().await?;
    let b = bakery(&app).await?;
    let token = &b.alice_token;
    let (transfer, _) = commit(
        &app,
        &b.bob_token,
        json!({ "action": "transfer", "provider": b.alice, "receiver": b.bob, "resourceConformsTo": b.flour_spec,
                "resourceQuantity": qty("5", &b.kg) }),
    )
    .await?;
    let (work, _) = commit(
        &app,
        &b.bob_token,
        json!({ "action": "work", "provider": b.alice, "receiver": b.bob, "inputOf": b.process,
                "effortQuantity": qty("2", &b.hour) }),
    )
    .await?;
    let recorded_by =
        app.graphql("query($id: ID!) { commitment(id: $id) { recordedBy { id } } }", json!({ "id": transfer })).await?;
    ensure!(string_at(&recorded_by, "/data/commitment/recordedBy/id")? == b.bob, "Bob's token made it: {recorded_by}");
    let events_before = app.total("economicEvents").await?;

    // The event is fine but it names a commitment of another action: nothing is written.
    let transfer_event = json!({ "action": "transfer", "provider": b.alice, "receiver": b.bob,
        "resourceInventoriedAs": b.flour, "resourceQuantity": qty("5", &b.kg) });
    let mut wrong = transfer_event.clone();
    wrong["fulfills"] = json!([transfer, work]);
    let refused = app.graphql_as(token, EVENT, json!({ "e": wrong, "r": { "name": "Bob's flour" } })).await?;
    assert_refused(&refused, "createEconomicEvent", "BAD_INPUT")?;
    // The books refuse the event (more flour than Alice has): nothing is written either.
    let mut too_much = transfer_event.clone();
    too_much["resourceQuantity"] = qty("50", &b.kg);
    too_much["fulfills"] = json!([transfer]);
    let refused = app.graphql_as(token, EVENT, json!({ "e": too_much, "r": { "name": "Bob's flour" } })).await?;
    ensure!(!error_codes(&refused).is_empty(), "{refused}");
    ensure!(app.total("economicEvents").await? == events_before, "no event was written");
    ensure!(app.total("fulfillments").await? == 0, "no fulfilment was written");

    // The event and its fulfilment, together.
    let mut right = transfer_event;
    right["fulfills"] = json!([transfer]);
    let (event, _) = record(&app, token, right, json!({ "name": "Bob's flour" })).await?;
    let read = app
        .graphql(
            "query($id: ID!) { economicEvent(id: $id) { fulfills { fulfills { id } resourceQuantity { hasNumericalValue } } } }",
            json!({ "id": event }),
        )
        .await?;
    let fulfils = &data(&read)?["economicEvent"]["fulfills"];
    ensure!(fulfils.as_array().map(Vec::len) == Some(1), "{read}");
    ensure!(fulfils[0]["fulfills"]["id"] == json!(transfer), "{read}");
    ensure!(fulfils[0]["resourceQuantity"]["hasNumericalValue"] == json!("5"), "{read}");
    assert_eq!(progress(&app, &transfer).await?, expect("5", "0", "0", true, 1));
    ensure!(app.total("economicEvents").await? == events_before + 1, "one event");

    // A fulfilled commitment keeps the unit its fulfilments count in.
    let revision = string_at(
        &app.graphql("query($id: ID!) { commitment(id: $id) { revisionId } }", json!({ "id": transfer })).await?,
        "/data/commitment/revisionId",
    )?;
    let remeasured = app
        .graphql_as(
            &b.bob_token,
            "mutation($c: CommitmentUpdateParams!) { updateCommitment(commitment: $c) { commitment { id } } }",
            json!({ "c": { "revisionId": revision, "resourceQuantity": qty("5", &b.hour) } }),
        )
        .await?;
    assert_refused(&remeasured, "updateCommitment", "BAD_INPUT")?;

    // createCommitment with an idempotency key: a retry answers the first commitment.
    const KEYED: &str = "mutation($c: CommitmentCreateParams!) {
      createCommitment(commitment: $c, idempotencyKey: \"plan-1\") { commitment { id } } }";
    let input = json!({ "c": { "action": "transfer", "provider": b.alice, "receiver": b.bob,
                               "resourceQuantity": qty("1", &b.kg) } });
    let first = string_at(&app.graphql_as(token, KEYED, input.clone()).await?, "/data/createCommitment/commitment/id")?;
    let again = string_at(&app.graphql_as(token, KEYED, input).await?, "/data/createCommitment/commitment/id")?;
    ensure!(first == again, "the retry answers the first commitment");
    ensure!(app.total("commitments").await? == 3, "transfer, work and the keyed one");
    Ok(())
}
