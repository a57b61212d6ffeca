//! The PostgreSQL side of an import: rows go in with `COPY ... FROM STDIN` (text format) on
//! one sqlx transaction, and the few other statements an import needs run on that same
//! transaction.
//!
//! Why not sea-orm's transaction: sea-orm does not hand out the connection under a
//! [`sea_orm::DatabaseTransaction`], and `COPY` needs it (`PgConnection::copy_in_raw`). So the
//! import takes a connection from the store's pool (its `search_path` is set there) and runs
//! everything on one sqlx transaction; statements are still built by sea-orm from the same
//! row mappings and bound by `sea-query-sqlx`, so no column is spelled twice. `COPY` was about
//! ten times faster than multi-row `INSERT`s here: no statement to parse or plan per chunk,
//! and no bound parameters to encode one by one.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ovn_domain::EconomicEventId;
use ovn_domain::agent::network::OvnRole;
use ovn_domain::observation::NewEvent;
use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::sqlx::{self, AssertSqlSafe, Row as _};
use sea_orm::{
    ActiveModelTrait, ActiveValue, DbErr, EntityName, EntityTrait, IdenStatic, Iterable, RuntimeErr, Statement, Value,
};
use sea_query_sqlx::SqlxValues;

use crate::decimal::DbDecimal;
use crate::entity::{
    agent, agent_relationship, agent_relationship_role, economic_event, economic_event_scope, economic_resource,
    idempotency_key, process, process_scope, process_specification, resource_specification, unit,
};
use crate::error::{PersistenceError, Result};
use crate::rows::{CoreColumns, core_from_columns};

/// A sqlx error as the layer's error.
pub(super) fn sqlx_error(err: sqlx::Error) -> PersistenceError {
    PersistenceError::Database(DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err))))
}

/// Runs a statement sea-orm built for PostgreSQL.
pub(super) async fn execute(conn: &mut PgConnection, statement: Statement) -> Result<u64> {
    let values = statement.values.unwrap_or_else(|| sea_orm::Values(Vec::new()));
    let done =
        sqlx::query_with(AssertSqlSafe(statement.sql), SqlxValues(values)).execute(conn).await.map_err(sqlx_error)?;
    Ok(done.rows_affected())
}

/// Refreshes the planner's statistics of the tables an import fills. A million rows arrive at
/// once, and until autovacuum gets to them PostgreSQL plans as if it knew nothing of them: the
/// value index's query of the events that realise agreements read the whole event table
/// (about 250 ms at a million events) where, with statistics, it reads two indexes (under a
/// millisecond; measured on PostgreSQL 15 over a million rows: 148 ms before `ANALYZE`,
/// 0.08 ms after).
pub(super) async fn analyze(conn: &mut PgConnection) -> Result<()> {
    let tables = [
        agent::Entity.table_name(),
        agent_relationship::Entity.table_name(),
        resource_specification::Entity.table_name(),
        process_specification::Entity.table_name(),
        process::Entity.table_name(),
        process_scope::Entity.table_name(),
        economic_resource::Entity.table_name(),
        economic_event::Entity.table_name(),
        economic_event_scope::Entity.table_name(),
    ];
    let names: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
    let sql = format!("ANALYZE {}", names.join(", "));
    sqlx::query(AssertSqlSafe(sql)).execute(conn).await.map_err(sqlx_error)?;
    Ok(())
}

