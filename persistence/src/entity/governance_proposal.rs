//! Table `governance_proposal`: what is put to a scope's vote, with the rule it is decided by.
use sea_orm::entity::prelude::*;

use crate::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "governance_proposal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kind: String,
    pub scope: String,
    pub value_equation: Option<String>,
    pub note: Option<String>,
    pub deadline: DateTimeUtc,
    pub status: String,
    pub created: DateTimeUtc,
    pub proposer: String,
    pub decided_at: Option<DateTimeUtc>,
    pub quorum: String,
    pub threshold: String,
    pub weighting: String,
    pub electorate_basis: String,
    pub pool: Option<String>,
    pub amount: Option<DbDecimal>,
    pub amount_unit: Option<String>,
    pub recipient: Option<String>,
    pub payout: Option<String>,
    pub failure_reason: Option<String>,
    pub agreement: Option<String>,
    pub access_resource: Option<String>,
    pub access_resource_specification: Option<String>,
    pub access_terms: Option<String>,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
