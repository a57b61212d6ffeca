//! Revenue and its distribution (DESIGN 4.3, 4.4, 7): which event is revenue and in which
//! scope, who may distribute it, what a `MAINTENANCE` bucket weighs, what a cascade may
//! enter, and the plain records a stored distribution is made of. Persistence loads the facts
//! and writes what these rules decide; [`super::distribution::distribute`] does the split.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::distribution::{BucketSplit, Line, Weighted};
use super::equation::{BucketKind, ClaimType, ValueEquation};
use super::equity::ValuedContribution;
use super::rollup::Rollup;
use super::{FastMap, FastSet};
use crate::agent::network::{OvnRole, Ties};
use crate::observation::EconomicEvent;
use crate::{
    Action, AgentId, DistributionId, DistributionLineId, DomainError, EconomicEventId, EconomicResourceId,
    ValueEquationBucketId, ValueEquationId,
};

/// A revenue event, checked: a payment of money to a network's exchange firm, in scope of
/// the network or of a project part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revenue {
    /// The payment.
    pub event: EconomicEventId,
    /// The project (or network) the sale was made for: the first of the event's scopes under
    /// the network.
    pub scope: AgentId,
    /// The network whose exchange firm received the payment.
    pub network: AgentId,
    /// The exchange firm (the payment's receiver), who pays every line.
    pub firm: AgentId,
    /// The money resource the payment went into, which the payouts come out of.
    pub resource: EconomicResourceId,
    /// The amount paid.
    pub amount: Decimal,
    /// Its unit (the currency).
    pub unit: Option<crate::UnitId>,
}

/// Checks that `event` is revenue: a `transfer` (or `transferAllRights`) of a money resource
/// (`money`: whether the resource it went into conforms to a medium of exchange) into a
/// resource of a network's exchange firm, in scope of that network or of a project part of it,
/// of more than zero. `ties` hold the receiver's own ties and the `partOf` chains above the
/// event's scopes. Anything else is `BAD_INPUT` on `revenueEvent`, saying why.
pub fn check_revenue(event: &EconomicEvent, money: bool, ties: &Ties) -> Result<Revenue, DomainError> {
    let refuse = |why: String| Err(DomainError::invalid("revenueEvent", why));
    let core = &event.core;
    if !matches!(core.action, Action::Transfer | Action::TransferAllRights) || core.is_correction() {
        return refuse(format!(
            "is a `{}` event, not a payment: revenue is a transfer of money to a network's exchange firm",
            core.action.id()
        ));
    }
    let networks: Vec<AgentId> = ties.objects(core.receiver, OvnRole::ExchangeFirmOf).collect();
    if networks.is_empty() {
        return refuse(format!(
            "was received by {}, which is no network's exchange firm: only the exchange firm takes revenue",
            core.receiver
        ));
    }
    let Some((scope, network)) = event
        .details
        .in_scope_of
        .iter()
        .find_map(|s| networks.iter().find(|n| ties.above(*s).contains(n)).map(|n| (*s, *n)))
    else {
        return refuse(
            "is in scope of no project of the exchange firm's network: say which project sold (`inScopeOf`)".into(),
        );
    };
    let Some(resource) = core.to_resource_inventoried_as else {
        return refuse(
            "went into no resource of the exchange firm (`toResourceInventoriedAs`): nothing to pay out of".into(),
        );
    };
    if !money {
        return refuse("is not a payment: the resource it went into does not conform to a medium of exchange".into());
    }
    let amount = core.resource_quantity.map_or(Decimal::ZERO, |m| m.has_numerical_value);
    if amount <= Decimal::ZERO {
        return refuse("has an amount of zero: there is nothing to distribute".into());
    }
    Ok(Revenue {
        event: event.id,
        scope,
        network,
        firm: core.receiver,
        resource,
        amount,
        unit: core.resource_quantity.and_then(|m| m.has_unit),
    })
}

/// Who may distribute revenue: the exchange firm, or a steward of it or of the sale's scope
/// (`ties` hold the actor's ties and the chains above the firm and the scope).
pub fn may_distribute(actor: AgentId, revenue: &Revenue, ties: &Ties) -> Result<(), DomainError> {
    if actor == revenue.firm || ties.is_steward(actor, revenue.firm) || ties.is_steward(actor, revenue.scope) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only the exchange firm, or a steward of it or of the sale's scope, may distribute revenue".into(),
        ))
    }
}

