//! The exchange firm end to end (DESIGN 7): a member selling a project's product straight to an
//! outside customer is refused with `MARKET_EXCHANGE_REQUIRES_EXCHANGE_FIRM` and nothing is
//! written; transfers inside the network, money paid out, and the exchange firm's own sale go
//! through; `recordSale` writes the agreement, the product's transfer and the revenue event in
//! one transaction, and writes nothing when refused.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, spawn_app, string_at};
use crate::sensor_kit::{
    AFFILIATE_OF, EVENT, EXCHANGE_FIRM_OF, PART_OF, Person, STEWARD_OF, organization, person, process, qty, record,
    relate, spec,
};

const MARKET: &str = "MARKET_EXCHANGE_REQUIRES_EXCHANGE_FIRM";

const ACCEPT: &str =
    "mutation($e: ID!) { acceptTransfer(event: $e) { economicEvent { id consent } economicResource { id } } }";

const SALE: &str = "mutation($s: SaleCreateParams!, $k: String) {
  recordSale(sale: $s, idempotencyKey: $k) {
    agreement { id name economicEvents { id } }
    productTransfer { id action { id } provider { id } receiver { id } resourceQuantity { hasNumericalValue }
      resourceInventoriedAs { id } realizationOf { id } consent inScopeOf { ... on Organization { id } } }
    revenueEvent { id action { id } provider { id } receiver { id } resourceQuantity { hasNumericalValue }
      toResourceInventoriedAs { id } reciprocalRealizationOf { id } consent inScopeOf { ... on Organization { id } } }
  } }";

/// A network with its exchange firm (Fiona its steward), a project part of it, Alice (an
/// affiliate of the network) holding 10 kits made in the project, Bob (an affiliate of the
/// project), Cam (a customer, no relationship), dollars as a medium of exchange.
struct Market {
    app: TestApp,
    steward: Person,
    project: String,
    firm: Person,
    fiona: Person,
    alice: Person,
    bob: Person,
    cam: Person,
    each: String,
    usd: String,
    usd_spec: String,
    kits: String,
}

/// Records a transfer that waits for its receiver's consent; returns the waiting event's id.
async fn offer(app: &TestApp, token: &str, event: Value, resource: Value) -> Result<String> {
    let response = app.graphql_as(token, EVENT, json!({ "e": event, "r": resource })).await?;
    let created = &data(&response)?["createEconomicEvent"]["economicEvent"];
    ensure!(created["consent"] == "PENDING", "waits for the receiver: {response}");
    Ok(created["id"].as_str().context("event id")?.to_owned())
}

async fn onhand(app: &TestApp, resource: &str) -> Result<String> {
    let response = app
        .graphql(
            "query($r: ID!) { economicResource(id: $r) { onhandQuantity { hasNumericalValue } } }",
            json!({ "r": resource }),
        )
        .await?;
    let value = &data(&response)?["economicResource"]["onhandQuantity"]["hasNumericalValue"];
    Ok(value.as_str().map_or_else(|| value.to_string(), str::to_owned))
}

/// How many events, agreements and waiting transfers for Cam there are: a refused write
/// changes none of them.
async fn written(m: &Market) -> Result<(i64, i64, usize)> {
    let pending =
        m.app.graphql("query($r: ID!) { pendingTransfers(receiver: $r) { id } }", json!({ "r": m.cam.id })).await?;
    let pending = data(&pending)?["pendingTransfers"].as_array().map_or(0, Vec::len);
    Ok((m.app.total("economicEvents").await?, m.app.total("agreements").await?, pending))
}

