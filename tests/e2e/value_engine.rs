//! The value engine end to end: the sensor kit of the design (recorded as events through
//! GraphQL), its equation adopted by its contributors' vote, then the rollup, the fluid
//! equity and the preview of a sale's split, worked by hand; a draft compared with the adopted
//! version on the same data, and adopting it by vote changing the answers.

use anyhow::{Result, ensure};
use serde_json::{Value, json};

use crate::common::data;
use crate::sensor_kit::{
    CREATE_EQUATION, adopt, create, equation, expected, per_agent, qty, record, sensor_kit, vote_on,
};

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

#[tokio::test]
async fn a_forward_version_keeps_earlier_values_and_values_what_comes_after_it() -> Result<()> {
    let k = sensor_kit().await?;
    let mut forward = equation(&k.project, &k.fund, "v2", "2", &k.design_skill, &k.usd_spec);
    forward["valuation"] = json!("FORWARD");
    let v2 = create(
        &k.app,
        &k.bob.token,
        CREATE_EQUATION,
        json!({ "q": forward }),
        "/data/createValueEquation/valueEquation/id",
    )
    .await?;
    ensure!(adopt(&k, &v2).await?["status"] == "PASSED");
    const EQUITY: &str = "query($p: ID!, $a: ID!) { fluidEquity(scope: $p) { total valuedBy { version }
        contributions(agent: $a) { value equationVersion } } }";
    // Everything was recorded under v1: it keeps v1's values (Alice's 10 h at 1.5: 450).
    let before = k.app.graphql(EQUITY, json!({ "p": k.project, "a": k.alice.id })).await?;
    let before = &data(&before)?["fluidEquity"];
    ensure!(before["total"] == "860" && before["valuedBy"]["version"] == 2, "{before}");
    ensure!(before["contributions"] == json!([{ "value": "450", "equationVersion": 1 }]), "{before}");
    // New design work after v2's adoption is valued by v2: 10 h × 30 × 2 = 600.
    record(
        &k.app,
        &k.alice.token,
        json!({ "action": "work", "provider": k.alice.id, "receiver": k.project, "inputOf": k.design,
                "effortQuantity": qty("10", &k.hour), "resourceConformsTo": k.design_skill, "inScopeOf": [k.project] }),
        Value::Null,
    )
    .await?;
    let after = k.app.graphql(EQUITY, json!({ "p": k.project, "a": k.alice.id })).await?;
    let after = &data(&after)?["fluidEquity"];
    ensure!(after["total"] == "1460", "860 + 600: {after}");
    ensure!(
        after["contributions"]
            == json!([{ "value": "450", "equationVersion": 1 }, { "value": "600", "equationVersion": 2 }]),
        "{after}"
    );
    // The same version restating history would value both at 600.
    let mut restate = equation(&k.project, &k.fund, "v3", "2", &k.design_skill, &k.usd_spec);
    restate["valuation"] = json!("RESTATE");
    let v3 = create(
        &k.app,
        &k.bob.token,
        CREATE_EQUATION,
        json!({ "q": restate }),
        "/data/createValueEquation/valueEquation/id",
    )
    .await?;
    let what_if = k
        .app
        .graphql(
            "query($p: ID!, $q: ID) { fluidEquity(scope: $p, equation: $q) { total } }",
            json!({ "p": k.project, "q": v3 }),
        )
        .await?;
    ensure!(data(&what_if)?["fluidEquity"]["total"] == "1610", "600 + 600 + 300 + 80 + 30: {what_if}");
    Ok(())
}

