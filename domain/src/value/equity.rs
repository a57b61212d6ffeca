//! Fluid equity (DESIGN 4.5): every valued contribution of a scope, summed per agent, as
//! shares that add up to exactly 1.
//!
//! Which events count: the scope's contributions that a rule values, except those whose value
//! belongs to other contributions already counted: a `cite` (its value is the cited
//! resource's) and a `consume` of a resource with a recorded origin (its value is that
//! origin's). A `use` of a pooled asset is its owner's contribution.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::distribution::largest_remainder;
use super::equation::{ClaimType, ValueEquation};
use super::snapshot::{RuleScope, SnapEvent, Snapshot, Valuer, Working};
use crate::observation::PropertyRegime;
use crate::{Action, AgentId, DomainError, EconomicEventId, ValueEquationId};

/// Shares are shown to six decimals.
pub const SHARE_DECIMALS: u32 = 6;

/// One contribution, valued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuedContribution {
    /// The event.
    pub event: EconomicEventId,
    /// Who it is credited to.
    pub agent: AgentId,
    /// Its value.
    pub value: Decimal,
    /// The version that valued it.
    pub equation: ValueEquationId,
    /// That version's number.
    pub version: i32,
    /// How it shares in distributions.
    pub claim_type: ClaimType,
    /// Why (written out on demand).
    pub working: Working,
}

/// An agent's part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// The agent.
    pub agent: AgentId,
    /// The sum of its contributions' values.
    pub value: Decimal,
    /// `value / total`, exact (to 28 digits).
    pub exact_share: Decimal,
    /// The share shown: six decimals, rounded so that all add up to exactly 1.
    pub share: Decimal,
}

/// A scope's fluid equity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FluidEquity {
    /// The sum of every holder's value.
    pub total: Decimal,
    /// Largest first, then by agent.
    pub holders: Vec<Holding>,
    /// Every counted contribution, in recording order.
    pub contributions: Vec<ValuedContribution>,
}

/// Whether an event's value counts in fluid equity (see the module doc).
fn counts(snapshot: &Snapshot, e: &SnapEvent) -> bool {
    match e.action {
        Action::Cite => false,
        Action::Consume => e.resource_inventoried_as.is_none_or(|r| snapshot.sources(r).next().is_none()),
        _ => true,
    }
}

/// Values `events` of the snapshot (the caller picks them: a scope's, a period's) by
/// `equation`.
pub fn value_contributions<'a>(
    snapshot: &'a Snapshot,
    events: impl IntoIterator<Item = &'a SnapEvent>,
    equation: &ValueEquation,
    rules: RuleScope,
) -> Result<Vec<ValuedContribution>, DomainError> {
    let valuer = Valuer { snapshot, equation, rules };
    let mut events: Vec<&SnapEvent> = events.into_iter().filter(|e| e.is_contribution && counts(snapshot, e)).collect();
    events.sort_by_key(|e| e.order_key());
    let mut out = Vec::new();
    for e in events {
        let Some(v) = valuer.value(e, None)? else { continue };
        if v.value.is_zero() {
            continue;
        }
        let pooled_owner = (e.action == Action::Use)
            .then(|| e.resource_inventoried_as.and_then(|r| snapshot.resource(r)))
            .flatten()
            .filter(|r| r.property_regime == PropertyRegime::PoolOfShareables)
            .and_then(|r| r.primary_accountable);
        out.push(ValuedContribution {
            event: e.id,
            agent: pooled_owner.unwrap_or(e.provider),
            value: v.value,
            equation: v.equation,
            version: v.version,
            claim_type: v.claim_type,
            working: v.working,
        });
    }
    Ok(out)
}

/// The fluid equity of `scope`: its events in the snapshot recorded up to `as_of` (all when
/// `None`). The snapshot may hold other events (the origins of what the scope consumed).
pub fn fluid_equity(
    snapshot: &Snapshot,
    scope: AgentId,
    equation: &ValueEquation,
    as_of: Option<DateTime<Utc>>,
) -> Result<FluidEquity, DomainError> {
    let events =
        snapshot.events().filter(|e| e.in_scope_of.contains(&scope) && as_of.is_none_or(|at| e.recorded <= at));
    let contributions = value_contributions(snapshot, events, equation, RuleScope::All)?;
    Ok(equity_of(contributions))
}

