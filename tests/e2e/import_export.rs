//! `ovn export` and `ovn import`: a ledger built through the real GraphQL services survives
//! export, import into a fresh database and export again byte for byte, with the same
//! resources; a file with a bad record is refused with its position and leaves the target
//! database empty. Runs on SQLite, and on PostgreSQL when `OVN_TEST_POSTGRES_URL` is set.

use crate::common::{TestApp, TestDb, data, spawn_app, string_at};
use anyhow::{Context as _, Result, bail, ensure};
use ovn::import::{ImportError, ShowProgress};
use ovn_persistence::Store;
use ovn_persistence::ledger_io::Ledger;
use serde_json::{Value, json};

const BASE: &str = "http://127.0.0.1";

const CREATE_EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
    createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id } economicResource { id } } }";

/// Runs a mutation that must succeed; returns its data.
async fn run(app: &TestApp, token: &str, query: &str, variables: Value) -> Result<Value> {
    let response = app.graphql_as(token, query, variables).await?;
    Ok(data(&response).with_context(|| format!("running {query}"))?.clone())
}

/// Records an event; returns (event id, resource id if any).
async fn event(app: &TestApp, token: &str, event: Value, new_resource: Value) -> Result<(String, Option<String>)> {
    let response = app.graphql_as(token, CREATE_EVENT, json!({ "e": event, "r": new_resource })).await?;
    let id = string_at(&response, "/data/createEconomicEvent/economicEvent/id")?;
    let resource =
        response.pointer("/data/createEconomicEvent/economicResource/id").and_then(Value::as_str).map(str::to_owned);
    Ok((id, resource))
}

fn qty(value: &str, unit: &str) -> Value {
    json!({ "hasNumericalValue": value, "hasUnit": unit })
}

/// What the built ledger holds, for the assertions.
struct Built {
    consume: String,
}

