//! Renders one SQL script for the connected backend. Placeholders: `{DEC}` an exact decimal,
//! `{TS}` a timestamp with time zone. Statements are separated by a line holding only `;;`
//! (so that trigger bodies may contain `;`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Runs every statement of `script`, rendered for the manager's backend.
pub async fn run(manager: &SchemaManager<'_>, script: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let (decimal, timestamp) = match backend {
        DbBackend::Postgres => ("NUMERIC", "TIMESTAMPTZ"),
        DbBackend::Sqlite => ("TEXT", "TEXT"),
        other => return Err(DbErr::Migration(format!("ovn supports SQLite and PostgreSQL, not {other:?}"))),
    };
    let rendered = script.replace("{DEC}", decimal).replace("{TS}", timestamp);
    for statement in rendered.split("\n;;\n").map(str::trim).filter(|s| !s.is_empty()) {
        manager.get_connection().execute_unprepared(statement).await?;
    }
    Ok(())
}

/// Whether the manager talks to PostgreSQL.
pub fn is_postgres(manager: &SchemaManager<'_>) -> bool {
    manager.get_database_backend() == DbBackend::Postgres
}