/// Sums valued contributions per agent into shares.
pub fn equity_of(contributions: Vec<ValuedContribution>) -> FluidEquity {
    let mut per_agent: BTreeMap<AgentId, Decimal> = BTreeMap::new();
    for c in &contributions {
        *per_agent.entry(c.agent).or_default() += c.value;
    }
    let total: Decimal = per_agent.values().copied().sum();
    let exact: Vec<(AgentId, Decimal)> =
        per_agent.iter().map(|(a, v)| (*a, if total.is_zero() { Decimal::ZERO } else { v / total })).collect();
    let shown = if total.is_zero() {
        exact.clone()
    } else {
        largest_remainder(&exact, Decimal::ONE, Decimal::new(1, SHARE_DECIMALS))
    };
    let mut holders: Vec<Holding> = exact
        .iter()
        .zip(shown)
        .map(|((agent, exact_share), (_, share))| Holding {
            agent: *agent,
            value: per_agent[agent],
            exact_share: *exact_share,
            share,
        })
        .collect();
    holders.sort_by(|a, b| b.value.cmp(&a.value).then(a.agent.cmp(&b.agent)));
    FluidEquity { total, holders, contributions }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::value::fixture::*;

    #[test]
    fn the_sensor_kit_project_s_equity_is_450_300_80_30_of_860() {
        let kit = sensor_kit();
        let equity = fluid_equity(&kit.books.snapshot(), kit.project, &kit.equation, None).must();
        assert_eq!(equity.total, d("860"));
        let of = |agent| equity.holders.iter().find(|h| h.agent == agent).must().clone();
        assert_eq!(of(kit.alice).value, d("450"));
        assert_eq!(of(kit.carol).value, d("300"));
        assert_eq!(of(kit.bob).value, d("80"));
        assert_eq!(of(kit.dan).value, d("30"));
        assert_eq!(of(kit.alice).exact_share, d("450") / d("860"));
        // 450/860 = 0.5232558…, 300/860 = 0.3488372…, 80/860 = 0.0930232…, 30/860 = 0.0348837…
        // floors 0.523255 + 0.348837 + 0.093023 + 0.034883 = 0.999998; the two millionths go to the
        // largest remainders: Alice (0.81e-6) and Dan (0.72e-6).
        assert_eq!(equity.holders.iter().map(|h| h.share).sum::<Decimal>(), Decimal::ONE);
        assert_eq!(of(kit.alice).share, d("0.523256"));
        assert_eq!(of(kit.carol).share, d("0.348837"));
        assert_eq!(of(kit.bob).share, d("0.093023"));
        assert_eq!(of(kit.dan).share, d("0.034884"));
        assert_eq!(equity.holders.len(), 4);
        assert!(
            equity.holders.iter().all(|h| h.agent != kit.project),
            "the fund's purchase is not the project's contribution"
        );
    }

    #[test]
    fn as_of_replays_the_books_as_they_stood() {
        let kit = sensor_kit();
        let snapshot = kit.books.snapshot();
        let alice_work = kit.books.events[0].recorded;
        let then = fluid_equity(&snapshot, kit.project, &kit.equation, Some(alice_work)).must();
        assert_eq!(then.total, d("450"));
        assert_eq!(then.holders.len(), 1);
        assert_eq!(then.holders[0].share, Decimal::ONE);
    }

    #[test]
    fn only_the_scope_s_own_events_count() {
        let mut kit = sensor_kit();
        let elsewhere = AgentId::new();
        let e = kit.books.event(Action::Work, kit.alice, elsewhere);
        e.effort_quantity = Some(d("100"));
        let equity = fluid_equity(&kit.books.snapshot(), kit.project, &kit.equation, None).must();
        assert_eq!(equity.total, d("860"), "Alice's work for another scope is not this project's");
    }

    proptest! {
        #[test]
        fn shares_always_add_up_to_exactly_one(values in prop::collection::vec(1u64..1_000_000, 1..40)) {
            let contributions = values
                .iter()
                .map(|v| ValuedContribution {
                    event: EconomicEventId::new(),
                    agent: AgentId::new(),
                    value: Decimal::from(*v) / Decimal::from(7),
                    equation: ValueEquationId::new(),
                    version: 1,
                    claim_type: ClaimType::Equity,
                    working: Working::Said(String::new()),
                })
                .collect();
            let equity = equity_of(contributions);
            prop_assert_eq!(equity.holders.iter().map(|h| h.share).sum::<Decimal>(), Decimal::ONE);
            for h in &equity.holders {
                prop_assert!((h.share - h.exact_share).abs() < Decimal::new(1, SHARE_DECIMALS));
            }
        }
    }
}