/// The first table of the books that holds a row, if any.
pub(super) async fn first_non_empty(conn: &mut PgConnection) -> Result<Option<&'static str>> {
    let tables: [(&str, &'static str); 10] = [
        (agent::Entity.table_name(), "agents"),
        (unit::Entity.table_name(), "units"),
        (agent_relationship_role::Entity.table_name(), "agent relationship roles"),
        (agent_relationship::Entity.table_name(), "agent relationships"),
        (resource_specification::Entity.table_name(), "resource specifications"),
        (process_specification::Entity.table_name(), "process specifications"),
        (process::Entity.table_name(), "processes"),
        (economic_resource::Entity.table_name(), "economic resources"),
        (economic_event::Entity.table_name(), "economic events"),
        (idempotency_key::Entity.table_name(), "idempotency keys"),
    ];
    // The seeded OVN roles are in every database; any other role is a record.
    let seeded: Vec<String> = OvnRole::ALL.iter().map(|r| format!("'{}'", r.id())).collect();
    for (table, name) in tables {
        let only_records = if table == agent_relationship_role::Entity.table_name() {
            format!(" WHERE id NOT IN ({})", seeded.join(", "))
        } else {
            String::new()
        };
        let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{table}\"{only_records})");
        let row = sqlx::query(AssertSqlSafe(sql)).fetch_one(&mut *conn).await.map_err(sqlx_error)?;
        if row.try_get::<bool, _>(0).map_err(sqlx_error)? {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// What an import sets aside on the event tables while it loads, and puts back before the
/// commit.
pub(super) struct SetAside {
    /// `CREATE INDEX` statements, as PostgreSQL defines them.
    indexes: Vec<String>,
    /// `(table, name, definition)` of each foreign key.
    foreign_keys: Vec<(String, String, String)>,
}

/// The secondary indexes and the foreign keys of the event tables, dropped for the load and
/// put back before the commit, from their own definitions. Building an index from all its
/// keys at once is several times faster than growing it row by row; and a foreign key checked
/// row by row costs a lookup per reference (ten per event), where adding it back checks every
/// row in one join. Indexes behind constraints (primary keys) stay. DDL is transactional in
/// PostgreSQL: a failed import rolls the drops back too, and a reference the checker missed
/// still fails the import when its key is added back.
pub(super) async fn set_aside(conn: &mut PgConnection) -> Result<SetAside> {
    let rows = sqlx::query(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i \
         WHERE i.schemaname = current_schema() AND i.tablename IN ('economic_event', 'economic_event_scope') \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
                         WHERE c.conname = i.indexname AND n.nspname = i.schemaname) \
         ORDER BY i.indexname",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(sqlx_error)?;
    let mut indexes = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get(0).map_err(sqlx_error)?;
        indexes.push(row.try_get::<String, _>(1).map_err(sqlx_error)?);
        sqlx::query(AssertSqlSafe(format!("DROP INDEX \"{name}\""))).execute(&mut *conn).await.map_err(sqlx_error)?;
    }
    let rows = sqlx::query(
        "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() AND c.contype = 'f' \
         AND t.relname IN ('economic_event', 'economic_event_scope') ORDER BY t.relname, c.conname",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(sqlx_error)?;
    let mut foreign_keys = Vec::with_capacity(rows.len());
    for row in rows {
        let (table, name): (String, String) =
            (row.try_get(0).map_err(sqlx_error)?, row.try_get(1).map_err(sqlx_error)?);
        let definition: String = row.try_get(2).map_err(sqlx_error)?;
        sqlx::query(AssertSqlSafe(format!("ALTER TABLE \"{table}\" DROP CONSTRAINT \"{name}\"")))
            .execute(&mut *conn)
            .await
            .map_err(sqlx_error)?;
        foreign_keys.push((table, name, definition));
    }
    // Index builds sort in this much memory before spilling to disk; for this transaction only.
    sqlx::query("SET LOCAL maintenance_work_mem = '256MB'").execute(&mut *conn).await.map_err(sqlx_error)?;
    Ok(SetAside { indexes, foreign_keys })
}

/// Puts back what [`set_aside`] dropped: the indexes, then the foreign keys (each checked
/// over every row as it is added).
pub(super) async fn put_back(conn: &mut PgConnection, set_aside: &SetAside) -> Result<()> {
    for sql in &set_aside.indexes {
        sqlx::query(AssertSqlSafe(sql.clone())).execute(&mut *conn).await.map_err(sqlx_error)?;
    }
    for (table, name, definition) in &set_aside.foreign_keys {
        sqlx::query(AssertSqlSafe(format!("ALTER TABLE \"{table}\" ADD CONSTRAINT \"{name}\" {definition}")))
            .execute(&mut *conn)
            .await
            .map_err(sqlx_error)?;
    }
    Ok(())
}

/// What an event stored in this transaction says (the original of a correction).
pub(super) async fn original(conn: &mut PgConnection, id: EconomicEventId) -> Result<Option<NewEvent>> {
    // Decimals as text: parsed exactly, as everywhere else.
    let row = sqlx::query(
        "SELECT action, provider, receiver, resource_inventoried_as, to_resource_inventoried_as, \
         resource_quantity::text, resource_quantity_unit, effort_quantity::text, effort_quantity_unit, \
         input_of, output_of, at_location, to_location, state, corrects FROM economic_event WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(sqlx_error)?;
    let Some(row) = row else { return Ok(None) };
    let text = |i: usize| row.try_get::<Option<String>, _>(i).map_err(sqlx_error);
    let required = |i: usize| row.try_get::<String, _>(i).map_err(sqlx_error);
    let decimal = |i: usize| -> Result<Option<DbDecimal>> {
        text(i)?
            .map(|t| {
                rust_decimal::Decimal::from_str_exact(&t)
                    .map(DbDecimal)
                    .map_err(|e| PersistenceError::Corrupt(format!("stored decimal `{t}`: {e}")))
            })
            .transpose()
    };
    let (action, provider, receiver) = (required(0)?, required(1)?, required(2)?);
    let (from, to) = (text(3)?, text(4)?);
    let (resource_quantity, resource_unit) = (decimal(5)?, text(6)?);
    let (effort_quantity, effort_unit) = (decimal(7)?, text(8)?);
    let (input_of, output_of) = (text(9)?, text(10)?);
    let (at_location, to_location, state, corrects) = (text(11)?, text(12)?, text(13)?, text(14)?);
    core_from_columns(&CoreColumns {
        action: &action,
        provider: &provider,
        receiver: &receiver,
        resource_inventoried_as: from.as_deref(),
        to_resource_inventoried_as: to.as_deref(),
        resource_quantity,
        resource_quantity_unit: resource_unit.as_deref(),
        effort_quantity,
        effort_quantity_unit: effort_unit.as_deref(),
        input_of: input_of.as_deref(),
        output_of: output_of.as_deref(),
        at_location: at_location.as_deref(),
        to_location: to_location.as_deref(),
        state: state.as_deref(),
        corrects: corrects.as_deref(),
    })
    .map(Some)
}

/// Bytes sent to the server at a time while a `COPY` runs.
const COPY_BUFFER_BYTES: usize = 1 << 20;

/// `COPY`s `rows` into their table. The columns are those the rows set, listed explicitly, so
/// a column the database fills (a sequence, a default) is left to it.
pub(super) async fn copy_rows<A: ActiveModelTrait>(
    conn: &mut PgConnection,
    rows: impl IntoIterator<Item = A>,
) -> Result<u64> {
    let mut rows = rows.into_iter().peekable();
    let Some(first) = rows.peek() else { return Ok(0) };
    let columns: Vec<<A::Entity as EntityTrait>::Column> =
        <A::Entity as EntityTrait>::Column::iter().filter(|c| !matches!(first.get(*c), ActiveValue::NotSet)).collect();
    let list = columns.iter().map(|c| format!("\"{}\"", c.as_str())).collect::<Vec<_>>().join(", ");
    let table = A::Entity::default().table_name();
    let mut copy = conn.copy_in_raw(&format!("COPY \"{table}\" ({list}) FROM STDIN")).await.map_err(sqlx_error)?;
    let mut buffer = Vec::with_capacity(COPY_BUFFER_BYTES + 4096);
    let mut encoded = Ok(());
    let mut count = 0u64;
    'rows: for row in rows {
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                buffer.push(b'\t');
            }
            let value = match row.get(*column) {
                ActiveValue::Set(value) | ActiveValue::Unchanged(value) => value,
                ActiveValue::NotSet => {
                    encoded = Err(PersistenceError::Corrupt(format!(
                        "COPY into {table}: a row leaves `{}` unset where the first set it",
                        column.as_str()
                    )));
                    break 'rows;
                }
            };
            if let Err(err) = encode(&value, &mut buffer) {
                encoded = Err(err);
                break 'rows;
            }
        }
        buffer.push(b'\n');
        count += 1;
        if buffer.len() >= COPY_BUFFER_BYTES {
            if let Err(err) = copy.send(buffer.as_slice()).await {
                encoded = Err(sqlx_error(err));
                break;
            }
            buffer.clear();
        }
    }
    if let Err(err) = encoded {
        // The server must be told, or the connection stays in COPY mode; the transaction is
        // then rolled back by the caller.
        copy.abort("the import stopped").await.ok();
        return Err(err);
    }
    if !buffer.is_empty() {
        copy.send(buffer.as_slice()).await.map_err(sqlx_error)?;
    }
    copy.finish().await.map_err(sqlx_error)?;
    Ok(count)
}

