//! End-to-end tests of the observation and process modules: a vf-graphql client records
//! events over HTTP and reads back what every action did to its resources. Every expected
//! number is worked out by hand in the comments.

use crate::common::{TestApp, assert_refused, data, error_codes, spawn_app, spawn_app_with, string_at};
use anyhow::{Context as _, Result, ensure};
use serde_json::{Value, json};

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams, $k: String) {
  createEconomicEvent(event: $e, newInventoriedResource: $r, idempotencyKey: $k) {
    economicEvent { id action { id } resourceQuantity { hasNumericalValue } }
    economicResource { id }
  }
}";

const RESOURCE: &str = "query($id: ID!) { economicResource(id: $id) {
  accountingQuantity { hasNumericalValue } onhandQuantity { hasNumericalValue }
  primaryAccountable { id } custodian { id } } }";

/// What a resource looks like after some events.
#[derive(Debug, PartialEq, Eq)]
struct Balances {
    accounting: String,
    onhand: String,
    accountable: Option<String>,
    custodian: Option<String>,
}

fn balances(accounting: &str, onhand: &str, accountable: &str, custodian: &str) -> Balances {
    Balances {
        accounting: accounting.into(),
        onhand: onhand.into(),
        accountable: Some(accountable.into()),
        custodian: Some(custodian.into()),
    }
}

struct Ledger {
    app: TestApp,
}

impl Ledger {
    async fn spec(&self, token: &str, name: &str) -> Result<String> {
        let response = self
            .app
            .graphql_as(
                token,
                "mutation($s: ResourceSpecificationCreateParams!) { createResourceSpecification(resourceSpecification: $s) { resourceSpecification { id } } }",
                json!({ "s": { "name": name } }),
            )
            .await?;
        string_at(&response, "/data/createResourceSpecification/resourceSpecification/id")
    }

    async fn process(&self, token: &str, name: &str) -> Result<String> {
        let response = self
            .app
            .graphql_as(
                token,
                "mutation($p: ProcessCreateParams!) { createProcess(process: $p) { process { id } } }",
                json!({ "p": { "name": name } }),
            )
            .await?;
        string_at(&response, "/data/createProcess/process/id")
    }

    async fn event(&self, token: &str, event: Value, new_resource: Option<Value>) -> Result<Value> {
        self.app.graphql_as(token, EVENT, json!({ "e": event, "r": new_resource })).await
    }

    /// Records an event that must succeed; returns (event id, resource id if any).
    async fn record(&self, token: &str, event: Value, new_resource: Option<Value>) -> Result<(String, Option<String>)> {
        let response = self.event(token, event, new_resource).await?;
        let data = data(&response)?;
        let id = data["createEconomicEvent"]["economicEvent"]["id"].as_str().context("event id")?.to_owned();
        let resource = data["createEconomicEvent"]["economicResource"]["id"].as_str().map(str::to_owned);
        Ok((id, resource))
    }

    async fn balances(&self, resource: &str) -> Result<Balances> {
        let response = self.app.graphql(RESOURCE, json!({ "id": resource })).await?;
        let r = &data(&response)?["economicResource"];
        Ok(Balances {
            accounting: r["accountingQuantity"]["hasNumericalValue"].as_str().context("accounting")?.to_owned(),
            onhand: r["onhandQuantity"]["hasNumericalValue"].as_str().context("onhand")?.to_owned(),
            accountable: r["primaryAccountable"]["id"].as_str().map(str::to_owned),
            custodian: r["custodian"]["id"].as_str().map(str::to_owned),
        })
    }
}

fn qty(value: &str) -> Value {
    json!({ "hasNumericalValue": value })
}

