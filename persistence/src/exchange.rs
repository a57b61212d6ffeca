//! Sales through the exchange firm (DESIGN 7): `recordSale` writes the agreement, the
//! product's transfer from the firm to the customer and the customer's payment to the firm
//! (the revenue event) in one transaction, through the same event service as every event. The
//! rules (which firm sells, who may record a sale, what is checked, the two events) are
//! [`ovn_domain::exchange`]'s; this file loads the facts and writes. The market-exchange rule
//! itself runs on every event, in [`crate::observation::record_in`].

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::exchange::{self, Sale, SaleFacts};
use ovn_domain::observation::{EconomicEvent, EconomicResource};
use ovn_domain::planning::Agreement;
use ovn_domain::{AgentId, AgreementId, DomainError, EconomicEventId, EconomicResourceId};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::agent::network::{ties_above, ties_around};
use crate::entity::{economic_event, economic_resource, resource_specification};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::observation::{Consent, RecordEvent, record_with};
use crate::planning::create_agreement_in;
use crate::references::{Ref, References};
use crate::rows::{Record, id};
use crate::store::Store;

/// A recorded sale, as `recordSale` answers.
#[derive(Debug, Clone)]
pub struct SaleRecorded {
    /// The agreement both events realise.
    pub agreement: Agreement,
    /// The product's transfer from the exchange firm to the customer (`realizationOf`).
    pub transfer: EconomicEvent,
    /// The customer's payment to the exchange firm (`reciprocalRealizationOf`): the revenue
    /// event a distribution splits.
    pub revenue: EconomicEvent,
}

/// Loads a resource the sale names in `field`, locked (PostgreSQL) since the sale's events
/// change it; a missing one is refused naming the field.
async fn resource_in(
    txn: &DatabaseTransaction,
    field: &str,
    resource: EconomicResourceId,
    lock: bool,
) -> Result<EconomicResource> {
    let mut select = economic_resource::Entity::find_by_id(resource.to_string());
    if lock {
        select = select.lock_exclusive();
    }
    let row = select
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::invalid(field, format!("economic resource `{resource}` does not exist")))?;
    EconomicResource::from_row(row)
}

/// `recordSale` inside the caller's transaction: finds the firm that sells for the sale's
/// scope ([`exchange::exchange_firm_for`]), checks the actor may record its sales and the sale
/// against the books ([`Sale::check`]), then writes the agreement and the two events
/// ([`Sale::events`]) by [`record_with`], which applies them to the resources (refusing a
/// product the firm does not have enough of) and runs the market-exchange rule on them. Any
/// refusal rolls back all three.
pub async fn record_sale_in(
    txn: &DatabaseTransaction,
    locks_rows: bool,
    actor: AgentId,
    agreement_id: AgreementId,
    sale: Sale,
    now: DateTime<Utc>,
) -> Result<SaleRecorded> {
    sale.validate()?;
    let mut references = References::new();
    references
        .add("inScopeOf", Some(Ref::Agent(sale.scope)))
        .add("customer", Some(Ref::Agent(sale.customer)))
        .add("currency", Some(Ref::ResourceSpecification(sale.currency)));
    references.check(txn).await?;
    let mut ties = ties_around(txn, &[actor], &[sale.scope]).await?;
    let firm = exchange::exchange_firm_for(sale.scope, &ties)?;
    // A steward of a network the firm is part of answers for the firm too.
    ties.extend(ties_above(txn, &[firm]).await?);
    exchange::may_record_sale(actor, firm, &ties)?;
    let product = resource_in(txn, "product", sale.product, locks_rows).await?;
    let paid_into = match sale.paid_into {
        Some(account) => Some(resource_in(txn, "paidInto", account, locks_rows).await?),
        None => None,
    };
    let currency = resource_specification::Entity::find_by_id(sale.currency.to_string()).one(txn).await?;
    let currency_is_money = currency.and_then(|c| c.medium_of_exchange).unwrap_or(false);
    sale.check(&SaleFacts { firm, product: &product, paid_into: paid_into.as_ref(), currency_is_money })?;
    let agreement = Agreement {
        id: agreement_id,
        revision: 1,
        name: sale.name.clone(),
        created: sale.at,
        note: sale.note.clone(),
        recorded_by: actor,
    };
    create_agreement_in(txn, &agreement).await?;
    let [transfer, payment] = sale.events(firm, &product, agreement.id);
    let mut recorded = Vec::with_capacity(2);
    for (core, details) in [transfer, payment] {
        let command =
            RecordEvent { core, details, new_resource: None, new_resource_id: None, new_resource_container: None };
        let event = record_with(txn, locks_rows, actor, EconomicEventId::new(), command, &[], now, Consent::Agreed)
            .await?
            .event;
        recorded.push(event);
    }
    let [transfer, revenue]: [EconomicEvent; 2] =
        recorded.try_into().map_err(|_| PersistenceError::Corrupt("a sale recorded other than two events".into()))?;
    Ok(SaleRecorded { agreement, transfer, revenue })
}

impl Store {
    /// `recordSale`: the agreement and its two events in one transaction. A retry with the
    /// same idempotency key answers with the sale the first attempt recorded.
    pub async fn record_sale(&self, actor: AgentId, sale: Sale, idem: Option<&Idempotency>) -> Result<SaleRecorded> {
        let agreement_id = AgreementId::new();
        let locks_rows = self.locks_rows();
        let outcome = self
            .create(idem, agreement_id.to_string(), move |txn| {
                record_sale_in(txn, locks_rows, actor, agreement_id, sale, Utc::now()).boxed()
            })
            .await?;
        self.created(outcome, "sale", async |store: &Store, agreement: AgreementId| store.sale(agreement).await).await
    }

    /// The sale an agreement records, when it is one: the agreement, its realisation and
    /// its reciprocal realisation (the first of each, in recording order).
    pub async fn sale(&self, agreement: AgreementId) -> Result<Option<SaleRecorded>> {
        let Some(found) = self.agreements_by_id(&[agreement]).await?.remove(&agreement) else {
            return Ok(None);
        };
        let key = agreement.to_string();
        let rows = economic_event::Entity::find()
            .filter(
                Condition::any()
                    .add(economic_event::Column::RealizationOf.eq(key.clone()))
                    .add(economic_event::Column::ReciprocalRealizationOf.eq(key)),
            )
            .order_by_asc(economic_event::Column::Id)
            .all(self.connection())
            .await?;
        let first = |reciprocal: bool| -> Result<Option<EconomicEventId>> {
            rows.iter()
                .find(|r| r.reciprocal_realization_of.is_some() == reciprocal)
                .map(|r| id(&r.id, EconomicEventId::parse))
                .transpose()
        };
        let (Some(transfer), Some(revenue)) = (first(false)?, first(true)?) else {
            return Ok(None);
        };
        let mut events = self.events_by_id(&[transfer, revenue]).await?;
        match (events.remove(&transfer), events.remove(&revenue)) {
            (Some(transfer), Some(revenue)) => Ok(Some(SaleRecorded { agreement: found, transfer, revenue })),
            _ => Ok(None),
        }
    }
}
