//! Table `distribution_part` (append-only): a contribution's exact part of a line.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "distribution_part")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub line: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub event: String,
    pub claim_type: String,
    pub part: DbDecimal,
    pub claim: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
