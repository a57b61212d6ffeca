//! The exchange firm (DESIGN 7): the one agent through which a network trades with the market.
//! Two rules live here, as plain functions over the OVN relationships persistence loads
//! ([`Ties`]):
//!
//! - the market-exchange rule ([`check_market_exchange`]): a `transfer` or `transferAllRights`
//!   of a network's product to an agent outside the network is the exchange firm's to make,
//!   and refused (`MARKET_EXCHANGE_REQUIRES_EXCHANGE_FIRM`) from anyone else;
//! - a sale ([`Sale`]): what `recordSale` takes, which firm sells, who may record it, and the
//!   two events that carry it out.
//!
//! Where the lines are drawn (what is "in scope of a project", who is "outside the network",
//! why money is never caught) is argued in `docs/exchange-firm.md` and decisions D130-D135.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::agent::network::{OvnRole, Ties};
use crate::observation::{EconomicResource, EventDetails, NewEvent};
use crate::{Action, AgentId, AgreementId, DomainError, EconomicResourceId, Measure, ResourceSpecificationId};

/// Whether `action` hands the rights to a resource to another agent: the two actions the rule
/// is about. `transferCustody` moves the goods and not the ownership (to a custodian, a
/// carrier, a repairer): nothing is sold by it.
pub fn hands_over_rights(action: Action) -> bool {
    matches!(action, Action::Transfer | Action::TransferAllRights)
}

/// The exchange firms of the network `scope` belongs to: those of `scope` and of every network
/// above it (`ties` hold the `partOf` chain above `scope` with its officers).
pub fn exchange_firms(scope: AgentId, ties: &Ties) -> BTreeSet<AgentId> {
    ties.above(scope).into_iter().flat_map(|o| ties.subjects(OvnRole::ExchangeFirmOf, o).collect::<Vec<_>>()).collect()
}

/// Whether `scope` is a network's project, or a network: it is part of another organization,
/// or it has an exchange firm. A scope with neither (a person, an organization that joined
/// nothing) is no network's, and the rule does not apply to what is recorded in it.
pub fn in_network(scope: AgentId, ties: &Ties) -> bool {
    ties.above(scope).len() > 1 || !exchange_firms(scope, ties).is_empty()
}

/// The organizations the network of `scope` is made of, as far as the market is concerned:
/// `scope` and every network above it, and the exchange firms and custodians of each.
fn network_of(scope: AgentId, ties: &Ties) -> BTreeSet<AgentId> {
    let above = ties.above(scope);
    let officers: Vec<AgentId> = above
        .iter()
        .flat_map(|o| {
            ties.subjects(OvnRole::ExchangeFirmOf, *o)
                .chain(ties.subjects(OvnRole::CustodianOf, *o))
                .collect::<Vec<_>>()
        })
        .collect();
    above.into_iter().chain(officers).collect()
}

/// Whether `agent` is inside the network of `scope`: it is one of its organizations (the
/// project, a network above it, their exchange firm or custodian), or it has an OVN
/// relationship (affiliate, steward, part) with an organization whose `partOf` chain meets
/// them. So an affiliate of a sibling project, a sub-project, and the stewards of the exchange
/// firm are inside; an agent with no relationship to the network is outside. `ties` hold
/// `agent`'s own ties, and the `partOf` chains above `scope` and above every object of
/// `agent`'s ties, with their officers.
pub fn is_inside(agent: AgentId, scope: AgentId, ties: &Ties) -> bool {
    let network = network_of(scope, ties);
    if network.contains(&agent) {
        return true;
    }
    let objects: BTreeSet<AgentId> = ties.iter().filter(|t| t.subject == agent).map(|t| t.object).collect();
    objects.into_iter().any(|o| ties.above(o).iter().any(|up| network.contains(up)))
}

/// The first of `scopes` (in the order the event names them) out of whose network `event`
/// would take a product without going through that network's exchange firm: a transfer of
/// rights (not a correction), in scope of a network's project, to a receiver outside that
/// network, from a provider that is not one of its exchange firms. `None` lets the event
/// through; `Some` refuses it unless the resource is money ([`check_market_exchange`]).
/// Persistence asks what the resource is only when this answers `Some`.
pub fn leaves_network(event: &NewEvent, scopes: &[AgentId], ties: &Ties) -> Option<AgentId> {
    if !hands_over_rights(event.action) || event.is_correction() {
        return None;
    }
    scopes.iter().copied().find(|scope| {
        in_network(*scope, ties)
            && !is_inside(event.receiver, *scope, ties)
            && !exchange_firms(*scope, ties).contains(&event.provider)
    })
}