#[tokio::test]
async fn each_action_leaves_the_balances_a_client_expects() -> Result<()> {
    let ledger = Ledger { app: spawn_app().await? };
    let (alice, alice_token) = ledger.app.person_with_token("Alice").await?;
    let (bob, bob_token) = ledger.app.person_with_token("Bob").await?;
    let (carol, carol_token) = ledger.app.person_with_token("Carol").await?;
    let (dan, dan_token) = ledger.app.person_with_token("Dan").await?;
    let kit = ledger.spec(&alice_token, "sensor kit").await?;
    let design_spec = ledger.spec(&alice_token, "kit design").await?;
    let printer_spec = ledger.spec(&dan_token, "3D printer").await?;
    let design = ledger.process(&alice_token, "design").await?;
    let assembly = ledger.process(&alice_token, "assembly").await?;

    // produce: Alice makes 10 kits. New resource: 10 / 10, Alice accountable and custodian.
    let (_, kits) = ledger
        .record(
            &alice_token,
            json!({ "action": "produce", "provider": alice, "receiver": alice, "outputOf": assembly,
                    "resourceConformsTo": kit, "resourceQuantity": qty("10") }),
            Some(json!({ "name": "kits" })),
        )
        .await?;
    let kits = kits.context("produce returns the new resource")?;
    assert_eq!(ledger.balances(&kits).await?, balances("10", "10", &alice, &alice));

    // transfer: 4 kits to Bob into a new resource. Alice 10-4 = 6 / 6; Bob 4 / 4, his. (Each
    // transfer is recorded by its receiver: a transfer needs the receiver's consent.)
    let (_, bobs_kits) = ledger
        .record(
            &bob_token,
            json!({ "action": "transfer", "provider": alice, "receiver": bob, "resourceInventoriedAs": kits,
                    "resourceQuantity": qty("4") }),
            Some(json!({ "name": "Bob's kits" })),
        )
        .await?;
    let bobs_kits = bobs_kits.context("transfer returns the receiving resource")?;
    assert_eq!(ledger.balances(&kits).await?, balances("6", "6", &alice, &alice));
    assert_eq!(ledger.balances(&bobs_kits).await?, balances("4", "4", &bob, &bob));

    // transferCustody (camelCase spelling): Bob lends 1 kit to Carol. Custody moves, rights
    // stay: Bob's resource 4 / 3; Carol's new one 0 / 1, still Bob's, in Carol's hands.
    let (_, carols_kits) = ledger
        .record(
            &carol_token,
            json!({ "action": "transferCustody", "provider": bob, "receiver": carol,
                    "resourceInventoriedAs": bobs_kits, "resourceQuantity": qty("1") }),
            Some(json!({ "name": "kit on loan" })),
        )
        .await?;
    let carols_kits = carols_kits.context("transferCustody returns the receiving resource")?;
    assert_eq!(ledger.balances(&bobs_kits).await?, balances("4", "3", &bob, &bob));
    assert_eq!(ledger.balances(&carols_kits).await?, balances("0", "1", &bob, &carol));

    // consume: 2 of Alice's kits go into the design process. 6-2 = 4 / 4.
    ledger
        .record(
            &alice_token,
            json!({ "action": "consume", "provider": alice, "receiver": alice, "inputOf": design,
                    "resourceInventoriedAs": kits, "resourceQuantity": qty("2") }),
            None,
        )
        .await?;
    assert_eq!(ledger.balances(&kits).await?, balances("4", "4", &alice, &alice));

    // use: Dan's printer (raised into being) is used 6 hours; using changes no balance.
    let (_, printer) = ledger
        .record(
            &dan_token,
            json!({ "action": "raise", "provider": dan, "receiver": dan, "resourceConformsTo": printer_spec,
                    "resourceQuantity": qty("1") }),
            Some(json!({ "name": "printer", "propertyRegime": "POOL_OF_SHAREABLES",
                         "valuePerUnitOfUse": { "hasNumericalValue": "5" } })),
        )
        .await?;
    let printer = printer.context("raise returns the new resource")?;
    ledger
        .record(
            &dan_token,
            json!({ "action": "use", "provider": dan, "receiver": alice, "inputOf": assembly,
                    "resourceInventoriedAs": printer, "effortQuantity": qty("6") }),
            None,
        )
        .await?;
    assert_eq!(ledger.balances(&printer).await?, balances("1", "1", &dan, &dan));

    // work: Bob works 4 hours; no resource at all.
    let (work, _) = ledger
        .record(
            &bob_token,
            json!({ "action": "work", "provider": bob, "receiver": alice, "inputOf": assembly,
                    "effortQuantity": qty("4") }),
            None,
        )
        .await?;

    // cite: the kit design (produced by Alice in the design process) is cited by assembly;
    // citing changes no balance.
    let (_, plans) = ledger
        .record(
            &alice_token,
            json!({ "action": "produce", "provider": alice, "receiver": alice, "outputOf": design,
                    "resourceConformsTo": design_spec, "resourceQuantity": qty("1") }),
            Some(json!({ "name": "kit design", "propertyRegime": "COMMONS" })),
        )
        .await?;
    let plans = plans.context("design")?;
    ledger
        .record(
            &alice_token,
            json!({ "action": "cite", "provider": alice, "receiver": alice, "inputOf": assembly,
                    "resourceInventoriedAs": plans, "resourceQuantity": qty("1") }),
            None,
        )
        .await?;
    assert_eq!(ledger.balances(&plans).await?, balances("1", "1", &alice, &alice));

    // The OVN fields read back as written.
    let response = ledger
        .app
        .graphql(
            "query($p: ID!, $w: ID!) { economicResource(id: $p) { propertyRegime valuePerUnitOfUse { hasNumericalValue } }
               economicEvent(id: $w) { action { id } effortQuantity { hasNumericalValue } isContribution provider { name } } }",
            json!({ "p": printer, "w": work }),
        )
        .await?;
    let d = data(&response)?;
    assert_eq!(d["economicResource"]["propertyRegime"], "POOL_OF_SHAREABLES");
    assert_eq!(d["economicResource"]["valuePerUnitOfUse"]["hasNumericalValue"], "5");
    assert_eq!(d["economicEvent"]["action"]["id"], "work");
    assert_eq!(d["economicEvent"]["effortQuantity"]["hasNumericalValue"], "4");
    assert_eq!(d["economicEvent"]["isContribution"], false, "no scope: not a contribution");

    // The assembly process sees its inputs.
    let response = ledger
        .app
        .graphql(
            "query($p: ID!) { process(id: $p) { observedInputs { action { id } } observedOutputs { action { id } } workingAgents { edges { node { name } } } } }",
            json!({ "p": assembly }),
        )
        .await?;
    let process = &data(&response)?["process"];
    let inputs: Vec<&str> = process["observedInputs"]
        .as_array()
        .context("inputs")?
        .iter()
        .filter_map(|e| e["action"]["id"].as_str())
        .collect();
    assert_eq!(inputs, ["use", "work", "cite"]);
    assert_eq!(process["observedOutputs"][0]["action"]["id"], "produce");
    let workers: Vec<&str> = process["workingAgents"]["edges"]
        .as_array()
        .context("workers")?
        .iter()
        .filter_map(|e| e["node"]["name"].as_str())
        .collect();
    assert_eq!(workers.len(), 2, "Bob worked for Alice: both take part in the work event: {workers:?}");
    Ok(())
}

