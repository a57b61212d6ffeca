//! `distributeRevenue` end to end: the sensor kit's sale split as DESIGN 4.6 works it out and
//! paid as events the recipients receive, once (also under 16 concurrent calls); a cascade two
//! levels deep; `REMAINING`, `DEBT` (water-filling) and `ONCE` across two distributions, with
//! their vf claims; a cycle of scopes refused; bad revenue events refused with nothing written.

use anyhow::{Context, Result, ensure};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, spawn_app, string_at};
use crate::sensor_kit::{
    AFFILIATE_OF, CREATE_EQUATION, EVENT, PART_OF, Person, STEWARD_OF, create, exchange_firm, organization, person,
    process, qty, record, relate, sale, sensor_kit, spec, vote_in,
};

const DISTRIBUTE: &str = "mutation($r: ID!, $d: ID, $q: Decimal, $k: String) {
  distributeRevenue(revenueEvent: $r, deliverable: $d, quantity: $q, idempotencyKey: $k) { distribution {
    id amount unclaimed equationVersion depth
    lines { agent { name } amount bucketName explanation payout { id provider { name } receiver { name }
            resourceQuantity { hasNumericalValue } inScopeOf { ... on Organization { name } } } }
    cascades { id scope { name } amount unclaimed lines { agent { name } amount payout { id provider { name } } }
               cascades { id scope { name } amount lines { agent { name } amount payout { id } } cascades { id } } } } } }";

/// The lines of a distribution as (name, amount), in order.
fn lines_of(distribution: &Value) -> Vec<(String, String)> {
    distribution["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                l["agent"]["name"].as_str().unwrap_or_default().to_owned(),
                l["amount"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

async fn distributions_count(app: &TestApp, scope: &str) -> Result<usize> {
    let listed = app.graphql("query($s: ID!) { distributions(scope: $s) { id } }", json!({ "s": scope })).await?;
    Ok(data(&listed)?["distributions"].as_array().map_or(0, Vec::len))
}

async fn events_provided_by(app: &TestApp, agent: &str) -> Result<Vec<Value>> {
    let found = app
        .graphql(
            "query($f: EconomicEventFilterParams) { economicEvents(filter: $f, first: 100) { edges { node {
               id receiver { name } resourceQuantity { hasNumericalValue } } } } }",
            json!({ "f": { "providerId": [agent] } }),
        )
        .await?;
    Ok(data(&found)?["economicEvents"]["edges"].as_array().cloned().unwrap_or_default())
}

