//! Table `governance_vote`: one vote per elector and proposal (a second replaces the first).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_vote")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub proposal: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub voter: String,
    pub in_favour: bool,
    pub cast_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
