//! Money pools over HTTP: a pool opened in a project's scope, held by the network's custodian;
//! deposits by two affiliates counted in fluid equity as cash contributions; an allocation
//! voted through writes exactly one transfer and lowers the balance, and a purchase paid by it
//! is credited to the depositors; a failed vote and a pool that cannot pay move nothing; a
//! direct transfer out of a pool is refused (`FORBIDDEN`); two allocations racing that together
//! exceed the balance: exactly one pays, and the balance never goes below zero.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, spawn_app, string_at};
use crate::value_equations::{AFFILIATE_OF, STEWARD_OF, organization, relate};

pub const PART_OF: &str = "00000000-0000-8000-8000-000000000002";
pub const CUSTODIAN_OF: &str = "00000000-0000-8000-8000-000000000004";

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) {
    economicEvent { id revisionId consent isContribution } economicResource { id } } }";
const CREATE_POOL: &str = "mutation($p: MoneyPoolCreateParams!) { createMoneyPool(pool: $p) {
  moneyPool { id name scope { id } custodian { id } balance { hasNumericalValue hasUnit { id } }
              resource { id propertyRegime } } } }";
const POOL: &str = "query($id: ID!) { moneyPool(id: $id) {
  id balance { hasNumericalValue }
  history { flow amount { hasNumericalValue } event { id provider { id } receiver { id } } proposal { id status } }
  proposals { id status } } }";
const PROPOSE: &str = "mutation($p: GovernanceProposalCreateParams!) { createGovernanceProposal(proposal: $p) {
  governanceProposal { id status amount { hasNumericalValue hasUnit { id } } pool { id } recipient { id } } } }";
const VOTE: &str = "mutation($p: ID!, $y: Boolean!) { vote(proposal: $p, inFavour: $y) {
  governanceProposal { id status failureReason payout { id action { id } provider { id } receiver { id }
    resourceInventoriedAs { id } resourceQuantity { hasNumericalValue } inScopeOf { ... on Organization { id } } } } } }";

/// A network with its custodian (a trust), a project part of it, a steward, two affiliates
/// with 1000 USD each in their wallets, a supplier outside the network, and a pool.
struct Pooled {
    app: TestApp,
    project: String,
    custodian: (String, String),
    steward: (String, String),
    alice: (String, String),
    bob: (String, String),
    supplier: (String, String),
    usd: String,
    usd_spec: String,
    wallets: (String, String),
    pool: String,
}

fn money(amount: &str, unit: &str) -> Value {
    json!({ "hasNumericalValue": amount, "hasUnit": unit })
}

/// Records an event with `token`; returns the response.
pub async fn record(app: &TestApp, token: &str, event: Value, resource: Value) -> Result<Value> {
    app.graphql_as(token, EVENT, json!({ "e": event, "r": resource })).await
}

/// [`record`], which must succeed at once (not pending); returns the event and the resource
/// it created.
async fn recorded(app: &TestApp, token: &str, event: Value, resource: Value) -> Result<(Value, Option<String>)> {
    let response = record(app, token, event, resource).await?;
    let created = &data(&response)?["createEconomicEvent"];
    ensure!(created["economicEvent"]["consent"].is_null(), "recorded at once, not pending: {response}");
    Ok((created["economicEvent"].clone(), created["economicResource"]["id"].as_str().map(str::to_owned)))
}

/// Creates a resource specification; returns its id.
pub async fn spec(app: &TestApp, token: &str, params: Value) -> Result<String> {
    string_at(
        &app.graphql_as(
            token,
            "mutation($s: ResourceSpecificationCreateParams!) { createResourceSpecification(resourceSpecification: $s) {
               resourceSpecification { id } } }",
            json!({ "s": params }),
        )
        .await?,
        "/data/createResourceSpecification/resourceSpecification/id",
    )
}

