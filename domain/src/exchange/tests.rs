use super::*;
use crate::agent::network::Tie;
use crate::observation::{ResourceDetails, ResourceState};

fn tie(subject: AgentId, role: OvnRole, object: AgentId) -> Tie {
    Tie { subject, role, object }
}

fn transfer(action: Action, provider: AgentId, receiver: AgentId) -> NewEvent {
    let mut event = NewEvent::new(action, provider, receiver);
    event.resource_inventoried_as = Some(EconomicResourceId::new());
    event.resource_quantity = Some(Measure::new(Decimal::ONE, None));
    event
}

fn refused(result: Result<(), DomainError>) -> bool {
    matches!(result, Err(DomainError::MarketExchange(_)))
}

/// A network N with its exchange firm F and custodian K; projects P and Q part of it, S part
/// of P; Alice an affiliate of N, Bob of Q; Stew a steward of P, Fiona a steward of F; another
/// network M with its affiliate Dora; Cam, a customer with no relationship at all.
struct Net {
    n: AgentId,
    f: AgentId,
    k: AgentId,
    p: AgentId,
    q: AgentId,
    s: AgentId,
    alice: AgentId,
    bob: AgentId,
    stew: AgentId,
    fiona: AgentId,
    dora: AgentId,
    cam: AgentId,
    ties: Ties,
}

fn net() -> Net {
    let [n, f, k, p, q, s, m, alice, bob, stew, fiona, dora, cam] = std::array::from_fn(|_| AgentId::new());
    let ties = Ties::new([
        tie(f, OvnRole::ExchangeFirmOf, n),
        tie(k, OvnRole::CustodianOf, n),
        tie(p, OvnRole::PartOf, n),
        tie(q, OvnRole::PartOf, n),
        tie(s, OvnRole::PartOf, p),
        tie(alice, OvnRole::AffiliateOf, n),
        tie(bob, OvnRole::AffiliateOf, q),
        tie(stew, OvnRole::StewardOf, p),
        tie(fiona, OvnRole::StewardOf, f),
        tie(dora, OvnRole::AffiliateOf, m),
    ]);
    Net { n, f, k, p, q, s, alice, bob, stew, fiona, dora, cam, ties }
}

#[test]
fn only_the_exchange_firm_transfers_a_projects_product_to_the_market() {
    let t = net();
    let sale = transfer(Action::Transfer, t.alice, t.cam);
    assert_eq!(leaves_network(&sale, &[t.p], &t.ties), Some(t.p));
    assert!(refused(check_market_exchange(&sale, &[t.p], &t.ties, false)), "an affiliate sells straight to Cam");
    let all_rights = transfer(Action::TransferAllRights, t.alice, t.cam);
    assert!(refused(check_market_exchange(&all_rights, &[t.p], &t.ties, false)));
    assert!(
        refused(check_market_exchange(&transfer(Action::Transfer, t.p, t.cam), &[t.p], &t.ties, false)),
        "the project itself"
    );
    assert!(
        refused(check_market_exchange(&transfer(Action::Transfer, t.n, t.cam), &[t.p], &t.ties, false)),
        "the network itself"
    );
    assert!(
        refused(check_market_exchange(&transfer(Action::Transfer, t.fiona, t.cam), &[t.p], &t.ties, false)),
        "the firm's steward sells only as the firm (the firm is the provider)"
    );
    assert!(refused(check_market_exchange(&sale, &[t.s], &t.ties, false)), "a sub-project's product too");
    assert_eq!(check_market_exchange(&transfer(Action::Transfer, t.f, t.cam), &[t.p], &t.ties, false), Ok(()));
    // The first scope that is a network's is named.
    let lone = AgentId::new();
    assert_eq!(leaves_network(&sale, &[lone, t.p], &t.ties), Some(t.p));
}

#[test]
fn money_custody_corrections_and_unscoped_transfers_are_not_caught() {
    let t = net();
    let payment = transfer(Action::Transfer, t.alice, t.cam);
    assert_eq!(check_market_exchange(&payment, &[t.p], &t.ties, true), Ok(()), "paying a supplier is no sale");
    let custody = transfer(Action::TransferCustody, t.alice, t.cam);
    assert_eq!(leaves_network(&custody, &[t.p], &t.ties), None, "a carrier or a repairer holds, does not own");
    let mut correction = transfer(Action::Transfer, t.alice, t.cam);
    correction.corrects = Some(crate::EconomicEventId::new());
    assert_eq!(leaves_network(&correction, &[t.p], &t.ties), None, "a correction fixes what was recorded");
    assert_eq!(leaves_network(&payment, &[], &t.ties), None, "counts in no scope: not the network's books");
    assert_eq!(leaves_network(&NewEvent::new(Action::Work, t.alice, t.cam), &[t.p], &t.ties), None);
}

