//! Value equations (DESIGN 4.1): the rules a scope's contributors agree on to turn
//! contributions into value and to split revenue. An equation is versioned per scope; a new
//! one is a `DRAFT` that may be edited, a proposed or adopted one is frozen (a change is a new
//! version), and at most one version per scope is adopted at a time.
//!
//! [`EquationDraft::check`] is every rule a saved equation obeys; [`Bucket::rule_for`] is how a
//! contribution finds the rule that values it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::formula::{Formula, Variable};
use crate::text::Uri;
use crate::wire::wire_enum;
use crate::{
    Action, AgentId, DomainError, ProcessSpecificationId, ResourceSpecificationId, ValueEquationBucketId,
    ValueEquationId, ValueEquationRuleId,
};

wire_enum!(
    /// Where a version stands in its life.
    EquationStatus, "status" {
        /// Being written; may be edited; usable in what-if queries.
        Draft = "DRAFT",
        /// Put to the contributors' vote; frozen.
        Proposed = "PROPOSED",
        /// The scope's equation in force; frozen.
        Adopted = "ADOPTED",
        /// Was adopted, replaced by a later version; frozen.
        Retired = "RETIRED",
    }
);

wire_enum!(
    /// How bucket percentages apply.
    PercentageBehavior, "percentageBehavior" {
        /// Each bucket takes its percentage of the whole amount; they must add up to 100.
        Straight = "STRAIGHT",
        /// Each bucket takes its percentage of what the earlier buckets left.
        Remaining = "REMAINING",
    }
);

wire_enum!(
    /// How a version applies to contributions recorded before it was adopted.
    Valuation, "valuation" {
        /// Every contribution of the scope is valued by this version.
        Restate = "RESTATE",
        /// Contributions recorded before its adoption keep the values of the version in force
        /// when they were recorded.
        Forward = "FORWARD",
    }
);

wire_enum!(
    /// What a bucket pays.
    BucketKind, "kind" {
        /// All of it to a named recipient (infrastructure fund, custodian).
        Agent = "AGENT",
        /// Split among the contributions embodied in the sold deliverable.
        Deliverable = "DELIVERABLE",
        /// Split among the scope's contributions in a date range.
        Period = "PERIOD",
        /// Split among the maintenance recipients of the shared assets used upstream.
        Maintenance = "MAINTENANCE",
    }
);

wire_enum!(
    /// How a valued contribution shares in distributions.
    ClaimType, "claimType" {
        /// Fluid equity: shares in every distribution.
        Equity = "EQUITY",
        /// Paid until its value is reached, then stops.
        Debt = "DEBT",
        /// Paid in the first distribution that includes it only.
        Once = "ONCE",
    }
);

/// A rule of a contribution bucket: which events it matches and how it values them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Identity.
    pub id: ValueEquationRuleId,
    /// The events' `action`.
    pub action: Action,
    /// Matches only events whose resource conforms to this specification (for `work`, the
    /// skill).
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// Matches only events whose resource is classified as one of these.
    pub resource_classified_as: Vec<Uri>,
    /// Matches only events of processes based on this specification.
    pub process_conforms_to: Option<ProcessSpecificationId>,
    /// Matches only events of processes classified as one of these.
    pub process_classified_as: Vec<Uri>,
    /// The value of a matching contribution.
    pub formula: Formula,
    /// How the value shares in distributions.
    pub claim_type: ClaimType,
}

/// What a rule looks at in an event (persistence fills it from the event, its resource and
/// its process).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchFacts<'a> {
    /// The event's action.
    pub action: Option<Action>,
    /// The event's `resourceConformsTo`, else its resource's `conformsTo`.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// The event's `resourceClassifiedAs` and its resource's `classifiedAs`.
    pub resource_classified_as: &'a [Uri],
    /// The `basedOn` of the process the event is an input or output of.
    pub process_conforms_to: Option<ProcessSpecificationId>,
    /// The `classifiedAs` of that process.
    pub process_classified_as: &'a [Uri],
}