/// Which version may pay out money: the scope's own, adopted or once adopted (a draft or a
/// proposal was never consented to by the contributors).
pub fn check_paying_equation(equation: &ValueEquation, scope: AgentId) -> Result<(), DomainError> {
    if equation.scope != scope {
        return Err(DomainError::invalid(
            "equation",
            format!("version {} belongs to {}, not to the sale's scope {scope}", equation.version, equation.scope),
        ));
    }
    if equation.adopted_at.is_none() {
        return Err(DomainError::invalid(
            "equation",
            format!(
                "version {} is a {}: only an adopted version pays out (preview a draft with previewDistribution)",
                equation.version,
                equation.status.as_str()
            ),
        ));
    }
    Ok(())
}

/// A line may cascade into `next` only if `next` is not already distributing on the way down
/// (`path`: the scopes from the sale's scope to the one paying now). Scopes that pay each other
/// would otherwise redistribute forever.
pub fn check_cascade(path: &[AgentId], next: AgentId) -> Result<(), DomainError> {
    if path.contains(&next) {
        let names: Vec<String> = path.iter().chain([&next]).map(ToString::to_string).collect();
        return Err(DomainError::Cycle(format!(
            "the distribution would cascade back into {next}: {}",
            names.join(" -> ")
        )));
    }
    Ok(())
}

/// A `MAINTENANCE` bucket's weights from a deliverable's rollup: the maintenance share of
/// each use upstream (its asset's access rule, D173), as much of it as is embodied in the
/// deliverable, for the asset's maintenance recipient. A use whose asset has no rule, or a
/// rule that takes no share, weighs nothing here: its whole value is its owner's contribution
/// in the `DELIVERABLE` buckets (D192, which replaces D117's whole use value for the owner).
/// Maintenance is owed for as long as the asset is used: its weights are `EQUITY` whatever
/// claim the use's rule makes.
pub fn maintenance_weights(rollup: &Rollup) -> Vec<Weighted> {
    rollup.maintenance.iter().map(|s| Weighted { claim_type: ClaimType::Equity, ..Weighted::from(s) }).collect()
}

/// [`maintenance_weights`] without a deliverable (a cascade): the maintenance shares of the
/// `use` events among a scope's valued contributions, each for its asset's recipient.
pub fn maintenance_of_contributions(contributions: &[ValuedContribution]) -> Vec<Weighted> {
    contributions
        .iter()
        .filter_map(|c| {
            let (agent, weight) = c.maintenance?;
            Some(Weighted { agent, event: c.event, weight, event_value: weight, claim_type: ClaimType::Equity })
        })
        .collect()
}

/// What each contribution weighs in each bucket of a split, and each bucket's total: worked
/// out once for all of a split's lines (a bucket of 100,000 contributions split among 100
/// agents made a scan of the weights per line the slowest part of a distribution).
#[derive(Debug, Default)]
pub struct LineWeights {
    buckets: HashMap<ValueEquationBucketId, (Decimal, FastMap<EconomicEventId, Decimal>)>,
}

impl LineWeights {
    /// The weights of `inputs` (an event weighed twice in a bucket weighs the sum).
    pub fn of(inputs: &HashMap<ValueEquationBucketId, Vec<Weighted>>) -> Self {
        let buckets = inputs
            .iter()
            .map(|(bucket, weights)| {
                let mut by_event: FastMap<EconomicEventId, Decimal> = FastMap::default();
                for w in weights {
                    *by_event.entry(w.event).or_default() += w.weight;
                }
                (*bucket, (weights.iter().map(|w| w.weight).sum(), by_event))
            })
            .collect();
        Self { buckets }
    }
}

