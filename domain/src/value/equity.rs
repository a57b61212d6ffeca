//! Fluid equity (DESIGN 4.5): every valued contribution of a scope, summed per agent, as
//! shares that add up to exactly 1.
//!
//! Which events count: the scope's contributions that a rule values, except those whose value
//! belongs to other contributions already counted: a `cite` (its value is the cited
//! resource's) and a `consume` of a resource with a recorded origin (its value is that
//! origin's). A `use` of a pooled asset is its owner's contribution (D191), less the
//! maintenance share its access rule takes (D173), which is carried beside it for a
//! `MAINTENANCE` bucket and is nobody's equity.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::FastMap;
use super::distribution::largest_remainder;
use super::equation::{ClaimType, ValueEquation};
use super::snapshot::{Entry, RuleScope, SnapEvent, SnapResource, Snapshot, Valuer, Working, contributor_of};
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
    /// Its value (for a use, what is left after the maintenance share).
    pub value: Decimal,
    /// For a use of an asset whose access rule takes a maintenance share: that share of the
    /// use's value and who receives it.
    pub maintenance: Option<(AgentId, Decimal)>,
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

/// A scope's fluid equity. It keeps the sums, not the contributions: a million of them took
/// more time to write into memory than to value. [`FluidEquity::contributions`] values them
/// again, from the snapshot it keeps, when a client lists them.
#[derive(Debug, Clone)]
pub struct FluidEquity {
    /// The sum of every holder's value.
    pub total: Decimal,
    /// Largest first, then by agent.
    pub holders: Vec<Holding>,
    /// How many contributions counted.
    pub counted: usize,
    /// What it was worked out from.
    from: Counted,
}

/// What a fluid equity was worked out from.
#[derive(Debug, Clone)]
struct Counted {
    snapshot: Arc<Snapshot>,
    scope: AgentId,
    equation: ValueEquation,
    as_of: Option<DateTime<Utc>>,
}

impl Counted {
    /// The scope's events that may count, in recording order.
    fn events(&self) -> impl Iterator<Item = &Entry> {
        let (snapshot, scope, as_of) = (&self.snapshot, self.scope, self.as_of);
        snapshot.events().filter(move |e| {
            e.in_scope_of.contains(&scope) && as_of.is_none_or(|at| e.recorded <= at) && counts(snapshot, e)
        })
    }

    fn valuer(&self) -> Valuer<'_> {
        Valuer { snapshot: &self.snapshot, equation: &self.equation, rules: RuleScope::All }
    }
}

impl FluidEquity {
    /// The counted contributions, in recording order (`agent`'s only, when given), valued
    /// again as they were to sum them.
    pub fn contributions(
        &self,
        agent: Option<AgentId>,
    ) -> impl Iterator<Item = Result<ValuedContribution, DomainError>> + '_ {
        let valuer = self.from.valuer();
        let snapshot = &*self.from.snapshot;
        self.from
            .events()
            .filter(move |e| agent.is_none_or(|a| contributor_of(e, asset_of(snapshot, e)) == a))
            .filter_map(move |e| valued_contribution(&valuer, e).transpose())
    }
}

/// Whether an event's value counts in fluid equity (see the module doc).
fn counts(snapshot: &Snapshot, e: &Entry) -> bool {
    e.is_contribution
        && match e.action {
            Action::Cite => false,
            Action::Consume => e.resource_inventoried_as.is_none_or(|r| snapshot.sources(r).next().is_none()),
            _ => true,
        }
}

fn asset_of<'s>(snapshot: &'s Snapshot, e: &SnapEvent) -> Option<&'s SnapResource> {
    e.resource_inventoried_as.and_then(|r| snapshot.resource(r))
}

/// One counted event, valued; `None` when no rule values it or it is worth nothing.
fn valued_contribution(valuer: &Valuer<'_>, e: &Entry) -> Result<Option<ValuedContribution>, DomainError> {
    let Some(mut v) = valuer.value(e, None)? else { return Ok(None) };
    let asset = asset_of(valuer.snapshot, e);
    let mut maintenance = None;
    if let Some(asset) = asset.filter(|_| e.action == Action::Use) {
        let (kept, taken) = asset.split_use(v, "the owner");
        v = kept;
        maintenance = taken.zip(asset.maintenance_recipient()).map(|(m, recipient)| (recipient, m.value));
    }
    if v.value.is_zero() && maintenance.is_none() {
        return Ok(None);
    }
    Ok(Some(ValuedContribution {
        event: e.id,
        agent: contributor_of(e, asset),
        value: v.value,
        maintenance,
        equation: v.equation,
        version: v.version,
        claim_type: v.claim_type,
        working: v.working,
    }))
}

