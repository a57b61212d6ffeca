//! Table `access_rule` (append-only: each change of a rule is a new version).
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "access_rule")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub resource: Option<String>,
    pub resource_specification: Option<String>,
    pub version: i64,
    pub scope: String,
    pub any_affiliate: bool,
    pub roles: String,
    pub agents: String,
    pub minimum_reputation: Option<DbDecimal>,
    pub requires_approval: bool,
    pub longest_booking_seconds: Option<i64>,
    pub value_per_unit_of_use: Option<DbDecimal>,
    pub value_per_unit_of_use_unit: Option<String>,
    pub maintenance_share: DbDecimal,
    pub maintenance_recipient: Option<String>,
    pub note: Option<String>,
    pub set_by: String,
    pub set_at: DateTimeUtc,
    pub proposal: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
