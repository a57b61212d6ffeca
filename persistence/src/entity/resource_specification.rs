//! Table `resource_specification`.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "resource_specification")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub image: Option<String>,
    pub image_list: Option<String>,
    pub resource_classified_as: Option<String>,
    pub note: Option<String>,
    pub default_unit_of_resource: Option<String>,
    pub default_unit_of_effort: Option<String>,
    pub substitutable: Option<bool>,
    pub default_value_per_unit: Option<DbDecimal>,
    pub default_value_per_unit_unit: Option<String>,
    pub medium_of_exchange: Option<bool>,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
