//! The sensor kit of DESIGN 4.6, recorded through GraphQL, shared by the tests that need a
//! network with contributions, an adopted equation and an exchange firm: the people, the
//! events, equation v1 adopted by its contributors' vote, and the helpers that build them.

use std::collections::BTreeMap;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, data, spawn_app, string_at};

pub(crate) const AFFILIATE_OF: &str = "00000000-0000-8000-8000-000000000001";
pub(crate) const PART_OF: &str = "00000000-0000-8000-8000-000000000002";
pub(crate) const EXCHANGE_FIRM_OF: &str = "00000000-0000-8000-8000-000000000003";
pub(crate) const STEWARD_OF: &str = "00000000-0000-8000-8000-000000000005";

pub(crate) const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id consent } economicResource { id } } }";

pub(crate) struct Person {
    pub(crate) id: String,
    pub(crate) token: String,
}

pub(crate) async fn person(app: &TestApp, name: &str) -> Result<Person> {
    let (id, token) = app.person_with_token(name).await?;
    Ok(Person { id, token })
}

pub(crate) async fn create(app: &TestApp, token: &str, query: &str, variables: Value, pointer: &str) -> Result<String> {
    string_at(&app.graphql_as(token, query, variables).await?, pointer)
}

pub(crate) async fn organization(app: &TestApp, token: &str, name: &str, class: &str) -> Result<String> {
    create(
        app,
        token,
        "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id } } }",
        json!({ "o": { "name": name, "classifiedAs": [class] } }),
        "/data/createOrganization/agent/id",
    )
    .await
}