async fn market() -> Result<Market> {
    let app = spawn_app().await?;
    let steward = person(&app, "Steward").await?;
    let (fiona, alice, bob, cam) = (
        person(&app, "Fiona").await?,
        person(&app, "Alice").await?,
        person(&app, "Bob").await?,
        person(&app, "Cam").await?,
    );
    let network = organization(&app, &steward.token, "Sensorica", "ovn:Network").await?;
    let project = organization(&app, &steward.token, "Sensor kit", "ovn:Project").await?;
    let firm_id = organization(&app, &steward.token, "Exchange firm", "ovn:ExchangeFirm").await?;
    let firm = Person { token: app.token_for(&firm_id)?, id: firm_id };
    relate(&app, &steward.token, &steward.id, STEWARD_OF, &network).await?;
    relate(&app, &steward.token, &project, PART_OF, &network).await?;
    relate(&app, &steward.token, &firm.id, EXCHANGE_FIRM_OF, &network).await?;
    relate(&app, &fiona.token, &fiona.id, STEWARD_OF, &firm.id).await?;
    relate(&app, &alice.token, &alice.id, AFFILIATE_OF, &network).await?;
    relate(&app, &bob.token, &bob.id, AFFILIATE_OF, &project).await?;
    let (each, usd) = (
        app.create_unit(&steward.token, "each", "ea").await?,
        app.create_unit(&steward.token, "US dollar", "USD").await?,
    );
    let kit_spec = spec(&app, &steward.token, json!({ "name": "sensor kit" })).await?;
    let usd_spec = spec(&app, &steward.token, json!({ "name": "US dollars", "mediumOfExchange": true })).await?;
    let assembly = process(&app, &steward.token, "assembly", &project).await?;
    let kits = record(
        &app,
        &alice.token,
        json!({ "action": "produce", "provider": alice.id, "receiver": alice.id, "outputOf": assembly,
                "resourceQuantity": qty("10", &each), "resourceConformsTo": kit_spec, "inScopeOf": [project] }),
        json!({ "name": "sensor kits" }),
    )
    .await?
    .1
    .context("the kits")?;
    Ok(Market { app, steward, project, firm, fiona, alice, bob, cam, each, usd, usd_spec, kits })
}

fn to_cam(m: &Market, provider: &str, resource: &str, quantity: &str) -> Value {
    json!({ "action": "transfer", "provider": provider, "receiver": m.cam.id, "resourceInventoriedAs": resource,
            "resourceQuantity": qty(quantity, &m.each), "inScopeOf": [m.project] })
}

/// Alice hands `quantity` kits to the firm (inside the network), and Fiona, the firm's
/// steward, accepts them for it; returns the firm's stock.
async fn stock_the_firm(m: &Market, quantity: &str) -> Result<String> {
    let waiting = offer(
        &m.app,
        &m.alice.token,
        json!({ "action": "transfer", "provider": m.alice.id, "receiver": m.firm.id, "resourceInventoriedAs": m.kits,
                "resourceQuantity": qty(quantity, &m.each), "inScopeOf": [m.project] }),
        json!({ "name": "the firm's kits" }),
    )
    .await?;
    let accepted = m.app.graphql_as(&m.fiona.token, ACCEPT, json!({ "e": waiting })).await?;
    string_at(&accepted, "/data/acceptTransfer/economicResource/id")
}

#[tokio::test]
async fn a_member_selling_a_projects_product_straight_to_a_customer_is_refused_and_nothing_is_written() -> Result<()> {
    let m = market().await?;
    let before = written(&m).await?;
    for action in ["transfer", "transferAllRights"] {
        let mut event = to_cam(&m, &m.alice.id, &m.kits, "2");
        event["action"] = json!(action);
        let refused =
            m.app.graphql_as(&m.alice.token, EVENT, json!({ "e": event, "r": { "name": "Cam's kits" } })).await?;
        assert_refused(&refused, "createEconomicEvent", MARKET)?;
        // Cam recording it as the receiver is no way round.
        let by_cam = m.app.graphql_as(&m.cam.token, EVENT, json!({ "e": event })).await?;
        assert_refused(&by_cam, "createEconomicEvent", MARKET)?;
    }
    // The project's steward, on the project's behalf, cannot either.
    let by_steward =
        m.app.graphql_as(&m.steward.token, EVENT, json!({ "e": to_cam(&m, &m.alice.id, &m.kits, "2") })).await?;
    assert_refused(&by_steward, "createEconomicEvent", MARKET)?;
    assert_eq!(written(&m).await?, before, "no event, agreement or waiting transfer");
    assert_eq!(onhand(&m.app, &m.kits).await?, "10");
    Ok(())
}

