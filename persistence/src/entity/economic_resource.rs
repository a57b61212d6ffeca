//! Table `economic_resource`.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "economic_resource")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: Option<String>,
    pub conforms_to: String,
    pub classified_as: Option<String>,
    pub tracking_identifier: Option<String>,
    pub image: Option<String>,
    pub image_list: Option<String>,
    pub unit: Option<String>,
    pub accounting_quantity: DbDecimal,
    pub onhand_quantity: DbDecimal,
    pub unit_of_effort: Option<String>,
    pub primary_accountable: Option<String>,
    pub custodian: Option<String>,
    pub current_location: Option<String>,
    pub contained_in: Option<String>,
    pub stage: Option<String>,
    pub state: Option<String>,
    pub property_regime: String,
    pub value_per_unit_of_use: Option<DbDecimal>,
    pub value_per_unit_of_use_unit: Option<String>,
    pub note: Option<String>,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
