//! Exact decimals through the store, on the backend under test (SQLite by default,
//! PostgreSQL when `OVN_TEST_POSTGRES_URL` is set): what is written is what is read, to the
//! last digit, and SQLite's column holds the canonical TEXT (never a REAL).

use crate::common::TestDb;
use anyhow::{Context as _, Result, ensure};
use ovn_domain::ResourceSpecificationId;
use ovn_domain::canonical;
use ovn_domain::knowledge::ValuePerUnit;
use ovn_domain::revision::Patch;
use ovn_domain::text::Name;
use ovn_persistence::Store;
use ovn_persistence::knowledge::ResourceSpecificationPatch;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait as _, DbBackend, Statement};

/// Writes `value` as a resource specification's default value per unit; returns its id.
async fn write(store: &Store, value: Decimal) -> Result<ResourceSpecificationId> {
    let patch = ResourceSpecificationPatch {
        name: Patch::Set(Name::parse("name", "decimal probe")?),
        default_value_per_unit: Patch::Set(ValuePerUnit { value, unit: None }),
        ..Default::default()
    };
    let outcome = store.create_resource_specification(patch, None).await?;
    Ok(outcome.id)
}

/// Reads the value back through the store.
async fn read(store: &Store, id: ResourceSpecificationId) -> Result<Decimal> {
    let found = store.resource_specifications_by_id(&[id]).await?;
    let spec = found.get(&id).context("the record was not found")?;
    Ok(spec.default_value_per_unit.as_ref().context("the value was not stored")?.value)
}

/// The column as the database holds it: its text and its storage type.
async fn raw(store: &Store, id: ResourceSpecificationId) -> Result<(String, String)> {
    let backend = store.backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT default_value_per_unit::text AS v, pg_typeof(default_value_per_unit)::text AS t \
             FROM resource_specification WHERE id = '{id}'"
        ),
        _ => format!(
            "SELECT default_value_per_unit AS v, typeof(default_value_per_unit) AS t \
             FROM resource_specification WHERE id = '{id}'"
        ),
    };
    let row = store.connection().query_one_raw(Statement::from_string(backend, sql)).await?.context("no row")?;
    Ok((row.try_get::<String>("", "v")?, row.try_get::<String>("", "t")?))
}

/// Writes, reads back, and checks the stored form.
async fn round_trip(store: &Store, value: Decimal) -> Result<()> {
    let id = write(store, value).await?;
    let back = read(store, id).await?;
    ensure!(back == value, "wrote {value}, read {back}");
    ensure!(canonical(back) == canonical(value), "wrote {}, read {}", canonical(value), canonical(back));
    let (text, storage) = raw(store, id).await?;
    match store.backend() {
        DbBackend::Postgres => ensure!(storage == "numeric", "stored as {storage}"),
        _ => ensure!(storage == "text", "stored as {storage}, not text"),
    }
    // NUMERIC prints the value at the scale it was given, which is the normalised one.
    ensure!(text == canonical(value), "the column holds `{text}`, not `{}`", canonical(value));
    Ok(())
}

#[tokio::test]
async fn known_hard_values_round_trip_exactly() -> Result<()> {
    let db = TestDb::new().await?;
    let store = db.open_store().await?;
    for text in [
        "12345678901234567.89",
        "0.000000000000000000000000001",
        "-4.5",
        "0",
        "1",
        "-0.01",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "7.9228162514264337593543950335",
        "100000000000000000000",
        "0.1",
        "1234567890.0987654321",
    ] {
        let value: Decimal = text.parse().with_context(|| format!("parsing {text}"))?;
        round_trip(&store, value).await.with_context(|| format!("value {text}"))?;
    }
    // Trailing zeros are not kept: the stored text is canonical, and equal values read equal.
    let id = write(&store, "2.50".parse()?).await?;
    assert_eq!(canonical(read(&store, id).await?), "2.5");
    assert_eq!(raw(&store, id).await?.0, "2.5");
    Ok(())
}

#[test]
fn arbitrary_decimals_round_trip_exactly() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let db = runtime.block_on(TestDb::new())?;
    let store = runtime.block_on(db.open_store())?;
    let mut runner = TestRunner::new(Config { cases: 64, failure_persistence: None, ..Config::default() });
    let values = (any::<i64>(), 0_u32..=28).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale));
    let result = runner.run(&values, |value| {
        runtime.block_on(round_trip(&store, value)).map_err(|e| TestCaseError::fail(format!("{value}: {e:#}")))
    });
    drop(store);
    drop(db);
    result.map_err(|e| anyhow::anyhow!("{e}"))
}
