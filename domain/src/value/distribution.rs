//! The split of an amount among an equation's buckets and, inside each bucket, among its
//! lines (DESIGN 4.3), and the largest-remainder rounding that makes the lines add up to the
//! amount to the last minor unit.
//!
//! [`distribute`] is pure: the caller gives each contribution bucket its weighted
//! contributions (a `DELIVERABLE` bucket the rollup of the deliverable, a `PERIOD` bucket the
//! scope's contributions in the period) and what `DEBT` and `ONCE` claims were paid before.
//! A preview runs it without writing anything.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::{Decimal, RoundingStrategy};

use super::equation::{BucketKind, ClaimType, PercentageBehavior, ValueEquation};
use crate::{AgentId, DomainError, EconomicEventId, ValueEquationBucketId};

/// A line before rounding: bucket index, recipient, exact amount, the events it pays.
type ExactLine = (usize, AgentId, Decimal, Vec<(EconomicEventId, Decimal)>);

/// One contribution's weight in a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighted {
    /// Who is credited.
    pub agent: AgentId,
    /// The contributing event.
    pub event: EconomicEventId,
    /// Its weight (its share of the deliverable, or its value in the period).
    pub weight: Decimal,
    /// The whole value of the event (what a `DEBT` claim is owed in all).
    pub event_value: Decimal,
    /// How it shares.
    pub claim_type: ClaimType,
}

impl From<&super::rollup::Share> for Weighted {
    /// A rollup share weighs its value in a `DELIVERABLE` bucket.
    fn from(s: &super::rollup::Share) -> Self {
        Self { agent: s.agent, event: s.event, weight: s.value, event_value: s.event_value, claim_type: s.claim_type }
    }
}

impl From<&super::equity::ValuedContribution> for Weighted {
    /// A valued contribution weighs its value in a `PERIOD` bucket.
    fn from(c: &super::equity::ValuedContribution) -> Self {
        Self { agent: c.agent, event: c.event, weight: c.value, event_value: c.value, claim_type: c.claim_type }
    }
}

/// What earlier distributions paid on `DEBT` and `ONCE` claims.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaidBefore {
    /// Paid so far on each `DEBT` event.
    pub debt: HashMap<EconomicEventId, Decimal>,
    /// `ONCE` events already paid.
    pub once: HashSet<EconomicEventId>,
}

/// A line: what one agent receives from one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The bucket.
    pub bucket: ValueEquationBucketId,
    /// The recipient.
    pub agent: AgentId,
    /// Rounded to the minor unit.
    pub amount: Decimal,
    /// Before rounding.
    pub exact: Decimal,
    /// The contributions it pays, with their exact parts (empty for an `AGENT` bucket).
    pub events: Vec<(EconomicEventId, Decimal)>,
}

/// What a bucket took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSplit {
    /// The bucket.
    pub bucket: ValueEquationBucketId,
    /// Its kind.
    pub kind: BucketKind,
    /// Paid out of it, rounded.
    pub amount: Decimal,
    /// Its exact amount before unclaimed parts were taken out.
    pub exact: Decimal,
    /// What nobody could claim (no contributions, every claim capped), exact.
    pub unclaimed: Decimal,
}

/// A distribution of an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The amount split.
    pub amount: Decimal,
    /// The buckets, in sequence order.
    pub buckets: Vec<BucketSplit>,
    /// The lines, bucket by bucket, largest first.
    pub lines: Vec<Line>,
    /// What stays with the exchange firm: `amount` minus the lines.
    pub unclaimed: Decimal,
}

/// The minor unit of `decimals` digits (0.01 for 2).
pub fn minor_unit(decimals: u32) -> Decimal {
    Decimal::new(1, decimals)
}

/// Largest remainder: rounds `exact` amounts down to multiples of `unit`, then hands the
/// units still missing to reach `target` one each to the largest remainders (ties: the larger
/// exact amount, then the smaller key). `target` must be a multiple of `unit` within one unit
/// per item of the sum of `exact`.
pub fn largest_remainder<K: Ord + Copy>(exact: &[(K, Decimal)], target: Decimal, unit: Decimal) -> Vec<(K, Decimal)> {
    let floor = |x: Decimal| (x / unit).round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity) * unit;
    let mut out: Vec<(K, Decimal)> = exact.iter().map(|(k, x)| (*k, floor(*x))).collect();
    let floored: Decimal = out.iter().map(|(_, x)| *x).sum();
    let mut missing = ((target - floored) / unit).round_dp(0);
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|a, b| {
        let (ra, rb) = (exact[*a].1 - out[*a].1, exact[*b].1 - out[*b].1);
        rb.cmp(&ra).then(exact[*b].1.cmp(&exact[*a].1)).then(exact[*a].0.cmp(&exact[*b].0))
    });
    for i in order.into_iter().cycle().take(exact.len().saturating_mul(2)) {
        if missing <= Decimal::ZERO {
            break;
        }
        out[i].1 += unit;
        missing -= Decimal::ONE;
    }
    out
}

