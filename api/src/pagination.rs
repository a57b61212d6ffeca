//! Relay connections, as vf-graphql declares them: `PageInfo`, the page request built from
//! the `first`/`after`/`last`/`before` arguments, and the macro that declares a connection
//! and its edge for a node type.

use async_graphql::{Context, SimpleObject};
use ovn_persistence::{Page, PageRequest};

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
            pub page_info: $crate::pagination::PageInfo,
        }

        impl $connection {
            /// Wraps a store page.
            pub fn from_page<T>(page: ovn_persistence::Page<T>, wrap: impl Fn(T) -> $node) -> Self {
                let page_info = $crate::pagination::PageInfo::of(&page);
                Self {
                    edges: page.items.into_iter().map(|(cursor, item)| $edge { node: wrap(item), cursor }).collect(),
                    page_info,
                }
            }
        }
    };
}