#[tokio::test]
async fn transfers_inside_the_network_money_and_the_exchange_firms_own_sale_go_through() -> Result<()> {
    let m = market().await?;
    // Alice to Bob (an affiliate of the project), and to the firm: inside the network.
    offer(
        &m.app,
        &m.alice.token,
        json!({ "action": "transfer", "provider": m.alice.id, "receiver": m.bob.id, "resourceInventoriedAs": m.kits,
                "resourceQuantity": qty("1", &m.each), "inScopeOf": [m.project] }),
        json!({ "name": "Bob's kit" }),
    )
    .await?;
    let firm_kits = stock_the_firm(&m, "5").await?;
    assert_eq!(onhand(&m.app, &m.kits).await?, "5");
    assert_eq!(onhand(&m.app, &firm_kits).await?, "5");
    // Money is no product: Alice pays Cam (a supplier, say) in the project's scope.
    let wallet = record(
        &m.app,
        &m.alice.token,
        json!({ "action": "raise", "provider": m.alice.id, "receiver": m.alice.id, "resourceConformsTo": m.usd_spec,
                "resourceQuantity": qty("100", &m.usd) }),
        json!({ "name": "Alice's dollars" }),
    )
    .await?
    .1
    .context("wallet")?;
    let paid = m
        .app
        .graphql_as(
            &m.cam.token,
            EVENT,
            json!({ "e": { "action": "transfer", "provider": m.alice.id, "receiver": m.cam.id, "resourceInventoriedAs": wallet,
                           "resourceQuantity": qty("30", &m.usd), "inScopeOf": [m.project] } }),
        )
        .await?;
    data(&paid)?;
    assert_eq!(onhand(&m.app, &wallet).await?, "70");
    // Outside any scope the rule does not look: that transfer is Alice's own business, not the
    // project's (and counts in no scope's value).
    offer(
        &m.app,
        &m.alice.token,
        json!({ "action": "transfer", "provider": m.alice.id, "receiver": m.cam.id,
        "resourceInventoriedAs": m.kits, "resourceQuantity": qty("1", &m.each) }),
        Value::Null,
    )
    .await?;
    // The firm sells: it waits for Cam's consent like any transfer, and Cam accepts.
    let waiting =
        offer(&m.app, &m.firm.token, to_cam(&m, &m.firm.id, &firm_kits, "2"), json!({ "name": "Cam's kits" })).await?;
    let accepted = m.app.graphql_as(&m.cam.token, ACCEPT, json!({ "e": waiting })).await?;
    let cams = string_at(&accepted, "/data/acceptTransfer/economicResource/id")?;
    assert_eq!(onhand(&m.app, &firm_kits).await?, "3");
    assert_eq!(onhand(&m.app, &cams).await?, "2");
    Ok(())
}

fn sale(m: &Market, product: &str, quantity: &str, price: &str, paid_into: Option<&str>) -> Value {
    json!({ "inScopeOf": m.project, "customer": m.cam.id, "product": product, "quantity": qty(quantity, &m.each),
            "price": qty(price, &m.usd), "currency": m.usd_spec, "paidInto": paid_into, "name": "invoice 1",
            "hasPointInTime": "2026-03-01T12:00:00Z" })
}

