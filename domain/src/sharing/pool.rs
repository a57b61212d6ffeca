//! Money pools (DESIGN 5, 6): crowdfunding, grants, a project's kitty. A pool is an
//! `EconomicResource` of a currency (its specification is a `mediumOfExchange`) held by the
//! network's custodian (`custodianOf` a network the project is part of) in a project's scope.
//!
//! The rules, as plain functions over what persistence loads:
//!
//! - **Creating one** ([`custodian_for`], [`may_create`], [`check_currency`]): a steward of the
//!   scope, or the custodian itself, opens it; the custodian is the one `custodianOf` a
//!   network above the scope (named when there are several) and is not itself an affiliate of
//!   the scope, since a payment out of a pool by an affiliate would count as that affiliate's
//!   cash contribution.
//! - **Money in** ([`check_event`]): a deposit is a `transfer` of money into the pool
//!   (`toResourceInventoriedAs`), received by the custodian, in scope of the pool's project. A
//!   deposit by an affiliate is a cash contribution like any other (the equation values it);
//!   one by an outsider (a grant) is money in, not a contribution. The pool is its custodian's
//!   standing consent: a deposit never waits for it.
//! - **Money out** ([`check_event`]): only the transfer a passed `ALLOCATE_FROM_POOL` proposal
//!   writes. Any other event that acts on a pool (a transfer, a consume, a correction of a
//!   deposit) is refused with `FORBIDDEN`.
//! - **Never below zero** ([`shortfall`]): when a proposal passes and the pool cannot pay it,
//!   nothing is paid and the proposal is decided `FAILED` with the reason; persistence takes
//!   the pool's row lock first, so two allocations passing at once see each other.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::agent::network::{OvnRole, Ties};
use crate::knowledge::ResourceSpecification;
use crate::observation::NewEvent;
use crate::{Action, AgentId, DomainError, EconomicResourceId, Measure, UnitId, canonical};

/// A money pool: which resource, in whose scope, held by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyPool {
    /// The currency resource that holds the money (a pool is named by its resource's id).
    pub resource: EconomicResourceId,
    /// The project (or network) whose contributors decide what it pays.
    pub scope: AgentId,
    /// The agent `custodianOf` a network above the scope, who holds it.
    pub custodian: AgentId,
    /// When it was opened.
    pub created: DateTime<Utc>,
    /// Who opened it.
    pub created_by: AgentId,
}

/// `createMoneyPool`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMoneyPool {
    /// The project (or network) the pool belongs to.
    pub scope: AgentId,
    /// The resource's name.
    pub name: crate::Name,
    /// The currency: a resource specification that is a `mediumOfExchange`.
    pub conforms_to: crate::ResourceSpecificationId,
    /// The unit every deposit and allocation is in.
    pub unit: UnitId,
    /// The custodian, when the networks above the scope have several.
    pub custodian: Option<AgentId>,
    /// Free text.
    pub note: Option<String>,
}

/// The custodian of a new pool in `scope`: `named` if given, else the only agent
/// `custodianOf` the scope or a network above it. `ties` hold the `partOf` chain above the
/// scope with its organizations' officers, and the candidates' own affiliations.
pub fn custodian_for(scope: AgentId, named: Option<AgentId>, ties: &Ties) -> Result<AgentId, DomainError> {
    let mut custodians: Vec<AgentId> = ties
        .above(scope)
        .into_iter()
        .flat_map(|org| ties.subjects(OvnRole::CustodianOf, org).collect::<Vec<_>>())
        .collect();
    custodians.sort();
    custodians.dedup();
    let custodian = match (named, custodians.as_slice()) {
        (Some(named), found) if found.contains(&named) => named,
        (Some(named), _) => {
            return Err(DomainError::invalid(
                "custodian",
                format!("{named} is not custodianOf {scope} or of a network it is part of"),
            ));
        }
        (None, [only]) => *only,
        (None, []) => {
            return Err(DomainError::invalid(
                "scope",
                format!("no agent is custodianOf {scope} or of a network it is part of; a pool needs a custodian"),
            ));
        }
        (None, _) => {
            return Err(DomainError::invalid(
                "custodian",
                "the networks above the scope have several custodians: name the one that holds the pool",
            ));
        }
    };
    if ties.is_affiliate(custodian, scope) {
        return Err(DomainError::invalid(
            "custodian",
            format!(
                "{custodian} is an affiliate of {scope}: a pool's payments would count as its contributions; a custodian holds for the network and contributes nothing"
            ),
        ));
    }
    Ok(custodian)
}

