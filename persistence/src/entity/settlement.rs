//! Table `settlement`.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "settlement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub settles: String,
    pub settled_by: String,
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
