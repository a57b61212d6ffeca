//! Table `claim`.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "claim")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub action: String,
    pub provider: Option<String>,
    pub receiver: Option<String>,
    pub resource_conforms_to: Option<String>,
    pub resource_classified_as: Option<String>,
    pub resource_quantity: Option<DbDecimal>,
    pub resource_quantity_unit: Option<String>,
    pub effort_quantity: Option<DbDecimal>,
    pub effort_quantity_unit: Option<String>,
    pub triggered_by: String,
    pub due: Option<DateTimeUtc>,
    pub created: DateTimeUtc,
    pub finished: bool,
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
