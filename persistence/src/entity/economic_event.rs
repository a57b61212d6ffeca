//! Table `economic_event` (append-only; triggers refuse rewrites and deletes).
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "economic_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub action: String,
    pub provider: String,
    pub receiver: String,
    pub resource_inventoried_as: Option<String>,
    pub to_resource_inventoried_as: Option<String>,
    pub resource_classified_as: Option<String>,
    pub resource_conforms_to: Option<String>,
    pub resource_quantity: Option<DbDecimal>,
    pub resource_quantity_unit: Option<String>,
    pub effort_quantity: Option<DbDecimal>,
    pub effort_quantity_unit: Option<String>,
    pub has_beginning: Option<DateTimeUtc>,
    pub has_end: Option<DateTimeUtc>,
    pub has_point_in_time: Option<DateTimeUtc>,
    pub note: Option<String>,
    pub agreed_in: Option<String>,
    pub triggered_by: Option<String>,
    pub input_of: Option<String>,
    pub output_of: Option<String>,
    pub at_location: Option<String>,
    pub to_location: Option<String>,
    pub state: Option<String>,
    pub corrects: Option<String>,
    pub declared_value: Option<DbDecimal>,
    pub declared_value_unit: Option<String>,
    pub realization_of: Option<String>,
    pub reciprocal_realization_of: Option<String>,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
