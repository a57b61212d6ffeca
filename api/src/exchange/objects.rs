//! What `recordSale` answers.

use async_graphql::SimpleObject;

use crate::observation::objects::EconomicEvent;
use crate::planning::objects::Agreement;

/// A recorded sale: the agreement and the two events that realise it.
#[derive(SimpleObject)]
pub struct SaleResponse {
    /// The sale's agreement.
    pub agreement: Agreement,
    /// The product's transfer from the exchange firm to the customer (`realizationOf` the
    /// agreement).
    pub product_transfer: EconomicEvent,
    /// The customer's payment to the exchange firm (`reciprocalRealizationOf` the
    /// agreement): the revenue event that `distributeRevenue` splits.
    pub revenue_event: EconomicEvent,
}
