//! `ovn demo`: loads the sensor kit of DESIGN 4.6 into an empty database, so that a newcomer
//! has a network to query a minute after installing ovn. Every record is written by the API's
//! own mutations, run in-process as the agent who would send them ([`ovn_api::execute_as`]):
//! the same permission checks, governance vote, exchange-firm rule and transactions as over
//! HTTP, and no SQL of its own (docs/revenue.md, "Try it"; decisions D150-D152).

use std::fmt;

use anyhow::{Context as _, bail};
use ovn_api::{ApiSettings, OvnSchema};
use ovn_domain::AgentId;
use ovn_domain::agent::{AgentKind, AgentProfile};
use ovn_domain::text::Name;
use ovn_persistence::Store;
use serde_json::{Value, json};

/// The relationship roles the migrations seed (DESIGN 4.3).
const AFFILIATE_OF: &str = "00000000-0000-8000-8000-000000000001";
const PART_OF: &str = "00000000-0000-8000-8000-000000000002";
const EXCHANGE_FIRM_OF: &str = "00000000-0000-8000-8000-000000000003";
const STEWARD_OF: &str = "00000000-0000-8000-8000-000000000005";

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id } economicResource { id } } }";

/// Why `ovn demo` wrote nothing, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database already holds records: the demo only loads into an empty one.
    #[error(
        "the database is not empty (it already holds {0}); `ovn demo` only loads into an empty database \
         (point OVN_DATABASE_URL at a new one)"
    )]
    NotEmpty(&'static str),
    /// A step was refused or failed.
    #[error(transparent)]
    Step(#[from] anyhow::Error),
}

/// The ids of what the demo wrote, to query.
#[derive(Debug, Clone)]
pub struct DemoIds {
    /// Sensorica, the network.
    pub network: String,
    /// The sensor kit project (the scope of the events, the equation and the sale).
    pub project: String,
    /// The network's exchange firm.
    pub exchange_firm: String,
    /// The project's infrastructure fund.
    pub fund: String,
    /// Alice, Bob, Carol, Dan.
    pub alice: String,
    /// Bob.
    pub bob: String,
    /// Carol.
    pub carol: String,
    /// Dan.
    pub dan: String,
    /// The assembly process.
    pub assembly: String,
    /// The 10 sensor kits the assembly produced.
    pub kits: String,
    /// The value equation adopted by vote.
    pub equation: String,
    /// The customer's payment for the 4 kits.
    pub revenue_event: String,
    /// Its distribution.
    pub distribution: String,
}

/// Runs the API's mutations in-process, each as one agent.
struct Api {
    schema: OvnSchema,
    store: Store,
}

impl Api {
    /// Runs `query` as `agent`; any GraphQL error stops the demo with its message.
    async fn run(&self, agent: AgentId, query: &str, variables: Value) -> anyhow::Result<Value> {
        let request = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(variables));
        let response = ovn_api::execute_as(&self.schema, &self.store, agent, request).await;
        if let Some(error) = response.errors.first() {
            bail!("{} (in `{}`)", error.message, query.split_whitespace().take(4).collect::<Vec<_>>().join(" "));
        }
        Ok(response.data.into_json()?)
    }

    /// Runs `query` as `agent` and answers the string at `pointer` (an id).
    async fn id(&self, agent: AgentId, query: &str, variables: Value, pointer: &str) -> anyhow::Result<String> {
        let data = self.run(agent, query, variables).await?;
        data.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .with_context(|| format!("no {pointer} in {data}"))
    }

    /// Records an event as `agent`; its id and the resource it created, if any.
    async fn event(&self, agent: AgentId, event: Value, resource: Value) -> anyhow::Result<(String, Option<String>)> {
        let data = self.run(agent, EVENT, json!({ "e": event, "r": resource })).await?;
        let created = &data["createEconomicEvent"];
        let id = created["economicEvent"]["id"].as_str().context("event id")?.to_owned();
        Ok((id, created["economicResource"]["id"].as_str().map(str::to_owned)))
    }

    async fn organization(&self, agent: AgentId, name: &str, class: &str) -> anyhow::Result<String> {
        self.id(
            agent,
            "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id } } }",
            json!({ "o": { "name": name, "classifiedAs": [class] } }),
            "/createOrganization/agent/id",
        )
        .await
    }

    async fn relate(&self, agent: AgentId, subject: &str, role: &str, object: &str) -> anyhow::Result<()> {
        self.run(
            agent,
            "mutation($r: AgentRelationshipCreateParams!) { createAgentRelationship(relationship: $r) { agentRelationship { id } } }",
            json!({ "r": { "subject": subject, "relationship": role, "object": object } }),
        )
        .await?;
        Ok(())
    }

    async fn unit(&self, agent: AgentId, label: &str, symbol: &str) -> anyhow::Result<String> {
        self.id(
            agent,
            "mutation($u: UnitCreateParams!) { createUnit(unit: $u) { unit { id } } }",
            json!({ "u": { "label": label, "symbol": symbol } }),
            "/createUnit/unit/id",
        )
        .await
    }

    async fn spec(&self, agent: AgentId, params: Value) -> anyhow::Result<String> {
        self.id(
            agent,
            "mutation($s: ResourceSpecificationCreateParams!) { createResourceSpecification(resourceSpecification: $s) { resourceSpecification { id } } }",
            json!({ "s": params }),
            "/createResourceSpecification/resourceSpecification/id",
        )
        .await
    }

    async fn process(&self, agent: AgentId, name: &str, scope: &str) -> anyhow::Result<String> {
        self.id(
            agent,
            "mutation($p: ProcessCreateParams!) { createProcess(process: $p) { process { id } } }",
            json!({ "p": { "name": name, "inScopeOf": [scope] } }),
            "/createProcess/process/id",
        )
        .await
    }

    async fn accept(&self, agent: AgentId, event: &str) -> anyhow::Result<String> {
        self.id(
            agent,
            "mutation($e: ID!) { acceptTransfer(event: $e) { economicResource { id } } }",
            json!({ "e": event }),
            "/acceptTransfer/economicResource/id",
        )
        .await
    }
}