#[test]
fn transfers_inside_the_network_pass() {
    let t = net();
    for (receiver, who) in [
        (t.alice, "an affiliate of the network"),
        (t.bob, "an affiliate of a sibling project"),
        (t.stew, "a steward of the project"),
        (t.fiona, "a steward of the exchange firm"),
        (t.f, "the exchange firm"),
        (t.k, "the custodian"),
        (t.p, "the project"),
        (t.q, "a sibling project"),
        (t.s, "a sub-project"),
        (t.n, "the network"),
    ] {
        assert!(is_inside(receiver, t.p, &t.ties), "{who} is inside");
        let event = transfer(Action::Transfer, t.alice, receiver);
        assert_eq!(check_market_exchange(&event, &[t.p], &t.ties, false), Ok(()), "to {who}");
    }
    assert!(!is_inside(t.cam, t.p, &t.ties));
    assert!(!is_inside(t.dora, t.p, &t.ties), "an affiliate of another network is outside this one");
    // Affiliation reaches down, not up: Bob (of Q) is inside P's network because Q and P share N.
    assert!(is_inside(t.bob, t.s, &t.ties));
}

#[test]
fn a_scope_in_no_network_is_free_and_a_network_without_a_firm_cannot_sell() {
    let t = net();
    let lone = AgentId::new();
    assert!(!in_network(lone, &t.ties));
    assert_eq!(check_market_exchange(&transfer(Action::Transfer, t.alice, t.cam), &[lone], &t.ties, false), Ok(()));
    let (n2, p2) = (AgentId::new(), AgentId::new());
    let mut ties = t.ties.clone();
    ties.extend([tie(p2, OvnRole::PartOf, n2), tie(t.alice, OvnRole::AffiliateOf, n2)]);
    assert!(in_network(p2, &ties));
    let refusal = check_market_exchange(&transfer(Action::Transfer, t.alice, t.cam), &[p2], &ties, false);
    assert!(matches!(&refusal, Err(DomainError::MarketExchange(m)) if m.contains("no exchange firm")), "{refusal:?}");
    assert!(exchange_firm_for(p2, &ties).is_err());
    // A network with a firm and no parts is a network.
    assert!(in_network(t.n, &t.ties));
}

#[test]
fn the_nearest_exchange_firm_sells_and_any_firm_above_may() {
    let t = net();
    let (sub, sub_firm, project) = (AgentId::new(), AgentId::new(), AgentId::new());
    let mut ties = t.ties.clone();
    ties.extend([
        tie(sub, OvnRole::PartOf, t.n),
        tie(sub_firm, OvnRole::ExchangeFirmOf, sub),
        tie(project, OvnRole::PartOf, sub),
    ]);
    assert_eq!(exchange_firm_for(project, &ties), Ok(sub_firm));
    assert_eq!(exchange_firm_for(t.p, &ties), Ok(t.f));
    assert_eq!(exchange_firms(project, &ties), BTreeSet::from([sub_firm, t.f]));
    for firm in [sub_firm, t.f] {
        assert_eq!(check_market_exchange(&transfer(Action::Transfer, firm, t.cam), &[project], &ties, false), Ok(()));
    }
    // Part of two networks that each have a firm, at the same distance: which one sells is
    // for the seller to say, by recording the sale in one of them.
    let (other, other_firm, twice) = (AgentId::new(), AgentId::new(), AgentId::new());
    ties.extend([
        tie(other_firm, OvnRole::ExchangeFirmOf, other),
        tie(twice, OvnRole::PartOf, t.n),
        tie(twice, OvnRole::PartOf, other),
    ]);
    assert!(matches!(exchange_firm_for(twice, &ties), Err(DomainError::Invalid { .. })));
}

fn resource(owner: AgentId, conforms_to: ResourceSpecificationId) -> EconomicResource {
    EconomicResource {
        id: EconomicResourceId::new(),
        revision: 1,
        state: ResourceState {
            accounting_quantity: Decimal::TEN,
            onhand_quantity: Decimal::TEN,
            primary_accountable: Some(owner),
            custodian: Some(owner),
            ..ResourceState::default()
        },
        details: ResourceDetails::default(),
        conforms_to,
    }
}

