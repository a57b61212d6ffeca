//! Table `governance_elector`: a proposal's electorate, fixed when it was made.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_elector")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub proposal: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent: String,
    pub weight: DbDecimal,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