pub(crate) async fn relate(app: &TestApp, token: &str, subject: &str, role: &str, object: &str) -> Result<()> {
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

pub(crate) async fn spec(app: &TestApp, token: &str, params: Value) -> Result<String> {
    create(
        app,
        token,
        "mutation($s: ResourceSpecificationCreateParams!) { createResourceSpecification(resourceSpecification: $s) { resourceSpecification { id } } }",
        json!({ "s": params }),
        "/data/createResourceSpecification/resourceSpecification/id",
    )
    .await
}

pub(crate) async fn process(app: &TestApp, token: &str, name: &str, scope: &str) -> Result<String> {
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
pub(crate) async fn record(
    app: &TestApp,
    token: &str,
    event: Value,
    resource: Value,
) -> Result<(String, Option<String>)> {
    let response = app.graphql_as(token, EVENT, json!({ "e": event, "r": resource })).await?;
    let created = &data(&response)?["createEconomicEvent"];
    ensure!(created["economicEvent"]["consent"].is_null(), "recorded at once, not pending: {response}");
    let id = created["economicEvent"]["id"].as_str().context("event id")?.to_owned();
    Ok((id, created["economicResource"]["id"].as_str().map(str::to_owned)))
}

pub(crate) fn qty(n: &str, unit: &str) -> Value {
    json!({ "hasNumericalValue": n, "hasUnit": unit })
}

/// The sensor kit: everyone, every event, and the equation v1 adopted by vote.
pub(crate) struct Kit {
    pub(crate) app: TestApp,
    pub(crate) steward: Person,
    /// The network's exchange firm (stewarded by `steward`, an affiliate of the network).
    pub(crate) exchange: String,
    pub(crate) network: String,
    pub(crate) project: String,
    pub(crate) design: String,
    pub(crate) assembly: String,
    pub(crate) hour: String,
    pub(crate) fund: String,
    pub(crate) alice: Person,
    pub(crate) bob: Person,
    pub(crate) carol: Person,
    pub(crate) dan: Person,
    /// Dan's printer, in the pool of shareables.
    pub(crate) printer: String,
    pub(crate) kits: String,
    pub(crate) design_skill: String,
    pub(crate) usd: String,
    pub(crate) usd_spec: String,
    pub(crate) v1: String,
}

pub(crate) fn equation(
    kit_scope: &str,
    fund: &str,
    name: &str,
    design_factor: &str,
    design_skill: &str,
    usd_spec: &str,
) -> Value {
    json!({
        "scope": kit_scope, "name": name, "percentageBehavior": "STRAIGHT", "valuation": "RESTATE",
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

pub(crate) const CREATE_EQUATION: &str = "mutation($q: ValueEquationCreateParams!) {
  createValueEquation(equation: $q) { valueEquation { id version status } } }";

/// Proposes `equation` for adoption and has every contributor vote for it.
pub(crate) async fn adopt(k: &Kit, equation: &str) -> Result<Value> {
    let all = [&k.alice, &k.bob, &k.carol, &k.dan];
    vote_on(k, equation, &all, &[]).await
}

/// Proposes `equation`; `yes` vote for it, `no` against; returns the proposal as decided.
pub(crate) async fn vote_on(k: &Kit, equation: &str, yes: &[&Person], no: &[&Person]) -> Result<Value> {
    vote_in(&k.app, &k.alice.token, &k.project, equation, yes, no).await
}

/// Proposes `equation` for `scope` (by the holder of `proposer`); `yes` vote for it, `no`
/// against; returns the proposal as decided.
pub(crate) async fn vote_in(
    app: &TestApp,
    proposer: &str,
    scope: &str,
    equation: &str,
    yes: &[&Person],
    no: &[&Person],
) -> Result<Value> {
    let proposal = create(
        app,
        proposer,
        "mutation($p: GovernanceProposalCreateParams!) { createGovernanceProposal(proposal: $p) { governanceProposal { id } } }",
        json!({ "p": { "kind": "ADOPT_VALUE_EQUATION", "scope": scope, "valueEquation": equation,
                       "deadline": "2099-01-01T00:00:00Z" } }),
        "/data/createGovernanceProposal/governanceProposal/id",
    )
    .await?;
    for (voter, in_favour) in yes.iter().map(|p| (p, true)).chain(no.iter().map(|p| (p, false))) {
        let voted = app
            .graphql_as(
                &voter.token,
                "mutation($p: ID!, $y: Boolean!) { vote(proposal: $p, inFavour: $y) { governanceProposal { status } } }",
                json!({ "p": proposal, "y": in_favour }),
            )
            .await?;
        data(&voted)?;
    }
    let read = app
        .graphql(
            "query($p: ID!) { governanceProposal(id: $p) { status weighting electorate { agent { name } weight } } }",
            json!({ "p": proposal }),
        )
        .await?;
    Ok(data(&read)?["governanceProposal"].clone())
}

/// A network's exchange firm, stewarded by `steward` and an affiliate of the network (so that
/// a test sees payouts would count as its contributions if the engine did not leave them out).
pub(crate) async fn exchange_firm(app: &TestApp, steward: &Person, network: &str) -> Result<String> {
    let firm = organization(app, &steward.token, "Exchange firm", "ovn:ExchangeFirm").await?;
    relate(app, &steward.token, &steward.id, STEWARD_OF, &firm).await?;
    relate(app, &steward.token, &firm, EXCHANGE_FIRM_OF, network).await?;
    relate(app, &steward.token, &firm, AFFILIATE_OF, network).await?;
    Ok(firm)
}

/// A customer pays `amount` of `usd` (of the money specification `usd_spec`) to the exchange
/// firm, in scope of `scope`, and the firm's steward accepts it: the revenue event's id and
/// the firm's till it went into.
pub(crate) async fn sale(
    app: &TestApp,
    steward: &Person,
    firm: &str,
    scope: &str,
    amount: &str,
    usd: &str,
    usd_spec: &str,
) -> Result<(String, String)> {
    let customer = person(app, "Customer").await?;
    let (_, wallet) = record(
        app,
        &customer.token,
        json!({ "action": "raise", "provider": customer.id, "receiver": customer.id,
                "resourceConformsTo": usd_spec, "resourceQuantity": qty(amount, usd) }),
        json!({ "name": "customer's wallet" }),
    )
    .await?;
    let paid = app
        .graphql_as(
            &customer.token,
            EVENT,
            json!({ "e": { "action": "transfer", "provider": customer.id, "receiver": firm,
                           "resourceInventoriedAs": wallet.context("wallet")?, "resourceQuantity": qty(amount, usd),
                           "inScopeOf": [scope] },
                    "r": { "name": "exchange firm's till" } }),
        )
        .await?;
    let revenue = string_at(&paid, "/data/createEconomicEvent/economicEvent/id")?;
    let accepted = app
        .graphql_as(
            &steward.token,
            "mutation($e: ID!) { acceptTransfer(event: $e) { economicEvent { id } economicResource { id } } }",
            json!({ "e": revenue }),
        )
        .await?;
    let till = string_at(&accepted, "/data/acceptTransfer/economicResource/id")?;
    Ok((revenue, till))
}

pub(crate) async fn sensor_kit() -> Result<Kit> {
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
    let exchange = exchange_firm(&app, &steward, &network).await?;
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
    let printer = printer.context("printer")?;

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
    record(
        &app,
        &dan.token,
        json!({ "action": "use", "provider": dan.id, "receiver": project, "inputOf": assembly,
        "resourceInventoriedAs": printer, "effortQuantity": qty("6", &hour), "inScopeOf": [project] }),
        Value::Null,
    )
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
    let kit = Kit {
        app,
        steward,
        exchange,
        network,
        project,
        design,
        assembly,
        hour,
        fund,
        alice,
        bob,
        carol,
        dan,
        printer,
        kits,
        design_skill,
        usd,
        usd_spec,
        v1,
    };
    let decided = adopt(&kit, &kit.v1).await?;
    ensure!(decided["status"] == "PASSED", "every contributor voted for v1: {decided}");
    Ok(kit)
}

pub(crate) fn per_agent(list: &Value, amount: &str) -> BTreeMap<String, String> {
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

pub(crate) fn expected(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(a, v)| ((*a).to_owned(), (*v).to_owned())).collect()
}