#[tokio::test]
async fn a_correction_mends_the_resource_and_leaves_the_original_untouched() -> Result<()> {
    let ledger = Ledger { app: spawn_app().await? };
    let (alice, token) = ledger.app.person_with_token("Alice").await?;
    let spec = ledger.spec(&token, "flour").await?;
    let (original, flour) = ledger
        .record(
            &token,
            json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                    "resourceQuantity": qty("10") }),
            Some(json!({ "name": "flour" })),
        )
        .await?;
    let flour = flour.context("resource")?;
    // The 10 should have been 7: a correction of -3.
    let (correction, _) = ledger
        .record(
            &token,
            json!({ "action": "raise", "provider": alice, "receiver": alice, "corrects": original,
                    "resourceQuantity": qty("-3") }),
            None,
        )
        .await?;
    assert_eq!(ledger.balances(&flour).await?, balances("7", "7", &alice, &alice));
    let response = ledger
        .app
        .graphql(
            "query($o: ID!, $c: ID!) {
               original: economicEvent(id: $o) { resourceQuantity { hasNumericalValue } correctedBy { id } corrects { id } }
               correction: economicEvent(id: $c) { resourceQuantity { hasNumericalValue } corrects { id } resourceInventoriedAs { id } } }",
            json!({ "o": original, "c": correction }),
        )
        .await?;
    let d = data(&response)?;
    assert_eq!(d["original"]["resourceQuantity"]["hasNumericalValue"], "10", "the original is never rewritten");
    assert_eq!(d["original"]["correctedBy"][0]["id"], correction.as_str());
    assert_eq!(d["original"]["corrects"], Value::Null);
    assert_eq!(d["correction"]["resourceQuantity"]["hasNumericalValue"], "-3");
    assert_eq!(d["correction"]["corrects"]["id"], original.as_str());
    assert_eq!(d["correction"]["resourceInventoriedAs"]["id"], flour.as_str(), "a correction sits in the same flow");

    // A correction that would take the resource below zero is refused: 7 - 8 < 0.
    let response = ledger
        .event(
            &token,
            json!({ "action": "raise", "provider": alice, "receiver": alice, "corrects": original,
                                "resourceQuantity": qty("-8") }),
            None,
        )
        .await?;
    assert_refused(&response, "createEconomicEvent", "BAD_INPUT")?;
    assert_eq!(ledger.balances(&flour).await?, balances("7", "7", &alice, &alice));

    // The books refuse a rewrite even from SQL, with the trigger's own words.
    use sea_orm::ConnectionTrait as _;
    let rewrite = ledger
        .app
        .store
        .connection()
        .execute_unprepared(&format!("UPDATE economic_event SET resource_quantity = '1' WHERE id = '{original}'"))
        .await;
    refused_by_trigger(rewrite.map(|_| ()), EVENT_TRIGGER)?;
    Ok(())
}