#[tokio::test]
async fn a_vote_weighted_by_fluid_equity_needs_two_thirds_of_the_equity() -> Result<()> {
    let k = sensor_kit().await?;
    let rule = k
        .app
        .graphql_as(
            &k.steward.token,
            "mutation($s: ID!) { setGovernanceRule(scope: $s, quorum: \"0.5\", threshold: \"0.66\", weighting: FLUID_EQUITY) { weighting } }",
            json!({ "s": k.project }),
        )
        .await?;
    ensure!(data(&rule)?["setGovernanceRule"]["weighting"] == "FLUID_EQUITY", "{rule}");
    let v2 = create(
        &k.app,
        &k.bob.token,
        CREATE_EQUATION,
        json!({ "q": equation(&k.project, &k.fund, "v2", "2", &k.design_skill, &k.usd_spec) }),
        "/data/createValueEquation/valueEquation/id",
    )
    .await?;
    // The electorate weighs its fluid equity: Alice 450, Carol 300, Bob 80, Dan 30. Alice alone
    // in favour: 450 of 860 = 0.52, short of 0.66.
    let lost = vote_on(&k, &v2, &[&k.alice], &[&k.bob, &k.carol, &k.dan]).await?;
    ensure!(lost["status"] == "FAILED", "{lost}");
    ensure!(
        per_agent(&lost["electorate"], "weight")
            == expected(&[("Alice", "450"), ("Carol", "300"), ("Bob", "80"), ("Dan", "30")]),
        "{lost}"
    );
    // A failed proposal hands the version back as a draft; Alice and Carol: 750 of 860 = 0.87.
    let won = vote_on(&k, &v2, &[&k.alice, &k.carol], &[&k.bob, &k.dan]).await?;
    ensure!(won["status"] == "PASSED", "{won}");
    Ok(())
}

/// The engine reads events from the server's value index (D193): what is recorded after it
/// was built, and a correction recorded later still, change the next answer.
#[tokio::test]
async fn the_value_index_follows_new_events_and_corrections() -> Result<()> {
    let k = sensor_kit().await?;
    const EQUITY: &str = "query($p: ID!) { fluidEquity(scope: $p) { total holders { agent { name } value } } }";
    const ROLLUP: &str = "query($r: ID!) { valueRollup(resource: $r) { totalValue shares { agent { name } value } } }";
    let before = k.app.graphql(EQUITY, json!({ "p": k.project })).await?;
    ensure!(data(&before)?["fluidEquity"]["total"] == "860", "{before}");
    // Alice designs 2 h more: 2 × 30 × 1.5 = 90, in the design, which the kits cite whole.
    let (more, _) = record(
        &k.app,
        &k.alice.token,
        json!({ "action": "work", "provider": k.alice.id, "receiver": k.project, "inputOf": k.design,
          "effortQuantity": qty("2", &k.hour), "resourceConformsTo": k.design_skill, "inScopeOf": [k.project] }),
        Value::Null,
    )
    .await?;
    let after = k.app.graphql(EQUITY, json!({ "p": k.project })).await?;
    let after = &data(&after)?["fluidEquity"];
    ensure!(after["total"] == "950" && per_agent(&after["holders"], "value")["Alice"] == "540", "{after}");
    let rollup = k.app.graphql(ROLLUP, json!({ "r": k.kits })).await?;
    let rollup = &data(&rollup)?["valueRollup"];
    let alices: Vec<&Value> = rollup["shares"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["agent"]["name"] == "Alice")
        .map(|s| &s["value"])
        .collect();
    ensure!(rollup["totalValue"] == "950" && alices == [&json!("450"), &json!("90")], "{rollup}");
    // It was 1 h: corrected by -1 h, -45.
    record(
        &k.app,
        &k.alice.token,
        json!({ "action": "work", "provider": k.alice.id, "receiver": k.project, "corrects": more,
          "effortQuantity": qty("-1", &k.hour) }),
        Value::Null,
    )
    .await?;
    let corrected = k.app.graphql(EQUITY, json!({ "p": k.project })).await?;
    let corrected = &data(&corrected)?["fluidEquity"];
    ensure!(corrected["total"] == "905" && per_agent(&corrected["holders"], "value")["Alice"] == "495", "{corrected}");
    let rollup = k.app.graphql(ROLLUP, json!({ "r": k.kits })).await?;
    ensure!(data(&rollup)?["valueRollup"]["totalValue"] == "905", "{rollup}");
    Ok(())
}