async fn pooled() -> Result<Pooled> {
    let app = spawn_app().await?;
    let steward = app.person_with_token("Steward").await?;
    let alice = app.person_with_token("Alice").await?;
    let bob = app.person_with_token("Bob").await?;
    let supplier = app.person_with_token("Supplier").await?;
    let network = organization(&app, &steward.1, "Sensorica").await?;
    let project = organization(&app, &steward.1, "Sensor kit").await?;
    let trust = organization(&app, &steward.1, "Commons trust").await?;
    let custodian = (trust.clone(), app.token_for(&trust)?);
    relate(&app, &steward.1, &steward.0, STEWARD_OF, &network).await?;
    relate(&app, &steward.1, &project, PART_OF, &network).await?;
    relate(&app, &steward.1, &trust, CUSTODIAN_OF, &network).await?;
    for who in [&alice, &bob] {
        relate(&app, &who.1, &who.0, AFFILIATE_OF, &network).await?;
    }
    let usd = app.create_unit(&steward.1, "US dollar", "USD").await?;
    let usd_spec = spec(&app, &steward.1, json!({ "name": "US dollars", "mediumOfExchange": true })).await?;
    let mut wallets = Vec::new();
    for who in [&alice, &bob] {
        let raise = json!({ "action": "raise", "provider": who.0, "receiver": who.0, "resourceConformsTo": usd_spec,
                            "resourceQuantity": money("1000", &usd) });
        let (_, wallet) = recorded(&app, &who.1, raise, json!({ "name": "wallet" })).await?;
        wallets.push(wallet.context("a wallet")?);
    }
    let created = app
        .graphql_as(
            &steward.1,
            CREATE_POOL,
            json!({ "p": { "scope": project, "name": "Sensor kit crowdfunding", "conformsTo": usd_spec, "unit": usd } }),
        )
        .await?;
    let pool = &data(&created)?["createMoneyPool"]["moneyPool"];
    // Opened empty, held by the custodian (the only one of the network above), owned by nobody.
    ensure!(pool["custodian"]["id"] == json!(trust) && pool["scope"]["id"] == json!(project), "{pool}");
    ensure!(pool["balance"] == json!({ "hasNumericalValue": "0", "hasUnit": { "id": usd } }), "{pool}");
    ensure!(pool["resource"]["propertyRegime"] == "NONDOMINIUM", "{pool}");
    let pool = pool["id"].as_str().context("pool id")?.to_owned();
    let wallets = (wallets[0].clone(), wallets[1].clone());
    Ok(Pooled { app, project, custodian, steward, alice, bob, supplier, usd, usd_spec, wallets, pool })
}

/// `who` deposits `amount` from `wallet` into the pool; the deposit must be a contribution,
/// recorded at once (the pool is its custodian's standing consent).
async fn deposit(p: &Pooled, who: &(String, String), wallet: &str, amount: &str) -> Result<Value> {
    let event = json!({ "action": "transfer", "provider": who.0, "receiver": p.custodian.0,
                        "resourceInventoriedAs": wallet, "toResourceInventoriedAs": p.pool,
                        "resourceConformsTo": p.usd_spec, "resourceQuantity": money(amount, &p.usd),
                        "inScopeOf": [p.project] });
    let (event, _) = recorded(&p.app, &who.1, event, Value::Null).await?;
    ensure!(event["isContribution"] == true, "a deposit by an affiliate is a contribution: {event}");
    Ok(event)
}

async fn read_pool(p: &Pooled) -> Result<Value> {
    Ok(data(&p.app.graphql(POOL, json!({ "id": p.pool })).await?)?["moneyPool"].clone())
}

fn balance(pool: &Value) -> Option<&str> {
    pool["balance"]["hasNumericalValue"].as_str()
}

/// Proposes to pay `amount` out of the pool to `recipient`; returns the response.
async fn propose(p: &Pooled, token: &str, pool: &str, amount: &str, recipient: &str) -> Result<Value> {
    propose_by(p, token, pool, amount, recipient, "2099-01-01T00:00:00Z").await
}

async fn propose_by(
    p: &Pooled,
    token: &str,
    pool: &str,
    amount: &str,
    recipient: &str,
    deadline: &str,
) -> Result<Value> {
    let proposal = json!({ "kind": "ALLOCATE_FROM_POOL", "scope": p.project, "pool": pool,
                           "amount": { "hasNumericalValue": amount }, "recipient": recipient, "deadline": deadline });
    p.app.graphql_as(token, PROPOSE, json!({ "p": proposal })).await
}