/// What the append-only triggers say (see the observation migration).
const EVENT_TRIGGER: &str = "economic events are append-only: record a correcting event instead";
const RESOURCE_TRIGGER: &str = "economic resources are never deleted";

/// Asserts that a statement failed with the trigger's message (not a foreign key's).
fn refused_by_trigger(result: Result<(), sea_orm::DbErr>, message: &str) -> Result<()> {
    match result {
        Ok(()) => anyhow::bail!("the database accepted what `{message}` forbids"),
        Err(err) => {
            ensure!(err.to_string().contains(message), "refused, but not by the trigger: {err}");
            Ok(())
        }
    }
}

#[tokio::test]
async fn the_triggers_alone_refuse_deleting_events_and_resources() -> Result<()> {
    use sea_orm::{ConnectionTrait as _, TransactionTrait as _};
    let ledger = Ledger { app: spawn_app().await? };
    let (alice, token) = ledger.app.person_with_token("Alice").await?;
    let spec = ledger.spec(&token, "flour").await?;
    let process = ledger.process(&token, "baking").await?;
    let (raise, flour) = ledger
        .record(
            &token,
            json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                    "resourceQuantity": qty("10") }),
            Some(json!({ "name": "flour" })),
        )
        .await?;
    let flour = flour.context("flour")?;
    // Nothing refers to this event (no correction, no trigger, no later event), so no
    // foreign key can be what refuses its delete.
    let (work, _) = ledger
        .record(
            &token,
            json!({ "action": "work", "provider": alice, "receiver": alice, "inputOf": process, "effortQuantity": qty("1") }),
            None,
        )
        .await?;
    let store = &ledger.app.store;
    let deleted =
        store.connection().execute_unprepared(&format!("DELETE FROM economic_event WHERE id = '{work}'")).await;
    refused_by_trigger(deleted.map(|_| ()), EVENT_TRIGGER)?;

    if ledger.app.db.is_postgres() {
        // The resource is named by the event that raised it; drop the foreign keys that point
        // at resources (inside a transaction that is rolled back), so that only the trigger is
        // left to refuse.
        let txn = store.connection().begin().await?;
        let rows = txn
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT conrelid::regclass::text, conname FROM pg_constraint \
                 WHERE contype = 'f' AND confrelid = 'economic_resource'::regclass",
            ))
            .await?;
        ensure!(!rows.is_empty(), "foreign keys point at economic_resource");
        for row in rows {
            let (table, name): (String, String) = (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
            txn.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT \"{name}\"")).await?;
        }
        let deleted = txn.execute_unprepared(&format!("DELETE FROM economic_resource WHERE id = '{flour}'")).await;
        refused_by_trigger(deleted.map(|_| ()), RESOURCE_TRIGGER)?;
        txn.rollback().await?;
    } else {
        // A connection of its own with foreign keys off: only the triggers can refuse now,
        // even the delete of an event another event refers to.
        let mut options = sea_orm::ConnectOptions::new(ledger.app.db.settings.url.clone());
        options.max_connections(1).min_connections(1).sqlx_logging(false);
        let own = sea_orm::Database::connect(options).await?;
        own.execute_unprepared("PRAGMA foreign_keys = OFF").await?;
        let row = own
            .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, "PRAGMA foreign_keys"))
            .await?
            .context("PRAGMA foreign_keys")?;
        ensure!(row.try_get_by_index::<i64>(0)? == 0, "foreign keys are still on");
        let deleted = own.execute_unprepared(&format!("DELETE FROM economic_resource WHERE id = '{flour}'")).await;
        refused_by_trigger(deleted.map(|_| ()), RESOURCE_TRIGGER)?;
        let deleted = own.execute_unprepared(&format!("DELETE FROM economic_event WHERE id = '{raise}'")).await;
        refused_by_trigger(deleted.map(|_| ()), EVENT_TRIGGER)?;
        own.close().await?;
    }
    // Everything is still there.
    assert_eq!(ledger.app.total("economicEvents").await?, 2);
    assert_eq!(ledger.balances(&flour).await?, balances("10", "10", &alice, &alice));
    Ok(())
}

