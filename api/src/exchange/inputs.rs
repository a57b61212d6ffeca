//! `recordSale`'s input, converted into the domain's [`Sale`] in one `TryFrom`.

use async_graphql::{ID, InputObject};
use ovn_domain::exchange::Sale;
use ovn_domain::text::parse_note;
use ovn_domain::{AgentId, DomainError, EconomicResourceId, Measure, ResourceSpecificationId};

use crate::convert::{note, opt_id, parse_id};
use crate::knowledge::inputs::IMeasure;
use crate::scalars::DateTime;

/// A sale by a network's exchange firm to a customer: the product leaves the firm's stock, the
/// customer's payment comes in.
#[derive(InputObject)]
pub struct SaleCreateParams {
    /// (`Agent`) The project (or network) the sale counts in. The exchange firm of its
    /// network sells (the nearest one up its `partOf` chain), and its value equation splits
    /// the revenue.
    pub in_scope_of: ID,
    /// (`Agent`) Who buys.
    pub customer: ID,
    /// (`EconomicResource`) The exchange firm's resource the product is taken from.
    pub product: ID,
    /// How much of the product is sold (in the product's unit).
    pub quantity: IMeasure,
    /// What the customer pays for all of it, in the currency's unit. More than zero.
    pub price: IMeasure,
    /// (`ResourceSpecification`) The kind of money paid; it must be a medium of exchange
    /// (`mediumOfExchange: true`).
    pub currency: ID,
    /// (`EconomicResource`) The exchange firm's money resource, in the currency, that the
    /// payment goes into. Without it the payment names no resource.
    pub paid_into: Option<ID>,
    /// The agreement's name (an invoice number, say).
    pub name: Option<String>,
    /// A note, on the agreement and on both events.
    pub note: Option<String>,
    /// When the sale happened: both events' `hasPointInTime` and the agreement's `created`.
    pub has_point_in_time: Option<DateTime>,
}

impl TryFrom<&SaleCreateParams> for Sale {
    type Error = DomainError;

    fn try_from(sale: &SaleCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            scope: parse_id(&sale.in_scope_of, AgentId::parse)?,
            customer: parse_id(&sale.customer, AgentId::parse)?,
            product: parse_id(&sale.product, EconomicResourceId::parse)?,
            quantity: Measure::try_from(&sale.quantity)?,
            price: Measure::try_from(&sale.price)?,
            currency: parse_id(&sale.currency, ResourceSpecificationId::parse)?,
            paid_into: opt_id(&sale.paid_into, EconomicResourceId::parse)?,
            name: sale.name.as_deref().map(|n| parse_note("name", n)).transpose()?,
            note: note(&sale.note)?,
            at: sale.has_point_in_time,
        })
    }
}
