//! Table `distribution_line` (append-only): what one agent received from one bucket.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "distribution_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub distribution: String,
    pub position: i32,
    pub bucket: String,
    pub bucket_name: String,
    pub bucket_kind: String,
    pub agent: String,
    pub amount: DbDecimal,
    pub exact: DbDecimal,
    pub explanation: String,
    pub payout: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
