//! Table `custodian_agreement`: the OVN facts of a custodian agreement (its network, its
//! current custodian), keyed by its vf agreement.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "custodian_agreement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agreement: String,
    pub network: String,
    pub custodian: String,
    pub created: DateTimeUtc,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
