//! The in-memory flow index answers every walk exactly as the slices loaded level by level
//! do (on a generated process tree, from every node, both ways), catches up with events
//! recorded after it was built, finds events that commit out of sequence order (PostgreSQL),
//! and the compact `flowGraph` query and a `processTree` without `nodes` answer from it.

use std::collections::BTreeSet;

use anyhow::{Context as _, Result, ensure};
use ovn::import::ShowProgress;
use ovn_domain::flow::{Direction, FlowNode};
use ovn_migration::sea_orm::ConnectionTrait as _;
use ovn_persistence::flow::{FlowIndex, TreeRecords, Walked};
use serde_json::json;

use crate::cli::small_ledger;
use crate::common::{data, spawn_app};

fn record_ids(walked: &Walked) -> Vec<FlowNode> {
    // The records, in walk order, by their ids: both paths must hand back the same ones.
    walked
        .records_in_order()
        .iter()
        .map(|r| match r {
            ovn_persistence::flow::FlowRecord::Event(e) => FlowNode::Event(e.id),
            ovn_persistence::flow::FlowRecord::Resource(r) => FlowNode::Resource(r.id),
            ovn_persistence::flow::FlowRecord::Process(p) => FlowNode::Process(p.id),
        })
        .collect()
}

#[tokio::test]
async fn the_index_walks_exactly_like_the_slices() -> Result<()> {
    // Arrange: a tree of 3 levels, 2 inputs per process, imported; an index built on it.
    let app = spawn_app().await?;
    let (ledger, root) = ovn::bench::generator::tree(7, 3, 2)?;
    let mut nodes: Vec<FlowNode> = ledger.resources.iter().map(|r| FlowNode::Resource(r.record.id)).collect();
    nodes.extend(ledger.processes.iter().map(|p| FlowNode::Process(p.record.id)));
    nodes.extend(ledger.events.iter().map(|e| FlowNode::Event(e.id)));
    let events = ledger.events.len();
    ovn::import::write(&app.store, ledger, ShowProgress::Hidden).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let index = FlowIndex::new(app.store.clone());
    ensure!(!index.is_ready());
    index.build().await?;
    ensure!(index.len() == events, "indexed {} of {events} events", index.len());

    // Act and assert: every walk from every node, both ways.
    let store = &app.store;
    let limit = 10_000;
    for &node in &nodes {
        for direction in [Direction::Upstream, Direction::Downstream] {
            let (sliced, indexed) =
                (store.walk_flow(node, direction, limit).await?, index.walk_flow(node, direction, limit).await?);
            ensure!(sliced.steps == indexed.steps, "walk from {node:?} {direction:?}");
            ensure!(record_ids(&sliced) == record_ids(&indexed));
            ensure!(index.walk_steps(node, direction, limit).await? == sliced.steps);
            let (sliced, indexed) =
                (store.step_flow(node, direction, limit).await?, index.step_flow(node, direction, limit).await?);
            ensure!(sliced.steps == indexed.steps, "one step from {node:?} {direction:?}");
            ensure!(record_ids(&sliced) == record_ids(&indexed));
            if let FlowNode::Process(p) = node {
                let sliced = store.neighbour_processes(p, direction, limit).await?;
                let indexed = index.neighbour_processes(p, direction, limit).await?;
                ensure!(sliced == indexed, "neighbour processes of {p} {direction:?}");
            }
            if let FlowNode::Resource(r) = node {
                for depth in [None, Some(1), Some(16)] {
                    let sliced = store.process_tree(r, direction, depth, limit, TreeRecords::Load).await?;
                    let indexed = index.process_tree(r, direction, depth, limit, TreeRecords::Load).await?;
                    ensure!(sliced.tree == indexed.tree, "process tree of {r} {direction:?} {depth:?}");
                    ensure!(sliced.records.resources == indexed.records.resources);
                    ensure!(sliced.records.processes == indexed.records.processes);
                    let bare = index.process_tree(r, direction, depth, limit, TreeRecords::Skip).await?;
                    ensure!(bare.tree == sliced.tree && bare.records.resources.is_empty());
                }
            }
        }
    }

    // By hand: 3 levels, 2 inputs each: 1 + 2 + 4 = 7 processes; each consumes its inputs'
    // outputs (the leaves are raised), gets some work and produces one resource. The trace of
    // the root reaches every process and resource of the tree.
    let traced = index.walk_steps(FlowNode::Resource(root), Direction::Upstream, limit).await?;
    let processes = traced.iter().filter(|s| matches!(s.node, FlowNode::Process(_))).count();
    let resources = traced.iter().filter(|s| matches!(s.node, FlowNode::Resource(_))).count();
    ensure!(processes == 7, "{processes} processes");
    ensure!(resources == 7 + 8, "7 produced, 8 raised leaves: {resources}");
    Ok(())
}