#[tokio::test]
async fn bad_events_are_refused_with_bad_input_and_nothing_is_written() -> Result<()> {
    let ledger = Ledger { app: spawn_app().await? };
    let (alice, token) = ledger.app.person_with_token("Alice").await?;
    let (bob, _) = ledger.app.person_with_token("Bob").await?;
    let spec = ledger.spec(&token, "wood").await?;
    let process = ledger.process(&token, "carving").await?;
    let kg = ledger.app.create_unit(&token, "kilogram", "kg").await?;
    let m = ledger.app.create_unit(&token, "metre", "m").await?;
    let (_, wood) = ledger
        .record(
            &token,
            json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                    "resourceQuantity": { "hasNumericalValue": "5", "hasUnit": kg } }),
            Some(json!({ "name": "wood" })),
        )
        .await?;
    let wood = wood.context("wood")?;
    let before = ledger.app.total("economicEvents").await?;
    let cases = [
        (
            "consume more than on hand (5 kg)",
            json!({ "action": "consume", "provider": alice, "receiver": alice,
            "inputOf": process, "resourceInventoriedAs": wood, "resourceQuantity": { "hasNumericalValue": "6", "hasUnit": kg } }),
        ),
        (
            "work without effortQuantity",
            json!({ "action": "work", "provider": alice, "receiver": alice, "inputOf": process }),
        ),
        (
            "transfer in another unit than the resource's",
            json!({ "action": "transfer", "provider": alice, "receiver": bob,
            "resourceInventoriedAs": wood, "resourceQuantity": { "hasNumericalValue": "1", "hasUnit": m } }),
        ),
        ("an unknown action", json!({ "action": "teleport", "provider": alice, "receiver": alice })),
        (
            "consume outside a process",
            json!({ "action": "consume", "provider": alice, "receiver": alice,
            "resourceInventoriedAs": wood, "resourceQuantity": { "hasNumericalValue": "1", "hasUnit": kg } }),
        ),
        (
            "a negative quantity",
            json!({ "action": "consume", "provider": alice, "receiver": alice, "inputOf": process,
            "resourceInventoriedAs": wood, "resourceQuantity": { "hasNumericalValue": "-1", "hasUnit": kg } }),
        ),
        (
            "an unknown provider",
            json!({ "action": "work", "provider": uuid::Uuid::now_v7().to_string(), "receiver": alice,
            "inputOf": process, "effortQuantity": qty("1") }),
        ),
    ];
    for (what, event) in cases {
        let response = ledger.event(&token, event, None).await?;
        let codes = error_codes(&response);
        ensure!(
            codes == ["BAD_INPUT"] || (what == "an unknown provider" && codes == ["FORBIDDEN"]),
            "{what}: {codes:?} {response}"
        );
    }
    assert_eq!(ledger.app.total("economicEvents").await?, before, "nothing was written");
    let after = ledger.balances(&wood).await?;
    assert_eq!((after.accounting.as_str(), after.onhand.as_str()), ("5", "5"));
    Ok(())
}

