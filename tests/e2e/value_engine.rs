//! The value engine end to end: the sensor kit of the design (recorded as events through
//! GraphQL), its equation adopted by its contributors' vote, then the rollup, the fluid
//! equity and the preview of a sale's split, worked by hand; a draft compared with the adopted
//! version on the same data, and adopting it by vote changing the answers.

use std::collections::BTreeMap;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, data, spawn_app, string_at};

const AFFILIATE_OF: &str = "00000000-0000-8000-8000-000000000001";
const PART_OF: &str = "00000000-0000-8000-8000-000000000002";
const STEWARD_OF: &str = "00000000-0000-8000-8000-000000000005";

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id consent } economicResource { id } } }";

struct Person {
    id: String,
    token: String,
}

async fn person(app: &TestApp, name: &str) -> Result<Person> {
    let (id, token) = app.person_with_token(name).await?;
    Ok(Person { id, token })
}

async fn create(app: &TestApp, token: &str, query: &str, variables: Value, pointer: &str) -> Result<String> {
    string_at(&app.graphql_as(token, query, variables).await?, pointer)
}

async fn organization(app: &TestApp, token: &str, name: &str, class: &str) -> Result<String> {
    create(
        app,
        token,
        "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id } } }",
        json!({ "o": { "name": name, "classifiedAs": [class] } }),
        "/data/createOrganization/agent/id",
    )
    .await
}

async fn relate(app: &TestApp, token: &str, subject: &str, role: &str, object: &str) -> Result<()> {
    let response = app
        .graphql_as(
            token,
            "mutation($r: AgentRelationshipCreateParams!) { createAgentRelationship(relationship: $r) { agentRelationship { id } } }",
            json!({ "r": { "subject": subject, "relationship": role, "object": object } }),
        )
        .await?;
    data(&response)?;
    Ok(())
}

async fn spec(app: &TestApp, token: &str, params: Value) -> Result<String> {
    create(
        app,
        token,
        "mutation($s: ResourceSpecificationCreateParams!) { createResourceSpecification(resourceSpecification: $s) { resourceSpecification { id } } }",
        json!({ "s": params }),
        "/data/createResourceSpecification/resourceSpecification/id",
    )
    .await
}

async fn process(app: &TestApp, token: &str, name: &str, scope: &str) -> Result<String> {
    create(
        app,
        token,
        "mutation($p: ProcessCreateParams!) { createProcess(process: $p) { process { id } } }",
        json!({ "p": { "name": name, "inScopeOf": [scope] } }),
        "/data/createProcess/process/id",
    )
    .await
}

/// Records an event; returns its id and the resource it created, if any.
async fn record(app: &TestApp, token: &str, event: Value, resource: Value) -> Result<(String, Option<String>)> {
    let response = app.graphql_as(token, EVENT, json!({ "e": event, "r": resource })).await?;
    let created = &data(&response)?["createEconomicEvent"];
    ensure!(created["economicEvent"]["consent"].is_null(), "recorded at once, not pending: {response}");
    let id = created["economicEvent"]["id"].as_str().context("event id")?.to_owned();
    Ok((id, created["economicResource"]["id"].as_str().map(str::to_owned)))
}

fn qty(n: &str, unit: &str) -> Value {
    json!({ "hasNumericalValue": n, "hasUnit": unit })
}

/// The sensor kit: everyone, every event, and the equation v1 adopted by vote.
struct Kit {
    app: TestApp,
    project: String,
    fund: String,
    alice: Person,
    bob: Person,
    carol: Person,
    dan: Person,
    kits: String,
    design_skill: String,
    usd: String,
    usd_spec: String,
    v1: String,
}

fn equation(kit_scope: &str, fund: &str, name: &str, design_factor: &str, design_skill: &str, usd_spec: &str) -> Value {
    json!({
        "scope": kit_scope, "name": name, "percentageBehavior": "STRAIGHT",
        "buckets": [
            { "sequence": 1, "name": "infrastructure", "kind": "AGENT", "percentage": "5", "recipient": fund },
            { "sequence": 2, "name": "kit", "kind": "DELIVERABLE", "percentage": "95", "rules": [
                { "action": "work", "resourceConformsTo": design_skill,
                  "formula": format!("quantity * rate * {design_factor}"), "claimType": "EQUITY" },
                { "action": "work", "formula": "quantity * rate", "claimType": "EQUITY" },
                { "action": "transfer", "resourceConformsTo": usd_spec, "formula": "quantity", "claimType": "EQUITY" },
                { "action": "use", "formula": "quantity * valuePerUnitOfUse", "claimType": "EQUITY" },
                { "action": "cite", "formula": "resourceValue", "claimType": "EQUITY" }
            ] }
        ]
    })
}