fn qty(n: &str, unit: &str) -> Value {
    json!({ "hasNumericalValue": n, "hasUnit": unit })
}

async fn person(store: &Store, name: &str) -> anyhow::Result<AgentId> {
    let profile = AgentProfile { name: Name::parse("name", name)?, image: None, note: None, classified_as: Vec::new() };
    Ok(store.create_agent(AgentKind::Person, profile, None).await?.id)
}

/// Loads the sensor kit into `store`, which must hold no records (else [`DemoError::NotEmpty`]
/// and nothing is written).
pub async fn load(store: &Store, settings: &ApiSettings) -> Result<DemoIds, DemoError> {
    if let Some(table) = store.first_non_empty_table().await.context("reading the database")? {
        return Err(DemoError::NotEmpty(table));
    }
    Ok(sensor_kit(&Api { schema: ovn_api::build_schema(store.clone(), settings), store: store.clone() }).await?)
}

/// DESIGN 4.6, step by step, as its people would record it.
async fn sensor_kit(api: &Api) -> anyhow::Result<DemoIds> {
    let store = &api.store;
    let steward = person(store, "Steward").await?;
    let (alice, bob, carol, dan) = (
        person(store, "Alice").await?,
        person(store, "Bob").await?,
        person(store, "Carol").await?,
        person(store, "Dan").await?,
    );
    let (supplier, customer) = (person(store, "Supplier S").await?, person(store, "Customer").await?);
    let [steward_id, alice_id, bob_id, carol_id, dan_id, supplier_id, customer_id] =
        [steward, alice, bob, carol, dan, supplier, customer].map(|a| a.to_string());

    // The network, its project, the project's infrastructure fund and the network's exchange firm.
    let network = api.organization(steward, "Sensorica", "ovn:Network").await?;
    let project = api.organization(steward, "Sensor kit", "ovn:Project").await?;
    let fund = api.organization(steward, "Infrastructure fund", "ovn:Fund").await?;
    api.relate(steward, &steward_id, STEWARD_OF, &network).await?;
    let firm = api.organization(steward, "Exchange firm", "ovn:ExchangeFirm").await?;
    api.relate(steward, &steward_id, STEWARD_OF, &firm).await?;
    api.relate(steward, &firm, EXCHANGE_FIRM_OF, &network).await?;
    api.relate(steward, &project, PART_OF, &network).await?;
    for (agent, id) in [(alice, &alice_id), (bob, &bob_id), (carol, &carol_id), (dan, &dan_id)] {
        api.relate(agent, id, AFFILIATE_OF, &network).await?;
    }

    let (hour, usd, each) = (
        api.unit(steward, "hour", "h").await?,
        api.unit(steward, "US dollar", "USD").await?,
        api.unit(steward, "each", "ea").await?,
    );
    let design_skill = api.spec(steward, json!({ "name": "design" })).await?;
    let assembly_skill =
        api.spec(steward, json!({ "name": "assembly", "defaultValuePerUnit": qty("20", &usd) })).await?;
    let usd_spec = api.spec(steward, json!({ "name": "US dollars", "mediumOfExchange": true })).await?;
    let sensor = api.spec(steward, json!({ "name": "sensor" })).await?;
    let kit_spec = api.spec(steward, json!({ "name": "sensor kit" })).await?;
    let design_spec = api.spec(steward, json!({ "name": "kit design" })).await?;
    let printer_spec = api.spec(steward, json!({ "name": "3D printer" })).await?;
    // Alice's rate for design is her own (30); Bob's for assembly is the skill's default (20).
    api.run(
        alice,
        "mutation($a: ID!, $s: ID!, $r: IMeasure!) { setAgentRate(agent: $a, skill: $s, rate: $r, validFrom: \"2020-01-01T00:00:00Z\") { agentRate { id } } }",
        json!({ "a": alice_id, "s": design_skill, "r": qty("30", &usd) }),
    )
    .await?;

    // The design process: Alice's 10 h produce the kit design, a commons.
    let design = api.process(steward, "design", &project).await?;
    api.event(
        alice,
        json!({ "action": "work", "provider": alice_id, "receiver": project, "inputOf": design,
                "effortQuantity": qty("10", &hour), "resourceConformsTo": design_skill, "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    let (_, kit_design) = api
        .event(
            alice,
            json!({ "action": "produce", "provider": alice_id, "receiver": project, "outputOf": design,
                    "resourceQuantity": qty("1", &each), "resourceConformsTo": design_spec, "inScopeOf": [project] }),
            json!({ "name": "kit design", "propertyRegime": "COMMONS" }),
        )
        .await?;

    // Carol deposits 300 into the project's fund; the fund pays supplier S 300 for 10 sensors.
    let (_, wallet) = api
        .event(
            carol,
            json!({ "action": "raise", "provider": carol_id, "receiver": carol_id,
                    "resourceConformsTo": usd_spec, "resourceQuantity": qty("1000", &usd) }),
            json!({ "name": "Carol's wallet" }),
        )
        .await?;
    let (_, project_fund) = api
        .event(
            steward,
            json!({ "action": "transfer", "provider": carol_id, "receiver": project, "resourceInventoriedAs": wallet,
                    "resourceQuantity": qty("300", &usd), "inScopeOf": [project] }),
            json!({ "name": "Sensor kit fund" }),
        )
        .await?;
    let (_, stock) = api
        .event(
            supplier,
            json!({ "action": "raise", "provider": supplier_id, "receiver": supplier_id,
                    "resourceConformsTo": sensor, "resourceQuantity": qty("10", &each) }),
            json!({ "name": "supplier stock" }),
        )
        .await?;
    let agreement = api
        .id(
            steward,
            "mutation { createAgreement(agreement: { name: \"10 sensors for 300 USD\" }) { agreement { id } } }",
            Value::Null,
            "/createAgreement/agreement/id",
        )
        .await?;
    let (_, sensors) = api
        .event(
            steward,
            json!({ "action": "transfer", "provider": supplier_id, "receiver": project, "resourceInventoriedAs": stock,
                    "resourceQuantity": qty("10", &each), "realizationOf": agreement, "inScopeOf": [project] }),
            json!({ "name": "sensors" }),
        )
        .await?;
    api.event(
        supplier,
        json!({ "action": "transfer", "provider": project, "receiver": supplier_id, "resourceInventoriedAs": project_fund,
                "resourceQuantity": qty("300", &usd), "realizationOf": agreement, "inScopeOf": [project] }),
        json!({ "name": "supplier till" }),
    )
    .await?;

    // Dan's printer, in the pool of shareables at 5 USD an hour of use.
    let (_, printer) = api
        .event(
            dan,
            json!({ "action": "raise", "provider": dan_id, "receiver": dan_id,
                    "resourceConformsTo": printer_spec, "resourceQuantity": qty("1", &each) }),
            json!({ "name": "Dan's printer", "propertyRegime": "POOL_OF_SHAREABLES", "valuePerUnitOfUse": qty("5", &usd) }),
        )
        .await?;

    // The assembly cites the design, consumes the sensors, uses the printer 6 h, takes Bob's 4 h,
    // and produces 10 kits.
    let assembly = api.process(steward, "assembly", &project).await?;
    api.event(
        steward,
        json!({ "action": "cite", "provider": project, "receiver": project, "inputOf": assembly,
                "resourceInventoriedAs": kit_design, "resourceQuantity": qty("1", &each), "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    api.event(
        steward,
        json!({ "action": "consume", "provider": project, "receiver": project, "inputOf": assembly,
                "resourceInventoriedAs": sensors, "resourceQuantity": qty("10", &each), "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    api.event(
        dan,
        json!({ "action": "use", "provider": dan_id, "receiver": project, "inputOf": assembly,
                "resourceInventoriedAs": printer, "effortQuantity": qty("6", &hour), "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    api.event(
        bob,
        json!({ "action": "work", "provider": bob_id, "receiver": project, "inputOf": assembly,
                "effortQuantity": qty("4", &hour), "resourceConformsTo": assembly_skill, "inScopeOf": [project] }),
        Value::Null,
    )
    .await?;
    let (_, kits) = api
        .event(
            bob,
            json!({ "action": "produce", "provider": bob_id, "receiver": project, "outputOf": assembly,
                    "resourceQuantity": qty("10", &each), "resourceConformsTo": kit_spec, "inScopeOf": [project] }),
            json!({ "name": "sensor kits" }),
        )
        .await?;
    let kits = kits.context("the kits")?;

    // The equation: 5% to the fund, 95% to the kit's contributors (design work at 1.5 times
    // the rate); Alice proposes its adoption and all four contributors vote for it.
    let equation = api
        .id(
            alice,
            "mutation($q: ValueEquationCreateParams!) { createValueEquation(equation: $q) { valueEquation { id } } }",
            json!({ "q": {
                "scope": project, "name": "sensor kit v1", "percentageBehavior": "STRAIGHT", "valuation": "RESTATE",
                "buckets": [
                    { "sequence": 1, "name": "infrastructure", "kind": "AGENT", "percentage": "5", "recipient": fund },
                    { "sequence": 2, "name": "kit", "kind": "DELIVERABLE", "percentage": "95", "rules": [
                        { "action": "work", "resourceConformsTo": design_skill, "formula": "quantity * rate * 1.5", "claimType": "EQUITY" },
                        { "action": "work", "formula": "quantity * rate", "claimType": "EQUITY" },
                        { "action": "transfer", "resourceConformsTo": usd_spec, "formula": "quantity", "claimType": "EQUITY" },
                        { "action": "use", "formula": "quantity * valuePerUnitOfUse", "claimType": "EQUITY" },
                        { "action": "cite", "formula": "resourceValue", "claimType": "EQUITY" }
                    ] }
                ] } }),
            "/createValueEquation/valueEquation/id",
        )
        .await?;
    let proposal = api
        .id(
            alice,
            "mutation($p: GovernanceProposalCreateParams!) { createGovernanceProposal(proposal: $p) { governanceProposal { id } } }",
            json!({ "p": { "kind": "ADOPT_VALUE_EQUATION", "scope": project, "valueEquation": equation,
                           "deadline": "2099-01-01T00:00:00Z" } }),
            "/createGovernanceProposal/governanceProposal/id",
        )
        .await?;
    let mut status = Value::Null;
    for voter in [alice, bob, carol, dan] {
        let voted = api
            .run(
                voter,
                "mutation($p: ID!) { vote(proposal: $p, inFavour: true) { governanceProposal { status } } }",
                json!({ "p": proposal }),
            )
            .await?;
        status = voted["vote"]["governanceProposal"]["status"].clone();
    }
    if status != "PASSED" {
        bail!("the equation's adoption did not pass: {status}");
    }

    // The exchange firm takes 4 kits from the project, and sells them for 400 (recordSale).
    // The steward answers for both sides, so the transfer is in the books at once; were it
    // waiting for the firm's consent, the steward gives it.
    let firm_kits = match api
        .event(
            steward,
            json!({ "action": "transfer", "provider": project, "receiver": firm, "resourceInventoriedAs": kits,
                    "resourceQuantity": qty("4", &each), "inScopeOf": [project] }),
            json!({ "name": "the exchange firm's kits" }),
        )
        .await?
    {
        (_, Some(resource)) => resource,
        (offered, None) => api.accept(steward, &offered).await?,
    };
    let firm_id = AgentId::parse(&firm)?;
    let (_, till) = api
        .event(
            firm_id,
            json!({ "action": "raise", "provider": firm, "receiver": firm, "resourceConformsTo": usd_spec,
                    "resourceQuantity": qty("0", &usd) }),
            json!({ "name": "the exchange firm's till" }),
        )
        .await?;
    let revenue_event = api
        .id(
            steward,
            "mutation($s: SaleCreateParams!) { recordSale(sale: $s) { revenueEvent { id } } }",
            json!({ "s": { "inScopeOf": project, "customer": customer_id, "product": firm_kits,
                           "quantity": qty("4", &each), "price": qty("400", &usd), "currency": usd_spec,
                           "paidInto": till, "name": "invoice 1" } }),
            "/recordSale/revenueEvent/id",
        )
        .await?;
    let distribution = api
        .id(
            steward,
            "mutation($r: ID!, $d: ID!) { distributeRevenue(revenueEvent: $r, deliverable: $d, quantity: \"4\") { distribution { id } } }",
            json!({ "r": revenue_event, "d": kits }),
            "/distributeRevenue/distribution/id",
        )
        .await?;

    Ok(DemoIds {
        network,
        project,
        exchange_firm: firm,
        fund,
        alice: alice_id,
        bob: bob_id,
        carol: carol_id,
        dan: dan_id,
        assembly,
        kits,
        equation,
        revenue_event,
        distribution,
    })
}

impl fmt::Display for DemoIds {
    /// What `ovn demo` prints: the ids, three queries to try, and how to start the server.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Loaded the sensor kit (DESIGN 4.6):")?;
        for (what, id) in [
            ("network Sensorica", &self.network),
            ("project Sensor kit", &self.project),
            ("exchange firm", &self.exchange_firm),
            ("infrastructure fund", &self.fund),
            ("Alice", &self.alice),
            ("Bob", &self.bob),
            ("Carol", &self.carol),
            ("Dan", &self.dan),
            ("assembly process", &self.assembly),
            ("10 sensor kits", &self.kits),
            ("value equation v1 (adopted)", &self.equation),
            ("sale of 4 kits for 400 (revenue event)", &self.revenue_event),
            ("its distribution", &self.distribution),
        ] {
            writeln!(f, "  {what:<40} {id}")?;
        }
        writeln!(f)?;
        writeln!(f, "Start the server with `ovn serve` and try, at /graphql:")?;
        writeln!(f)?;
        writeln!(
            f,
            "  {{ processTree(resource: \"{}\") {{ nodes {{ depth }} edges {{ from to action {{ id }} }} }} }}",
            self.kits
        )?;
        writeln!(
            f,
            "  {{ valueRollup(resource: \"{}\") {{ totalValue shares {{ agent {{ name }} value }} }} }}",
            self.kits
        )?;
        writeln!(
            f,
            "  {{ fluidEquity(scope: \"{}\") {{ total holders {{ agent {{ name }} value share }} }} }}",
            self.project
        )
    }
}
