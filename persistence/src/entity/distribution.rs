//! Table `distribution` (append-only): one level of a revenue event's split.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "distribution")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub revenue_event: Option<String>,
    pub parent: Option<String>,
    pub parent_line: Option<String>,
    pub root: String,
    pub depth: i32,
    pub scope: String,
    pub payer: String,
    pub resource: Option<String>,
    pub amount: DbDecimal,
    pub unit: Option<String>,
    pub unclaimed: DbDecimal,
    pub equation: String,
    pub equation_version: i32,
    pub equation_snapshot: String,
    pub deliverable: Option<String>,
    pub quantity: Option<DbDecimal>,
    pub buckets: String,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
