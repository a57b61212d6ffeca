//! `ovn import` as a stream: a ledger of several batches goes in exactly, from a file; a
//! problem in a late batch, or a syntax error on the last line, leaves the database empty
//! although earlier batches had been written inside the transaction; several problems are
//! listed; the rows `COPY` writes on PostgreSQL (and the `INSERT`s on SQLite) read back to the
//! last digit and character. Runs on SQLite, and on PostgreSQL when `OVN_TEST_POSTGRES_URL`
//! is set (issue 7).

use crate::common::TestDb;
use anyhow::{Context as _, Result, bail, ensure};
use chrono::{DateTime, Utc};
use ovn::import::{ImportError, ShowProgress};
use ovn_persistence::Store;
use ovn_persistence::ledger_io::Ledger;
use serde_json::{Value, json};

const BASE: &str = "http://127.0.0.1";

/// Events in the generated ledger: more than two of the import's batches (4,096 events).
const EVENTS: usize = 10_000;

fn document(ledger: &Ledger) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    ovn_jsonld::write(ledger, BASE, &mut bytes)?;
    Ok(bytes)
}

async fn export_text(store: &Store) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    ovn::export::export(store, BASE, &mut bytes).await?;
    Ok(bytes)
}

/// Imports `bytes` from a file, as `ovn import FILE` does, into a fresh database.
async fn import_file(bytes: &[u8]) -> Result<(TestDb, Store, Result<ovn::import::ImportSummary, ImportError>)> {
    let target = TestDb::new().await?;
    let store = target.open_store().await?;
    let path = target.dir.path().join("ledger.jsonld");
    std::fs::write(&path, bytes)?;
    let result = ovn::import::import_file(&store, &path, ShowProgress::Hidden).await;
    Ok((target, store, result))
}

/// The index in `@graph` of the last event whose action is `action`.
fn last_event(document: &Value, action: &str) -> Result<usize> {
    document["@graph"]
        .as_array()
        .context("@graph")?
        .iter()
        .rposition(|n| n["vf:action"] == action)
        .context(action.to_owned())
}

#[tokio::test]
async fn a_ledger_of_several_batches_is_imported_from_a_file_exactly() -> Result<()> {
    let ledger = ovn::bench::generator::network(7, EVENTS)?;
    let bytes = document(&ledger)?;
    let (_target, store, result) = import_file(&bytes).await?;
    let summary = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    ensure!(summary.events == EVENTS, "{} events imported", summary.events);
    // The file was written from the generator's ledger; exporting the database gives it back
    // byte for byte (balances, times, decimals and all).
    ensure!(export_text(&store).await? == bytes, "the export differs from the imported file");
    Ok(())
}

#[tokio::test]
async fn a_problem_in_a_late_batch_leaves_the_database_empty() -> Result<()> {
    let ledger = ovn::bench::generator::network(7, EVENTS)?;
    let mut document: Value = serde_json::from_slice(&document(&ledger)?)?;
    let nodes = document["@graph"].as_array().context("@graph")?.len();
    let index = last_event(&document, "vf:consume")?;
    // Past the first two batches, so rows were written inside the transaction before the
    // problem was found.
    ensure!(index > nodes - EVENTS + 2 * 4_096, "the consume at {index} is in a late batch");
    document["@graph"][index]["vf:resourceQuantity"]["om2:hasNumericalValue"] = json!("1000000000");
    let (_target, store, result) = import_file(&serde_json::to_vec(&document)?).await?;
    let Err(ImportError::Invalid { problems, total }) = result else {
        bail!("the bad file was not refused: {result:?}")
    };
    ensure!(total == 1, "one problem: {problems:?}");
    let id = document["@graph"][index]["@id"].as_str().context("@id")?;
    ensure!(problems[0].index == Some(index) && problems[0].id.as_deref() == Some(id), "{problems:?}");
    ensure!(problems[0].message.contains("below zero"), "{}", problems[0].message);
    ensure!(store.first_non_empty_table().await?.is_none(), "a refused import leaves the database empty");
    Ok(())
}

#[tokio::test]
async fn a_syntax_error_on_the_last_line_leaves_the_database_empty() -> Result<()> {
    let ledger = ovn::bench::generator::network(7, EVENTS)?;
    let mut bytes = document(&ledger)?;
    // Cut the closing `]}` off: every node was read and written before the end.
    let kept = bytes.iter().rposition(|b| *b == b']').context("the end of @graph")?;
    bytes.truncate(kept);
    let (_target, store, result) = import_file(&bytes).await?;
    ensure!(matches!(result, Err(ImportError::Syntax(_))), "{result:?}");
    ensure!(store.first_non_empty_table().await?.is_none(), "a refused import leaves the database empty");
    Ok(())
}