/// A small but complete ledger: people, a project, units, specifications, a role and a
/// relationship, a process, and raise, transfer, transferCustody, consume, work, cite, use
/// and produce events, a correction, scopes, declared values with 19 significant digits, a
/// `triggeredBy` pointing forward and a resource contained in one created after it.
async fn build(app: &TestApp) -> Result<Built> {
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    let t = alice_token.as_str();
    let project = string_at(
        &app.graphql_as(
            t,
            "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id } } }",
            json!({ "o": { "name": "Sensor project", "classifiedAs": ["ovn:Project"], "note": "builds sensors" } }),
        )
        .await?,
        "/data/createOrganization/agent/id",
    )?;
    let kg = app.create_unit(t, "kilogram", "kg").await?;
    let hour = app.create_unit(t, "hour", "h").await?;
    let eur = app.create_unit(t, "euro", "EUR").await?;
    let spec = |name: &str, extra: Value| {
        let mut params = json!({ "name": name });
        if let (Some(target), Value::Object(more)) = (params.as_object_mut(), extra) {
            target.extend(more);
        }
        params
    };
    let create_spec = "mutation($s: ResourceSpecificationCreateParams!) {
        createResourceSpecification(resourceSpecification: $s) { resourceSpecification { id } } }";
    let kit = run(
        app,
        t,
        create_spec,
        json!({ "s": spec("sensor kit", json!({
            "defaultUnitOfResource": kg,
            "defaultValuePerUnit": qty("12345678901234567.89", &eur),
            "resourceClassifiedAs": ["https://example.org/taxonomy/kit"],
            "substitutable": false
        })) }),
    )
    .await?["createResourceSpecification"]["resourceSpecification"]["id"]
        .as_str()
        .context("kit spec id")?
        .to_owned();
    let copper = run(app, t, create_spec, json!({ "s": spec("copper", json!({ "defaultUnitOfResource": kg })) }))
        .await?["createResourceSpecification"]["resourceSpecification"]["id"]
        .as_str()
        .context("copper spec id")?
        .to_owned();
    let design = run(app, t, create_spec, json!({ "s": spec("design", json!({})) })).await?
        ["createResourceSpecification"]["resourceSpecification"]["id"]
        .as_str()
        .context("design spec id")?
        .to_owned();
    let assembly = run(
        app,
        t,
        "mutation { createProcessSpecification(processSpecification: { name: \"assembly\" }) { processSpecification { id } } }",
        Value::Null,
    )
    .await?["createProcessSpecification"]["processSpecification"]["id"]
        .as_str()
        .context("process spec id")?
        .to_owned();
    let role = run(
        app,
        t,
        "mutation { createAgentRelationshipRole(agentRelationshipRole: { roleLabel: \"is affiliate of\", inverseRoleLabel: \"has affiliate\" }) { agentRelationshipRole { id } } }",
        Value::Null,
    )
    .await?["createAgentRelationshipRole"]["agentRelationshipRole"]["id"]
        .as_str()
        .context("role id")?
        .to_owned();
    run(
        app,
        t,
        "mutation($r: AgentRelationshipCreateParams!) { createAgentRelationship(relationship: $r) { agentRelationship { id } } }",
        json!({ "r": { "subject": alice, "object": project, "relationship": role, "inScopeOf": [project] } }),
    )
    .await?;
    let process = run(
        app,
        t,
        "mutation($p: ProcessCreateParams!) { createProcess(process: $p) { process { id } } }",
        json!({ "p": {
            "name": "assemble kit #1", "basedOn": assembly, "inScopeOf": [project],
            "hasBeginning": "2026-11-20T09:00:00Z", "classifiedAs": ["https://example.org/process/assembly"]
        } }),
    )
    .await?["createProcess"]["process"]["id"]
        .as_str()
        .context("process id")?
        .to_owned();

    // Alice raises copper stock; transfers some to Bob, who hands part of it back in custody.
    let (raise, stock) = event(
        app,
        t,
        json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceQuantity": qty("100.50", &kg),
                "hasPointInTime": "2026-11-20T08:00:00.123456Z", "atLocation": "workshop" }),
        json!({ "name": "copper stock", "conformsTo": copper, "trackingIdentifier": "CU-1" }),
    )
    .await?;
    let stock = stock.context("raise created no resource")?;
    // Bob, the receiver, records the gift (his consent).
    let (_, bobs) = event(
        app,
        &bob_token,
        json!({ "action": "transfer", "provider": alice, "receiver": bob, "resourceInventoriedAs": stock,
                "resourceQuantity": qty("20.25", &kg), "note": "a gift" }),
        json!({ "name": "Bob's copper", "conformsTo": copper }),
    )
    .await?;
    let bobs = bobs.context("transfer created no resource")?;
    let (_, held) = event(
        app,
        t,
        json!({ "action": "transferCustody", "provider": bob, "receiver": alice, "resourceInventoriedAs": bobs,
                "resourceQuantity": qty("10", &kg), "toLocation": "lab" }),
        json!({ "name": "copper held by Alice", "conformsTo": copper }),
    )
    .await?;
    held.context("transferCustody created no resource")?;
    let (drawing, _) = event(
        app,
        t,
        json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceQuantity": qty("1", &eur) }),
        json!({ "name": "kit design", "conformsTo": design, "propertyRegime": "COMMONS",
                "classifiedAs": ["https://example.org/licence/cern-ohl"] }),
    )
    .await?;
    let design_resource = run(
        app,
        t,
        "query($id: ID!) { economicEvent(id: $id) { resourceInventoriedAs { id } } }",
        json!({ "id": drawing }),
    )
    .await?["economicEvent"]["resourceInventoriedAs"]["id"]
        .as_str()
        .context("design resource")?
        .to_owned();

    // Inputs and output of the process, in scope of the project.
    let (consume, _) = event(
        app,
        t,
        json!({ "action": "consume", "provider": alice, "receiver": alice, "resourceInventoriedAs": stock,
                "resourceQuantity": qty("5.5", &kg), "inputOf": process, "inScopeOf": [project],
                "declaredValue": qty("12345678901234567.89", &eur) }),
        Value::Null,
    )
    .await?;
    event(
        app,
        &bob_token,
        json!({ "action": "work", "provider": bob, "receiver": project, "effortQuantity": qty("3.75", &hour),
                "inputOf": process, "inScopeOf": [project], "declaredValue": qty("0.000000000000000001", &eur),
                "hasBeginning": "2026-11-20T09:00:00Z", "hasEnd": "2026-11-20T12:45:00Z" }),
        Value::Null,
    )
    .await?;
    event(
        app,
        t,
        json!({ "action": "cite", "provider": alice, "receiver": project, "resourceInventoriedAs": design_resource,
                "resourceQuantity": qty("1", &eur), "inputOf": process, "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    event(
        app,
        t,
        json!({ "action": "use", "provider": alice, "receiver": project, "resourceInventoriedAs": stock,
                "effortQuantity": qty("2", &hour), "inputOf": process }),
        Value::Null,
    )
    .await?;
    let (produce, kit_resource) = event(
        app,
        t,
        json!({ "action": "produce", "provider": alice, "receiver": project, "resourceQuantity": qty("1", &kg),
                "outputOf": process, "inScopeOf": [project], "resourceConformsTo": kit }),
        json!({ "name": "sensor kit #1", "valuePerUnitOfUse": qty("2.50", &eur), "propertyRegime": "NONDOMINIUM" }),
    )
    .await?;
    let kit_resource = kit_resource.context("produce created no resource")?;
    // A correction: half a kilogram less copper was consumed.
    event(
        app,
        t,
        json!({ "action": "consume", "provider": alice, "receiver": alice, "resourceInventoriedAs": stock,
                "resourceQuantity": qty("-0.5", &kg), "inputOf": process, "corrects": consume }),
        Value::Null,
    )
    .await?;
    // Links set after recording: the raise was triggered by the (later) produce; Bob's copper
    // is packed in the (later) kit.
    run(
        app,
        t,
        "mutation($e: EconomicEventUpdateParams!) { updateEconomicEvent(event: $e) { economicEvent { id } } }",
        json!({ "e": { "revisionId": format!("{raise}:1"), "triggeredBy": produce, "note": "initial stock" } }),
    )
    .await?;
    run(
        app,
        &bob_token,
        "mutation($r: EconomicResourceUpdateParams!) { updateEconomicResource(resource: $r) { economicResource { id } } }",
        // Revision 2: the transferCustody to Alice changed it after its creation.
        json!({ "r": { "revisionId": format!("{bobs}:2"), "containedIn": kit_resource } }),
    )
    .await?;
    Ok(Built { consume })
}

async fn export_text(store: &Store) -> Result<String> {
    let mut bytes = Vec::new();
    ovn::export::export(store, BASE, &mut bytes).await?;
    Ok(String::from_utf8(bytes)?)
}

/// The ledger without revisions (updates bump them; an import starts them at 1).
fn comparable(mut ledger: Ledger) -> Ledger {
    for r in &mut ledger.resources {
        r.record.revision = 1;
    }
    for e in &mut ledger.events {
        e.revision = 1;
    }
    for a in &mut ledger.agents {
        a.record.revision = 1;
    }
    ledger
}

#[tokio::test]
async fn export_import_export_is_identical() -> Result<()> {
    let app = spawn_app().await?;
    build(&app).await?;
    let first = export_text(&app.store).await?;
    ensure!(first.contains(r#""om2:hasNumericalValue":"12345678901234567.89""#), "decimals are exact strings");
    ensure!(first.contains(r#""vf:action":"vf:transferCustody""#), "actions are VF 1.0 ids");
    ensure!(first.contains(r#""vf:corrects":"http://127.0.0.1/economic-event/"#), "corrections link the original");
    ensure!(first.contains(r#""ovn:newInventoriedResource":"http://127.0.0.1/economic-resource/"#));
    ensure!(!first.contains(r#""om2:hasNumericalValue":1"#), "never a JSON number");

    let target = TestDb::new().await?;
    let store = target.open_store().await?;
    let summary = ovn::import::import_bytes(&store, first.as_bytes(), ShowProgress::Hidden)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    ensure!(summary.events == 10, "10 events imported, not {}", summary.events);
    let second = export_text(&store).await?;
    if first != second {
        let diff = first.lines().zip(second.lines()).find(|(a, b)| a != b);
        bail!("the second export differs from the first; first difference: {diff:?}");
    }

    let original = comparable(app.store.read_ledger().await?);
    let imported = comparable(store.read_ledger().await?);
    ensure!(original.resources == imported.resources, "resources (quantities and all) are the same");
    ensure!(original.events == imported.events, "events are the same");
    ensure!(original == imported, "every record is the same");
    let stock = original
        .resources
        .iter()
        .find(|r| r.record.details.name.as_deref() == Some("copper stock"))
        .context("copper stock")?;
    // 100.50 - 20.25 - 5.5 + 0.5
    ensure!(stock.record.state.accounting_quantity.to_string() == "75.25", "{:?}", stock.record.state);

    // The import rebuilt the indexes it set aside while writing.
    ensure!(indexes(&store).await? == indexes(&app.store).await?, "the imported database has every index");

    // A second import into the now non-empty database is refused, and changes nothing.
    let again = ovn::import::import_bytes(&store, first.as_bytes(), ShowProgress::Hidden).await;
    ensure!(matches!(again, Err(ImportError::NotEmpty(_))), "{again:?}");
    ensure!(export_text(&store).await? == first);
    Ok(())
}

/// The names and definitions of the database's indexes.
async fn indexes(store: &Store) -> Result<Vec<(String, String)>> {
    use sea_orm::{ConnectionTrait as _, DbBackend, Statement};
    let sql = match store.backend() {
        DbBackend::Sqlite => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        }
        // Definitions name the schema, which differs between the two databases.
        _ => {
            "SELECT indexname, replace(indexdef, current_schema() || '.', '') FROM pg_indexes \
              WHERE schemaname = current_schema() ORDER BY indexname"
        }
    };
    let rows = store.connection().query_all_raw(Statement::from_string(store.backend(), sql)).await?;
    let list = rows
        .iter()
        .map(|row| Ok((row.try_get_by_index::<String>(0)?, row.try_get_by_index::<String>(1)?)))
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    ensure!(list.len() > 10, "indexes were listed: {list:?}");
    Ok(list)
}

/// The nodes of an export, and the index of the first event node matching `pick`.
fn graph_and_index(text: &str, pick: impl Fn(&Value) -> bool) -> Result<(Value, usize)> {
    let document: Value = serde_json::from_str(text)?;
    let index = document["@graph"].as_array().context("@graph")?.iter().position(pick).context("no such node")?;
    Ok((document, index))
}

async fn refused(document: &Value, index: usize, expected: &str) -> Result<()> {
    let target = TestDb::new().await?;
    let store = target.open_store().await?;
    let text = serde_json::to_string(document)?;
    let result = ovn::import::import_bytes(&store, text.as_bytes(), ShowProgress::Hidden).await;
    let Err(err) = result else { bail!("the bad file was imported") };
    let problems = err.problems();
    let first = problems.first().with_context(|| format!("no problem listed in {err}"))?;
    let id = document["@graph"][index]["@id"].as_str().context("@id")?;
    ensure!(first.index == Some(index), "position {:?}, expected {index}: {err}", first.index);
    ensure!(first.id.as_deref() == Some(id), "@id {:?}, expected {id}: {err}", first.id);
    ensure!(first.message.contains(expected), "`{}` should mention `{expected}`", first.message);
    ensure!(err.to_string().contains(&format!("@graph[{index}]")), "the message gives the position: {err}");
    ensure!(store.first_non_empty_table().await?.is_none(), "nothing was written");
    Ok(())
}

#[tokio::test]
async fn a_bad_record_is_refused_with_its_position_and_nothing_is_written() -> Result<()> {
    let app = spawn_app().await?;
    let built = build(&app).await?;
    let text = export_text(&app.store).await?;

    // An event whose provider is an agent the file does not hold.
    let (mut document, index) = graph_and_index(&text, |n| n["@type"] == "vf:EconomicEvent")?;
    document["@graph"][index]["vf:provider"] = json!(format!("{BASE}/agent/{}", uuid::Uuid::now_v7()));
    refused(&document, index, "unknown agent").await?;

    // A consume of more than the resource holds.
    let consume_iri = format!("{BASE}/economic-event/{}", built.consume);
    let (mut document, index) = graph_and_index(&text, |n| n["@id"] == consume_iri.as_str())?;
    document["@graph"][index]["vf:resourceQuantity"]["om2:hasNumericalValue"] = json!("1000000");
    refused(&document, index, "below zero").await?;

    // A decimal written as a JSON number.
    let (mut document, index) = graph_and_index(&text, |n| n["@id"] == consume_iri.as_str())?;
    document["@graph"][index]["vf:resourceQuantity"]["om2:hasNumericalValue"] = json!(5.5);
    let target = TestDb::new().await?;
    let store = target.open_store().await?;
    let result =
        ovn::import::import_bytes(&store, serde_json::to_string(&document)?.as_bytes(), ShowProgress::Hidden).await;
    match result {
        Err(ImportError::Syntax(problem)) => {
            ensure!(problem.message.contains(&format!("@graph[{index}]")), "{problem}");
        }
        other => bail!("a JSON number was accepted: {other:?}"),
    }
    ensure!(store.first_non_empty_table().await?.is_none());

    // A resource whose stated balance disagrees with its events.
    let (mut document, index) = graph_and_index(&text, |n| n["vf:name"] == "copper stock")?;
    document["@graph"][index]["vf:accountingQuantity"]["om2:hasNumericalValue"] = json!("75.26");
    refused(&document, index, "the events give 75.25").await?;
    Ok(())
}

#[tokio::test]
async fn a_failure_while_writing_rolls_the_whole_import_back() -> Result<()> {
    let app = spawn_app().await?;
    build(&app).await?;
    let mut ledger = app.store.read_ledger().await?;
    // Checked ledgers never miss a resource; this one does, so the database refuses the
    // events that name it, after units, agents and resources were written in the same
    // transaction.
    let missing = ledger.resources.iter().position(|r| r.record.details.name.as_deref() == Some("copper stock"));
    ledger.resources.remove(missing.context("copper stock")?);
    for r in &mut ledger.resources {
        r.record.state.contained_in = None;
    }
    let target = TestDb::new().await?;
    let store = target.open_store().await?;
    let result = ovn::import::write(&store, ledger, ShowProgress::Hidden).await;
    ensure!(result.is_err(), "the write should have failed");
    ensure!(store.first_non_empty_table().await?.is_none(), "a failed import leaves the database empty");
    Ok(())
}