fn sale(scope: AgentId, customer: AgentId, product: &EconomicResource, currency: ResourceSpecificationId) -> Sale {
    Sale {
        scope,
        customer,
        product: product.id,
        quantity: Measure::new(Decimal::from(4), None),
        price: Measure::new(Decimal::from(400), None),
        currency,
        paid_into: None,
        name: None,
        note: None,
        at: None,
    }
}

#[test]
fn a_sale_is_checked_against_the_books() {
    let t = net();
    let (kit, usd) = (ResourceSpecificationId::new(), ResourceSpecificationId::new());
    let kits = resource(t.f, kit);
    let cash = resource(t.f, usd);
    let facts = SaleFacts { firm: t.f, product: &kits, paid_into: Some(&cash), currency_is_money: true };
    let good = Sale { paid_into: Some(cash.id), ..sale(t.p, t.cam, &kits, usd) };
    assert_eq!(good.check(&facts), Ok(()));
    let invalid = |s: &Sale, facts: &SaleFacts<'_>, field: &str| matches!(s.check(facts), Err(DomainError::Invalid { field: f, .. }) if f == field);
    let free = Sale { price: Measure::new(Decimal::ZERO, None), ..good.clone() };
    assert!(invalid(&free, &facts, "price"));
    let none = Sale { quantity: Measure::new(Decimal::ZERO, None), ..good.clone() };
    assert!(invalid(&none, &facts, "quantity"));
    assert!(invalid(&Sale { customer: t.f, ..good.clone() }, &facts, "customer"));
    let alices = resource(t.alice, kit);
    assert!(invalid(&good, &SaleFacts { product: &alices, ..facts }, "product"), "the firm sells only its own");
    assert!(invalid(&good, &SaleFacts { currency_is_money: false, ..facts }, "currency"));
    let alices_cash = resource(t.alice, usd);
    assert!(invalid(&good, &SaleFacts { paid_into: Some(&alices_cash), ..facts }, "paidInto"));
    let kits_account = resource(t.f, kit);
    assert!(invalid(&good, &SaleFacts { paid_into: Some(&kits_account), ..facts }, "paidInto"), "not in the currency");
}

#[test]
fn a_sale_is_the_products_transfer_and_the_customers_payment_realising_one_agreement() {
    let t = net();
    let (kit, usd, agreement) = (ResourceSpecificationId::new(), ResourceSpecificationId::new(), AgreementId::new());
    let kits = resource(t.f, kit);
    let account = EconomicResourceId::new();
    let s = Sale { paid_into: Some(account), ..sale(t.p, t.cam, &kits, usd) };
    let [(transfer, transfer_details), (payment, payment_details)] = s.events(t.f, &kits, agreement);
    assert_eq!((transfer.action, transfer.provider, transfer.receiver), (Action::Transfer, t.f, t.cam));
    assert_eq!((transfer.resource_inventoried_as, transfer.resource_quantity), (Some(kits.id), Some(s.quantity)));
    assert_eq!(transfer_details.realization_of, Some(agreement));
    assert_eq!(transfer_details.resource_conforms_to, Some(kit));
    assert_eq!((payment.action, payment.provider, payment.receiver), (Action::Transfer, t.cam, t.f));
    assert_eq!((payment.resource_inventoried_as, payment.to_resource_inventoried_as), (None, Some(account)));
    assert_eq!(payment.resource_quantity, Some(s.price));
    assert_eq!(payment_details.reciprocal_realization_of, Some(agreement));
    assert_eq!(payment_details.resource_conforms_to, Some(usd));
    assert_eq!((transfer_details.in_scope_of, payment_details.in_scope_of), (vec![t.p], vec![t.p]));
    // The firm's own transfer passes the market rule; the payment is money into the network.
    assert_eq!(check_market_exchange(&transfer, &[t.p], &t.ties, false), Ok(()));
    assert_eq!(leaves_network(&payment, &[t.p], &t.ties), None);
}

#[test]
fn the_firm_or_its_steward_records_a_sale() {
    let t = net();
    let steward_of_network = AgentId::new();
    let mut ties = t.ties.clone();
    ties.extend([tie(steward_of_network, OvnRole::StewardOf, t.n)]);
    assert_eq!(may_record_sale(t.f, t.f, &ties), Ok(()));
    assert_eq!(may_record_sale(t.fiona, t.f, &ties), Ok(()));
    for other in [steward_of_network, t.stew, t.alice, t.cam] {
        assert!(matches!(may_record_sale(other, t.f, &ties), Err(DomainError::Forbidden(_))));
    }
}