/// Who opens a pool: a steward of its scope (or of a network above it), or its custodian.
pub fn may_create(actor: AgentId, scope: AgentId, custodian: AgentId, ties: &Ties) -> Result<(), DomainError> {
    if actor == custodian || ties.is_steward(actor, scope) {
        Ok(())
    } else {
        Err(DomainError::Forbidden("a money pool is opened by a steward of its scope or by its custodian".into()))
    }
}

/// A pool holds a currency: its specification is a `mediumOfExchange`.
pub fn check_currency(spec: &ResourceSpecification) -> Result<(), DomainError> {
    if spec.medium_of_exchange == Some(true) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "conformsTo",
            format!("{} is not a mediumOfExchange; a money pool holds a currency", spec.name.as_str()),
        ))
    }
}

/// What an event is to the pools it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolFlow {
    /// It names no pool.
    None,
    /// A deposit into a pool: consented by the pool itself, never waiting for the custodian.
    Deposit,
    /// The transfer a passed allocation proposal writes.
    Allocation,
}

/// Checks an event against the pools it names: `from` when its `resourceInventoriedAs` is a
/// pool, `to` when its `toResourceInventoriedAs` is one. `voted` says the event is the
/// transfer of a passed `ALLOCATE_FROM_POOL` proposal (persistence writes it; no client can).
pub fn check_event(
    event: &NewEvent,
    scopes: &[AgentId],
    from: Option<&MoneyPool>,
    to: Option<&MoneyPool>,
    voted: bool,
) -> Result<PoolFlow, DomainError> {
    if let Some(pool) = from {
        let allocation = voted
            && event.action == Action::Transfer
            && event.corrects.is_none()
            && event.provider == pool.custodian
            && to.is_none();
        if !allocation {
            return Err(DomainError::Forbidden(format!(
                "{} is a money pool: money leaves it only by the transfer a passed ALLOCATE_FROM_POOL proposal writes",
                pool.resource
            )));
        }
        return Ok(PoolFlow::Allocation);
    }
    let Some(pool) = to else { return Ok(PoolFlow::None) };
    if event.action != Action::Transfer || event.corrects.is_some() {
        return Err(DomainError::Forbidden(format!(
            "{} is a money pool: money goes into it only by a transfer (a deposit), and a deposit is not corrected (a vote pays it back)",
            pool.resource
        )));
    }
    if event.receiver != pool.custodian {
        return Err(DomainError::invalid(
            "receiver",
            format!("a deposit into a money pool is received by its custodian ({})", pool.custodian),
        ));
    }
    if !scopes.contains(&pool.scope) {
        return Err(DomainError::invalid(
            "inScopeOf",
            format!("a deposit into a money pool counts in the pool's scope: include {}", pool.scope),
        ));
    }
    Ok(PoolFlow::Deposit)
}

/// An allocation as proposed: how much of which pool to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    /// The pool paying.
    pub pool: EconomicResourceId,
    /// How much, in the pool's unit.
    pub amount: Measure,
    /// Who is paid.
    pub recipient: AgentId,
}

/// Checks an allocation proposed in `scope` from `pool`, whose resource is in `pool_unit`:
/// the pool belongs to that scope, the amount is more than zero and in the pool's unit (a
/// missing unit is taken as the pool's). Returns the allocation with the pool's unit.
pub fn check_allocation(
    allocation: Allocation,
    scope: AgentId,
    pool: &MoneyPool,
    pool_unit: Option<UnitId>,
) -> Result<Allocation, DomainError> {
    if pool.scope != scope {
        return Err(DomainError::invalid(
            "pool",
            format!(
                "money pool {} belongs to {}, not to {scope}: its own contributors decide",
                pool.resource, pool.scope
            ),
        ));
    }
    if allocation.amount.has_numerical_value <= Decimal::ZERO {
        return Err(DomainError::invalid("amount", "must be more than zero"));
    }
    let unit = match (allocation.amount.has_unit, pool_unit) {
        (Some(given), Some(pool)) if given != pool => {
            return Err(DomainError::invalid(
                "amount.hasUnit",
                format!("the pool is kept in unit {pool}, not {given}"),
            ));
        }
        (given, pool) => pool.or(given),
    };
    Ok(Allocation { amount: Measure::new(allocation.amount.has_numerical_value, unit), ..allocation })
}