#[tokio::test]
async fn an_agent_records_events_only_as_provider_or_receiver() -> Result<()> {
    let ledger = Ledger { app: spawn_app().await? };
    let (alice, alice_token) = ledger.app.person_with_token("Alice").await?;
    let (bob, bob_token) = ledger.app.person_with_token("Bob").await?;
    let (_, carol_token) = ledger.app.person_with_token("Carol").await?;
    let process = ledger.process(&alice_token, "write docs").await?;
    let work =
        json!({ "action": "work", "provider": bob, "receiver": alice, "inputOf": process, "effortQuantity": qty("2") });
    let refused = ledger.event(&carol_token, work.clone(), None).await?;
    assert_refused(&refused, "createEconomicEvent", "FORBIDDEN")?;
    let anonymous = ledger.app.graphql(EVENT, json!({ "e": work.clone() })).await?;
    assert_refused(&anonymous, "createEconomicEvent", "UNAUTHENTICATED")?;
    assert_eq!(ledger.app.total("economicEvents").await?, 0);
    ledger.record(&bob_token, work.clone(), None).await?;
    ledger.record(&alice_token, work, None).await?;
    assert_eq!(ledger.app.total("economicEvents").await?, 2, "as provider and as receiver");
    Ok(())
}

#[tokio::test]
async fn thirty_two_identical_requests_in_parallel_record_one_event() -> Result<()> {
    let ledger = Ledger { app: spawn_app().await? };
    let (alice, token) = ledger.app.person_with_token("Alice").await?;
    let spec = ledger.spec(&token, "honey").await?;
    let event = json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                        "resourceQuantity": qty("3") });
    let variables = json!({ "e": event, "r": { "name": "jar" }, "k": "honey-2026-11-24" });
    let mut requests = Vec::new();
    for _ in 0..32 {
        let (app, token, variables) = (&ledger.app, token.clone(), variables.clone());
        requests.push(async move { app.graphql_as(&token, EVENT, variables).await });
    }
    let responses = futures::future::join_all(requests).await;
    let mut ids = std::collections::BTreeSet::new();
    for response in responses {
        ids.insert(string_at(&response?, "/data/createEconomicEvent/economicEvent/id")?);
    }
    assert_eq!(ids.len(), 1, "every request got the same event: {ids:?}");
    assert_eq!(ledger.app.total("economicEvents").await?, 1);
    assert_eq!(ledger.app.total("economicResources").await?, 1);
    // Another input under the same key is a mismatch.
    let other = json!({ "e": { "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                               "resourceQuantity": qty("4") }, "r": { "name": "jar" }, "k": "honey-2026-11-24" });
    let response = ledger.app.graphql_as(&token, EVENT, other).await?;
    assert_refused(&response, "createEconomicEvent", "IDEMPOTENCY_MISMATCH")?;
    Ok(())
}

#[tokio::test]
async fn trace_and_process_tree_follow_value_into_the_product() -> Result<()> {
    let ledger = Ledger { app: spawn_app().await? };
    let (alice, token) = ledger.app.person_with_token("Alice").await?;
    let sensor = ledger.spec(&token, "sensor").await?;
    let kit = ledger.spec(&token, "kit").await?;
    let make = ledger.process(&token, "make sensors").await?;
    let assemble = ledger.process(&token, "assemble").await?;
    // make -> 10 sensors -> (consume 10) assemble -> 2 kits; Alice works 3 h on assembly.
    let (made, sensors) = ledger
        .record(
            &token,
            json!({ "action": "produce", "provider": alice, "receiver": alice, "outputOf": make,
            "resourceConformsTo": sensor, "resourceQuantity": qty("10") }),
            Some(json!({ "name": "sensors" })),
        )
        .await?;
    let sensors = sensors.context("sensors")?;
    let (consumed, _) = ledger
        .record(
            &token,
            json!({ "action": "consume", "provider": alice, "receiver": alice, "inputOf": assemble,
            "resourceInventoriedAs": sensors, "resourceQuantity": qty("10") }),
            None,
        )
        .await?;
    let (worked, _) = ledger
        .record(
            &token,
            json!({ "action": "work", "provider": alice, "receiver": alice, "inputOf": assemble,
            "effortQuantity": qty("3") }),
            None,
        )
        .await?;
    let (assembled, kits) = ledger
        .record(
            &token,
            json!({ "action": "produce", "provider": alice, "receiver": alice, "outputOf": assemble,
            "resourceConformsTo": kit, "resourceQuantity": qty("2") }),
            Some(json!({ "name": "kits" })),
        )
        .await?;
    let kits = kits.context("kits")?;

    let response = ledger
        .app
        .graphql(
            "query($k: ID!) { economicResource(id: $k) { trace { __typename ... on EconomicEvent { id } ... on Process { id } ... on EconomicResource { id } } previous { id } } }",
            json!({ "k": kits }),
        )
        .await?;
    let trace: Vec<String> = data(&response)?["economicResource"]["trace"]
        .as_array()
        .context("trace")?
        .iter()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect();
    // Upstream of the kits: every event, both processes and the sensors, each once.
    for expected in [&kits, &assembled, &assemble, &consumed, &worked, &sensors, &made, &make] {
        ensure!(trace.contains(expected), "trace misses {expected}: {trace:?}");
    }
    assert_eq!(trace.len(), 8, "each node once: {trace:?}");
    assert_eq!(trace[0], kits, "the walk starts at the resource");
    assert_eq!(data(&response)?["economicResource"]["previous"][0]["id"], assembled.as_str());

    let response = ledger
        .app
        .graphql(
            "query($k: ID!) { processTree(resource: $k, direction: UPSTREAM) { nodes { depth item { __typename } }
               edges { from to quantity { hasNumericalValue } action { id } } } }",
            json!({ "k": kits }),
        )
        .await?;
    let tree = &data(&response)?["processTree"];
    let edges = tree["edges"].as_array().context("edges")?;
    let consume_edge = edges.iter().find(|e| e["action"]["id"] == "consume").context("a consume edge")?;
    assert_eq!(consume_edge["quantity"]["hasNumericalValue"], "10");
    let work_edge = edges.iter().find(|e| e["action"]["id"] == "work").context("a work edge")?;
    assert_eq!(work_edge["quantity"]["hasNumericalValue"], "3");
    assert_eq!(tree["nodes"][0]["depth"], 0);

    // Downstream from the sensors reaches the kits.
    let response = ledger
        .app
        .graphql(
            "query($s: ID!) { economicResource(id: $s) { track { ... on EconomicResource { id } } } }",
            json!({ "s": sensors }),
        )
        .await?;
    let tracked: Vec<&str> = data(&response)?["economicResource"]["track"]
        .as_array()
        .context("track")?
        .iter()
        .filter_map(|item| item["id"].as_str())
        .collect();
    ensure!(tracked.contains(&kits.as_str()), "track from the sensors reaches the kits: {tracked:?}");
    Ok(())
}

