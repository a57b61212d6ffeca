//! GraphQL object, input and connection types, named exactly as vf-graphql 0.9 names them.
//! Each wraps a domain value; relation fields resolve through the batching loader.

pub mod action;
pub mod agent;
pub mod knowledge;
pub mod observation;

use async_graphql::{Context, InputObject, SimpleObject};
use ovn_persistence::{Page, PageRequest};

use crate::scalars::Decimal;

/// Cursors for pagination.
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Cursor of the first result returned.
    pub start_cursor: Option<String>,
    /// Cursor of the last result returned.
    pub end_cursor: Option<String>,
    /// True if there are more results before `startCursor`.
    pub has_previous_page: bool,
    /// True if there are more results after `endCursor`.
    pub has_next_page: bool,
    /// The total result count (computed only when selected).
    pub total_count: Option<i32>,
    /// The number of items requested per page (capped at 100).
    pub page_limit: Option<i32>,
}

impl PageInfo {
    /// Page info of a store page.
    pub fn of<T>(page: &Page<T>) -> Self {
        Self {
            start_cursor: page.items.first().map(|(c, _)| c.clone()),
            end_cursor: page.items.last().map(|(c, _)| c.clone()),
            has_previous_page: page.has_previous_page,
            has_next_page: page.has_next_page,
            total_count: page.total_count.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            page_limit: i32::try_from(page.page_limit).ok(),
        }
    }
}

/// vf-graphql's `revisionId` of a record at revision `number` (the domain's wire form).
pub fn revision_id<Id: std::fmt::Display + Copy>(id: Id, number: i64) -> async_graphql::ID {
    async_graphql::ID(ovn_domain::revision::Revision { id, number }.to_wire())
}

/// Builds a page request from Relay arguments, asking for the total only when the client
/// selected `pageInfo { totalCount }`.
pub fn page_request(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageRequest {
    let want_total = ctx.look_ahead().field("pageInfo").field("totalCount").exists();
    PageRequest { first, after, last, before, want_total }
}

/// Declares a vf-graphql Relay connection and its edge for a node type.
#[macro_export]
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty) => {
        #[doc = concat!("An edge of `", stringify!($connection), "`.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// The record.
            pub node: $node,
            /// Its cursor.
            pub cursor: String,
        }

        #[doc = concat!("A page of `", stringify!($node), "` records.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            /// The records.
            pub edges: Vec<$edge>,
            /// Paging.
            pub page_info: $crate::types::PageInfo,
        }

        impl $connection {
            /// Wraps a store page.
            pub fn from_page<T>(page: ovn_persistence::Page<T>, wrap: impl Fn(T) -> $node) -> Self {
                let page_info = $crate::types::PageInfo::of(&page);
                Self {
                    edges: page.items.into_iter().map(|(cursor, item)| $edge { node: wrap(item), cursor }).collect(),
                    page_info,
                }
            }
        }
    };
}

/// Mutation input structure for defining measurements.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "IMeasure")]
pub struct IMeasure {
    /// A number representing the quantity, will be paired with a unit.
    pub has_numerical_value: Decimal,
    /// (`Unit`) A unit of measure.
    pub has_unit: Option<async_graphql::ID>,
}

impl IMeasure {
    /// The domain measure.
    pub fn to_domain(&self) -> Result<ovn_domain::Measure, ovn_domain::DomainError> {
        let unit = self.has_unit.as_ref().map(|u| ovn_domain::UnitId::parse(u)).transpose()?;
        Ok(ovn_domain::Measure::new(self.has_numerical_value.0, unit))
    }
}

/// Turns an async-graphql tri-state into a domain patch.
pub fn patch<T: Clone>(value: &async_graphql::MaybeUndefined<T>) -> ovn_domain::revision::Patch<T> {
    match value {
        async_graphql::MaybeUndefined::Undefined => ovn_domain::revision::Patch::Keep,
        async_graphql::MaybeUndefined::Null => ovn_domain::revision::Patch::Clear,
        async_graphql::MaybeUndefined::Value(v) => ovn_domain::revision::Patch::Set(v.clone()),
    }
}

/// Same as [`patch`], for a plain `Option` on a create input (absent means not given).
pub fn given<T: Clone>(value: &Option<T>) -> ovn_domain::revision::Patch<T> {
    match value {
        None => ovn_domain::revision::Patch::Keep,
        Some(v) => ovn_domain::revision::Patch::Set(v.clone()),
    }
}