const CREATE_EQUATION: &str = "mutation($q: ValueEquationCreateParams!) {
  createValueEquation(equation: $q) { valueEquation { id version status } } }";

/// Proposes `equation` for adoption and has every contributor vote for it.
async fn adopt(k: &Kit, equation: &str) -> Result<Value> {
    let proposal = create(
        &k.app,
        &k.alice.token,
        "mutation($p: GovernanceProposalCreateParams!) { createGovernanceProposal(proposal: $p) { governanceProposal { id } } }",
        json!({ "p": { "kind": "ADOPT_VALUE_EQUATION", "scope": k.project, "valueEquation": equation,
                       "deadline": "2099-01-01T00:00:00Z" } }),
        "/data/createGovernanceProposal/governanceProposal/id",
    )
    .await?;
    for voter in [&k.alice, &k.bob, &k.carol, &k.dan] {
        let voted = k
            .app
            .graphql_as(
                &voter.token,
                "mutation($p: ID!) { vote(proposal: $p, inFavour: true) { governanceProposal { status } } }",
                json!({ "p": proposal }),
            )
            .await?;
        data(&voted)?;
    }
    let read =
        k.app.graphql("query($p: ID!) { governanceProposal(id: $p) { status } }", json!({ "p": proposal })).await?;
    Ok(data(&read)?["governanceProposal"].clone())
}