#[tokio::test]
async fn the_sensor_kit_sale_is_distributed_exactly_once_and_paid_as_events() -> Result<()> {
    let k = sensor_kit().await?;
    let (revenue, till) = sale(&k.app, &k.steward, &k.exchange, &k.project, "400", &k.usd, &k.usd_spec).await?;
    let equity = "query($p: ID!) { fluidEquity(scope: $p) { total holders { agent { name } value } } }";
    let before = k.app.graphql(equity, json!({ "p": k.project })).await?;

    let first = k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": revenue, "d": k.kits, "q": "4" })).await?;
    let d = &data(&first)?["distributeRevenue"]["distribution"];
    // DESIGN 4.6: I 5% of 400 = 20.00; 95% = 380 over the 4 kits' shares 180/120/32/12 (344):
    // Alice 198.837…, Carol 132.558…, Bob 35.348…, Dan 13.255…; floors 198.83 + 132.55 + 35.34
    // + 13.25 = 379.97; the 3 cents go to the largest remainders: Bob (.0081), Carol (.0081),
    // Alice (.0072). Sum 400.00, nothing unclaimed.
    ensure!(
        lines_of(d)
            == pairs(&[
                ("Infrastructure fund", "20"),
                ("Alice", "198.84"),
                ("Carol", "132.56"),
                ("Bob", "35.35"),
                ("Dan", "13.25")
            ]),
        "{d}"
    );
    ensure!(d["amount"] == "400" && d["unclaimed"] == "0" && d["equationVersion"] == 1 && d["depth"] == 0, "{d}");
    ensure!(d["cascades"] == json!([]), "nobody paid has an equation of its own: {d}");
    for line in d["lines"].as_array().into_iter().flatten() {
        let payout = &line["payout"];
        ensure!(payout["provider"]["name"] == "Exchange firm", "paid by the exchange firm: {line}");
        ensure!(payout["receiver"]["name"] == line["agent"]["name"], "{line}");
        ensure!(payout["resourceQuantity"]["hasNumericalValue"] == line["amount"], "{line}");
        ensure!(payout["inScopeOf"] == json!([{ "name": "Sensor kit" }]), "{line}");
    }
    let explanation = d["lines"][1]["explanation"].as_str().unwrap_or_default();
    ensure!(explanation.contains("bucket `kit` (DELIVERABLE, 95%)"), "{explanation}");
    // Alice's shares weigh 180 of the 344 the 4 kits hold.
    ensure!(explanation.contains("weigh 180 of 344"), "{explanation}");

    // Each line's parts (read apart from the line) add up to its exact amount; the fund's
    // `AGENT` line pays no contribution.
    let parts = k
        .app
        .graphql(
            "query($d: ID!) { distribution(id: $d) { lines { agent { name } exact parts { event { id } part claimType } } } }",
            json!({ "d": d["id"] }),
        )
        .await?;
    let lines = data(&parts)?["distribution"]["lines"].as_array().cloned().unwrap_or_default();
    ensure!(lines.len() == 5, "{parts}");
    for line in &lines {
        let listed = line["parts"].as_array().cloned().unwrap_or_default();
        let sum: Decimal =
            listed.iter().map(|p| p["part"].as_str().unwrap_or_default().parse::<Decimal>()).sum::<Result<_, _>>()?;
        let exact: Decimal = line["exact"].as_str().unwrap_or_default().parse()?;
        match line["agent"]["name"].as_str() {
            Some("Infrastructure fund") => ensure!(listed.is_empty(), "{line}"),
            _ => {
                // Exact to the 20th decimal (the parts are summed in another order here).
                ensure!(!listed.is_empty() && (sum - exact).abs() < Decimal::new(1, 20), "{line}: parts sum to {sum}");
                ensure!(listed.iter().all(|p| p["claimType"] == "EQUITY"), "{line}");
            }
        }
    }

    // The payouts are events Alice received, and what payoutsTo lists.
    let alice = k
        .app
        .graphql(
            "query($f: EconomicEventFilterParams, $a: ID!) {
               economicEvents(filter: $f) { edges { node { action { id } provider { name } resourceQuantity { hasNumericalValue } } } }
               payoutsTo(agent: $a) { amount distribution { scope { name } } payout { id } } }",
            json!({ "f": { "receiverId": [k.alice.id], "providerId": [k.exchange] }, "a": k.alice.id }),
        )
        .await?;
    let alice = data(&alice)?;
    ensure!(
        alice["economicEvents"]["edges"]
            == json!([{ "node": { "action": { "id": "transfer" }, "provider": { "name": "Exchange firm" },
                                 "resourceQuantity": { "hasNumericalValue": "198.84" } } }]),
        "{alice}"
    );
    ensure!(
        alice["payoutsTo"][0]["amount"] == "198.84"
            && alice["payoutsTo"][0]["distribution"]["scope"]["name"] == "Sensor kit",
        "{alice}"
    );

    // The till paid out all 400: nothing left with the exchange firm.
    let left = k
        .app
        .graphql(
            "query($r: ID!) { economicResource(id: $r) { accountingQuantity { hasNumericalValue } } }",
            json!({ "r": till }),
        )
        .await?;
    ensure!(data(&left)?["economicResource"]["accountingQuantity"]["hasNumericalValue"] == "0", "{left}");
    // The five payouts were recorded as one batch, yet each left its own revision of the till:
    // 400 - 20 = 380, - 198.84 = 181.16, - 132.56 = 48.60, - 35.35 = 13.25, - 13.25 = 0.
    let latest =
        k.app.graphql("query($r: ID!) { economicResource(id: $r) { revisionId } }", json!({ "r": till })).await?;
    let latest = data(&latest)?["economicResource"]["revisionId"].as_str().unwrap_or_default().to_owned();
    let number: i64 = latest.rsplit(':').next().unwrap_or_default().parse()?;
    let mut kept = Vec::new();
    for n in number - 5..=number {
        let at = k
            .app
            .graphql(
                "query($r: ID!, $at: ID!) { economicResource(id: $r) { revision(revisionId: $at) { accountingQuantity { hasNumericalValue } } } }",
                json!({ "r": till, "at": format!("{till}:{n}") }),
            )
            .await?;
        let value = data(&at)?["economicResource"]["revision"]["accountingQuantity"]["hasNumericalValue"].clone();
        kept.push(value.as_str().unwrap_or_default().parse::<Decimal>()?);
    }
    let expected: Vec<Decimal> =
        ["400", "380", "181.16", "48.60", "13.25", "0"].iter().map(|v| v.parse()).collect::<Result<_, _>>()?;
    ensure!(kept == expected, "the till's last six revisions: {kept:?}");

    // The exchange firm is an affiliate of the network and its payouts are transfers of USD in
    // the project's scope, which the equation's cash rule would value: fluid equity must not
    // change, since a payout is no contribution.
    let after = k.app.graphql(equity, json!({ "p": k.project })).await?;
    ensure!(data(&after)? == data(&before)?, "fluid equity changed: {before} -> {after}");
    ensure!(data(&after)?["fluidEquity"]["total"] == "860", "{after}");

    // Once: a second call answers the first distribution, and pays nothing more.
    let again = k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": revenue, "d": k.kits, "q": "4" })).await?;
    ensure!(data(&again)?["distributeRevenue"]["distribution"]["id"] == d["id"], "{again}");
    ensure!(events_provided_by(&k.app, &k.exchange).await?.len() == 5, "five payouts, once");
    ensure!(distributions_count(&k.app, &k.project).await? == 1);

    // Anyone else may not distribute.
    let stranger = person(&k.app, "Stranger").await?;
    let (other, _) = sale(&k.app, &k.steward, &k.exchange, &k.project, "10", &k.usd, &k.usd_spec).await?;
    let refused = k.app.graphql_as(&stranger.token, DISTRIBUTE, json!({ "r": other, "d": k.kits, "q": "1" })).await?;
    assert_refused(&refused, "distributeRevenue", "FORBIDDEN")?;
    Ok(())
}

