//! One mapping per record between its row and its domain value, read and write. The services
//! and the bulk import/export ([`crate::ledger_io`]) use these same functions, so a record is
//! spelled once in this crate.
//!
//! Most records are a [`Record`]: one table, an id, a revision. Events and processes also have
//! scope rows (`inScopeOf`), so their mappings take and give the scopes beside the row.

mod agent;
mod intents;
mod knowledge;
mod observation;
mod planning;
mod value;

use std::fmt;

use chrono::{DateTime, Utc};
use ovn_domain::{DomainError, Measure, UnitId, Uri};
use sea_orm::ActiveValue::{self, NotSet, Set};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, PrimaryKeyTrait, TryIntoModel};

use crate::decimal::DbDecimal;
use crate::error::{PersistenceError, Result};

pub(crate) use observation::{
    CoreColumns, core_from, core_from_columns, event_from, event_row, flow_event_from, process_from, process_row,
};
pub(crate) use value::{elector_from, elector_row, rule_from, rule_row, vote_from, vote_row};

/// A record kept in one table with an id and a revision.
pub(crate) trait Record: Sized + Send + Sync + 'static {
    /// Its table (whose rows serialise: a record's revisions are kept as JSON,
    /// [`crate::history`]).
    type Entity: EntityTrait<
            ActiveModel = Self::Row,
            Model: IntoActiveModel<Self::Row> + serde::Serialize + serde::de::DeserializeOwned,
        >;
    /// Its row to write.
    type Row: ActiveModelTrait<Entity = Self::Entity> + TryIntoModel<<Self::Entity as EntityTrait>::Model> + Send;
    /// Its typed id.
    type Id: Copy + fmt::Display + Send + Sync + 'static;
    /// What it is called in messages ("unit", "agent relationship").
    const KIND: &'static str;
    /// Its id.
    fn id(&self) -> Self::Id;
    /// Sets its revision.
    fn set_revision(&mut self, revision: i64);
    /// The revision a row holds.
    fn row_revision(row: &<Self::Entity as EntityTrait>::Model) -> i64;
    /// Reads a row.
    fn from_row(row: <Self::Entity as EntityTrait>::Model) -> Result<Self>;
    /// The row to write, with its time stamps.
    fn to_row(&self, stamps: Stamps) -> Self::Row;
}

/// The system times a write sets: both on an insert, `updated_at` only on an update.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamps {
    created: Option<DateTime<Utc>>,
    updated: DateTime<Utc>,
}

impl Stamps {
    /// An insert at `at`.
    pub(crate) fn created(at: DateTime<Utc>) -> Self {
        Self { created: Some(at), updated: at }
    }

    /// An update at `at`.
    pub(crate) fn updated(at: DateTime<Utc>) -> Self {
        Self { created: None, updated: at }
    }

    fn created_at(self) -> ActiveValue<DateTime<Utc>> {
        self.created.map_or(NotSet, Set)
    }

    fn updated_at(self) -> ActiveValue<DateTime<Utc>> {
        Set(self.updated)
    }
}

/// A stored value that no longer passes the domain's rules: corruption or a bug, never the
/// client's fault.
pub(crate) fn corrupt(err: DomainError) -> PersistenceError {
    PersistenceError::Corrupt(err.to_string())
}

/// Parses an optional stored id or value.
pub(crate) fn opt<T>(text: Option<&str>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Option<T>> {
    text.map(|t| parse(t).map_err(corrupt)).transpose()
}

/// Parses a stored id.
pub(crate) fn id<T>(text: &str, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<T> {
    parse(text).map_err(corrupt)
}

/// Text of an optional value.
pub(crate) fn text<T: ToString>(value: Option<T>) -> Option<String> {
    value.map(|v| v.to_string())
}

/// A measure from its two columns.
pub(crate) fn measure(value: Option<DbDecimal>, unit: Option<&str>) -> Result<Option<Measure>> {
    match value {
        None => Ok(None),
        Some(value) => Ok(Some(Measure::new(value.0, opt(unit, UnitId::parse)?))),
    }
}

/// The two columns of a measure.
pub(crate) fn measure_columns(m: Option<Measure>) -> (Option<DbDecimal>, Option<String>) {
    (m.map(|m| DbDecimal(m.has_numerical_value)), text(m.and_then(|m| m.has_unit)))
}

/// A list of URIs as stored (a JSON array; `NULL` when empty).
pub(crate) fn uris_to_json(uris: &[Uri]) -> Option<String> {
    if uris.is_empty() { None } else { serde_json::to_string(&uris.iter().map(Uri::as_str).collect::<Vec<_>>()).ok() }
}

/// A stored list of URIs.
pub(crate) fn uris_from_json(field: &str, text: Option<&str>) -> Result<Vec<Uri>> {
    let Some(text) = text else { return Ok(Vec::new()) };
    let items: Vec<String> = serde_json::from_str(text).map_err(|e| PersistenceError::Corrupt(e.to_string()))?;
    items.iter().map(|item| Uri::parse(field, item).map_err(corrupt)).collect()
}

/// A list of ids as stored (a JSON array; `NULL` when empty).
pub(crate) fn ids_to_json<T: ToString>(ids: &[T]) -> Option<String> {
    if ids.is_empty() {
        None
    } else {
        serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>()).ok()
    }
}

/// A stored list of ids.
pub(crate) fn ids_from_json<T>(text: Option<&str>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Vec<T>> {
    let items: Vec<String> = match text {
        Some(text) => serde_json::from_str(text).map_err(|e| PersistenceError::Corrupt(e.to_string()))?,
        None => Vec::new(),
    };
    items.iter().map(|item| id(item, &parse)).collect()
}

/// The primary key value of a record's row (every table is keyed by its id's text).
pub(crate) fn key<R: Record>(id: R::Id) -> <<R::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType
where
    <<R::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType: From<String>,
{
    id.to_string().into()
}
