//! `recordSale`: one transaction in the store; who may record it and what is checked are the
//! domain's rules (`ovn_domain::exchange`).

use async_graphql::{Context, Object};
use ovn_domain::exchange::Sale;

use super::inputs::SaleCreateParams;
use super::objects::SaleResponse;
use crate::context::ContextExt;
use crate::convert::idempotency;
use crate::error::Result;
use crate::observation::objects::EconomicEvent;
use crate::planning::objects::Agreement;

/// Writes of sales.
#[derive(Default)]
pub struct ExchangeMutation;

#[Object]
impl ExchangeMutation {
    /// OVN: records a sale by the exchange firm of the scope's network, in one transaction:
    /// an `Agreement`, the product's `transfer` from the firm to the customer realising it,
    /// and the customer's payment to the firm (the revenue event) as its reciprocal
    /// realisation. Recorded by the exchange firm or a steward of it; the agreement stands for
    /// the customer's consent (the sale touches none of the customer's resources). Refused
    /// with nothing written when the product is not the firm's, not enough of it is on hand,
    /// the price or quantity is not above zero, or the currency is not a medium of exchange.
    async fn record_sale(
        &self,
        ctx: &Context<'_>,
        sale: SaleCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<SaleResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "recordSale", &sale)?;
        let recorded = ctx.store()?.record_sale(actor, Sale::try_from(&sale)?, idem.as_ref()).await?;
        Ok(SaleResponse {
            agreement: Agreement(recorded.agreement),
            product_transfer: EconomicEvent(recorded.transfer),
            revenue_event: EconomicEvent(recorded.revenue),
        })
    }
}