#[tokio::test]
async fn problems_in_different_batches_are_all_listed() -> Result<()> {
    let ledger = ovn::bench::generator::network(7, EVENTS)?;
    let mut document: Value = serde_json::from_slice(&document(&ledger)?)?;
    let nodes = document["@graph"].as_array().context("@graph")?.len();
    let stranger = format!("{BASE}/agent/{}", uuid::Uuid::now_v7());
    let bad = [nodes - EVENTS + 10, nodes - 10];
    for index in bad {
        document["@graph"][index]["vf:provider"] = json!(stranger);
    }
    let (_target, store, result) = import_file(&serde_json::to_vec(&document)?).await?;
    let Err(ImportError::Invalid { problems, total }) = result else {
        bail!("the bad file was not refused: {result:?}")
    };
    ensure!(total == 2, "two problems: {problems:?}");
    let listed: Vec<Option<usize>> = problems.iter().map(|p| p.index).collect();
    ensure!(listed == bad.map(Some), "{problems:?}");
    ensure!(problems.iter().all(|p| p.message.contains("unknown agent")), "{problems:?}");
    ensure!(store.first_non_empty_table().await?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_record_after_the_events_is_refused_by_the_stream() -> Result<()> {
    let ledger = ovn::bench::generator::network(7, 20)?;
    let mut document: Value = serde_json::from_slice(&document(&ledger)?)?;
    let graph = document["@graph"].as_array_mut().context("@graph")?;
    let first_event = graph.iter().position(|n| n["@type"] == "vf:EconomicEvent").context("an event")?;
    // The last record before the events (a resource) moved to the end.
    let moved = graph.remove(first_event - 1);
    graph.push(moved);
    let index = graph.len() - 1;
    let (_target, store, result) = import_file(&serde_json::to_vec(&document)?).await?;
    let problems = result.err().context("refused")?.problems();
    ensure!(
        problems.iter().any(|p| p.index == Some(index) && p.message.contains("before the first event")),
        "{problems:?}"
    );
    ensure!(store.first_non_empty_table().await?.is_none());
    Ok(())
}

/// Every table, index, trigger and constraint as the database defines it.
async fn schema(store: &Store) -> Result<Vec<(String, String)>> {
    use sea_orm::{ConnectionTrait as _, DbBackend, Statement};
    let sql = match store.backend() {
        DbBackend::Sqlite => "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name",
        _ => {
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
              WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) \
             UNION ALL SELECT indexname::text, replace(indexdef, current_schema() || '.', '') FROM pg_indexes \
              WHERE schemaname = current_schema() ORDER BY 1, 2"
        }
    };
    let rows = store.connection().query_all_raw(Statement::from_string(store.backend(), sql)).await?;
    let list = rows
        .iter()
        .map(|row| Ok((row.try_get_by_index::<String>(0)?, row.try_get_by_index::<String>(1)?)))
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    ensure!(list.len() > 20, "the schema was listed: {list:?}");
    Ok(list)
}

fn time(text: &str) -> Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
}

#[tokio::test]
async fn rows_read_back_to_the_last_digit_and_character() -> Result<()> {
    let mut ledger = ovn::bench::generator::network(3, 60)?;
    // Text that COPY's text format escapes, or that looks like its NULL.
    let tricky = "tab\there, newline\nthere, CR\r, backslash \\ and \\N, \"double\" and 'single' quotes, ünïcode";
    ledger.agents[0].record.profile.note = Some(tricky.to_owned());
    ledger.events[0].details.note = Some(tricky.to_owned());
    ledger.events[1].core.at_location = Some("\\N".to_owned());
    ledger.events[1].details.note = Some(String::new());
    // Decimals with every digit rust_decimal holds (28 after the point; 29 digits in all).
    let fine = rust_decimal::Decimal::from_str_exact("0.0000000000000000000000000001")?;
    let large = rust_decimal::Decimal::from_str_exact("79228162514264337593543950335")?;
    let negative = rust_decimal::Decimal::from_str_exact("-12345678901234567.89012345678")?;
    let with_quantity: Vec<usize> =
        ledger.events.iter().enumerate().filter(|(_, e)| e.core.resource_quantity.is_some()).map(|(i, _)| i).collect();
    ensure!(with_quantity.len() >= 3, "events with quantities");
    for (slot, value) in with_quantity.iter().zip([fine, large, negative]) {
        if let Some(quantity) = &mut ledger.events[*slot].core.resource_quantity {
            quantity.has_numerical_value = value;
        }
    }
    // Times to the microsecond, in recording order.
    let start = time("2026-12-02T07:13:14.000001Z")?;
    for (i, event) in ledger.events.iter_mut().enumerate() {
        event.created = start + chrono::Duration::microseconds(i64::try_from(i)? * 7 + 1);
    }
    ledger.events[2].details.has_point_in_time = Some(time("1999-12-31T23:59:59.999999Z")?);
    ledger.sort_by_id();

    let target = TestDb::new().await?;
    let store = target.open_store().await?;
    ovn::import::write(&store, ledger.clone(), ShowProgress::Hidden).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let read = store.read_ledger().await?;
    // Whether an event created its resource is what the checker worked out, not a column.
    for event in &mut ledger.events {
        event.core.creates_resource = false;
    }
    ensure!(read.agents == ledger.agents, "agents differ");
    ensure!(read.resources == ledger.resources, "resources differ");
    for (read, written) in read.events.iter().zip(&ledger.events) {
        ensure!(read == written, "event differs:\n{read:?}\n{written:?}");
    }
    ensure!(read == ledger, "the ledger read back differs");
    // Decimals compare by value; their text must be the same too (stored in canonical form,
    // without trailing zeros).
    let texts = |l: &Ledger| -> Vec<String> {
        l.events
            .iter()
            .filter_map(|e| e.core.resource_quantity.map(|q| q.has_numerical_value.normalize().to_string()))
            .collect()
    };
    let read_texts = texts(&read);
    ensure!(read_texts == texts(&ledger), "decimal text differs");
    for expected in
        ["0.0000000000000000000000000001", "79228162514264337593543950335", "-12345678901234567.89012345678"]
    {
        ensure!(read_texts.iter().any(|t| t == expected), "{expected} was not read back: {read_texts:?}");
    }
    ensure!(read.agents[0].record.profile.note.as_deref() == Some(tricky));

    // What the import set aside while loading (indexes; on PostgreSQL, foreign keys) is back,
    // as a freshly migrated database has it.
    let fresh = TestDb::new().await?;
    ensure!(schema(&store).await? == schema(&fresh.open_store().await?).await?, "the schema differs after an import");
    Ok(())
}