/// The market-exchange rule (DESIGN 7): only the network's exchange firm transfers a network
/// product to an agent outside the network ([`leaves_network`]). Money is not a product:
/// a payment to a supplier, a payout, a deposit is never caught (`medium_of_exchange`: the
/// resource's specification is a medium of exchange). A refusal is
/// [`DomainError::MarketExchange`].
pub fn check_market_exchange(
    event: &NewEvent,
    scopes: &[AgentId],
    ties: &Ties,
    medium_of_exchange: bool,
) -> Result<(), DomainError> {
    match leaves_network(event, scopes, ties) {
        Some(_) if medium_of_exchange => Ok(()),
        Some(scope) => {
            let firms: Vec<String> = exchange_firms(scope, ties).iter().map(ToString::to_string).collect();
            Err(DomainError::MarketExchange(if firms.is_empty() {
                format!(
                    "{} is outside the network of {scope}, which has no exchange firm: name one (exchangeFirmOf) \
                     to sell its products",
                    event.receiver
                )
            } else {
                format!(
                    "{} is outside the network of {scope}: only its exchange firm ({}) may {} a product of it to \
                     the market; transfer it to the firm, which sells it (recordSale)",
                    event.receiver,
                    firms.join(", "),
                    event.action
                )
            }))
        }
        None => Ok(()),
    }
}

/// The exchange firm that sells for `scope`: the nearest one up its `partOf` chain (a
/// sub-network's own firm before the network's). Refused (`BAD_INPUT`) when the chain has
/// none, or two at the same distance (a project part of two networks with firms: which one
/// sells is not for ovn to guess).
pub fn exchange_firm_for(scope: AgentId, ties: &Ties) -> Result<AgentId, DomainError> {
    let mut seen = BTreeSet::from([scope]);
    let mut level = vec![scope];
    while !level.is_empty() {
        let firms: BTreeSet<AgentId> =
            level.iter().flat_map(|o| ties.subjects(OvnRole::ExchangeFirmOf, *o).collect::<Vec<_>>()).collect();
        match firms.len() {
            0 => {}
            1 => return firms.into_iter().next().ok_or_else(|| DomainError::invalid("inScopeOf", "no firm")),
            _ => {
                return Err(DomainError::invalid(
                    "inScopeOf",
                    format!(
                        "{scope} is part of several networks with an exchange firm; record the sale in one of them"
                    ),
                ));
            }
        }
        level = level
            .iter()
            .flat_map(|o| ties.objects(*o, OvnRole::PartOf).collect::<Vec<_>>())
            .filter(|o| seen.insert(*o))
            .collect();
    }
    Err(DomainError::invalid("inScopeOf", format!("no network of {scope} has an exchange firm to sell through")))
}

/// `recordSale`, parsed: the exchange firm of `scope`'s network sells `quantity` of `product`
/// to `customer` for `price`, paid in `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// The project (or network) the sale counts in: its exchange firm sells, its equation
    /// will split the revenue.
    pub scope: AgentId,
    /// Who buys.
    pub customer: AgentId,
    /// The firm's resource the product is taken from.
    pub product: EconomicResourceId,
    /// How much of the product.
    pub quantity: Measure,
    /// What the customer pays for all of it, in the currency's unit.
    pub price: Measure,
    /// The kind of money paid (a `ResourceSpecification` that is a medium of exchange).
    pub currency: ResourceSpecificationId,
    /// The firm's money resource the payment goes into; without one, the payment names no
    /// resource (the firm keeps its accounts elsewhere).
    pub paid_into: Option<EconomicResourceId>,
    /// The agreement's name.
    pub name: Option<String>,
    /// A note, on the agreement and both events.
    pub note: Option<String>,
    /// When the sale happened (both events' `hasPointInTime`, the agreement's `created`).
    pub at: Option<DateTime<Utc>>,
}

