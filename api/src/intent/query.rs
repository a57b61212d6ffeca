//! Reads of intents and satisfactions.

use async_graphql::{Context, ID, Object};
use ovn_domain::{IntentId, SatisfactionId};
use ovn_persistence::intent::IntentFilter;

use super::objects::{Intent, IntentConnection, Satisfaction, SatisfactionConnection, intents_page};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;
use crate::pagination::page_request;

/// Reads of intents and satisfactions.
#[derive(Default)]
pub struct IntentQuery;

#[Object]
impl IntentQuery {
    /// One intent.
    async fn intent(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Intent>> {
        Ok(ctx.load(parse_id(&id, IntentId::parse)?).await?.map(Intent))
    }

    /// All intents.
    async fn intents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<IntentConnection> {
        intents_page(ctx, &IntentFilter::default(), first, after, last, before).await
    }

    /// One satisfaction.
    async fn satisfaction(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Satisfaction>> {
        Ok(ctx.load(parse_id(&id, SatisfactionId::parse)?).await?.map(Satisfaction))
    }

    /// All satisfactions.
    async fn satisfactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<SatisfactionConnection> {
        let page = ctx.store()?.satisfactions(&page_request(ctx, first, after, last, before)).await?;
        Ok(SatisfactionConnection::from_page(page, Satisfaction))
    }
}