/// One value in `COPY`'s text format: `\N` for NULL; backslash, tab, newline and carriage
/// return escaped in text; decimals as their exact text; times in UTC to the microsecond
/// (what the column holds, and what sqlx sends when it binds one).
fn encode(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    match value {
        Value::String(None)
        | Value::Decimal(None)
        | Value::ChronoDateTimeUtc(None)
        | Value::BigInt(None)
        | Value::Int(None)
        | Value::Bool(None) => out.extend_from_slice(b"\\N"),
        Value::String(Some(text)) => escape(text, out),
        Value::Decimal(Some(decimal)) => {
            let mut text = String::new();
            write!(text, "{decimal}").ok();
            out.extend_from_slice(text.as_bytes());
        }
        Value::ChronoDateTimeUtc(Some(time)) => out.extend_from_slice(timestamp(time).as_bytes()),
        Value::BigInt(Some(n)) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Int(Some(n)) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Bool(Some(b)) => out.push(if *b { b't' } else { b'f' }),
        other => {
            return Err(PersistenceError::Corrupt(format!("COPY cannot encode the value {other:?}")));
        }
    }
    Ok(())
}

fn timestamp(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string()
}

fn escape(text: &str, out: &mut Vec<u8>) {
    for byte in text.bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: Value) -> String {
        let mut out = Vec::new();
        encode(&value, &mut out).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        assert_eq!(text(Value::String(Some("a\tb\nc\\d\re\"f'g".into()))), "a\\tb\\nc\\\\d\\re\"f'g");
        assert_eq!(text(Value::String(None)), "\\N");
        // The two characters `\N` as text are not NULL.
        assert_eq!(text(Value::String(Some("\\N".into()))), "\\\\N");
    }

    #[test]
    fn copy_text_keeps_every_digit_and_the_microseconds() {
        let d = rust_decimal::Decimal::from_str_exact("-12345678901234567.000000000001").unwrap_or_default();
        assert_eq!(text(Value::Decimal(Some(d))), "-12345678901234567.000000000001");
        let t = DateTime::parse_from_rfc3339("2026-12-02T07:13:14.123456789Z").map(|t| t.with_timezone(&Utc));
        assert_eq!(text(Value::ChronoDateTimeUtc(t.ok())), "2026-12-02 07:13:14.123456+00");
        assert_eq!(text(Value::Bool(Some(false))), "f");
        assert_eq!(text(Value::BigInt(Some(-3))), "-3");
    }
}