#[tokio::test]
async fn sixteen_concurrent_calls_make_one_distribution_and_one_set_of_payouts() -> Result<()> {
    let k = sensor_kit().await?;
    let (revenue, _) = sale(&k.app, &k.steward, &k.exchange, &k.project, "400", &k.usd, &k.usd_spec).await?;
    let calls =
        (0..16).map(|_| k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": revenue, "d": k.kits, "q": "4" })));
    let answers = futures::future::join_all(calls).await;
    let mut ids = std::collections::BTreeSet::new();
    for answer in answers {
        let answer = answer?;
        ids.insert(string_at(&answer, "/data/distributeRevenue/distribution/id")?);
        ensure!(lines_of(&answer["data"]["distributeRevenue"]["distribution"]).len() == 5, "{answer}");
    }
    ensure!(ids.len() == 1, "every call answers the same distribution: {ids:?}");
    ensure!(distributions_count(&k.app, &k.project).await? == 1);
    let payouts = events_provided_by(&k.app, &k.exchange).await?;
    ensure!(payouts.len() == 5, "one set of payouts: {payouts:?}");
    Ok(())
}

#[tokio::test]
async fn bad_revenue_events_are_refused_with_nothing_written() -> Result<()> {
    let k = sensor_kit().await?;
    let events_before = k.app.total("economicEvents").await?;
    let refuse = |response: &Value, why: &str| -> Result<()> {
        assert_refused(response, "distributeRevenue", "BAD_INPUT")?;
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        ensure!(message.contains(why), "expected `{why}` in `{message}`");
        Ok(())
    };
    // Work is no payment.
    let (work, _) = record(
        &k.app,
        &k.bob.token,
        json!({ "action": "work", "provider": k.bob.id, "receiver": k.project, "inputOf": k.design,
                "effortQuantity": qty("1", &k.hour), "inScopeOf": [k.project] }),
        Value::Null,
    )
    .await?;
    let answer = k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": work })).await?;
    refuse(&answer, "not a payment")?;
    // A payment to someone who is not the exchange firm.
    let (_, wallet) = record(
        &k.app,
        &k.carol.token,
        json!({ "action": "raise", "provider": k.carol.id, "receiver": k.carol.id,
                "resourceConformsTo": k.usd_spec, "resourceQuantity": qty("50", &k.usd) }),
        json!({ "name": "Carol's purse" }),
    )
    .await?;
    let wallet = wallet.context("purse")?;
    let (to_bob, _) = record(
        &k.app,
        &k.bob.token,
        json!({ "action": "transfer", "provider": k.carol.id, "receiver": k.bob.id, "resourceInventoriedAs": wallet,
                "resourceQuantity": qty("5", &k.usd), "inScopeOf": [k.project] }),
        json!({ "name": "Bob's purse" }),
    )
    .await?;
    let answer = k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": to_bob })).await?;
    refuse(&answer, "no network's exchange firm")?;
    // A payment of nothing.
    let (zero, _) = sale(&k.app, &k.steward, &k.exchange, &k.project, "0", &k.usd, &k.usd_spec).await?;
    let answer = k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": zero })).await?;
    refuse(&answer, "amount of zero")?;
    // A payment still waiting for the firm's consent is not in the books.
    let waiting = k
        .app
        .graphql_as(
            &k.carol.token,
            EVENT,
            json!({ "e": { "action": "transfer", "provider": k.carol.id, "receiver": k.exchange,
                           "resourceInventoriedAs": wallet, "resourceQuantity": qty("5", &k.usd), "inScopeOf": [k.project] },
                    "r": { "name": "till" } }),
        )
        .await?;
    let waiting = string_at(&waiting, "/data/createEconomicEvent/economicEvent/id")?;
    let answer = k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": waiting })).await?;
    refuse(&answer, "does not exist")?;
    // A sale of the kits without naming them: the DELIVERABLE bucket cannot be split.
    let (revenue, _) = sale(&k.app, &k.steward, &k.exchange, &k.project, "40", &k.usd, &k.usd_spec).await?;
    let answer = k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": revenue })).await?;
    refuse(&answer, "name the deliverable")?;

    ensure!(distributions_count(&k.app, &k.project).await? == 0, "nothing distributed");
    ensure!(events_provided_by(&k.app, &k.exchange).await?.is_empty(), "nothing paid");
    // Recorded here: the work, the purse, Bob's transfer, two sales of two events each (the
    // customer's wallet and the payment; the waiting one is not in the books): 7 events, no
    // payout among them.
    ensure!(k.app.total("economicEvents").await? == events_before + 7);
    Ok(())
}

/// A network of scopes, each with an adopted equation of its own, for cascades.
struct Nested {
    app: TestApp,
    steward: Person,
    network: String,
    firm: String,
    usd: String,
    usd_spec: String,
    hour: String,
    skill: String,
}

async fn nested() -> Result<Nested> {
    let app = spawn_app().await?;
    let steward = person(&app, "Steward").await?;
    let network = organization(&app, &steward.token, "Network", "ovn:Network").await?;
    relate(&app, &steward.token, &steward.id, STEWARD_OF, &network).await?;
    let firm = exchange_firm(&app, &steward, &network).await?;
    let usd = app.create_unit(&steward.token, "US dollar", "USD").await?;
    let hour = app.create_unit(&steward.token, "hour", "h").await?;
    let usd_spec = spec(&app, &steward.token, json!({ "name": "US dollars", "mediumOfExchange": true })).await?;
    let skill = spec(&app, &steward.token, json!({ "name": "work", "defaultValuePerUnit": qty("10", &usd) })).await?;
    Ok(Nested { app, steward, network, firm, usd, usd_spec, hour, skill })
}

impl Nested {
    async fn scope(&self, name: &str) -> Result<String> {
        let scope = organization(&self.app, &self.steward.token, name, "ovn:Project").await?;
        relate(&self.app, &self.steward.token, &scope, PART_OF, &self.network).await?;
        Ok(scope)
    }

    async fn member(&self, name: &str) -> Result<Person> {
        let p = person(&self.app, name).await?;
        relate(&self.app, &p.token, &p.id, AFFILIATE_OF, &self.network).await?;
        Ok(p)
    }

    async fn work(&self, who: &Person, scope: &str, hours: &str) -> Result<()> {
        self.work_as(who, scope, hours, &self.skill).await
    }

    /// `who` works `hours` in `skill` in a process of `scope`.
    async fn work_as(&self, who: &Person, scope: &str, hours: &str, skill: &str) -> Result<()> {
        let inside = process(&self.app, &self.steward.token, "work", scope).await?;
        record(
            &self.app,
            &who.token,
            json!({ "action": "work", "provider": who.id, "receiver": scope, "effortQuantity": qty(hours, &self.hour),
                    "resourceConformsTo": skill, "inScopeOf": [scope], "inputOf": inside }),
            Value::Null,
        )
        .await?;
        Ok(())
    }

    /// Drafts `buckets` for `scope` and has `voters` (its contributors) adopt it.
    async fn adopt(&self, scope: &str, behavior: &str, buckets: Value, voters: &[&Person]) -> Result<String> {
        let proposer = voters.first().context("a voter")?;
        let id = create(
            &self.app,
            &proposer.token,
            CREATE_EQUATION,
            json!({ "q": { "scope": scope, "name": "v1", "percentageBehavior": behavior, "buckets": buckets } }),
            "/data/createValueEquation/valueEquation/id",
        )
        .await?;
        let decided = vote_in(&self.app, &proposer.token, scope, &id, voters, &[]).await?;
        ensure!(decided["status"] == "PASSED", "{decided}");
        Ok(id)
    }

    fn work_rule(&self, claim: &str) -> Value {
        json!({ "action": "work", "formula": "quantity * rate", "claimType": claim })
    }
}

#[tokio::test]
async fn a_line_to_a_scope_with_its_own_equation_cascades_two_levels_deep() -> Result<()> {
    let n = nested().await?;
    let (p, s, t) = (n.scope("P").await?, n.scope("S").await?, n.scope("T").await?);
    let (alice, bob, carol, dan) =
        (n.member("Alice").await?, n.member("Bob").await?, n.member("Carol").await?, n.member("Dan").await?);
    n.work(&alice, &p, "1").await?;
    n.work(&bob, &s, "2").await?;
    n.work(&carol, &s, "1").await?;
    n.work(&dan, &t, "3").await?;
    // P: 30% to S, 70% among P's work. S: 50% to T, 50% among S's work (a DELIVERABLE bucket:
    // with no deliverable in a cascade it weighs S's contributions). T: all among T's work.
    n.adopt(
        &t,
        "STRAIGHT",
        json!([{ "sequence": 1, "name": "work", "kind": "DELIVERABLE", "percentage": "100",
        "rules": [n.work_rule("EQUITY")] }]),
        &[&dan],
    )
    .await?;
    n.adopt(&s, "STRAIGHT", json!([
        { "sequence": 1, "name": "to T", "kind": "AGENT", "percentage": "50", "recipient": t },
        { "sequence": 2, "name": "work", "kind": "DELIVERABLE", "percentage": "50", "rules": [n.work_rule("EQUITY")] }
    ]), &[&bob, &carol]).await?;
    n.adopt(
        &p,
        "STRAIGHT",
        json!([
            { "sequence": 1, "name": "to S", "kind": "AGENT", "percentage": "30", "recipient": s },
            { "sequence": 2, "name": "work", "kind": "PERIOD", "percentage": "70", "rules": [n.work_rule("EQUITY")] }
        ]),
        &[&alice],
    )
    .await?;
    let (revenue, _) = sale(&n.app, &n.steward, &n.firm, &p, "10.01", &n.usd, &n.usd_spec).await?;
    let answer = n.app.graphql_as(&n.steward.token, DISTRIBUTE, json!({ "r": revenue })).await?;
    let top = &data(&answer)?["distributeRevenue"]["distribution"];
    // Level 0, P splits 10.01: S 30% = 3.003, Alice 70% = 7.007; rounded to cents by largest
    // remainder: floors 3.00 + 7.00 = 10.00, the missing cent to the larger remainder (Alice,
    // .007 against .003): S 3.00, Alice 7.01.
    ensure!(lines_of(top) == pairs(&[("S", "3"), ("Alice", "7.01")]), "{top}");
    let s_level = &top["cascades"][0];
    // Level 1, S splits the 3.00 it received: T 1.50; 1.50 among Bob 2 h and Carol 1 h (20 and
    // 10 at 10 an hour): Bob 1.00, Carol 0.50. Paid by S, out of what it received.
    ensure!(s_level["scope"]["name"] == "S" && s_level["amount"] == "3", "{s_level}");
    ensure!(lines_of(s_level) == pairs(&[("T", "1.5"), ("Bob", "1"), ("Carol", "0.5")]), "{s_level}");
    ensure!(s_level["lines"][1]["payout"]["provider"]["name"] == "S", "{s_level}");
    // Level 2, T splits 1.50: all to Dan. Nothing below.
    let t_level = &s_level["cascades"][0];
    ensure!(t_level["scope"]["name"] == "T" && t_level["amount"] == "1.5", "{t_level}");
    ensure!(lines_of(t_level) == pairs(&[("Dan", "1.5")]), "{t_level}");
    ensure!(t_level["cascades"] == json!([]), "{t_level}");
    // Every level is a distribution of its scope, and readable by id with its parent.
    for (scope, expected_count) in [(&p, 1), (&s, 1), (&t, 1)] {
        ensure!(distributions_count(&n.app, scope).await? == expected_count);
    }
    let read = n
        .app
        .graphql(
            "query($d: ID!) { distribution(id: $d) { depth parent { id } scope { name } } }",
            json!({ "d": t_level["id"] }),
        )
        .await?;
    ensure!(data(&read)?["distribution"]["depth"] == 2, "{read}");
    ensure!(data(&read)?["distribution"]["parent"]["id"] == s_level["id"], "{read}");
    Ok(())
}

#[tokio::test]
async fn scopes_that_pay_each_other_are_a_cycle_refused_with_nothing_written() -> Result<()> {
    let n = nested().await?;
    let (p, s) = (n.scope("P").await?, n.scope("S").await?);
    let (alice, bob) = (n.member("Alice").await?, n.member("Bob").await?);
    n.work(&alice, &p, "1").await?;
    n.work(&bob, &s, "1").await?;
    n.adopt(
        &p,
        "STRAIGHT",
        json!([{ "sequence": 1, "name": "to S", "kind": "AGENT", "percentage": "100", "recipient": s }]),
        &[&alice],
    )
    .await?;
    n.adopt(
        &s,
        "STRAIGHT",
        json!([{ "sequence": 1, "name": "to P", "kind": "AGENT", "percentage": "100", "recipient": p }]),
        &[&bob],
    )
    .await?;
    let (revenue, _) = sale(&n.app, &n.steward, &n.firm, &p, "10", &n.usd, &n.usd_spec).await?;
    let answer = n.app.graphql_as(&n.steward.token, DISTRIBUTE, json!({ "r": revenue })).await?;
    assert_refused(&answer, "distributeRevenue", "CYCLE")?;
    ensure!(distributions_count(&n.app, &p).await? == 0 && distributions_count(&n.app, &s).await? == 0);
    ensure!(events_provided_by(&n.app, &n.firm).await?.is_empty(), "nothing paid");
    Ok(())
}

#[tokio::test]
async fn remaining_debt_and_once_claims_across_two_distributions() -> Result<()> {
    let n = nested().await?;
    let q = n.scope("Q").await?;
    let fund = organization(&n.app, &n.steward.token, "Fund", "ovn:Fund").await?;
    let (bob, carol, dan, eve) =
        (n.member("Bob").await?, n.member("Carol").await?, n.member("Dan").await?, n.member("Eve").await?);
    let bonus =
        spec(&n.app, &n.steward.token, json!({ "name": "bonus work", "defaultValuePerUnit": qty("10", &n.usd) }))
            .await?;
    // Carol and Dan advance 20 and 60 (DEBT: repaid, then no more); Eve does 2 h of bonus work
    // (ONCE: 20, paid in one distribution); Bob works 10 h (EQUITY: 100).
    let mut fund_resource: Option<String> = None;
    for (who, amount) in [(&carol, "20"), (&dan, "60")] {
        let (_, wallet) = record(
            &n.app,
            &who.token,
            json!({ "action": "raise", "provider": who.id, "receiver": who.id,
            "resourceConformsTo": n.usd_spec, "resourceQuantity": qty(amount, &n.usd) }),
            json!({ "name": "wallet" }),
        )
        .await?;
        let mut deposit = json!({ "action": "transfer", "provider": who.id, "receiver": q,
            "resourceInventoriedAs": wallet.context("wallet")?, "resourceQuantity": qty(amount, &n.usd), "inScopeOf": [q] });
        let new = match &fund_resource {
            Some(f) => {
                deposit["toResourceInventoriedAs"] = json!(f);
                Value::Null
            }
            None => json!({ "name": "Q's fund" }),
        };
        let (_, created) = record(&n.app, &n.steward.token, deposit, new).await?;
        fund_resource = fund_resource.or(created);
    }
    n.work_as(&eve, &q, "2", &bonus).await?;
    n.work(&bob, &q, "10").await?;
    let cash =
        json!({ "action": "transfer", "resourceConformsTo": n.usd_spec, "formula": "quantity", "claimType": "DEBT" });
    let once =
        json!({ "action": "work", "resourceConformsTo": bonus, "formula": "quantity * rate", "claimType": "ONCE" });
    let labour =
        json!({ "action": "work", "resourceConformsTo": n.skill, "formula": "quantity * rate", "claimType": "EQUITY" });
    n.adopt(&q, "REMAINING", json!([
        { "sequence": 1, "name": "fund", "kind": "AGENT", "percentage": "10", "recipient": fund },
        { "sequence": 2, "name": "expenses", "kind": "PERIOD", "percentage": "50", "rules": [cash, once, labour.clone()] },
        { "sequence": 3, "name": "labour", "kind": "PERIOD", "percentage": "50", "rules": [labour] }
    ]), &[&bob, &carol, &dan, &eve]).await?;

    // Sale 1, 100. Fund 10% = 10; of the 90 left, expenses 50% = 45 over Carol 20, Dan 60,
    // Eve 20, Bob 100 (200): 0.225 each, Carol 4.50, Dan 13.50, Eve 4.50, Bob 22.50, no cap
    // reached; of the 45 left, labour 50% = 22.50 to Bob; the last 22.50 unclaimed.
    let (first, _) = sale(&n.app, &n.steward, &n.firm, &q, "100", &n.usd, &n.usd_spec).await?;
    let answer = n.app.graphql_as(&n.steward.token, DISTRIBUTE, json!({ "r": first })).await?;
    let one = &data(&answer)?["distributeRevenue"]["distribution"];
    ensure!(
        lines_of(one)
            == pairs(&[
                ("Fund", "10"),
                ("Bob", "22.5"),
                ("Dan", "13.5"),
                ("Carol", "4.5"),
                ("Eve", "4.5"),
                ("Bob", "22.5")
            ]),
        "{one}"
    );
    ensure!(one["unclaimed"] == "22.5", "REMAINING leaves the rest with the exchange firm: {one}");
    let claims = "query($a: ID!) { outstandingDebtClaims(agent: $a) { resourceQuantity { hasNumericalValue }
        settledQuantity { hasNumericalValue } remainingQuantity { hasNumericalValue } } }";
    let carol_owed = n.app.graphql(claims, json!({ "a": carol.id })).await?;
    ensure!(
        data(&carol_owed)?["outstandingDebtClaims"]
            == json!([{ "resourceQuantity": { "hasNumericalValue": "20" }, "settledQuantity": { "hasNumericalValue": "4.5" },
                        "remainingQuantity": { "hasNumericalValue": "15.5" } }]),
        "{carol_owed}"
    );

    // Sale 2, 400. Fund 40; of the 360 left, expenses 180: Eve is out (ONCE, paid); Carol is
    // owed 15.50 and Dan 46.50, Bob uncapped; weights 20/60/100 (180) would give 20/60/100:
    // Carol and Dan are over what they are owed, so they get 15.50 and 46.50 and the 118 left
    // goes to Bob (water-filling). Of the 180 left, labour 90 to Bob; 90 unclaimed.
    let (second, _) = sale(&n.app, &n.steward, &n.firm, &q, "400", &n.usd, &n.usd_spec).await?;
    let answer = n.app.graphql_as(&n.steward.token, DISTRIBUTE, json!({ "r": second })).await?;
    let two = &data(&answer)?["distributeRevenue"]["distribution"];
    ensure!(
        lines_of(two) == pairs(&[("Fund", "40"), ("Bob", "118"), ("Dan", "46.5"), ("Carol", "15.5"), ("Bob", "90")]),
        "{two}"
    );
    ensure!(two["unclaimed"] == "90", "{two}");
    // Both debts are paid in full: nothing outstanding.
    for who in [&carol, &dan] {
        let owed = n.app.graphql(claims, json!({ "a": who.id })).await?;
        ensure!(data(&owed)?["outstandingDebtClaims"] == json!([]), "{owed}");
    }
    let _ = eve;
    Ok(())
}