#[tokio::test]
async fn the_index_catches_up_with_events_recorded_after_it_was_built() -> Result<()> {
    // Arrange: an index built on an empty database.
    let app = spawn_app().await?;
    let index = FlowIndex::new(app.store.clone());
    index.build().await?;
    ensure!(index.is_ready() && index.is_empty());

    // Act: the small ledger is recorded over HTTP: flour raised, consumed in baking, a loaf
    // produced.
    let (_flour, loaf) = small_ledger(&app).await?;
    let loaf = FlowNode::Resource(ovn_domain::EconomicResourceId::parse(&loaf)?);

    // Assert: by hand, the loaf's trace is the loaf, the produce event, baking, the consume
    // event, the flour and its raise: six nodes, as the slices say too.
    let indexed = index.walk_flow(loaf, Direction::Upstream, 100).await?;
    ensure!(indexed.steps.len() == 6, "{:?}", indexed.steps);
    ensure!(index.len() == 3, "three events indexed: {}", index.len());
    let sliced = app.store.walk_flow(loaf, Direction::Upstream, 100).await?;
    ensure!(sliced.steps == indexed.steps);
    ensure!(record_ids(&sliced) == record_ids(&indexed));

    // And over HTTP (the server's own index), compact and as a process tree without nodes.
    let response = app
        .graphql(
            "query($id: ID!) { flowGraph(start: $id) { ids kinds parents distances truncated }
               processTree(resource: $id) { edges { from to via action { id } quantity { hasNumericalValue } } } }",
            json!({ "id": loaf_id(loaf)? }),
        )
        .await?;
    let walk = &data(&response)?["flowGraph"];
    ensure!(walk["ids"].as_array().map(Vec::len) == Some(6), "{walk}");
    ensure!(walk["kinds"][0] == "ECONOMIC_RESOURCE" && walk["kinds"][2] == "PROCESS", "{walk}");
    ensure!(walk["parents"] == json!([-1, 0, 1, 2, 3, 4]), "a chain: {walk}");
    ensure!(walk["distances"] == json!([0, 1, 2, 3, 4, 5]), "{walk}");
    ensure!(walk["truncated"] == false);
    let edges = data(&response)?["processTree"]["edges"].as_array().context("edges")?;
    // The raise (a leaf: nothing is before it) → flour, flour → baking (consume 2.25),
    // baking → loaf (produce).
    ensure!(edges.len() == 3, "{edges:?}");
    let actions: BTreeSet<&str> = edges.iter().filter_map(|e| e["action"]["id"].as_str()).collect();
    ensure!(actions == BTreeSet::from(["raise", "consume", "produce"]), "{actions:?}");
    ensure!(edges.iter().any(|e| e["quantity"]["hasNumericalValue"] == "2.25"));
    let cut = app
        .graphql(
            "query($id: ID!) { flowGraph(start: $id, maxNodes: 2) { ids truncated } }",
            json!({ "id": loaf_id(loaf)? }),
        )
        .await?;
    ensure!(data(&cut)?["flowGraph"]["ids"].as_array().map(Vec::len) == Some(2));
    ensure!(data(&cut)?["flowGraph"]["truncated"] == true);
    let none = app.graphql("{ flowGraph(start: \"0190f5a0-0000-7000-8000-000000000000\") { ids } }", json!({})).await?;
    ensure!(data(&none)?["flowGraph"].is_null(), "an id that names nothing: {none}");
    Ok(())
}