impl Rule {
    /// How many filters beyond the action the rule sets: the most specific match wins.
    pub fn specificity(&self) -> usize {
        usize::from(self.resource_conforms_to.is_some())
            + usize::from(!self.resource_classified_as.is_empty())
            + usize::from(self.process_conforms_to.is_some())
            + usize::from(!self.process_classified_as.is_empty())
    }

    /// Whether the rule matches an event with these facts. A list filter matches when one of
    /// its URIs is among the event's.
    pub fn matches(&self, facts: &MatchFacts<'_>) -> bool {
        let any_of = |wanted: &[Uri], have: &[Uri]| wanted.is_empty() || wanted.iter().any(|w| have.contains(w));
        facts.action == Some(self.action)
            && (self.resource_conforms_to.is_none() || self.resource_conforms_to == facts.resource_conforms_to)
            && any_of(&self.resource_classified_as, facts.resource_classified_as)
            && (self.process_conforms_to.is_none() || self.process_conforms_to == facts.process_conforms_to)
            && any_of(&self.process_classified_as, facts.process_classified_as)
    }
}

/// One bucket of an equation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Identity.
    pub id: ValueEquationBucketId,
    /// Order among the buckets (they run in this order).
    pub sequence: i32,
    /// Name.
    pub name: String,
    /// What it pays.
    pub kind: BucketKind,
    /// Its percentage (0 < p <= 100) of the whole amount (`STRAIGHT`) or of what is left
    /// (`REMAINING`).
    pub percentage: Decimal,
    /// The recipient of an `AGENT` bucket.
    pub recipient: Option<AgentId>,
    /// A `PERIOD` bucket's first instant (inclusive); none means from the beginning.
    pub period_start: Option<DateTime<Utc>>,
    /// A `PERIOD` bucket's last instant (exclusive); none means until now.
    pub period_end: Option<DateTime<Utc>>,
    /// The rules of a contribution bucket (`DELIVERABLE`, `PERIOD`), in order.
    pub rules: Vec<Rule>,
}

impl Bucket {
    /// Whether it splits among contributions (and so has rules).
    pub fn is_contribution_bucket(&self) -> bool {
        matches!(self.kind, BucketKind::Deliverable | BucketKind::Period)
    }

    /// The rule that values an event with these facts: the most specific match, the first on a
    /// tie.
    pub fn rule_for(&self, facts: &MatchFacts<'_>) -> Option<&Rule> {
        best_rule(self.rules.iter(), facts)
    }
}

/// The most specific of `rules` that matches `facts`, the first on a tie.
pub fn best_rule<'r>(rules: impl Iterator<Item = &'r Rule>, facts: &MatchFacts<'_>) -> Option<&'r Rule> {
    let mut best: Option<&Rule> = None;
    for rule in rules.filter(|r| r.matches(facts)) {
        if best.is_none_or(|b| rule.specificity() > b.specificity()) {
            best = Some(rule);
        }
    }
    best
}

/// What a client sends to create or replace a draft: checked by [`EquationDraft::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EquationDraft {
    /// The project or network the equation belongs to.
    pub scope: AgentId,
    /// Name.
    pub name: String,
    /// How percentages apply.
    pub percentage_behavior: PercentageBehavior,
    /// How it applies to earlier contributions.
    pub valuation: Valuation,
    /// Free text.
    pub note: Option<String>,
    /// The buckets, in any order (they are sorted by `sequence`).
    pub buckets: Vec<Bucket>,
}

