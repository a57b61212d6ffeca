//! `DbDecimal`: how an exact decimal crosses the database boundary.
//!
//! sea-orm reads a `Decimal` from SQLite through `f64` (sea-orm 2.0.4,
//! `executor/query.rs`), which silently loses digits. This newtype writes the canonical text on
//! SQLite (sea-query binds decimals as strings there, into a `TEXT` column) and a `NUMERIC` on
//! PostgreSQL, and reads each back exactly: the text is parsed, the `NUMERIC` decoded.

use ovn_domain::canonical;
use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable, Value};
use std::str::FromStr;

/// An exact decimal column (`TEXT` on SQLite, `NUMERIC` on PostgreSQL).
// Serialised as its decimal text (rust_decimal's `serde-str`), exactly, in the JSON of a
// record's revision (`record_revision.row_json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct DbDecimal(pub Decimal);

impl From<DbDecimal> for Value {
    fn from(value: DbDecimal) -> Self {
        // Normalised so that SQLite holds one canonical text per value.
        Value::Decimal(Some(value.0.normalize()))
    }
}

impl Nullable for DbDecimal {
    fn null() -> Value {
        Value::Decimal(None)
    }
}

impl ValueType for DbDecimal {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::Decimal(Some(d)) => Ok(Self(d)),
            Value::String(Some(s)) => Decimal::from_str_exact(&s).map(Self).map_err(|_| ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        "DbDecimal".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::Decimal
    }

    fn column_type() -> ColumnType {
        ColumnType::Decimal(None)
    }
}

impl TryGetable for DbDecimal {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        if let Some(from_postgres) = res.try_get_from_sqlx_postgres::<Decimal, I>(index) {
            return from_postgres.map(Self);
        }
        let text: String = String::try_get_by(res, index)?;
        Decimal::from_str_exact(&text).or_else(|_| Decimal::from_str(&text)).map(Self).map_err(|_| {
            TryGetError::DbErr(sea_orm::DbErr::Type(format!("stored decimal `{text}` is not canonical decimal text")))
        })
    }
}

impl DbDecimal {
    /// The canonical text (for logs and exports).
    pub fn text(&self) -> String {
        canonical(self.0)
    }
}
