//! Table `value_equation`: one row per version of a scope's value equation.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "value_equation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub scope: String,
    pub version: i32,
    pub name: String,
    pub status: String,
    pub percentage_behavior: String,
    pub valuation: String,
    pub note: Option<String>,
    pub buckets: String,
    pub created: DateTimeUtc,
    pub created_by: String,
    pub adopted_at: Option<DateTimeUtc>,
    pub retired_at: Option<DateTimeUtc>,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