/// [`propose`], which must succeed; returns the proposal's id.
async fn proposed(p: &Pooled, amount: &str, recipient: &str) -> Result<String> {
    let response = propose(p, &p.alice.1, &p.pool, amount, recipient).await?;
    let proposal = &data(&response)?["createGovernanceProposal"]["governanceProposal"];
    ensure!(proposal["status"] == "OPEN", "{proposal}");
    // The amount took the pool's unit.
    ensure!(proposal["amount"] == json!({ "hasNumericalValue": amount, "hasUnit": { "id": p.usd } }), "{proposal}");
    Ok(proposal["id"].as_str().context("proposal id")?.to_owned())
}

async fn vote(p: &Pooled, who: &(String, String), proposal: &str, in_favour: bool) -> Result<Value> {
    let response = p.app.graphql_as(&who.1, VOTE, json!({ "p": proposal, "y": in_favour })).await?;
    Ok(data(&response).with_context(|| format!("{} voting", who.0))?["vote"]["governanceProposal"].clone())
}

/// The fluid equity of the project by the draft `equation`, agent id → value.
async fn equity(p: &Pooled, equation: &str) -> Result<Vec<(String, String)>> {
    let response = p
        .app
        .graphql(
            "query($s: ID!, $q: ID!) { fluidEquity(scope: $s, equation: $q) { total holders { agent { id } value share } } }",
            json!({ "s": p.project, "q": equation }),
        )
        .await?;
    let holders = &data(&response)?["fluidEquity"]["holders"];
    let mut found: Vec<(String, String)> = holders
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["agent"]["id"].as_str().unwrap_or_default().to_owned(),
                h["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    Ok(found)
}

/// A draft equation of the project that values cash at face value (a what-if needs no vote).
async fn cash_equation(p: &Pooled) -> Result<String> {
    let equation = json!({ "scope": p.project, "name": "cash", "percentageBehavior": "STRAIGHT",
        "buckets": [{ "sequence": 1, "name": "all", "kind": "DELIVERABLE", "percentage": "100", "rules": [
            { "action": "transfer", "resourceConformsTo": p.usd_spec, "formula": "quantity", "claimType": "EQUITY" } ] }] });
    let response = p
        .app
        .graphql_as(
            &p.alice.1,
            "mutation($q: ValueEquationCreateParams!) { createValueEquation(equation: $q) { valueEquation { id } } }",
            json!({ "q": equation }),
        )
        .await?;
    string_at(&response, "/data/createValueEquation/valueEquation/id")
}

fn sorted(pairs: &[(&String, &str)]) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = pairs.iter().map(|(a, v)| ((*a).clone(), (*v).to_owned())).collect();
    list.sort();
    list
}

