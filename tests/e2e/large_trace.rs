//! A trace over more ids than one SQL statement can carry: persistence splits its `IN` lists
//! into chunks, and the walk must come out whole. Baking consumes 16,501 distinct sacks of
//! flour, each raised by its own event; the trace of the loaf loads all 16,501 sacks in one
//! level, and since each id is bound twice there (as the resource an event takes from and as
//! the one it puts into), one unchunked statement would need 33,002 parameters, past SQLite's
//! limit of 32,766. The ledger is made with `ovn import` of a generated file, which is fast.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use serde_json::{Value, json};

use crate::cli::{run, small_ledger};
use crate::common::{data, spawn_app, spawn_app_with};

/// Sacks of flour besides the one the small ledger has.
const COPIES: usize = 16_500;

#[tokio::test]
async fn a_trace_over_sixteen_thousand_resources_is_whole() -> Result<()> {
    // The template: one sack raised and consumed in baking, which produces a loaf.
    let source = spawn_app().await?;
    let (flour, loaf) = small_ledger(&source).await?;
    let exported = String::from_utf8(run(&source.db, &["export"])?.stdout)?;
    let document: Value = serde_json::from_str(&exported)?;
    let nodes = document["@graph"].as_array().context("@graph")?;
    let is = |node: &Value, kind: &str| node["@type"] == kind;
    let sack = nodes.iter().find(|n| is(n, "vf:EconomicResource") && n["vf:name"] == "flour").context("the sack")?;
    let on_sack = |action: &str| {
        nodes
            .iter()
            .find(|n| is(n, "vf:EconomicEvent") && n["vf:action"] == action)
            .with_context(|| format!("the {action} event"))
    };
    let (raise, consume) = (on_sack("vf:raise")?, on_sack("vf:consume")?);
    let id_of = |node: &Value| -> Result<String> {
        let iri = node["@id"].as_str().context("@id")?;
        Ok(iri.rsplit('/').next().context("an id at the end of the IRI")?.to_owned())
    };
    let (sack_id, raise_id, consume_id) = (id_of(sack)?, id_of(raise)?, id_of(consume)?);
    ensure!(sack_id == flour);

    // Copies of the sack, its raise and its consume under new ids: every sack is raised with
    // 12.5 kg and gives 2.25 kg to baking, so each ends at 10.25 kg as the template does.
    // Events must come in recording order, so the copies are recorded one microsecond apart
    // after the template's consume, and the produce (with its loaf) after them all.
    let created = |node: &Value| -> Result<chrono::DateTime<chrono::Utc>> {
        let text = node["ovn:created"].as_str().context("ovn:created")?;
        Ok(chrono::DateTime::parse_from_rfc3339(text)?.with_timezone(&chrono::Utc))
    };
    let start = created(consume)?;
    let at = |micros: usize| -> Result<Value> {
        let offset = chrono::Duration::microseconds(i64::try_from(micros)?);
        Ok(json!((start + offset).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)))
    };
    let copy = |node: &Value, ids: &[(&str, &str)], time: Value| -> Result<Value> {
        let mut text = node.to_string();
        for (from, to) in ids {
            text = text.replace(from, to);
        }
        let mut copied: Value = serde_json::from_str(&text)?;
        copied["ovn:created"] = time;
        Ok(copied)
    };
    let mut sacks = Vec::with_capacity(COPIES);
    let mut events = Vec::with_capacity(2 * COPIES);
    for i in 0..COPIES {
        let (s, r, c) =
            (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string());
        let ids = [(sack_id.as_str(), s.as_str()), (raise_id.as_str(), r.as_str()), (consume_id.as_str(), c.as_str())];
        sacks.push(copy(sack, &ids, at(2 * i + 1)?)?);
        events.push(copy(raise, &ids, at(2 * i + 1)?)?);
        events.push(copy(consume, &ids, at(2 * i + 2)?)?);
    }
    let last = at(2 * COPIES + 1)?;
    let loaf_iri = format!("/economic-resource/{loaf}");
    let mut graph = Vec::with_capacity(nodes.len() + 3 * COPIES);
    for node in nodes {
        let mut node = node.clone();
        let is_loaf = node["@id"].as_str().is_some_and(|id| id.ends_with(&loaf_iri));
        if is_loaf || node["vf:action"] == "vf:produce" {
            node["ovn:created"] = last.clone();
        }
        let (after_sack, after_consume) = (&node == sack, &node == consume);
        graph.push(node);
        if after_sack {
            graph.append(&mut sacks);
        }
        if after_consume {
            graph.append(&mut events);
        }
    }
    let mut big = document.clone();
    big["@graph"] = Value::Array(graph);

    let target = spawn_app_with(|config| config.api.request_timeout = Duration::from_secs(300)).await?;
    let file = target.db.dir.path().join("big.jsonld");
    std::fs::write(&file, serde_json::to_string(&big)?)?;
    run(&target.db, &["import", file.to_str().context("a UTF-8 path")?])?;

    let response = target
        .graphql(
            "query($id: ID!) { economicResource(id: $id) { trace {
               __typename ... on EconomicEvent { id } ... on EconomicResource { id } ... on Process { id } } } }",
            json!({ "id": loaf }),
        )
        .await?;
    let trace = data(&response)?["economicResource"]["trace"].as_array().context("trace")?;
    let count = |kind: &str| trace.iter().filter(|n| n["__typename"] == kind).count();
    let sacks_total = COPIES + 1;
    // The loaf and every sack; the produce event, and a raise and a consume per sack; baking.
    assert_eq!(count("EconomicResource"), 1 + sacks_total);
    assert_eq!(count("EconomicEvent"), 1 + 2 * sacks_total);
    assert_eq!(count("Process"), 1);
    let distinct: BTreeSet<&str> = trace.iter().filter_map(|n| n["id"].as_str()).collect();
    assert_eq!(distinct.len(), trace.len(), "each node once");
    assert_eq!(trace.len(), 3 + 3 * sacks_total, "49,506 nodes");
    Ok(())
}