impl EquationDraft {
    /// Every rule a saved equation obeys; returns the buckets sorted by sequence.
    ///
    /// - a name; at least one bucket; sequences distinct;
    /// - every percentage in (0, 100]; under `STRAIGHT` they add up to exactly 100;
    /// - an `AGENT` bucket names its recipient and has no rules; a contribution bucket has at
    ///   least one rule and no recipient; a `MAINTENANCE` bucket has neither;
    /// - a period only on a `PERIOD` bucket, and it does not end before it starts.
    ///
    /// Formulas were checked when parsed.
    pub fn check(mut self) -> Result<Self, DomainError> {
        if self.name.trim().is_empty() {
            return Err(DomainError::invalid("name", "an equation needs a name"));
        }
        if self.buckets.is_empty() {
            return Err(DomainError::invalid("buckets", "an equation needs at least one bucket"));
        }
        self.buckets.sort_by_key(|b| b.sequence);
        if let Some(pair) = self.buckets.windows(2).find(|w| w[0].sequence == w[1].sequence) {
            return Err(DomainError::invalid(
                "buckets",
                format!("two buckets have sequence {}; each bucket needs its own", pair[0].sequence),
            ));
        }
        for (i, bucket) in self.buckets.iter().enumerate() {
            check_bucket(i, bucket)?;
        }
        if self.percentage_behavior == PercentageBehavior::Straight {
            let total: Decimal = self.buckets.iter().map(|b| b.percentage).sum();
            if total != Decimal::ONE_HUNDRED {
                return Err(DomainError::invalid(
                    "buckets",
                    format!(
                        "the percentages of a STRAIGHT equation must add up to 100, not {}",
                        crate::canonical(total)
                    ),
                ));
            }
        }
        Ok(self)
    }
}

fn check_bucket(i: usize, bucket: &Bucket) -> Result<(), DomainError> {
    let field = |name: &str| format!("buckets[{i}].{name}");
    if bucket.name.trim().is_empty() {
        return Err(DomainError::invalid(field("name"), "a bucket needs a name"));
    }
    if bucket.percentage <= Decimal::ZERO || bucket.percentage > Decimal::ONE_HUNDRED {
        return Err(DomainError::invalid(field("percentage"), "must be more than 0 and at most 100"));
    }
    let kind = bucket.kind.as_str();
    match bucket.kind {
        BucketKind::Agent if bucket.recipient.is_none() => {
            return Err(DomainError::invalid(field("recipient"), "an AGENT bucket pays a named recipient"));
        }
        BucketKind::Deliverable | BucketKind::Period if bucket.rules.is_empty() => {
            return Err(DomainError::invalid(
                field("rules"),
                format!("a {kind} bucket needs at least one rule to value contributions"),
            ));
        }
        BucketKind::Deliverable | BucketKind::Period | BucketKind::Maintenance if bucket.recipient.is_some() => {
            return Err(DomainError::invalid(
                field("recipient"),
                format!("only an AGENT bucket has a recipient, not {kind}"),
            ));
        }
        BucketKind::Agent | BucketKind::Maintenance if !bucket.rules.is_empty() => {
            return Err(DomainError::invalid(field("rules"), format!("a {kind} bucket has no rules")));
        }
        _ => {}
    }
    if bucket.kind != BucketKind::Period && (bucket.period_start.is_some() || bucket.period_end.is_some()) {
        return Err(DomainError::invalid(field("periodStart"), "only a PERIOD bucket has a period"));
    }
    if let (Some(start), Some(end)) = (bucket.period_start, bucket.period_end)
        && end < start
    {
        return Err(DomainError::invalid(field("periodEnd"), "the period ends before it starts"));
    }
    Ok(())
}

/// A stored version of a scope's value equation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueEquation {
    /// Identity.
    pub id: ValueEquationId,
    /// Revision of the record (drafts are edited).
    pub revision: i64,
    /// The project or network.
    pub scope: AgentId,
    /// 1, 2, ... per scope, in order of creation.
    pub version: i32,
    /// Name.
    pub name: String,
    /// Where it stands.
    pub status: EquationStatus,
    /// How percentages apply.
    pub percentage_behavior: PercentageBehavior,
    /// How it applies to earlier contributions.
    pub valuation: Valuation,
    /// Free text.
    pub note: Option<String>,
    /// The buckets, by sequence.
    pub buckets: Vec<Bucket>,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// When it was adopted.
    pub adopted_at: Option<DateTime<Utc>>,
    /// When a later version replaced it.
    pub retired_at: Option<DateTime<Utc>>,
}