async fn sensor_kit() -> Result<Kit> {
    let app = spawn_app().await?;
    let steward = person(&app, "Steward").await?;
    let (alice, bob, carol, dan) = (
        person(&app, "Alice").await?,
        person(&app, "Bob").await?,
        person(&app, "Carol").await?,
        person(&app, "Dan").await?,
    );
    let supplier = person(&app, "Supplier").await?;
    let network = organization(&app, &steward.token, "Sensorica", "ovn:Network").await?;
    let project = organization(&app, &steward.token, "Sensor kit", "ovn:Project").await?;
    let fund = organization(&app, &steward.token, "Infrastructure fund", "ovn:Fund").await?;
    relate(&app, &steward.token, &steward.id, STEWARD_OF, &network).await?;
    relate(&app, &steward.token, &project, PART_OF, &network).await?;
    for p in [&alice, &bob, &carol, &dan] {
        relate(&app, &p.token, &p.id, AFFILIATE_OF, &network).await?;
    }
    let (hour, usd, each) = (
        app.create_unit(&steward.token, "hour", "h").await?,
        app.create_unit(&steward.token, "US dollar", "USD").await?,
        app.create_unit(&steward.token, "each", "ea").await?,
    );
    let design_skill = spec(&app, &steward.token, json!({ "name": "design" })).await?;
    let assembly_skill =
        spec(&app, &steward.token, json!({ "name": "assembly", "defaultValuePerUnit": qty("20", &usd) })).await?;
    let usd_spec = spec(&app, &steward.token, json!({ "name": "US dollars", "mediumOfExchange": true })).await?;
    let (sensor, kit_spec, design_spec, printer_spec) = (
        spec(&app, &steward.token, json!({ "name": "sensor" })).await?,
        spec(&app, &steward.token, json!({ "name": "sensor kit" })).await?,
        spec(&app, &steward.token, json!({ "name": "kit design" })).await?,
        spec(&app, &steward.token, json!({ "name": "3D printer" })).await?,
    );
    // Alice's rate for design is her own; Bob's for assembly is the skill's default (20).
    let rate = app
        .graphql_as(
            &alice.token,
            "mutation($a: ID!, $s: ID!, $r: IMeasure!) { setAgentRate(agent: $a, skill: $s, rate: $r, validFrom: \"2020-01-01T00:00:00Z\") { agentRate { id } } }",
            json!({ "a": alice.id, "s": design_skill, "r": qty("30", &usd) }),
        )
        .await?;
    data(&rate)?;

    // Alice designs the kit: 10 h of design, the design produced as a commons.
    let design = process(&app, &steward.token, "design", &project).await?;
    record(
        &app,
        &alice.token,
        json!({ "action": "work", "provider": alice.id, "receiver": project, "inputOf": design,
        "effortQuantity": qty("10", &hour), "resourceConformsTo": design_skill, "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    let (_, kit_design) = record(&app, &alice.token, json!({ "action": "produce", "provider": alice.id, "receiver": project,
        "outputOf": design, "resourceQuantity": qty("1", &each), "resourceConformsTo": design_spec, "inScopeOf": [project] }),
        json!({ "name": "kit design", "propertyRegime": "COMMONS" }))
    .await?;
    let kit_design = kit_design.context("the design")?;

    // Carol deposits 300 into the project's fund; the fund buys 10 sensors for 300.
    let (_, wallet) = record(
        &app,
        &carol.token,
        json!({ "action": "raise", "provider": carol.id, "receiver": carol.id,
        "resourceConformsTo": usd_spec, "resourceQuantity": qty("1000", &usd) }),
        json!({ "name": "Carol's wallet" }),
    )
    .await?;
    let (_, project_fund) = record(&app, &steward.token, json!({ "action": "transfer", "provider": carol.id, "receiver": project,
        "resourceInventoriedAs": wallet.context("wallet")?, "resourceQuantity": qty("300", &usd), "inScopeOf": [project] }),
        json!({ "name": "Sensor kit fund" }))
    .await?;
    let project_fund = project_fund.context("the fund")?;
    let (_, stock) = record(
        &app,
        &supplier.token,
        json!({ "action": "raise", "provider": supplier.id, "receiver": supplier.id,
        "resourceConformsTo": sensor, "resourceQuantity": qty("10", &each) }),
        json!({ "name": "supplier stock" }),
    )
    .await?;
    let agreement = create(
        &app,
        &steward.token,
        "mutation { createAgreement(agreement: { name: \"10 sensors for 300 USD\" }) { agreement { id } } }",
        Value::Null,
        "/data/createAgreement/agreement/id",
    )
    .await?;
    let (_, sensors) = record(&app, &steward.token, json!({ "action": "transfer", "provider": supplier.id, "receiver": project,
        "resourceInventoriedAs": stock.context("stock")?, "resourceQuantity": qty("10", &each), "realizationOf": agreement,
        "inScopeOf": [project] }), json!({ "name": "sensors" }))
    .await?;
    record(
        &app,
        &supplier.token,
        json!({ "action": "transfer", "provider": project, "receiver": supplier.id,
        "resourceInventoriedAs": project_fund, "resourceQuantity": qty("300", &usd), "realizationOf": agreement,
        "inScopeOf": [project] }),
        json!({ "name": "supplier till" }),
    )
    .await?;

    // Dan's printer is in the pool of shareables at 5 USD an hour of use.
    let (_, printer) = record(
        &app,
        &dan.token,
        json!({ "action": "raise", "provider": dan.id, "receiver": dan.id,
        "resourceConformsTo": printer_spec, "resourceQuantity": qty("1", &each) }),
        json!({ "name": "Dan's printer", "propertyRegime": "POOL_OF_SHAREABLES", "valuePerUnitOfUse": qty("5", &usd) }),
    )
    .await?;

    // The assembly: cites the design, consumes the sensors, uses the printer 6 h, Bob works 4 h;
    // 10 kits come out.
    let assembly = process(&app, &steward.token, "assembly", &project).await?;
    record(
        &app,
        &steward.token,
        json!({ "action": "cite", "provider": project, "receiver": project, "inputOf": assembly,
        "resourceInventoriedAs": kit_design, "resourceQuantity": qty("1", &each), "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    record(&app, &steward.token, json!({ "action": "consume", "provider": project, "receiver": project, "inputOf": assembly,
        "resourceInventoriedAs": sensors.context("sensors")?, "resourceQuantity": qty("10", &each), "inScopeOf": [project] }),
        Value::Null)
    .await?;
    record(&app, &dan.token, json!({ "action": "use", "provider": dan.id, "receiver": project, "inputOf": assembly,
        "resourceInventoriedAs": printer.context("printer")?, "effortQuantity": qty("6", &hour), "inScopeOf": [project] }),
        Value::Null)
    .await?;
    record(
        &app,
        &bob.token,
        json!({ "action": "work", "provider": bob.id, "receiver": project, "inputOf": assembly,
        "effortQuantity": qty("4", &hour), "resourceConformsTo": assembly_skill, "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    let (_, kits) = record(&app, &bob.token, json!({ "action": "produce", "provider": bob.id, "receiver": project,
        "outputOf": assembly, "resourceQuantity": qty("10", &each), "resourceConformsTo": kit_spec, "inScopeOf": [project] }),
        json!({ "name": "sensor kits" }))
    .await?;
    let kits = kits.context("the kits")?;

    let v1 = create(
        &app,
        &alice.token,
        CREATE_EQUATION,
        json!({ "q": equation(&project, &fund, "v1", "1.5", &design_skill, &usd_spec) }),
        "/data/createValueEquation/valueEquation/id",
    )
    .await?;
    let kit = Kit { app, project, fund, alice, bob, carol, dan, kits, design_skill, usd, usd_spec, v1 };
    let decided = adopt(&kit, &kit.v1).await?;
    ensure!(decided["status"] == "PASSED", "every contributor voted for v1: {decided}");
    Ok(kit)
}

