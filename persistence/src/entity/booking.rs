//! Table `booking`: the OVN facts of a `use` commitment that books a resource for an interval.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "booking")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub commitment: String,
    pub resource: String,
    pub begins: DateTimeUtc,
    pub ends: DateTimeUtc,
    pub booker: String,
    pub status: String,
    pub access_rule: Option<String>,
    pub approved_by: Option<String>,
    pub approved: Option<DateTimeUtc>,
    pub cancelled_by: Option<String>,
    pub cancelled: Option<DateTimeUtc>,
    pub fulfilled_by: Option<String>,
    pub created: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