/// Values `events` of the snapshot (the caller picks them: a scope's, a period's) by
/// `equation`.
pub fn value_contributions<'a>(
    snapshot: &'a Snapshot,
    events: impl IntoIterator<Item = &'a Entry>,
    equation: &ValueEquation,
    rules: RuleScope,
) -> Result<Vec<ValuedContribution>, DomainError> {
    let valuer = Valuer { snapshot, equation, rules };
    let mut events: Vec<&Entry> = events.into_iter().filter(|e| counts(snapshot, e)).collect();
    if !events.is_sorted_by_key(|e| e.order_key()) {
        events.sort_by_key(|e| e.order_key());
    }
    events.into_iter().filter_map(|e| valued_contribution(&valuer, e).transpose()).collect()
}

/// The fluid equity of `scope`: its events in the snapshot recorded up to `as_of` (all when
/// `None`). The snapshot may hold other events (the origins of what the scope consumed).
pub fn fluid_equity(
    snapshot: &Arc<Snapshot>,
    scope: AgentId,
    equation: &ValueEquation,
    as_of: Option<DateTime<Utc>>,
) -> Result<FluidEquity, DomainError> {
    let from = Counted { snapshot: Arc::clone(snapshot), scope, equation: equation.clone(), as_of };
    let valuer = from.valuer();
    // Hashed, then ordered once: a million contributions by a thousand agents.
    let mut summed: FastMap<AgentId, Decimal> = FastMap::default();
    let mut counted = 0;
    for e in from.events() {
        let Some(c) = valued_contribution(&valuer, e)? else { continue };
        counted += 1;
        // A use whose rule sends all of it to maintenance adds no holder.
        if !c.value.is_zero() {
            let sum = summed.entry(c.agent).or_default();
            *sum = sum
                .checked_add(c.value)
                .ok_or_else(|| DomainError::Conflict("the scope's value is too large to sum exactly".into()))?;
        }
    }
    let (total, holders) = holdings(summed)?;
    Ok(FluidEquity { total, holders, counted, from })
}

/// Each agent's sum as a holding: shares that add up to exactly 1, largest first, and their
/// total.
pub fn holdings(
    per_agent: impl IntoIterator<Item = (AgentId, Decimal)>,
) -> Result<(Decimal, Vec<Holding>), DomainError> {
    let per_agent: BTreeMap<AgentId, Decimal> = per_agent.into_iter().collect();
    let mut total = Decimal::ZERO;
    for v in per_agent.values() {
        total = total
            .checked_add(*v)
            .ok_or_else(|| DomainError::Conflict("the scope's value is too large to sum exactly".into()))?;
    }
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
    Ok((total, holders))
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
    fn a_use_counts_for_the_pooled_asset_s_owner_less_its_maintenance_share() {
        // Dan's printer at the rule's 6 an hour, 15% to Mo: Dan's own 6 h are 36, 30.6 his and
        // 5.4 Mo's; Bob brings the printer in for 2 h more: 12, 10.2 Dan's (not Bob's) and 1.8
        // Mo's. Dan holds 40.8, Bob his 80 of work; Mo holds nothing: 450 + 300 + 80 + 40.8.
        let mut kit = sensor_kit();
        let mo = AgentId::new();
        kit.books.govern(kit.printer, use_terms(Some("6"), "0.15", Some(mo)));
        let brought =
            kit.books.event(Action::Use, kit.bob, kit.project).input(kit.assembly).on(kit.printer).effort("2").id;
        let equity = fluid_equity(&kit.books.snapshot(), kit.project, &kit.equation, None).must();
        assert_eq!(equity.total, d("870.8"));
        let of = |agent| equity.holders.iter().find(|h| h.agent == agent).map(|h| h.value);
        assert_eq!((of(kit.dan), of(kit.bob), of(mo)), (Some(d("40.8")), Some(d("80")), None));
        let listed: Vec<ValuedContribution> = equity.contributions(None).collect::<Result<_, _>>().must();
        assert_eq!(listed.len(), equity.counted);
        let bob_s = listed.iter().find(|c| c.event == brought).must();
        let dan_s: Vec<ValuedContribution> = equity.contributions(Some(kit.dan)).collect::<Result<_, _>>().must();
        assert!(dan_s.iter().all(|c| c.agent == kit.dan) && dan_s.iter().any(|c| c.event == brought));
        assert_eq!((bob_s.agent, bob_s.value, bob_s.maintenance), (kit.dan, d("10.2"), Some((mo, d("1.8")))));
        let said = bob_s.working.to_string();
        assert!(said.ends_with("= 12; 15% (1.8) to maintenance, 10.2 to the owner"), "{said}");
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
            let (_, holders) = holdings(values.iter().map(|v| (AgentId::new(), Decimal::from(*v) / Decimal::from(7)))).must();
            prop_assert_eq!(holders.iter().map(|h| h.share).sum::<Decimal>(), Decimal::ONE);
            for h in &holders {
                prop_assert!((h.share - h.exact_share).abs() < Decimal::new(1, SHARE_DECIMALS));
            }
        }
    }
}