fn loaf_id(node: FlowNode) -> Result<String> {
    match node {
        FlowNode::Resource(r) => Ok(r.to_string()),
        other => anyhow::bail!("not a resource: {other:?}"),
    }
}

#[tokio::test]
async fn an_event_that_commits_after_a_later_one_is_not_missed() -> Result<()> {
    // Arrange: the small ledger, an index built on it.
    let app = spawn_app().await?;
    let (flour, _loaf) = small_ledger(&app).await?;
    let index = FlowIndex::new(app.store.clone());
    index.build().await?;
    ensure!(index.len() == 3);
    let raise: String = {
        let row = app
            .store
            .connection()
            .query_one_raw(ovn_migration::sea_orm::Statement::from_string(
                app.store.backend(),
                format!("SELECT id FROM economic_event WHERE action = 'raise' AND resource_inventoried_as = '{flour}'"),
            ))
            .await?
            .context("the raise")?;
        row.try_get("", "id")?
    };
    // Copies of the raise under new ids (the database checks no rule of the books; the walk
    // only needs the flow fields), recorded at the same time: the later id sorts after.
    let copy = |id: &str| {
        format!(
            "INSERT INTO economic_event (id, action, provider, receiver, resource_inventoried_as,
               resource_quantity, resource_quantity_unit, revision, created_at, updated_at)
             SELECT '{id}', action, provider, receiver, resource_inventoried_as, resource_quantity,
               resource_quantity_unit, revision, created_at, updated_at FROM economic_event WHERE id = '{raise}'"
        )
    };
    let (first, second) = (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string());
    let db = app.store.connection();
    let backend = app.store.backend();
    if app.db.is_postgres() {
        // Act: a transaction takes the next sequence number and stays open while another
        // takes the one after and commits; the index sees the second, and a hole.
        let open = ovn_migration::sea_orm::TransactionTrait::begin(db).await?;
        open.execute_raw(ovn_migration::sea_orm::Statement::from_string(backend, copy(&first))).await?;
        db.execute_raw(ovn_migration::sea_orm::Statement::from_string(backend, copy(&second))).await?;
        index.catch_up().await?;
        ensure!(index.len() == 4, "the later event is in, the open one not yet: {}", index.len());
        open.commit().await?;
    } else {
        // SQLite commits one writer at a time, in rowid order: no hole can happen; the two
        // events arrive in order.
        db.execute_raw(ovn_migration::sea_orm::Statement::from_string(backend, copy(&first))).await?;
        db.execute_raw(ovn_migration::sea_orm::Statement::from_string(backend, copy(&second))).await?;
    }
    index.catch_up().await?;

    // Assert: both copies are in, and the flour's trace (its raise and both copies, walked
    // most recent first: they are its previous events) is the slices' trace.
    ensure!(index.len() == 5, "{}", index.len());
    let flour = FlowNode::Resource(ovn_domain::EconomicResourceId::parse(&flour)?);
    let indexed = index.walk_steps(flour, Direction::Upstream, 100).await?;
    let sliced = app.store.walk_flow(flour, Direction::Upstream, 100).await?;
    ensure!(indexed == sliced.steps, "{indexed:?} vs {:?}", sliced.steps);
    let nodes: Vec<FlowNode> = indexed.iter().map(|s| s.node).collect();
    ensure!(nodes.contains(&FlowNode::Event(ovn_domain::EconomicEventId::parse(&first)?)), "{nodes:?}");
    ensure!(nodes.contains(&FlowNode::Event(ovn_domain::EconomicEventId::parse(&second)?)), "{nodes:?}");
    Ok(())
}
