//! Table `satisfaction`.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "satisfaction")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub satisfies: String,
    pub satisfied_by_event: Option<String>,
    pub satisfied_by_commitment: Option<String>,
    pub resource_quantity: Option<DbDecimal>,
    pub resource_quantity_unit: Option<String>,
    pub effort_quantity: Option<DbDecimal>,
    pub effort_quantity_unit: Option<String>,
    pub note: Option<String>,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
