//! Table `custodian_holding`: which resource is held under which custodian agreement (one at
//! most).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "custodian_holding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource: String,
    pub agreement: String,
    pub placed_at: DateTimeUtc,
    pub placed_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