/// The facts a sale is checked against, loaded by persistence.
#[derive(Debug, Clone, Copy)]
pub struct SaleFacts<'a> {
    /// The exchange firm selling ([`exchange_firm_for`] the scope).
    pub firm: AgentId,
    /// The product's resource.
    pub product: &'a EconomicResource,
    /// The resource the payment goes into, when the sale names one.
    pub paid_into: Option<&'a EconomicResource>,
    /// Whether the currency is a medium of exchange.
    pub currency_is_money: bool,
}

impl Sale {
    /// Checks the input alone: a quantity and a price above zero.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.quantity.has_numerical_value <= Decimal::ZERO {
            return Err(DomainError::invalid("quantity", "must be more than zero"));
        }
        if self.price.has_numerical_value <= Decimal::ZERO {
            return Err(DomainError::invalid("price", "must be more than zero: a gift is a transfer, not a sale"));
        }
        Ok(())
    }

    /// Checks the sale against the books: the firm holds the product (its accountable agent:
    /// what the firm sells must be the firm's, so it first comes to the firm by a transfer
    /// inside the network); the customer is not the firm; the currency is money; the payment
    /// goes into a resource of the firm in that currency. Whether enough is on hand is the
    /// books' own check, when the transfer is recorded.
    pub fn check(&self, facts: &SaleFacts<'_>) -> Result<(), DomainError> {
        self.validate()?;
        if self.customer == facts.firm {
            return Err(DomainError::invalid("customer", "the exchange firm cannot sell to itself"));
        }
        if facts.product.state.primary_accountable != Some(facts.firm) {
            return Err(DomainError::invalid(
                "product",
                format!(
                    "economic resource `{}` is not the exchange firm's ({}): transfer it to the firm before selling it",
                    self.product, facts.firm
                ),
            ));
        }
        if !facts.currency_is_money {
            return Err(DomainError::invalid(
                "currency",
                format!("resource specification `{}` is not a medium of exchange (mediumOfExchange)", self.currency),
            ));
        }
        if let Some(account) = facts.paid_into {
            if account.state.primary_accountable != Some(facts.firm) {
                return Err(DomainError::invalid(
                    "paidInto",
                    format!("economic resource `{}` is not the exchange firm's", account.id),
                ));
            }
            if account.conforms_to != self.currency {
                return Err(DomainError::invalid(
                    "paidInto",
                    format!("economic resource `{}` is not of the currency `{}`", account.id, self.currency),
                ));
            }
        }
        Ok(())
    }

    /// The sale's two events, realising `agreement`: the product's transfer from the firm to
    /// the customer (`realizationOf`), and the customer's payment to the firm, the revenue
    /// event (`reciprocalRealizationOf`). Both count in the sale's scope.
    pub fn events(
        &self,
        firm: AgentId,
        product: &EconomicResource,
        agreement: AgreementId,
    ) -> [(NewEvent, EventDetails); 2] {
        let details = EventDetails {
            has_point_in_time: self.at,
            note: self.note.clone(),
            in_scope_of: vec![self.scope],
            ..EventDetails::default()
        };
        let mut transfer = NewEvent::new(Action::Transfer, firm, self.customer);
        transfer.resource_inventoried_as = Some(self.product);
        transfer.resource_quantity = Some(self.quantity);
        let transfer_details = EventDetails {
            resource_conforms_to: Some(product.conforms_to),
            resource_classified_as: product.details.classified_as.clone(),
            realization_of: Some(agreement),
            ..details.clone()
        };
        let mut payment = NewEvent::new(Action::Transfer, self.customer, firm);
        payment.to_resource_inventoried_as = self.paid_into;
        payment.resource_quantity = Some(self.price);
        let payment_details = EventDetails {
            resource_conforms_to: Some(self.currency),
            reciprocal_realization_of: Some(agreement),
            ..details
        };
        [(transfer, transfer_details), (payment, payment_details)]
    }
}

/// Who may record a sale: the exchange firm itself, or a steward of it (its officers). A
/// steward of the network or the project who is not one of the firm's does not commit the
/// firm to a sale: the firm answers for what it sells (invoices, taxes, warranty).
pub fn may_record_sale(actor: AgentId, firm: AgentId, ties: &Ties) -> Result<(), DomainError> {
    if actor == firm || ties.is_steward(actor, firm) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!("only the exchange firm ({firm}) or a steward of it records its sales")))
    }
}

#[cfg(test)]
mod tests;
