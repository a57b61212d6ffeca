//! `ovn demo` and `ovn export --format csv`, run as an operator runs them: the demo loads the
//! sensor kit of DESIGN 4.6 into a fresh database (checked here over GraphQL: the distribution,
//! the rollup and fluid equity), refuses to run a second time without writing anything, and
//! the CSV export gives exactly the distribution's lines.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, ensure};
use ovn_api::ApiSettings;
use ovn_api::loaders::{Batcher, StoreLoader};
use ovn_persistence::Store;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::cli::{ovn, run};
use crate::common::TestDb;

/// The id `ovn demo` printed after `label`.
fn printed_id(stdout: &str, label: &str) -> Result<String> {
    stdout
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(label).map(|rest| rest.trim().to_owned()))
        .with_context(|| format!("no `{label}` in {stdout}"))
}

/// Runs an anonymous query in-process on the demo's database (as the HTTP handler does, with
/// the per-request loader).
async fn query(store: &Store, text: &str, variables: Value) -> Result<Value> {
    let schema = ovn_api::build_schema(store.clone(), &ApiSettings::default());
    let request = async_graphql::Request::new(text)
        .variables(async_graphql::Variables::from_json(variables))
        .data(Batcher::new(StoreLoader::new(store.clone())));
    let response = schema.execute(request).await;
    ensure!(response.errors.is_empty(), "{:?}", response.errors);
    Ok(response.data.into_json()?)
}

fn by_name(list: &Value, amount: &str) -> BTreeMap<String, String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["agent"]["name"].as_str().unwrap_or_default().to_owned(),
                x[amount].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> BTreeMap<String, String> {
    expected.iter().map(|(a, v)| ((*a).to_owned(), (*v).to_owned())).collect()
}

/// Splits RFC 4180 text into records (quoted fields may hold commas, quotes and line breaks).
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => ensure!(chars.next() == Some('\n'), "a bare CR in {text:?}"),
            (false, '\n') => ensure!(false, "a record ended by LF alone (RFC 4180 wants CRLF): {text:?}"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            record.push(std::mem::take(&mut field));
            records.push(std::mem::take(&mut record));
        }
    }
    ensure!(!quoted && field.is_empty() && record.is_empty(), "the CSV does not end with CRLF: {text:?}");
    Ok(records)
}

#[tokio::test]
async fn the_demo_loads_the_sensor_kit_once_and_the_csv_export_gives_its_distribution() -> Result<()> {
    let db = TestDb::new().await?;
    let loaded = run(&db, &["demo"])?;
    let stdout = String::from_utf8(loaded.stdout)?;
    let kits = printed_id(&stdout, "10 sensor kits")?;
    let project = printed_id(&stdout, "project Sensor kit")?;
    let revenue = printed_id(&stdout, "sale of 4 kits for 400 (revenue event)")?;
    let distribution = printed_id(&stdout, "its distribution")?;
    for wanted in ["processTree(resource: ", "valueRollup(resource: ", "fluidEquity(scope: ", "ovn serve"] {
        ensure!(stdout.contains(wanted), "`ovn demo` prints `{wanted}`: {stdout}");
    }
    ensure!(stdout.contains(&format!("valueRollup(resource: \"{kits}\")")), "the ids are filled in: {stdout}");

    let store = Store::connect(&db.settings).await?;
    let read = query(
        &store,
        "query($p: ID!, $r: ID!) {
           distributions(scope: $p) { id amount unclaimed revenueEvent { id } lines { agent { name } amount } }
           valueRollup(resource: $r) { totalValue }
           fluidEquity(scope: $p) { total holders { agent { name } value } } }",
        json!({ "p": project, "r": kits }),
    )
    .await?;
    // DESIGN 4.6: I gets 5% of 400 = 20; the 95% (380) goes over the 4 kits' shares 180/120/32/12
    // (of 344): Alice 198.837…, Carol 132.558…, Bob 35.348…, Dan 13.255…; the floors leave 3
    // cents, which go to the largest remainders (Bob, Carol, Alice): 198.84, 132.56, 35.35, 13.25.
    let d = &read["distributions"][0];
    ensure!(read["distributions"].as_array().map(Vec::len) == Some(1), "{read}");
    ensure!(d["id"] == distribution.as_str() && d["revenueEvent"]["id"] == revenue.as_str(), "{d}");
    ensure!(d["amount"] == "400" && d["unclaimed"] == "0", "{d}");
    ensure!(
        by_name(&d["lines"], "amount")
            == pairs(&[
                ("Infrastructure fund", "20"),
                ("Alice", "198.84"),
                ("Carol", "132.56"),
                ("Bob", "35.35"),
                ("Dan", "13.25")
            ]),
        "{d}"
    );
    // The 10 kits: Alice 10 h x 30 x 1.5 = 450, Carol's 300 through the fund's sensors, Dan's
    // 6 h x 5 = 30, Bob's 4 h x 20 = 80: 860; fluid equity the same, of 860.
    ensure!(read["valueRollup"]["totalValue"] == "860", "{read}");
    ensure!(read["fluidEquity"]["total"] == "860", "{read}");
    ensure!(
        by_name(&read["fluidEquity"]["holders"], "value")
            == pairs(&[("Alice", "450"), ("Carol", "300"), ("Bob", "80"), ("Dan", "30")]),
        "{read}"
    );

    // A second run is refused, with a non-zero exit and nothing written: the whole ledger
    // exports the same before and after.
    let before = run(&db, &["export"])?.stdout;
    let again = ovn(&db, &["demo"]).output()?;
    ensure!(!again.status.success() && again.stdout.is_empty(), "a second `ovn demo`: {again:?}");
    ensure!(String::from_utf8_lossy(&again.stderr).contains("the database is not empty"), "{again:?}");
    ensure!(run(&db, &["export"])?.stdout == before, "the refused demo wrote something");

    // The CSV: a header, then the distribution's five lines (to stdout and to a file alike).
    let csv = String::from_utf8(run(&db, &["export", "--format", "csv"])?.stdout)?;
    let path = db.dir.path().join("lines.csv");
    run(&db, &["export", "--format", "csv", "-o", path.to_str().context("path")?])?;
    ensure!(std::fs::read_to_string(&path)? == csv, "-o writes what stdout shows");
    let records = parse_csv(&csv)?;
    ensure!(records.first().map(|h| h.join(",")) == Some(ovn::export::CSV_COLUMNS.join(",")), "{csv}");
    let rows = &records[1..];
    ensure!(rows.len() == 5, "one row per line: {csv}");
    let mut total = Decimal::ZERO;
    for row in rows {
        ensure!(row.len() == 11, "{row:?}");
        ensure!(row[0] == distribution && row[1] == revenue && row[2] == project && row[4] == "1", "{row:?}");
        ensure!(!row[9].is_empty() && !row[10].is_empty(), "paid, and when: {row:?}");
        total += row[7].parse::<Decimal>()?;
    }
    let amounts: Vec<&str> = rows.iter().map(|r| r[7].as_str()).collect();
    ensure!(amounts == ["20", "198.84", "132.56", "35.35", "13.25"], "{amounts:?}");
    // 20 + 198.84 + 132.56 + 35.35 + 13.25 = 400.00: the whole sale.
    ensure!(total == Decimal::new(400, 0), "the lines add up to {total}");
    Ok(())
}
