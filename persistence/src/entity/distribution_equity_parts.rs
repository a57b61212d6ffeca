//! Table `distribution_equity_parts` (append-only): the `EQUITY` parts of a line, as one
//! JSON document (D194).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "distribution_equity_parts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub line: String,
    /// `[[event, part], …]`, the parts as exact decimal strings.
    pub parts: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
