//! The action table over HTTP: all 19 VF 1.0 actions, checked row by row against the VF 1.0
//! table written out here independently of the code under test.

use std::collections::BTreeSet;

use crate::common::{data, spawn_app};
use anyhow::{Context as _, Result, ensure};
use serde_json::{Value, json};

/// VF 1.0 (valueflo.ws, all_vf.TTL): vf id, the id served on the wire (hREA/Bonfire
/// kebab-case), inputOutput, pairsWith, accountingEffect, onhandEffect.
const VF_1_0: [(&str, &str, &str, &str, &str, &str); 19] = [
    ("accept", "accept", "input", "modify", "notApplicable", "decrement"),
    ("combine", "combine", "input", "notApplicable", "notApplicable", "decrement"),
    ("consume", "consume", "input", "notApplicable", "decrement", "decrement"),
    ("cite", "cite", "input", "notApplicable", "notApplicable", "notApplicable"),
    ("copy", "copy", "notApplicable", "notApplicable", "incrementTo", "incrementTo"),
    ("deliverService", "deliver-service", "outputInput", "notApplicable", "notApplicable", "notApplicable"),
    ("dropoff", "dropoff", "output", "pickup", "notApplicable", "increment"),
    ("lower", "lower", "notApplicable", "notApplicable", "decrement", "decrement"),
    ("modify", "modify", "output", "accept", "notApplicable", "increment"),
    ("move", "move", "notApplicable", "notApplicable", "decrementIncrement", "decrementIncrement"),
    ("pickup", "pickup", "input", "dropoff", "notApplicable", "decrement"),
    ("produce", "produce", "output", "notApplicable", "increment", "increment"),
    ("raise", "raise", "notApplicable", "notApplicable", "increment", "increment"),
    ("separate", "separate", "output", "notApplicable", "notApplicable", "increment"),
    (
        "transferAllRights",
        "transfer-all-rights",
        "notApplicable",
        "notApplicable",
        "decrementIncrement",
        "notApplicable",
    ),
    ("transfer", "transfer", "notApplicable", "notApplicable", "decrementIncrement", "decrementIncrement"),
    ("transferCustody", "transfer-custody", "notApplicable", "notApplicable", "notApplicable", "decrementIncrement"),
    ("use", "use", "input", "notApplicable", "notApplicable", "notApplicable"),
    ("work", "work", "input", "notApplicable", "notApplicable", "notApplicable"),
];

/// vf-graphql 0.9 spells "no effect" `noEffect` in `resourceEffect` and `onhandEffect`.
fn legacy(effect: &str) -> &str {
    if effect == "notApplicable" { "noEffect" } else { effect }
}

const FIELDS: &str = "id label resourceEffect onhandEffect inputOutput pairsWith vfId accountingEffect";

#[tokio::test]
async fn all_19_actions_match_the_vf_1_0_table() -> Result<()> {
    let app = spawn_app().await?;
    let response = app
        .graphql(
            "{ actions { id label resourceEffect onhandEffect inputOutput pairsWith vfId accountingEffect } }",
            Value::Null,
        )
        .await?;
    let actions = data(&response)?["actions"].as_array().context("actions is not a list")?;
    assert_eq!(actions.len(), 19, "{response}");

    let served: BTreeSet<&str> = actions.iter().filter_map(|a| a["id"].as_str()).collect();
    let expected: BTreeSet<&str> = VF_1_0.iter().map(|row| row.1).collect();
    assert_eq!(served, expected);

    for (vf_id, wire_id, input_output, pairs_with, accounting, onhand) in VF_1_0 {
        let action = actions
            .iter()
            .find(|a| a["id"] == wire_id)
            .with_context(|| format!("{wire_id} is missing from {response}"))?;
        let expected = json!({
            "id": wire_id,
            "label": wire_id,
            "resourceEffect": legacy(accounting),
            "onhandEffect": legacy(onhand),
            "inputOutput": input_output,
            "pairsWith": pairs_with,
            "vfId": vf_id,
            "accountingEffect": accounting,
        });
        assert_eq!(action, &expected, "row {vf_id}");
    }
    Ok(())
}

#[tokio::test]
async fn spot_checks_of_well_known_rows() -> Result<()> {
    let app = spawn_app().await?;
    let one = |id: &str| format!("{{ action(id: \"{id}\") {{ {FIELDS} }} }}");

    let custody = app.graphql(&one("transfer-custody"), Value::Null).await?;
    let custody = &data(&custody)?["action"];
    assert_eq!(custody["resourceEffect"], "noEffect");
    assert_eq!(custody["onhandEffect"], "decrementIncrement");
    assert_eq!(custody["inputOutput"], "notApplicable");

    let consume = app.graphql(&one("consume"), Value::Null).await?;
    let consume = &data(&consume)?["action"];
    assert_eq!(consume["resourceEffect"], "decrement");
    assert_eq!(consume["onhandEffect"], "decrement");
    assert_eq!(consume["inputOutput"], "input");

    let produce = app.graphql(&one("produce"), Value::Null).await?;
    let produce = &data(&produce)?["action"];
    assert_eq!((&produce["resourceEffect"], &produce["inputOutput"]), (&json!("increment"), &json!("output")));

    let pickup = app.graphql(&one("pickup"), Value::Null).await?;
    assert_eq!(data(&pickup)?["action"]["pairsWith"], "dropoff");
    Ok(())
}

#[tokio::test]
async fn both_spellings_name_the_same_action() -> Result<()> {
    let app = spawn_app().await?;
    for (camel, kebab) in [
        ("transferCustody", "transfer-custody"),
        ("deliverService", "deliver-service"),
        ("transferAllRights", "transfer-all-rights"),
    ] {
        let a = app.graphql(&format!("{{ action(id: \"{camel}\") {{ {FIELDS} }} }}"), Value::Null).await?;
        let b = app.graphql(&format!("{{ action(id: \"{kebab}\") {{ {FIELDS} }} }}"), Value::Null).await?;
        let a = &data(&a)?["action"];
        ensure!(!a.is_null(), "{camel} not found");
        assert_eq!(a, &data(&b)?["action"], "{camel} vs {kebab}");
        assert_eq!(a["id"], kebab);
        assert_eq!(a["vfId"], camel);
    }
    // Also through a variable, and an unknown id is simply absent.
    let by_variable =
        app.graphql("query($id: ID!) { action(id: $id) { id } }", json!({ "id": "transferCustody" })).await?;
    assert_eq!(data(&by_variable)?["action"]["id"], "transfer-custody");
    let unknown = app.graphql("{ action(id: \"teleport\") { id } }", Value::Null).await?;
    assert_eq!(data(&unknown)?["action"], Value::Null);
    Ok(())
}