#[tokio::test]
async fn deposits_are_cash_contributions_and_only_a_passed_allocation_pays_out_of_a_pool() -> Result<()> {
    // Arrange: Alice deposits 300 and Bob 100.
    let p = pooled().await?;
    let app = &p.app;
    deposit(&p, &p.alice, &p.wallets.0, "300").await?;
    deposit(&p, &p.bob, &p.wallets.1, "100").await?;
    let equation = cash_equation(&p).await?;

    // Fluid equity: the deposits are cash contributions valued by the equation, 300 and 100.
    let before = equity(&p, &equation).await?;
    ensure!(before == sorted(&[(&p.alice.0, "300"), (&p.bob.0, "100")]), "{before:?}");
    ensure!(balance(&read_pool(&p).await?) == Some("400"));

    // An allocation of 120 to the supplier, voted through by both contributors (the
    // electorate): decided at once, paid by one transfer out of the pool.
    let allocation = proposed(&p, "120", &p.supplier.0).await?;
    ensure!(vote(&p, &p.alice, &allocation, true).await?["status"] == "OPEN");
    let decided = vote(&p, &p.bob, &allocation, true).await?;
    ensure!(decided["status"] == "PASSED" && decided["failureReason"].is_null(), "{decided}");
    let payout = &decided["payout"];
    ensure!(
        payout["action"]["id"] == "transfer"
            && payout["provider"]["id"] == json!(p.custodian.0)
            && payout["receiver"]["id"] == json!(p.supplier.0)
            && payout["resourceInventoriedAs"]["id"] == json!(p.pool)
            && payout["resourceQuantity"]["hasNumericalValue"] == "120"
            && payout["inScopeOf"] == json!([{ "id": p.project }]),
        "{payout}"
    );
    // 400 - 120 = 280; the history: two deposits, then exactly one allocation with its proposal.
    let pool = read_pool(&p).await?;
    ensure!(balance(&pool) == Some("280"), "{pool}");
    let history = pool["history"].as_array().context("history")?;
    let flows: Vec<(&str, &str)> = history
        .iter()
        .map(|e| {
            (e["flow"].as_str().unwrap_or_default(), e["amount"]["hasNumericalValue"].as_str().unwrap_or_default())
        })
        .collect();
    ensure!(flows == [("DEPOSIT", "300"), ("DEPOSIT", "100"), ("ALLOCATION", "120")], "{flows:?}");
    ensure!(history[2]["event"]["id"] == payout["id"] && history[2]["proposal"]["id"] == json!(allocation), "{pool}");
    ensure!(history[0]["proposal"].is_null(), "a deposit carries out no proposal: {pool}");
    // Paying out is not a contribution: the equity is what it was.
    ensure!(equity(&p, &equation).await? == before, "an allocation changes nobody's equity");

    // The supplier links the payment to its agreement: a purchase paid out of the pool, 10
    // sensors for 120, is credited to the depositors in proportion to the deposits made
    // before it. 120 of 400 deposited draws 0.3 of each: Alice 300 × 0.3 = 90, Bob 100 × 0.3
    // = 30; 90 + 30 = 120, the sensors' whole value.
    let agreement = string_at(
        &app.graphql_as(
            &p.steward.1,
            "mutation { createAgreement(agreement: { name: \"10 sensors for 120 USD\" }) { agreement { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createAgreement/agreement/id",
    )?;
    let payout_revision = string_at(
        &app.graphql("query($id: ID!) { economicEvent(id: $id) { revisionId } }", json!({ "id": payout["id"] }))
            .await?,
        "/data/economicEvent/revisionId",
    )?;
    let linked = app
        .graphql_as(
            &p.supplier.1,
            "mutation($e: EconomicEventUpdateParams!) { updateEconomicEvent(event: $e) { economicEvent { id } } }",
            json!({ "e": { "revisionId": payout_revision, "realizationOf": agreement } }),
        )
        .await?;
    data(&linked)?;
    let sensor = spec(app, &p.supplier.1, json!({ "name": "sensor" })).await?;
    let (_, stock) = recorded(
        app,
        &p.supplier.1,
        json!({ "action": "raise", "provider": p.supplier.0, "receiver": p.supplier.0, "resourceConformsTo": sensor,
                "resourceQuantity": { "hasNumericalValue": "10" } }),
        json!({ "name": "sensor stock" }),
    )
    .await?;
    let (_, sensors) = recorded(
        app,
        &p.steward.1,
        json!({ "action": "transfer", "provider": p.supplier.0, "receiver": p.project, "resourceInventoriedAs": stock,
                "resourceQuantity": { "hasNumericalValue": "10" }, "realizationOf": agreement, "inScopeOf": [p.project] }),
        json!({ "name": "sensors" }),
    )
    .await?;
    let rollup = app
        .graphql(
            "query($r: ID!, $q: ID!) { valueRollup(resource: $r, equation: $q) { totalValue shares { agent { id } value explanation } } }",
            json!({ "r": sensors, "q": equation }),
        )
        .await?;
    let rollup = &data(&rollup)?["valueRollup"];
    ensure!(rollup["totalValue"] == "120", "{rollup}");
    let mut shares: Vec<(String, String)> = rollup["shares"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["agent"]["id"].as_str().unwrap_or_default().to_owned(),
                s["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    shares.sort();
    ensure!(shares == sorted(&[(&p.alice.0, "90"), (&p.bob.0, "30")]), "{rollup}");
    Ok(())
}

#[tokio::test]
async fn a_failed_vote_a_pool_that_cannot_pay_and_a_direct_transfer_move_nothing() -> Result<()> {
    let p = pooled().await?;
    let app = &p.app;
    deposit(&p, &p.alice, &p.wallets.0, "60").await?;
    deposit(&p, &p.bob, &p.wallets.1, "40").await?;

    // 1 for, 1 against: 1 < 2/3 × 2, the threshold fails; nothing is paid.
    let refused = proposed(&p, "50", &p.supplier.0).await?;
    vote(&p, &p.alice, &refused, true).await?;
    let decided = vote(&p, &p.bob, &refused, false).await?;
    ensure!(decided["status"] == "FAILED" && decided["payout"].is_null(), "{decided}");
    ensure!(decided["failureReason"] == "the votes in favour did not reach the threshold", "{decided}");

    // Voted through, but 100.01 is more than the 100 the pool holds: FAILED with the reason,
    // nothing paid.
    let too_much = proposed(&p, "100.01", &p.supplier.0).await?;
    vote(&p, &p.alice, &too_much, true).await?;
    let decided = vote(&p, &p.bob, &too_much, true).await?;
    ensure!(decided["status"] == "FAILED" && decided["payout"].is_null(), "{decided}");
    let reason = decided["failureReason"].as_str().unwrap_or_default();
    ensure!(
        reason.contains("held 100") && reason.contains("100.01") && reason.contains("nothing was paid"),
        "{reason}"
    );

    // A transfer out of the pool recorded directly, by its custodian or a steward: FORBIDDEN.
    let out = json!({ "action": "transfer", "provider": p.custodian.0, "receiver": p.supplier.0,
                      "resourceInventoriedAs": p.pool, "resourceQuantity": money("10", &p.usd), "inScopeOf": [p.project] });
    for token in [&p.custodian.1, &p.steward.1] {
        assert_refused(&record(app, token, out.clone(), Value::Null).await?, "createEconomicEvent", "FORBIDDEN")?;
    }
    let lowered = json!({ "action": "lower", "provider": p.custodian.0, "receiver": p.custodian.0,
                           "resourceInventoriedAs": p.pool, "resourceQuantity": money("10", &p.usd) });
    assert_refused(&record(app, &p.custodian.1, lowered, Value::Null).await?, "createEconomicEvent", "FORBIDDEN")?;
    // A deposit must go to the custodian, in the pool's scope.
    let elsewhere = json!({ "action": "transfer", "provider": p.alice.0, "receiver": p.custodian.0,
                            "resourceInventoriedAs": p.wallets.0, "toResourceInventoriedAs": p.pool,
                            "resourceQuantity": money("5", &p.usd) });
    assert_refused(&record(app, &p.alice.1, elsewhere, Value::Null).await?, "createEconomicEvent", "BAD_INPUT")?;

    // Proposals are checked: not a pool, no amount, an unknown recipient, another scope.
    let refusals = [
        (propose(&p, &p.alice.1, &p.wallets.0, "10", &p.supplier.0).await?, "pool: "),
        (propose(&p, &p.alice.1, &p.pool, "0", &p.supplier.0).await?, "amount: "),
        (propose(&p, &p.alice.1, &p.pool, "10", &p.usd).await?, "recipient: "),
    ];
    for (response, field) in refusals {
        assert_refused(&response, "createGovernanceProposal", "BAD_INPUT")?;
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(message.starts_with(field), "{message}");
    }

    // Nothing moved: 60 + 40 in, nothing out.
    let pool = read_pool(&p).await?;
    ensure!(balance(&pool) == Some("100"), "{pool}");
    let flows: Vec<&str> =
        pool["history"].as_array().into_iter().flatten().filter_map(|e| e["flow"].as_str()).collect();
    ensure!(flows == ["DEPOSIT", "DEPOSIT"], "{pool}");
    ensure!(pool["proposals"].as_array().map(Vec::len) == Some(2), "both proposals are the pool's: {pool}");
    Ok(())
}

#[tokio::test]
async fn two_allocations_racing_past_the_balance_pay_exactly_one() -> Result<()> {
    // Arrange: 100 in the pool; two proposals of 70 each, Alice for both. Bob's votes decide
    // both at once, concurrently: 70 + 70 = 140 > 100, so exactly one can pay.
    let p = pooled().await?;
    deposit(&p, &p.alice, &p.wallets.0, "60").await?;
    deposit(&p, &p.bob, &p.wallets.1, "40").await?;
    let mut rounds = Vec::new();
    for _ in 0..3 {
        let (first, second) = (proposed(&p, "70", &p.supplier.0).await?, proposed(&p, "70", &p.alice.0).await?);
        vote(&p, &p.alice, &first, true).await?;
        vote(&p, &p.alice, &second, true).await?;
        rounds.push((first, second));
    }

    // Act: each round's two deciding votes at the same time.
    let mut paid = 0;
    for (round, (first, second)) in rounds.iter().enumerate() {
        let (a, b) = tokio::join!(vote(&p, &p.bob, first, true), vote(&p, &p.bob, second, true));
        let (a, b) = (a?, b?);
        let passed = [&a, &b].iter().filter(|d| d["status"] == "PASSED" && !d["payout"].is_null()).count();
        let failed: Vec<&Value> = [&a, &b].into_iter().filter(|d| d["status"] == "FAILED").collect();
        // Round 1: 100 pays one 70 (30 left); later rounds: 30 pays neither.
        let expected = if round == 0 { 1 } else { 0 };
        ensure!(passed == expected && failed.len() == 2 - expected, "round {round}: {a} {b}");
        for f in failed {
            ensure!(f["payout"].is_null(), "{f}");
            ensure!(f["failureReason"].as_str().unwrap_or_default().contains("nothing was paid"), "{f}");
        }
        paid += passed;
    }

    // Assert: one transfer out, 100 - 70 = 30 left, never below zero.
    let pool = read_pool(&p).await?;
    ensure!(paid == 1 && balance(&pool) == Some("30"), "{pool}");
    let out = pool["history"].as_array().into_iter().flatten().filter(|e| e["flow"] == "ALLOCATION").count();
    ensure!(out == 1, "{pool}");
    Ok(())
}

#[tokio::test]
async fn an_allocation_passed_at_its_deadline_is_paid_by_the_sweeper() -> Result<()> {
    // Arrange: 100 in the pool; an allocation of 25 that only Alice votes for. 1 of 2 cast
    // reaches the quorum (1 ≥ 1/2 × 2) and 1 for of 1 cast the threshold, but Bob has not
    // voted, so it stays open until its deadline.
    let p = pooled().await?;
    deposit(&p, &p.alice, &p.wallets.0, "60").await?;
    deposit(&p, &p.bob, &p.wallets.1, "40").await?;
    let deadline = chrono::Utc::now() + chrono::Duration::seconds(2);
    let response = propose_by(&p, &p.alice.1, &p.pool, "25", &p.supplier.0, &deadline.to_rfc3339()).await?;
    let proposal = string_at(&response, "/data/createGovernanceProposal/governanceProposal/id")?;
    ensure!(vote(&p, &p.alice, &proposal, true).await?["status"] == "OPEN");

    // Act: nobody calls anything; the server's sweeper decides it after the deadline.
    let started = std::time::Instant::now();
    let decided = loop {
        let read = p
            .app
            .graphql(
                "query($id: ID!) { governanceProposal(id: $id) { status payout { resourceQuantity { hasNumericalValue } } } }",
                json!({ "id": proposal }),
            )
            .await?;
        let found = data(&read)?["governanceProposal"].clone();
        if found["status"] != "OPEN" {
            break found;
        }
        ensure!(started.elapsed() < std::time::Duration::from_secs(15), "not decided 15 s after the deadline");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };

    // Assert: passed and paid in the sweeper's transaction; 100 - 25 = 75 left.
    ensure!(
        decided == json!({ "status": "PASSED", "payout": { "resourceQuantity": { "hasNumericalValue": "25" } } }),
        "{decided}"
    );
    let pool = read_pool(&p).await?;
    ensure!(balance(&pool) == Some("75"), "{pool}");
    Ok(())
}