/// One line's explanation: the bucket, its part of the amount, and what the line weighs in it.
pub fn explain_line(equation: &ValueEquation, bucket: &BucketSplit, line: &Line, weights: &LineWeights) -> String {
    let Some(b) = equation.buckets.iter().find(|b| b.id == bucket.bucket) else {
        return String::new();
    };
    let head = format!(
        "bucket `{}` ({}, {}%) takes {} of the amount",
        b.name,
        b.kind.as_str(),
        crate::canonical(b.percentage),
        crate::canonical(bucket.exact.round_dp(8))
    );
    if b.kind == BucketKind::Agent {
        return format!("{head}; all of it to its named recipient");
    }
    let (total, by_event) = weights.buckets.get(&b.id).map(|(t, e)| (*t, Some(e))).unwrap_or_default();
    // Each event of the line once, as it is listed once in the line.
    let mut mine: FastSet<EconomicEventId> = FastSet::default();
    let own: Decimal =
        line.events.iter().filter(|(e, _)| mine.insert(*e)).filter_map(|(e, _)| by_event.and_then(|m| m.get(e))).sum();
    let what = match b.kind {
        BucketKind::Maintenance => "the maintenance shares of the uses of the assets it maintains",
        _ => "its contributions",
    };
    format!(
        "{head}; {what} weigh {} of {} ({} event{}): {} exact, {} rounded",
        crate::canonical(own.round_dp(8)),
        crate::canonical(total.round_dp(8)),
        line.events.len(),
        if line.events.len() == 1 { "" } else { "s" },
        crate::canonical(line.exact.round_dp(8)),
        crate::canonical(line.amount)
    )
}

/// One contribution's part of a stored line (read apart from the line: a line of a large
/// scope pays tens of thousands of contributions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePart {
    /// The contribution event.
    pub event: EconomicEventId,
    /// Its exact part of the line (what `DEBT` and `ONCE` claims count as paid).
    pub part: Decimal,
    /// How it shares.
    pub claim_type: ClaimType,
}

/// A stored line: what one agent received from one bucket, and the event that paid it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    /// Identity.
    pub id: DistributionLineId,
    /// Its distribution.
    pub distribution: DistributionId,
    /// Its place in the distribution (bucket by bucket, largest first).
    pub position: i32,
    /// The bucket.
    pub bucket: ValueEquationBucketId,
    /// The bucket's name when it paid.
    pub bucket_name: String,
    /// The bucket's kind.
    pub bucket_kind: BucketKind,
    /// The recipient.
    pub agent: AgentId,
    /// Rounded to the minor unit: what was paid.
    pub amount: Decimal,
    /// Before rounding.
    pub exact: Decimal,
    /// Why.
    pub explanation: String,
    /// The `transfer` that paid it (none for a line rounded to zero).
    pub payout: Option<EconomicEventId>,
}

/// A stored distribution: one level of a revenue event's split (the top one, or one cascade).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDistribution {
    /// Identity.
    pub id: DistributionId,
    /// The revenue event (top level only).
    pub revenue_event: Option<EconomicEventId>,
    /// The distribution whose line this one redistributes (a cascade).
    pub parent: Option<DistributionId>,
    /// That line.
    pub parent_line: Option<DistributionLineId>,
    /// The top-level distribution (itself at the top).
    pub root: DistributionId,
    /// 0 at the top, 1 for a cascade into a sub-scope, ...
    pub depth: i32,
    /// The scope whose equation split it.
    pub scope: AgentId,
    /// Who paid the lines (the exchange firm at the top, the sub-scope in a cascade).
    pub payer: AgentId,
    /// The money resource the payouts came out of.
    pub resource: Option<EconomicResourceId>,
    /// The amount split.
    pub amount: Decimal,
    /// Its unit.
    pub unit: Option<crate::UnitId>,
    /// What nobody could claim: it stays with the payer.
    pub unclaimed: Decimal,
    /// The version applied.
    pub equation: ValueEquationId,
    /// Its number.
    pub equation_version: i32,
    /// The version as it was applied (JSON).
    pub equation_snapshot: String,
    /// The deliverable sold, when a `DELIVERABLE` bucket split among its contributions.
    pub deliverable: Option<EconomicResourceId>,
    /// The quantity of it sold.
    pub quantity: Option<Decimal>,
    /// What each bucket took.
    pub buckets: Vec<BucketSplit>,
    /// Who distributed it.
    pub recorded_by: AgentId,
    /// When.
    pub created: DateTime<Utc>,
}

#[cfg(test)]
mod tests;