impl ValueEquation {
    /// Whether it may still be edited (only drafts may).
    pub fn is_editable(&self) -> bool {
        self.status == EquationStatus::Draft
    }

    /// Refuses to edit a frozen version.
    pub fn check_editable(&self) -> Result<(), DomainError> {
        if self.is_editable() {
            Ok(())
        } else {
            Err(DomainError::Conflict(format!(
                "version {} is {} and frozen; a change is a new version (createValueEquation)",
                self.version,
                self.status.as_str()
            )))
        }
    }

    /// Whether valuing by this version reads the resource an event acts on, beyond a use or a
    /// cite (whose asset is always read, [`super::snapshot::reads_resource_of`]): a rule that
    /// matches on the resource's specification or classification, or a formula that reads
    /// `rate` (the skill may be the resource's specification) or `valuePerUnitOfUse`. When no
    /// version in a computation does, its snapshot loads no other resource: a rollup reaches
    /// tens of thousands of them.
    pub fn reads_resources(&self) -> bool {
        self.buckets.iter().flat_map(|b| &b.rules).any(|r| {
            r.resource_conforms_to.is_some()
                || !r.resource_classified_as.is_empty()
                || r.formula.variables().iter().any(|v| matches!(v, Variable::Rate | Variable::ValuePerUnitOfUse))
        })
    }

    /// The rules that value a contribution outside a particular bucket (rollups, fluid
    /// equity): those of the contribution buckets, `DELIVERABLE` ones first, each in sequence
    /// order.
    pub fn valuation_rules(&self) -> impl Iterator<Item = &Rule> {
        let of = |kind: BucketKind| self.buckets.iter().filter(move |b| b.kind == kind).flat_map(|b| b.rules.iter());
        of(BucketKind::Deliverable).chain(of(BucketKind::Period))
    }

    /// The rule that values an event with these facts outside a bucket.
    pub fn rule_for(&self, facts: &MatchFacts<'_>) -> Option<&Rule> {
        best_rule(self.valuation_rules(), facts)
    }

    /// Whether the version was in force at `at`: adopted then, and not yet retired.
    pub fn in_force_at(&self, at: DateTime<Utc>) -> bool {
        self.adopted_at.is_some_and(|a| a <= at) && self.retired_at.is_none_or(|r| at < r)
    }
}

/// Which version values a contribution recorded at `recorded`, when `applied` is the version
/// asked for and `history` holds every version of the scope ever adopted (DESIGN 4.1):
///
/// - a `RESTATE` version values everything;
/// - a `FORWARD` version values what was recorded at or after its adoption (a draft counts as
///   adopted now, so a what-if shows exactly what adopting it would change); what was recorded
///   before keeps the version in force at the time, or, before any version was adopted, the
///   first one adopted; with no adopted version at all, `applied` itself.
pub fn valuing_version<'a>(
    applied: &'a ValueEquation,
    history: &'a [ValueEquation],
    recorded: DateTime<Utc>,
) -> &'a ValueEquation {
    if applied.valuation == Valuation::Restate {
        return applied;
    }
    if applied.adopted_at.is_none_or(|adopted| recorded >= adopted)
        && (applied.status == EquationStatus::Adopted || applied.status == EquationStatus::Retired)
    {
        return applied;
    }
    let adopted = history.iter().filter(|v| v.id != applied.id && v.adopted_at.is_some());
    if let Some(in_force) = adopted.clone().find(|v| v.in_force_at(recorded)) {
        return in_force;
    }
    adopted
        .chain(std::iter::once(applied))
        .min_by_key(|v| (v.adopted_at.is_none(), v.adopted_at, v.version))
        .unwrap_or(applied)
}

#[cfg(test)]
mod tests;