#[tokio::test]
async fn a_trace_stops_at_the_configured_number_of_nodes() -> Result<()> {
    let ledger = Ledger { app: spawn_app_with(|config| config.api.max_flow_nodes = 3).await? };
    let (alice, token) = ledger.app.person_with_token("Alice").await?;
    let spec = ledger.spec(&token, "part").await?;
    let make = ledger.process(&token, "make").await?;
    let assemble = ledger.process(&token, "assemble").await?;
    let (_, parts) = ledger
        .record(
            &token,
            json!({ "action": "produce", "provider": alice, "receiver": alice, "outputOf": make,
            "resourceConformsTo": spec, "resourceQuantity": qty("2") }),
            Some(json!({ "name": "parts" })),
        )
        .await?;
    ledger
        .record(
            &token,
            json!({ "action": "consume", "provider": alice, "receiver": alice, "inputOf": assemble,
            "resourceInventoriedAs": parts.context("parts")?, "resourceQuantity": qty("2") }),
            None,
        )
        .await?;
    let (_, product) = ledger
        .record(
            &token,
            json!({ "action": "produce", "provider": alice, "receiver": alice, "outputOf": assemble,
            "resourceConformsTo": spec, "resourceQuantity": qty("1") }),
            Some(json!({ "name": "product" })),
        )
        .await?;
    // Unbounded, the trace of the product has 7 nodes (product, produce, assemble, consume,
    // parts, produce, make); the bound cuts it to 3.
    let response = ledger
        .app
        .graphql("query($p: ID!) { economicResource(id: $p) { trace { __typename } } }", json!({ "p": product }))
        .await?;
    let trace = data(&response)?["economicResource"]["trace"].as_array().context("trace")?.len();
    assert_eq!(trace, 3);
    Ok(())
}