/// Why a pool holding `balance` cannot pay `amount`, if it cannot: the reason a passed
/// proposal is decided `FAILED` with, nothing paid.
pub fn shortfall(balance: Decimal, amount: Decimal) -> Option<String> {
    (balance < amount).then(|| {
        format!(
            "the pool held {} when the proposal passed, less than the {} to allocate; nothing was paid",
            canonical(balance),
            canonical(amount)
        )
    })
}

/// The transfer that carries out a passed allocation: from the custodian to the recipient, out
/// of the pool, in the pool's scope. Its receiving side is not in these books (the recipient
/// links it to an agreement, as a purchase's payment, with `updateEconomicEvent`).
pub fn allocation_event(pool: &MoneyPool, allocation: &Allocation) -> NewEvent {
    let mut event = NewEvent::new(Action::Transfer, pool.custodian, allocation.recipient);
    event.resource_inventoried_as = Some(pool.resource);
    event.resource_quantity = Some(allocation.amount);
    event
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests unwrap: a failure should panic with the value")]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::agent::network::Tie;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    struct World {
        network: AgentId,
        project: AgentId,
        custodian: AgentId,
        steward: AgentId,
        alice: AgentId,
        ties: Ties,
    }

    fn world() -> World {
        let [network, project, custodian, steward, alice] = std::array::from_fn(|_| AgentId::new());
        let tie = |subject, role, object| Tie { subject, role, object };
        let ties = Ties::new([
            tie(project, OvnRole::PartOf, network),
            tie(custodian, OvnRole::CustodianOf, network),
            tie(steward, OvnRole::StewardOf, network),
            tie(alice, OvnRole::AffiliateOf, network),
        ]);
        World { network, project, custodian, steward, alice, ties }
    }

    fn pool(w: &World) -> MoneyPool {
        MoneyPool {
            resource: EconomicResourceId::new(),
            scope: w.project,
            custodian: w.custodian,
            created: Utc::now(),
            created_by: w.steward,
        }
    }

    fn deposit(w: &World, pool: &MoneyPool) -> NewEvent {
        let mut event = NewEvent::new(Action::Transfer, w.alice, w.custodian);
        event.resource_inventoried_as = Some(EconomicResourceId::new());
        event.to_resource_inventoried_as = Some(pool.resource);
        event.resource_quantity = Some(Measure::new(d("100"), None));
        event
    }

    #[test]
    fn the_custodian_is_the_one_custodian_of_a_network_above_and_no_affiliate() {
        let mut w = world();
        assert_eq!(custodian_for(w.project, None, &w.ties), Ok(w.custodian));
        assert_eq!(custodian_for(w.project, Some(w.custodian), &w.ties), Ok(w.custodian));
        let named_other = custodian_for(w.project, Some(w.alice), &w.ties);
        assert!(matches!(named_other, Err(DomainError::Invalid { ref field, .. }) if field == "custodian"));
        let second = AgentId::new();
        w.ties.extend([Tie { subject: second, role: OvnRole::CustodianOf, object: w.network }]);
        let ambiguous = custodian_for(w.project, None, &w.ties);
        assert!(matches!(ambiguous, Err(DomainError::Invalid { ref field, .. }) if field == "custodian"));
        assert_eq!(custodian_for(w.project, Some(second), &w.ties), Ok(second));
        let lonely = AgentId::new();
        assert!(
            matches!(custodian_for(lonely, None, &w.ties), Err(DomainError::Invalid { ref field, .. }) if field == "scope")
        );
        // A custodian that is also an affiliate would see the pool's payments counted as its
        // own cash contributions.
        w.ties.extend([Tie { subject: second, role: OvnRole::AffiliateOf, object: w.network }]);
        assert!(custodian_for(w.project, Some(second), &w.ties).is_err());
    }

    #[test]
    fn a_steward_or_the_custodian_opens_a_pool() {
        let w = world();
        assert_eq!(may_create(w.steward, w.project, w.custodian, &w.ties), Ok(()));
        assert_eq!(may_create(w.custodian, w.project, w.custodian, &w.ties), Ok(()));
        assert!(matches!(may_create(w.alice, w.project, w.custodian, &w.ties), Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn a_deposit_is_a_transfer_to_the_custodian_in_the_pools_scope() {
        let w = world();
        let p = pool(&w);
        let event = deposit(&w, &p);
        assert_eq!(check_event(&event, &[w.project], None, Some(&p), false), Ok(PoolFlow::Deposit));
        let unscoped = check_event(&event, &[], None, Some(&p), false);
        assert!(matches!(unscoped, Err(DomainError::Invalid { ref field, .. }) if field == "inScopeOf"));
        let to_alice = NewEvent { receiver: w.alice, ..event.clone() };
        let wrong_receiver = check_event(&to_alice, &[w.project], None, Some(&p), false);
        assert!(matches!(wrong_receiver, Err(DomainError::Invalid { ref field, .. }) if field == "receiver"));
        let moved = NewEvent { action: Action::Move, ..event.clone() };
        assert!(matches!(check_event(&moved, &[w.project], None, Some(&p), false), Err(DomainError::Forbidden(_))));
        let correction = NewEvent { corrects: Some(crate::EconomicEventId::new()), ..event };
        assert!(matches!(
            check_event(&correction, &[w.project], None, Some(&p), false),
            Err(DomainError::Forbidden(_))
        ));
    }

    #[test]
    fn money_leaves_a_pool_only_by_the_voted_transfer() {
        let w = world();
        let p = pool(&w);
        let allocation = Allocation { pool: p.resource, amount: Measure::new(d("40"), None), recipient: w.alice };
        let paid = allocation_event(&p, &allocation);
        assert_eq!(
            (paid.provider, paid.receiver, paid.resource_inventoried_as),
            (w.custodian, w.alice, Some(p.resource))
        );
        assert_eq!(check_event(&paid, &[w.project], Some(&p), None, true), Ok(PoolFlow::Allocation));
        // The same transfer recorded by a client, by the custodian or anyone: refused.
        assert!(matches!(check_event(&paid, &[w.project], Some(&p), None, false), Err(DomainError::Forbidden(_))));
        for action in [Action::Consume, Action::TransferAllRights, Action::Move, Action::Lower] {
            let other = NewEvent { action, ..paid.clone() };
            assert!(check_event(&other, &[w.project], Some(&p), None, true).is_err(), "{action}");
        }
        let from_alice = NewEvent { provider: w.alice, ..paid };
        assert!(check_event(&from_alice, &[w.project], Some(&p), None, true).is_err());
        let unrelated = NewEvent::new(Action::Work, w.alice, w.project);
        assert_eq!(check_event(&unrelated, &[w.project], None, None, false), Ok(PoolFlow::None));
    }

    #[test]
    fn an_allocation_names_the_pools_scope_a_positive_amount_in_its_unit() {
        let w = world();
        let p = pool(&w);
        let (usd, eur) = (UnitId::new(), UnitId::new());
        let ask = |amount: &str, unit| Allocation {
            pool: p.resource,
            amount: Measure::new(d(amount), unit),
            recipient: w.alice,
        };
        let checked = check_allocation(ask("40", None), w.project, &p, Some(usd)).unwrap();
        assert_eq!(checked.amount, Measure::new(d("40"), Some(usd)), "the pool's unit is taken");
        assert!(check_allocation(ask("40", Some(usd)), w.project, &p, Some(usd)).is_ok());
        for (amount, unit, field) in
            [("0", None, "amount"), ("-5", None, "amount"), ("40", Some(eur), "amount.hasUnit")]
        {
            let refused = check_allocation(ask(amount, unit), w.project, &p, Some(usd));
            assert!(matches!(refused, Err(DomainError::Invalid { field: ref f, .. }) if f == field), "{amount}");
        }
        let elsewhere = check_allocation(ask("40", None), w.network, &p, Some(usd));
        assert!(matches!(elsewhere, Err(DomainError::Invalid { ref field, .. }) if field == "pool"));
    }

    #[test]
    fn a_pool_pays_what_it_holds_and_not_a_cent_more() {
        assert_eq!(shortfall(d("100"), d("100")), None, "all of it");
        assert_eq!(shortfall(d("100"), d("99.99")), None);
        let short = shortfall(d("100"), d("100.01")).unwrap();
        assert!(short.contains("held 100") && short.contains("100.01"), "{short}");
    }
}