fn per_agent(list: &Value, amount: &str) -> BTreeMap<String, String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["agent"]["name"].as_str().unwrap_or_default().to_owned(),
                x[amount].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn expected(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(a, v)| ((*a).to_owned(), (*v).to_owned())).collect()
}

#[tokio::test]
async fn the_sensor_kit_rolls_up_splits_and_shares_as_worked_by_hand() -> Result<()> {
    let k = sensor_kit().await?;
    // Rollup of the 10 kits: 450 + 300 + 30 + 80 = 860; of the 4 sold: 180/120/32/12 = 344.
    let all = k
        .app
        .graphql(
            "query($r: ID!) { valueRollup(resource: $r) { totalValue valuedBy { version status } } }",
            json!({ "r": k.kits }),
        )
        .await?;
    let all = &data(&all)?["valueRollup"];
    ensure!(all["totalValue"] == "860", "{all}");
    ensure!(all["valuedBy"] == json!({ "version": 1, "status": "ADOPTED" }), "{all}");
    let four = k
        .app
        .graphql(
            "query($r: ID!) { valueRollup(resource: $r, quantity: \"4\") { totalValue shares { agent { name } value } } }",
            json!({ "r": k.kits }),
        )
        .await?;
    let four = &data(&four)?["valueRollup"];
    ensure!(four["totalValue"] == "344", "{four}");
    ensure!(
        per_agent(&four["shares"], "value")
            == expected(&[("Alice", "180"), ("Carol", "120"), ("Bob", "32"), ("Dan", "12")]),
        "{four}"
    );

    // Why did Carol get 120? Her deposit, through the fund's purchase of the sensors.
    let why = k
        .app
        .graphql(
            "query($r: ID!, $a: ID!) { valueRollup(resource: $r, quantity: \"4\") {
               shares(agent: $a) { event { action { id } } value path explanation equationVersion } } }",
            json!({ "r": k.kits, "a": k.carol.id }),
        )
        .await?;
    let carol = &data(&why)?["valueRollup"]["shares"][0];
    ensure!(carol["event"]["action"]["id"] == "transfer", "{carol}");
    ensure!(carol["path"][0] == json!(k.kits) && carol["path"].as_array().map(Vec::len) == Some(8), "{carol}");
    let explanation = carol["explanation"].as_str().unwrap_or_default();
    ensure!(explanation.contains("deposited in the fund that paid 300"), "{explanation}");
    ensure!(explanation.contains("0.4 of it is in this deliverable: 120"), "{explanation}");
    ensure!(carol["equationVersion"] == 1, "{carol}");

    // Fluid equity: 450/860, 300/860, 80/860, 30/860; shown to 6 decimals, adding up to 1.
    let equity = k
        .app
        .graphql(
            "query($p: ID!) { fluidEquity(scope: $p) { total holders { agent { name } value share exactShare } } }",
            json!({ "p": k.project }),
        )
        .await?;
    let equity = &data(&equity)?["fluidEquity"];
    ensure!(equity["total"] == "860", "{equity}");
    ensure!(
        per_agent(&equity["holders"], "value")
            == expected(&[("Alice", "450"), ("Carol", "300"), ("Bob", "80"), ("Dan", "30")]),
        "{equity}"
    );
    ensure!(
        per_agent(&equity["holders"], "share")
            == expected(&[("Alice", "0.523256"), ("Carol", "0.348837"), ("Bob", "0.093023"), ("Dan", "0.034884")]),
        "{equity}"
    );

    // The sale of 4 kits for 400: I 20.00 (canonical on the wire: "20"); of 380: 198.84, 132.56,
    // 35.35, 13.25.
    let preview = k
        .app
        .graphql(
            "query($q: ID!, $r: ID!, $u: ID!) { previewDistribution(amount: { hasNumericalValue: \"400\", hasUnit: $u },
               equation: $q, deliverable: $r, quantity: \"4\") { amount unclaimed lines { agent { name } amount } } }",
            json!({ "q": k.v1, "r": k.kits, "u": k.usd }),
        )
        .await?;
    let preview = &data(&preview)?["previewDistribution"];
    ensure!(
        per_agent(&preview["lines"], "amount")
            == expected(&[
                ("Infrastructure fund", "20"),
                ("Alice", "198.84"),
                ("Carol", "132.56"),
                ("Bob", "35.35"),
                ("Dan", "13.25"),
            ]),
        "{preview}"
    );
    ensure!(preview["unclaimed"] == "0", "{preview}");
    Ok(())
}

