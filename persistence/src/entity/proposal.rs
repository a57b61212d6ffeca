//! Table `proposal`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "proposal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: Option<String>,
    pub has_beginning: Option<DateTimeUtc>,
    pub has_end: Option<DateTimeUtc>,
    pub unit_based: bool,
    pub created: DateTimeUtc,
    pub note: Option<String>,
    pub in_scope_of: Option<String>,
    pub purpose: Option<String>,
    pub recorded_by: String,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