#[tokio::test]
async fn record_sale_writes_the_agreement_the_products_transfer_and_the_revenue_event_at_once() -> Result<()> {
    let m = market().await?;
    let firm_kits = stock_the_firm(&m, "10").await?;
    let till = record(
        &m.app,
        &m.firm.token,
        json!({ "action": "raise", "provider": m.firm.id, "receiver": m.firm.id, "resourceConformsTo": m.usd_spec,
                "resourceQuantity": qty("100", &m.usd) }),
        json!({ "name": "the firm's till" }),
    )
    .await?
    .1
    .context("till")?;
    let response = m
        .app
        .graphql_as(&m.fiona.token, SALE, json!({ "s": sale(&m, &firm_kits, "4", "400", Some(&till)), "k": "sale-1" }))
        .await?;
    let sold = &data(&response)?["recordSale"];
    let agreement = sold["agreement"]["id"].as_str().context("agreement")?;
    assert_eq!(sold["agreement"]["name"], "invoice 1");
    let (transfer, revenue) = (&sold["productTransfer"], &sold["revenueEvent"]);
    assert_eq!(transfer["action"]["id"], "transfer");
    assert_eq!((&transfer["provider"]["id"], &transfer["receiver"]["id"]), (&json!(m.firm.id), &json!(m.cam.id)));
    assert_eq!(transfer["resourceQuantity"]["hasNumericalValue"], "4");
    assert_eq!(transfer["resourceInventoriedAs"]["id"], json!(firm_kits));
    assert_eq!(transfer["realizationOf"]["id"], agreement);
    assert!(transfer["consent"].is_null(), "in the books at once: {response}");
    assert_eq!(revenue["action"]["id"], "transfer");
    assert_eq!((&revenue["provider"]["id"], &revenue["receiver"]["id"]), (&json!(m.cam.id), &json!(m.firm.id)));
    assert_eq!(revenue["resourceQuantity"]["hasNumericalValue"], "400");
    assert_eq!(revenue["toResourceInventoriedAs"]["id"], json!(till));
    assert_eq!(revenue["reciprocalRealizationOf"]["id"], agreement);
    assert!(revenue["consent"].is_null());
    for event in [transfer, revenue] {
        assert_eq!(event["inScopeOf"], json!([{ "id": m.project }]));
    }
    // The books: 10 - 4 kits with the firm, 100 + 400 dollars in its till.
    assert_eq!(onhand(&m.app, &firm_kits).await?, "6");
    assert_eq!(onhand(&m.app, &till).await?, "500");
    // A retry with the same key answers with the same sale and writes nothing more.
    let before = written(&m).await?;
    let again = m
        .app
        .graphql_as(&m.fiona.token, SALE, json!({ "s": sale(&m, &firm_kits, "4", "400", Some(&till)), "k": "sale-1" }))
        .await?;
    let again = &data(&again)?["recordSale"];
    assert_eq!(again["agreement"]["id"], agreement);
    assert_eq!(again["revenueEvent"]["id"], revenue["id"]);
    assert_eq!(again["productTransfer"]["id"], transfer["id"]);
    assert_eq!(written(&m).await?, before);
    assert_eq!(onhand(&m.app, &firm_kits).await?, "6");
    // The firm itself may record a sale too, without naming a till.
    let response =
        m.app.graphql_as(&m.firm.token, SALE, json!({ "s": sale(&m, &firm_kits, "1", "100", None) })).await?;
    let revenue = &data(&response)?["recordSale"]["revenueEvent"];
    assert!(revenue["toResourceInventoriedAs"].is_null());
    assert_eq!(onhand(&m.app, &firm_kits).await?, "5");
    Ok(())
}

#[tokio::test]
async fn a_refused_sale_writes_nothing() -> Result<()> {
    let m = market().await?;
    let firm_kits = stock_the_firm(&m, "3").await?;
    let before = written(&m).await?;
    let unknown = "00000000-0000-7000-8000-000000000000";
    let mut other_currency = sale(&m, &firm_kits, "1", "100", None);
    other_currency["currency"] = json!(spec(&m.app, &m.steward.token, json!({ "name": "kit vouchers" })).await?);
    for (who, input, code, why) in [
        (&m.fiona, sale(&m, &firm_kits, "1", "0", None), "BAD_INPUT", "a price of zero"),
        (&m.fiona, sale(&m, unknown, "1", "100", None), "BAD_INPUT", "an unknown product"),
        (&m.fiona, sale(&m, &firm_kits, "4", "400", None), "BAD_INPUT", "more than the firm has on hand"),
        (&m.fiona, sale(&m, &m.kits, "1", "100", None), "BAD_INPUT", "a product that is not the firm's"),
        (&m.fiona, other_currency, "BAD_INPUT", "a currency that is no medium of exchange"),
        (&m.alice, sale(&m, &firm_kits, "1", "100", None), "FORBIDDEN", "an affiliate is not the firm"),
        (&m.steward, sale(&m, &firm_kits, "1", "100", None), "FORBIDDEN", "the network's steward is not the firm's"),
    ] {
        let response = m.app.graphql_as(&who.token, SALE, json!({ "s": input })).await?;
        assert_refused(&response, "recordSale", code).with_context(|| why.to_owned())?;
        assert_eq!(written(&m).await?, before, "{why}: nothing written");
    }
    assert_eq!(onhand(&m.app, &firm_kits).await?, "3");
    Ok(())
}