/// Splits `weighted` contributions' `amount` with `DEBT` caps (water-filling): each active
/// line takes its weight's part; a line over what it is still owed is held at that and the
/// rest goes round the others again. Returns the exact part per event and what is left.
fn water_fill(amount: Decimal, weighted: &[(usize, Decimal, Option<Decimal>)]) -> (Vec<Decimal>, Decimal) {
    let mut parts = vec![Decimal::ZERO; weighted.len()];
    let mut active: Vec<usize> = (0..weighted.len()).filter(|i| weighted[*i].1 > Decimal::ZERO).collect();
    let mut left = amount;
    while !active.is_empty() && left > Decimal::ZERO {
        let total: Decimal = active.iter().map(|i| weighted[*i].1).sum();
        let over: Vec<usize> = active
            .iter()
            .copied()
            .filter(|i| weighted[*i].2.is_some_and(|cap| left * weighted[*i].1 / total > cap))
            .collect();
        if over.is_empty() {
            for i in &active {
                parts[*i] = left * weighted[*i].1 / total;
            }
            left = Decimal::ZERO;
            break;
        }
        for i in over {
            let cap = weighted[i].2.unwrap_or_default();
            parts[i] = cap;
            left -= cap;
            active.retain(|a| *a != i);
        }
    }
    (parts, left.max(Decimal::ZERO))
}

/// Splits `amount` (rounded to `decimals` digits) by `equation`. `inputs` gives each
/// contribution bucket its weighted contributions; `paid` what earlier distributions paid on
/// capped claims.
pub fn distribute(
    amount: Decimal,
    decimals: u32,
    equation: &ValueEquation,
    inputs: &HashMap<ValueEquationBucketId, Vec<Weighted>>,
    paid: &PaidBefore,
) -> Result<Split, DomainError> {
    if amount <= Decimal::ZERO {
        return Err(DomainError::invalid("amount", "must be more than zero"));
    }
    let unit = minor_unit(decimals);
    if amount.round_dp(decimals) != amount {
        return Err(DomainError::invalid("amount", format!("has more than {decimals} decimals")));
    }
    let mut paid_so_far = Decimal::ZERO;
    let mut buckets = Vec::new();
    let mut exact_lines: Vec<ExactLine> = Vec::new();
    for (index, bucket) in equation.buckets.iter().enumerate() {
        let base = match equation.percentage_behavior {
            PercentageBehavior::Straight => amount,
            PercentageBehavior::Remaining => amount - paid_so_far,
        };
        let exact = base * bucket.percentage / Decimal::ONE_HUNDRED;
        let mut unclaimed = Decimal::ZERO;
        match bucket.kind {
            BucketKind::Agent => {
                let agent =
                    bucket.recipient.ok_or_else(|| DomainError::invalid("recipient", "an AGENT bucket needs one"))?;
                exact_lines.push((index, agent, exact, vec![]));
            }
            BucketKind::Deliverable | BucketKind::Period | BucketKind::Maintenance => {
                let claims: Vec<&Weighted> = inputs
                    .get(&bucket.id)
                    .into_iter()
                    .flatten()
                    .filter(|w| !(w.claim_type == ClaimType::Once && paid.once.contains(&w.event)))
                    .collect();
                let weighted: Vec<(usize, Decimal, Option<Decimal>)> = claims
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let cap = (w.claim_type == ClaimType::Debt).then(|| {
                            (w.event_value - paid.debt.get(&w.event).copied().unwrap_or_default()).max(Decimal::ZERO)
                        });
                        (i, w.weight, cap)
                    })
                    .collect();
                let (parts, left) = water_fill(exact, &weighted);
                unclaimed = left;
                let mut per_agent: BTreeMap<AgentId, (Decimal, Vec<(EconomicEventId, Decimal)>)> = BTreeMap::new();
                for (w, part) in claims.iter().zip(parts) {
                    if part > Decimal::ZERO {
                        let entry = per_agent.entry(w.agent).or_default();
                        entry.0 += part;
                        entry.1.push((w.event, part));
                    }
                }
                for (agent, (total, events)) in per_agent {
                    exact_lines.push((index, agent, total, events));
                }
            }
        }
        paid_so_far += exact - unclaimed;
        buckets.push(BucketSplit { bucket: bucket.id, kind: bucket.kind, amount: Decimal::ZERO, exact, unclaimed });
    }
    // Level 1: the buckets' paid amounts together; level 2: each bucket's lines.
    let paid_exact: Vec<(usize, Decimal)> =
        buckets.iter().enumerate().map(|(i, b)| (i, b.exact - b.unclaimed)).collect();
    let target = (paid_so_far / unit).round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity) * unit;
    for (i, rounded) in largest_remainder(&paid_exact, target, unit) {
        buckets[i].amount = rounded;
    }
    let mut lines = Vec::new();
    for (index, split) in buckets.iter().enumerate() {
        let of_bucket: Vec<&ExactLine> = exact_lines.iter().filter(|l| l.0 == index).collect();
        let keyed: Vec<(AgentId, Decimal)> = of_bucket.iter().map(|l| (l.1, l.2)).collect();
        let mut rounded: Vec<Line> = largest_remainder(&keyed, split.amount, unit)
            .into_iter()
            .zip(of_bucket)
            .map(|((agent, amount), l)| Line { bucket: split.bucket, agent, amount, exact: l.2, events: l.3.clone() })
            .collect();
        rounded.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.agent.cmp(&b.agent)));
        lines.extend(rounded);
    }
    let total: Decimal = lines.iter().map(|l| l.amount).sum();
    Ok(Split { amount, buckets, lines, unclaimed: amount - total })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