#[tokio::test]
async fn a_draft_is_compared_with_the_adopted_version_then_adopted_by_vote() -> Result<()> {
    let k = sensor_kit().await?;
    // v2 doubles design work instead of 1.5: Alice's 10 h become 600; the total 1010.
    let v2 = create(
        &k.app,
        &k.bob.token,
        CREATE_EQUATION,
        json!({ "q": equation(&k.project, &k.fund, "v2", "2", &k.design_skill, &k.usd_spec) }),
        "/data/createValueEquation/valueEquation/id",
    )
    .await?;
    const EQUITY: &str = "query($p: ID!, $q: ID) { fluidEquity(scope: $p, equation: $q) {
        total valuedBy { version status } holders { agent { name } value } } }";
    let what_if = k.app.graphql(EQUITY, json!({ "p": k.project, "q": v2 })).await?;
    let what_if = &data(&what_if)?["fluidEquity"];
    ensure!(
        what_if["total"] == "1010" && what_if["valuedBy"] == json!({ "version": 2, "status": "DRAFT" }),
        "{what_if}"
    );
    let adopted = k.app.graphql(EQUITY, json!({ "p": k.project })).await?;
    ensure!(data(&adopted)?["fluidEquity"]["total"] == "860", "the draft changed nothing: {adopted}");
    let rollup = k
        .app
        .graphql(
            "query($r: ID!, $q: ID) { valueRollup(resource: $r, equation: $q) { totalValue } }",
            json!({ "r": k.kits, "q": v2 }),
        )
        .await?;
    ensure!(data(&rollup)?["valueRollup"]["totalValue"] == "1010", "{rollup}");

    let decided = adopt(&k, &v2).await?;
    ensure!(decided["status"] == "PASSED", "{decided}");
    let now = k.app.graphql(EQUITY, json!({ "p": k.project })).await?;
    let now = &data(&now)?["fluidEquity"];
    ensure!(now["total"] == "1010" && now["valuedBy"] == json!({ "version": 2, "status": "ADOPTED" }), "{now}");
    ensure!(per_agent(&now["holders"], "value")["Alice"] == "600", "{now}");
    let versions = k
        .app
        .graphql("query($p: ID!) { valueEquations(scope: $p) { version status } }", json!({ "p": k.project }))
        .await?;
    let mut listed: Vec<(i64, String)> = data(&versions)?["valueEquations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| (v["version"].as_i64().unwrap_or_default(), v["status"].as_str().unwrap_or_default().to_owned()))
        .collect();
    listed.sort();
    ensure!(listed == [(1, "RETIRED".to_owned()), (2, "ADOPTED".to_owned())], "{versions}");
    Ok(())
}
