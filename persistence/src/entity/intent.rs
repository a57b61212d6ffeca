//! Table `intent`.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "intent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub action: String,
    pub name: Option<String>,
    pub provider: Option<String>,
    pub receiver: Option<String>,
    pub input_of: Option<String>,
    pub output_of: Option<String>,
    pub resource_inventoried_as: Option<String>,
    pub resource_conforms_to: Option<String>,
    pub resource_classified_as: Option<String>,
    pub resource_quantity: Option<DbDecimal>,
    pub resource_quantity_unit: Option<String>,
    pub effort_quantity: Option<DbDecimal>,
    pub effort_quantity_unit: Option<String>,
    pub available_quantity: Option<DbDecimal>,
    pub available_quantity_unit: Option<String>,
    pub has_beginning: Option<DateTimeUtc>,
    pub has_end: Option<DateTimeUtc>,
    pub has_point_in_time: Option<DateTimeUtc>,
    pub due: Option<DateTimeUtc>,
    pub finished: bool,
    pub image: Option<String>,
    pub image_list: Option<String>,
    pub note: Option<String>,
    pub agreed_in: Option<String>,
    pub in_scope_of: Option<String>,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