#[tokio::test]
async fn a_reference_to_a_missing_record_is_refused_naming_the_field() -> Result<()> {
    let ledger = Ledger { app: spawn_app().await? };
    let (alice, token) = ledger.app.person_with_token("Alice").await?;
    let spec = ledger.spec(&token, "wood").await?;
    let process = ledger.process(&token, "carving").await?;
    let nowhere = uuid::Uuid::now_v7().to_string();
    let cases = [
        (
            "resourceQuantity.hasUnit",
            json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                    "resourceQuantity": { "hasNumericalValue": "5", "hasUnit": nowhere } }),
            Some(json!({ "name": "wood" })),
        ),
        (
            "effortQuantity.hasUnit",
            json!({ "action": "work", "provider": alice, "receiver": alice, "inputOf": process,
                    "effortQuantity": { "hasNumericalValue": "2", "hasUnit": nowhere } }),
            None,
        ),
        (
            "resourceInventoriedAs",
            json!({ "action": "consume", "provider": alice, "receiver": alice, "inputOf": process,
                    "resourceInventoriedAs": nowhere, "resourceQuantity": { "hasNumericalValue": "1" } }),
            None,
        ),
        (
            "outputOf",
            json!({ "action": "produce", "provider": alice, "receiver": alice, "outputOf": nowhere,
                    "resourceConformsTo": spec, "resourceQuantity": { "hasNumericalValue": "1" } }),
            Some(json!({ "name": "wood" })),
        ),
        (
            "inScopeOf",
            json!({ "action": "work", "provider": alice, "receiver": alice, "inputOf": process,
                    "inScopeOf": [nowhere], "effortQuantity": { "hasNumericalValue": "2" } }),
            None,
        ),
    ];
    for (field, event, resource) in cases {
        let response = ledger.event(&token, event, resource).await?;
        let codes = error_codes(&response);
        ensure!(codes == ["NOT_FOUND"] || codes == ["BAD_INPUT"], "{field}: {codes:?} {response}");
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(message.contains(field), "the message should name `{field}`: {message}");
    }
    assert_eq!(ledger.app.total("economicEvents").await?, 0, "nothing was written");
    assert_eq!(ledger.app.total("economicResources").await?, 0, "nothing was written");
    Ok(())
}
