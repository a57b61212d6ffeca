//! Relay pagination over HTTP: forward and backward walks, the page-size cap, bad sizes,
//! `totalCount`.

use crate::common::{TestApp, data, error_codes, spawn_app};
use anyhow::{Context as _, Result, ensure};
use ovn_domain::agent::AgentKind;
use serde_json::{Value, json};

/// One page of `connection`: the node ids and the page info.
async fn page(app: &TestApp, connection: &str, args: &str) -> Result<(Vec<String>, Value)> {
    let query = format!(
        "{{ {connection}{args} {{ edges {{ cursor node {{ id }} }} \
           pageInfo {{ startCursor endCursor hasNextPage hasPreviousPage totalCount pageLimit }} }} }}"
    );
    let response = app.graphql(&query, Value::Null).await?;
    let connection = &data(&response)?[connection];
    let edges = connection["edges"].as_array().context("no edges")?;
    let mut ids = Vec::new();
    for edge in edges {
        let id = edge["node"]["id"].as_str().context("edge without an id")?;
        // The cursor is the record id (ids are time-ordered UUIDs).
        ensure!(edge["cursor"] == id, "cursor {} for node {id}", edge["cursor"]);
        ids.push(id.to_owned());
    }
    let info = connection["pageInfo"].clone();
    ensure!(info["startCursor"].as_str() == ids.first().map(String::as_str), "startCursor in {info}");
    ensure!(info["endCursor"].as_str() == ids.last().map(String::as_str), "endCursor in {info}");
    Ok((ids, info))
}

/// Walks `connection` forward `size` records at a time; returns every id and every page's
/// `hasNextPage`.
async fn walk(app: &TestApp, connection: &str, size: usize) -> Result<(Vec<String>, Vec<bool>)> {
    let mut all = Vec::new();
    let mut more = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..20 {
        let args = match &after {
            None => format!("(first: {size})"),
            Some(cursor) => format!("(first: {size}, after: \"{cursor}\")"),
        };
        let (ids, info) = page(app, connection, &args).await?;
        ensure!(ids.len() <= size, "page larger than asked: {ids:?}");
        assert_eq!(info["hasPreviousPage"], after.is_some(), "{info}");
        all.extend(ids);
        let has_next = info["hasNextPage"].as_bool().context("hasNextPage")?;
        more.push(has_next);
        if !has_next {
            return Ok((all, more));
        }
        after = Some(info["endCursor"].as_str().context("endCursor")?.to_owned());
    }
    anyhow::bail!("the walk did not end")
}

#[tokio::test]
async fn units_walk_forward_in_order_without_overlap() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(app.create_unit(&token, &format!("unit {i}"), &format!("u{i}")).await?);
    }

    let (ids, more) = walk(&app, "units", 3).await?;
    assert_eq!(ids, created, "pages must cover every unit once, in creation order");
    assert_eq!(more, [true, true, false]);

    let (_, info) = page(&app, "units", "(first: 3)").await?;
    assert_eq!((&info["totalCount"], &info["pageLimit"]), (&json!(7), &json!(3)));

    // Exactly one page's worth: no next page.
    let (ids, info) = page(&app, "units", "(first: 7)").await?;
    assert_eq!((ids.len(), &info["hasNextPage"]), (7, &json!(false)));
    Ok(())
}

#[tokio::test]
async fn agents_walk_forward_and_backward() -> Result<()> {
    let app = spawn_app().await?;
    let mut created = Vec::new();
    for i in 0..7 {
        let kind = if i % 2 == 0 { AgentKind::Person } else { AgentKind::Organization };
        created.push(app.create_agent_via_store(&format!("agent {i}"), kind).await?);
    }

    let (ids, more) = walk(&app, "agents", 3).await?;
    assert_eq!(ids, created);
    assert_eq!(more, [true, true, false]);

    // The last two, in order.
    let (ids, info) = page(&app, "agents", "(last: 2)").await?;
    assert_eq!(ids, created[5..]);
    assert_eq!((&info["hasPreviousPage"], &info["hasNextPage"]), (&json!(true), &json!(false)));

    // The two before the sixth.
    let (ids, info) = page(&app, "agents", &format!("(last: 2, before: \"{}\")", created[5])).await?;
    assert_eq!(ids, created[3..5]);
    assert_eq!((&info["hasPreviousPage"], &info["hasNextPage"]), (&json!(true), &json!(true)));

    // More than there are, backward from the third: only the first two, no previous page.
    let (ids, info) = page(&app, "agents", &format!("(last: 5, before: \"{}\")", created[2])).await?;
    assert_eq!(ids, created[..2]);
    assert_eq!(info["hasPreviousPage"], false);

    // Kinds are filtered; totals are per connection.
    let (people, info) = page(&app, "people", "(first: 10)").await?;
    assert_eq!(people, [created[0].clone(), created[2].clone(), created[4].clone(), created[6].clone()]);
    assert_eq!(info["totalCount"], 4);
    let (organizations, info) = page(&app, "organizations", "").await?;
    assert_eq!(organizations, [created[1].clone(), created[3].clone(), created[5].clone()]);
    assert_eq!(info["totalCount"], 3);
    assert_eq!(app.total("agents").await?, 7);
    Ok(())
}

#[tokio::test]
async fn page_size_is_capped_at_100() -> Result<()> {
    let app = spawn_app().await?;
    for i in 0..105 {
        app.create_agent_via_store(&format!("agent {i}"), AgentKind::Person).await?;
    }
    let (ids, info) = page(&app, "agents", "(first: 1000)").await?;
    assert_eq!(ids.len(), 100);
    assert_eq!(info["pageLimit"], 100);
    assert_eq!(info["hasNextPage"], true);
    assert_eq!(info["totalCount"], 105);
    let (ids, info) = page(&app, "agents", "(last: 1000)").await?;
    assert_eq!((ids.len(), &info["hasPreviousPage"]), (100, &json!(true)));
    // No size given: the default page.
    let (ids, info) = page(&app, "agents", "").await?;
    assert_eq!((ids.len(), &info["pageLimit"]), (50, &json!(50)));
    Ok(())
}

#[tokio::test]
async fn negative_page_sizes_are_bad_input() -> Result<()> {
    let app = spawn_app().await?;
    app.create_agent_via_store("Alice", AgentKind::Person).await?;
    for args in ["(first: -1)", "(last: -1)"] {
        for connection in ["agents", "units"] {
            let response =
                app.graphql(&format!("{{ {connection}{args} {{ edges {{ cursor }} }} }}"), Value::Null).await?;
            assert_eq!(error_codes(&response), ["BAD_INPUT"], "{connection}{args}: {response}");
        }
    }
    // Zero is a valid, empty page.
    let (ids, info) = page(&app, "agents", "(first: 0)").await?;
    assert_eq!((ids.len(), &info["hasNextPage"], &info["totalCount"]), (0, &json!(true), &json!(1)));
    Ok(())
}
