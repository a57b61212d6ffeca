//! Use is a contribution (issue 11): the sensor kit with Dan's pooled printer under an access
//! rule that prices an hour of use at 6 (the printer says 5) and sends 20% of each use to
//! Mia, who maintains it. The printer's uses valued in `valueRollup`, `fluidEquity` and a
//! distribution with a `MAINTENANCE` bucket that pays Mia, every figure worked by hand; a use
//! the project itself provided is still Dan's contribution.

use std::str::FromStr;

use anyhow::{Result, ensure};
use chrono::Utc;
use ovn_domain::sharing::access::{AccessTarget, AccessTerms};
use ovn_domain::{AgentId, EconomicResourceId, Measure, UnitId};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::common::data;
use crate::sensor_kit::{
    CREATE_EQUATION, Kit, adopt, create, equation, expected, per_agent, person, qty, record, sale, sensor_kit,
};

const DISTRIBUTE: &str = "mutation($r: ID!, $d: ID, $q: Decimal) {
  distributeRevenue(revenueEvent: $r, deliverable: $d, quantity: $q) { distribution {
    amount unclaimed lines { agent { name } amount bucketName explanation } } } }";

/// Dan's rule on his printer: any affiliate of the network (and the project, named) may use
/// it, at 6 an hour, 20% of each use to `maintainer`. Set through persistence on the test's
/// own connection until the `setAccessRule` mutation lands.
async fn printer_rule(k: &Kit, maintainer: &str) -> Result<()> {
    let id = |text: &str| AgentId::parse(text);
    let terms = AccessTerms {
        scope: id(&k.network)?,
        any_affiliate: true,
        roles: vec![],
        agents: vec![id(&k.project)?],
        minimum_reputation: None,
        requires_approval: false,
        longest_booking: None,
        value_per_unit_of_use: Some(Measure::new(Decimal::from(6), Some(UnitId::parse(&k.usd)?))),
        maintenance_share: Decimal::from_str("0.2")?,
        maintenance_recipient: Some(id(maintainer)?),
        note: None,
    };
    let target = AccessTarget::Resource(EconomicResourceId::parse(&k.printer)?);
    ovn_persistence::sharing::access::set_rule_in(
        k.app.store.connection(),
        target,
        terms.check()?,
        id(&k.dan.id)?,
        None,
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// The value of `field` in each entry of `list`, by agent name.
fn by_name(list: &Value, field: &str) -> Vec<(String, String)> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["agent"]["name"].as_str().unwrap_or_default().to_owned(),
                x[field].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[tokio::test]
async fn a_pooled_printer_s_use_is_valued_with_its_maintenance_share_in_rollup_equity_and_distribution() -> Result<()> {
    let k = sensor_kit().await?;
    let mia = person(&k.app, "Mia").await?;
    printer_rule(&k, &mia.id).await?;
    // The project itself brings the printer into the assembly for 2 h more: the project
    // contributes nothing to itself, but the use is Dan's, an affiliate, so it counts.
    let (brought, _) = record(
        &k.app,
        &k.steward.token,
        json!({ "action": "use", "provider": k.project, "receiver": k.project, "inputOf": k.assembly,
                "resourceInventoriedAs": k.printer, "effortQuantity": qty("2", &k.hour), "inScopeOf": [k.project] }),
        Value::Null,
    )
    .await?;
    let counted =
        k.app.graphql("query($e: ID!) { economicEvent(id: $e) { isContribution } }", json!({ "e": brought })).await?;
    ensure!(data(&counted)?["economicEvent"]["isContribution"] == true, "Dan's contribution: {counted}");

    // The uses at the rule's 6 an hour: Dan's 6 h are 36, 7.2 (20%) to maintenance and 28.8
    // Dan's; the project's 2 h are 12, 2.4 and 9.6. The 10 kits: shares 450 + 300 + 80 + 38.4
    // = 868.4 and maintenance 9.6, 878 in all. The 4 sold (0.4): Alice 180, Carol 120, Bob 32,
    // Dan 15.36 (11.52 + 3.84); Mia 2.88 + 0.96 = 3.84; 351.2 in all.
    const ROLLUP: &str = "query($r: ID!, $q: Decimal) { valueRollup(resource: $r, quantity: $q) {
        totalValue shares { agent { name } value explanation } maintenance { agent { name } value event { id } explanation } } }";
    let all = k.app.graphql(ROLLUP, json!({ "r": k.kits })).await?;
    let all = &data(&all)?["valueRollup"];
    ensure!(all["totalValue"] == "878", "{all}");
    let four = k.app.graphql(ROLLUP, json!({ "r": k.kits, "q": "4" })).await?;
    let four = &data(&four)?["valueRollup"];
    ensure!(four["totalValue"] == "351.2", "{four}");
    let mut dan: Vec<String> = four["shares"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["agent"]["name"] == "Dan")
        .map(|s| s["value"].as_str().unwrap_or_default().to_owned())
        .collect();
    dan.sort();
    ensure!(dan == ["11.52", "3.84"], "Dan's two uses, less maintenance: {four}");
    ensure!(
        per_agent(&four["shares"], "value").keys().cloned().collect::<Vec<_>>() == ["Alice", "Bob", "Carol", "Dan"],
        "nothing for the project nor for Mia among the contributors: {four}"
    );
    ensure!(by_name(&four["maintenance"], "value") == pairs(&[("Mia", "2.88"), ("Mia", "0.96")]), "{four}");
    let upkeep = four["maintenance"][0]["explanation"].as_str().unwrap_or_default();
    ensure!(
        upkeep.contains("with quantity 6, valuePerUnitOfUse 6 = 36; 20% (7.2) to maintenance, 28.8 to the owner")
            && upkeep.ends_with("0.4 of it is in this deliverable: 2.88"),
        "{upkeep}"
    );
    ensure!(four["maintenance"][1]["event"]["id"] == json!(brought), "{four}");

    // Fluid equity: Dan holds 28.8 + 9.6 = 38.4 (the project's use credited to him); Mia's
    // maintenance is nobody's equity. 450/868.4 = 0.51819438…, 300/868.4 = 0.34546292…,
    // 80/868.4 = 0.09212344…, 38.4/868.4 = 0.04421925…: floors add up to 0.999998, the two
    // millionths go to Carol (0.92e-6) and Bob (0.45e-6).
    let equity = k
        .app
        .graphql(
            "query($p: ID!, $a: ID!) { fluidEquity(scope: $p) { total holders { agent { name } value share }
               contributions(agent: $a) { event { id } value maintenance maintenanceRecipient { name } explanation } } }",
            json!({ "p": k.project, "a": k.dan.id }),
        )
        .await?;
    let equity = &data(&equity)?["fluidEquity"];
    ensure!(equity["total"] == "868.4", "{equity}");
    ensure!(
        per_agent(&equity["holders"], "value")
            == expected(&[("Alice", "450"), ("Carol", "300"), ("Bob", "80"), ("Dan", "38.4")]),
        "{equity}"
    );
    ensure!(
        per_agent(&equity["holders"], "share")
            == expected(&[("Alice", "0.518194"), ("Carol", "0.345463"), ("Bob", "0.092124"), ("Dan", "0.044219")]),
        "{equity}"
    );
    let project_use = equity["contributions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["event"]["id"] == json!(brought))
        .cloned()
        .unwrap_or_default();
    ensure!(
        project_use["value"] == "9.6"
            && project_use["maintenance"] == "2.4"
            && project_use["maintenanceRecipient"]["name"] == "Mia",
        "{project_use}"
    );

    // v2: I 5%, the kit 90%, maintenance 5%, adopted by the contributors' vote.
    let mut v2 = equation(&k.project, &k.fund, "v2", "1.5", &k.design_skill, &k.usd_spec);
    v2["buckets"][1]["percentage"] = json!("90");
    if let Some(buckets) = v2["buckets"].as_array_mut() {
        buckets.push(json!({ "sequence": 3, "name": "maintenance", "kind": "MAINTENANCE", "percentage": "5" }));
    }
    let v2 = create(
        &k.app,
        &k.alice.token,
        CREATE_EQUATION,
        json!({ "q": v2 }),
        "/data/createValueEquation/valueEquation/id",
    )
    .await?;
    let decided = adopt(&k, &v2).await?;
    ensure!(decided["status"] == "PASSED", "{decided}");

    // The sale of the 4 kits for 400: I 20; the kit 360 over 180 + 120 + 32 + 15.36 = 347.36:
    // Alice 186.5499…, Carol 124.3666…, Bob 33.1644…, Dan 15.9189…; floors add up to 359.97,
    // the 3 cents go to Alice (.0099), Dan (.0089), Carol (.0066). Maintenance: 20, all Mia's
    // (she alone maintains an asset used upstream). Nothing unclaimed.
    let (revenue, _) = sale(&k.app, &k.steward, &k.exchange, &k.project, "400", &k.usd, &k.usd_spec).await?;
    let paid = k.app.graphql_as(&k.steward.token, DISTRIBUTE, json!({ "r": revenue, "d": k.kits, "q": "4" })).await?;
    let paid = &data(&paid)?["distributeRevenue"]["distribution"];
    ensure!(
        by_name(&paid["lines"], "amount")
            == pairs(&[
                ("Infrastructure fund", "20"),
                ("Alice", "186.55"),
                ("Carol", "124.37"),
                ("Bob", "33.16"),
                ("Dan", "15.92"),
                ("Mia", "20"),
            ]),
        "{paid}"
    );
    ensure!(paid["amount"] == "400" && paid["unclaimed"] == "0", "{paid}");
    let mia_line = paid["lines"][5]["explanation"].as_str().unwrap_or_default();
    ensure!(
        mia_line.contains("bucket `maintenance` (MAINTENANCE, 5%) takes 20 of the amount")
            && mia_line.contains(
                "the maintenance shares of the uses of the assets it maintains weigh 3.84 of 3.84 (2 events)"
            ),
        "{mia_line}"
    );
    Ok(())
}
