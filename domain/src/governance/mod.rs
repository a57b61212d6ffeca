//! Governance (DESIGN 5): contributors decide. A [`GovernanceProposal`] is put to the vote of
//! its scope's electorate until its deadline, and passes by the scope's [`GovernanceRule`].
//!
//! The rules, as plain functions over what persistence loads:
//!
//! - **Who votes** ([`electorate`]): fixed when the proposal is created, so that contributions
//!   recorded during the vote cannot swing it. The scope's *active contributors*: the agents
//!   that provided at least one event in scope of it that is a contribution
//!   ([`crate::observation::event::contributes_to`], the rule behind `isContribution`). A new
//!   project has none yet; then its *stewards* (of the scope or of a network above it) vote;
//!   and when it has no steward either, the *proposer* alone (who must then be an affiliate of
//!   the scope, [`crate::permission::may_propose`]). [`ElectorateBasis`] says which applied.
//! - **How much each vote weighs** ([`weigh`]): one agent, one vote; or, when the scope's rule
//!   says `FLUID_EQUITY`, each contributor's fluid equity in the scope when the proposal was
//!   made. A bootstrap electorate (stewards, the proposer) has no equity to weigh: one vote each.
//! - **When it passes** ([`tally`]): the weight cast reaches the quorum (a fraction of the whole
//!   electorate's weight) and the weight in favour reaches the threshold (a fraction of the
//!   weight cast), compared exactly by multiplication, never through a rounded quotient; and
//!   something was cast in favour. Default: quorum one half, threshold exactly two thirds
//!   ([`Fraction::TWO_THIRDS`], which no decimal is), one agent one vote.
//! - **When it is decided**: at its deadline, or as soon as every elector has voted
//!   ([`everyone_voted`]); a vote is taken only while the proposal is open and before its
//!   deadline ([`check_open_for_votes`]); a second vote by the same elector replaces the first.
//!
//! Three kinds are carried out ([`NewProposal::check`]): `ADOPT_VALUE_EQUATION`,
//! `ALLOCATE_FROM_POOL` (the pool's rules are [`crate::sharing::pool`]: a passed allocation
//! the pool cannot pay is decided `FAILED` with the reason, [`GovernanceProposal::unpaid`]),
//! `TRANSFER_CUSTODIANSHIP` (a custodian agreement's resources go to a new custodian,
//! [`crate::sharing::custody`]) and `CHANGE_ACCESS_RULE` (the next version of a nondominium
//! resource's or a specification's access rule, [`crate::sharing::access_change`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::agent::AgentKind;
use crate::agent::network::{OvnRole, Ties};
use crate::observation::event::contributes_to;
use crate::sharing::access_change::AccessChange;
use crate::sharing::custody::Custodianship;
use crate::sharing::pool::Allocation;
use crate::value::equation::{EquationStatus, ValueEquation};
use crate::wire::wire_enum;
use crate::{
    AgentId, AgreementId, DomainError, EconomicEventId, EconomicResourceId, GovernanceProposalId, Measure,
    ValueEquationId, canonical,
};

wire_enum!(
    /// What a proposal asks the contributors to decide.
    ProposalKind, "kind" {
        /// Adopt a draft version of the scope's value equation.
        AdoptValueEquation = "ADOPT_VALUE_EQUATION",
        /// Pay an amount out of a money pool to a recipient.
        AllocateFromPool = "ALLOCATE_FROM_POOL",
        /// Change the access rule of a nondominium resource or of a resource specification.
        ChangeAccessRule = "CHANGE_ACCESS_RULE",
        /// Move every resource held under a custodian agreement, and the agreement, to a new
        /// custodian.
        TransferCustodianship = "TRANSFER_CUSTODIANSHIP",
    }
);

wire_enum!(
    /// Where a proposal stands.
    ProposalStatus, "status" {
        /// Open to votes until its deadline.
        Open = "OPEN",
        /// Passed, and carried out in the same transaction.
        Passed = "PASSED",
        /// Failed (quorum or threshold not reached, or a pool that could not pay); nothing was
        /// carried out.
        Failed = "FAILED",
    }
);

wire_enum!(
    /// How much each elector's vote weighs.
    VoteWeighting, "weighting" {
        /// Every elector's vote weighs 1.
        OneAgentOneVote = "ONE_AGENT_ONE_VOTE",
        /// Every contributor's vote weighs its fluid equity in the scope.
        FluidEquity = "FLUID_EQUITY",
    }
);

wire_enum!(
    /// Which bootstrap step gave a proposal its electorate.
    ElectorateBasis, "electorateBasis" {
        /// The scope's active contributors.
        Contributors = "CONTRIBUTORS",
        /// No contributor yet: the scope's stewards.
        Stewards = "STEWARDS",
        /// Neither contributors nor stewards: the proposer alone.
        Proposer = "PROPOSER",
    }
);

/// An exact fraction in (0, 1], for quorums and thresholds. Two thirds is no decimal, so a
/// fraction keeps its numerator and denominator and is compared by multiplication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    numerator: Decimal,
    denominator: Decimal,
}

impl Fraction {
    /// One half.
    pub const HALF: Fraction =
        Fraction { numerator: Decimal::from_parts(5, 0, 0, false, 1), denominator: Decimal::ONE };
    /// Exactly two thirds.
    pub const TWO_THIRDS: Fraction =
        Fraction { numerator: Decimal::TWO, denominator: Decimal::from_parts(3, 0, 0, false, 0) };

    /// `numerator / denominator`, in (0, 1]; `field` names the input in the error.
    pub fn new(field: &str, numerator: Decimal, denominator: Decimal) -> Result<Self, DomainError> {
        if denominator <= Decimal::ZERO || numerator <= Decimal::ZERO || numerator > denominator {
            return Err(DomainError::invalid(field, "must be more than 0 and at most 1"));
        }
        Ok(Self { numerator: numerator.normalize(), denominator: denominator.normalize() })
    }

    /// A decimal in (0, 1].
    pub fn from_decimal(field: &str, value: Decimal) -> Result<Self, DomainError> {
        Self::new(field, value, Decimal::ONE)
    }

    /// The stored text: the canonical decimal (`0.5`), or `n/d` when the denominator is not 1
    /// (`2/3`).
    pub fn text(&self) -> String {
        if self.denominator == Decimal::ONE {
            canonical(self.numerator)
        } else {
            format!("{}/{}", canonical(self.numerator), canonical(self.denominator))
        }
    }

    /// Parses [`Self::text`].
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let number = |part: &str| crate::parse_decimal(part.trim());
        match text.split_once('/') {
            Some((numerator, denominator)) => Self::new(field, number(numerator)?, number(denominator)?),
            None => Self::from_decimal(field, number(text)?),
        }
    }

    /// The fraction as a decimal, rounded toward zero to the 28 digits a decimal holds (two
    /// thirds shows as `0.6666666666666666666666666666`): set back as a threshold, it still
    /// lets 2 of 3 pass.
    pub fn to_decimal(&self) -> Decimal {
        let quotient = self.numerator / self.denominator;
        match quotient.checked_mul(self.denominator) {
            Some(back) if back > self.numerator => quotient - Decimal::new(1, quotient.scale()),
            _ => quotient,
        }
    }

    /// Whether `part` is at least this fraction of `whole`: `part × denominator ≥ numerator ×
    /// whole`, exactly. (Products beyond 28 significant digits, far beyond any vote's weights,
    /// fall back to comparing quotients.)
    pub fn reached(&self, part: Decimal, whole: Decimal) -> bool {
        match (part.checked_mul(self.denominator), whole.checked_mul(self.numerator)) {
            (Some(left), Some(right)) => left >= right,
            _ => whole.is_zero() || part / whole >= self.numerator / self.denominator,
        }
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text())
    }
}

/// How a scope decides: the quorum (a fraction of the electorate's weight that must be cast),
/// the threshold (a fraction of the weight cast that must be in favour) and the weighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GovernanceRule {
    /// The project or network.
    pub scope: AgentId,
    /// The share of the electorate's weight that must be cast.
    pub quorum: Fraction,
    /// The share of the weight cast that must be in favour.
    pub threshold: Fraction,
    /// How votes weigh.
    pub weighting: VoteWeighting,
}

impl GovernanceRule {
    /// The rule of a scope that set none: a quorum of half the electorate, two thirds of the
    /// votes cast in favour, one agent one vote.
    pub fn default_for(scope: AgentId) -> Self {
        Self {
            scope,
            quorum: Fraction::HALF,
            threshold: Fraction::TWO_THIRDS,
            weighting: VoteWeighting::OneAgentOneVote,
        }
    }
}

/// `createGovernanceProposal`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProposal {
    /// What to decide.
    pub kind: ProposalKind,
    /// The project or network that decides.
    pub scope: AgentId,
    /// For `ADOPT_VALUE_EQUATION`: the draft to adopt.
    pub value_equation: Option<ValueEquationId>,
    /// For `ALLOCATE_FROM_POOL`: the pool.
    pub pool: Option<EconomicResourceId>,
    /// For `ALLOCATE_FROM_POOL`: how much.
    pub amount: Option<Measure>,
    /// For `ALLOCATE_FROM_POOL` and `TRANSFER_CUSTODIANSHIP`: to whom.
    pub recipient: Option<AgentId>,
    /// For `TRANSFER_CUSTODIANSHIP`: the custodian agreement.
    pub agreement: Option<AgreementId>,
    /// For `CHANGE_ACCESS_RULE`: the resource or specification and its new rule.
    pub access_rule: Option<AccessChange>,
    /// When the vote closes.
    pub deadline: DateTime<Utc>,
    /// Free text.
    pub note: Option<String>,
}

/// What a proposal carries out when it passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carries {
    /// Adopt this draft version.
    Adopt(ValueEquationId),
    /// Pay this allocation out of its pool (as proposed: persistence checks it against the
    /// pool, [`crate::sharing::pool::check_allocation`]).
    Allocate(Allocation),
    /// Hand this custodian agreement to a new custodian (as proposed: persistence checks it
    /// against the agreement, [`crate::sharing::custody::check_custodianship`]).
    TransferCustodianship(Custodianship),
    /// Write this rule as the target's next version (persistence checks that a resource it
    /// names may be voted, [`crate::sharing::access_change::check_votable`]).
    ChangeAccessRule(AccessChange),
}

impl NewProposal {
    /// What a proposal made at `now` must say: a kind that is carried out
    /// (`ADOPT_VALUE_EQUATION`, `ALLOCATE_FROM_POOL`, `TRANSFER_CUSTODIANSHIP` or
    /// `CHANGE_ACCESS_RULE`), with the fields of that kind and no others, and a deadline in the
    /// future. Returns what passing it carries out.
    pub fn check(&self, now: DateTime<Utc>) -> Result<Carries, DomainError> {
        let carries = match self.kind {
            ProposalKind::AdoptValueEquation => {
                let Some(equation) = self.value_equation else {
                    return Err(DomainError::invalid(
                        "valueEquation",
                        "an ADOPT_VALUE_EQUATION proposal names the draft version to adopt",
                    ));
                };
                self.refuse_unused(&[
                    ("pool", self.pool.is_some()),
                    ("amount", self.amount.is_some()),
                    ("recipient", self.recipient.is_some()),
                    ("agreement", self.agreement.is_some()),
                    ("accessRule", self.access_rule.is_some()),
                ])?;
                Carries::Adopt(equation)
            }
            ProposalKind::AllocateFromPool => {
                let missing = |field: &str| {
                    DomainError::invalid(
                        field,
                        "an ALLOCATE_FROM_POOL proposal names the pool, the amount and the recipient",
                    )
                };
                let pool = self.pool.ok_or_else(|| missing("pool"))?;
                let amount = self.amount.ok_or_else(|| missing("amount"))?;
                let recipient = self.recipient.ok_or_else(|| missing("recipient"))?;
                if amount.has_numerical_value <= Decimal::ZERO {
                    return Err(DomainError::invalid("amount", "must be more than zero"));
                }
                self.refuse_unused(&[
                    ("valueEquation", self.value_equation.is_some()),
                    ("agreement", self.agreement.is_some()),
                    ("accessRule", self.access_rule.is_some()),
                ])?;
                Carries::Allocate(Allocation { pool, amount, recipient })
            }
            ProposalKind::TransferCustodianship => {
                let missing = |field: &str| {
                    DomainError::invalid(
                        field,
                        "a TRANSFER_CUSTODIANSHIP proposal names the custodian agreement and the recipient (the new custodian)",
                    )
                };
                let agreement = self.agreement.ok_or_else(|| missing("agreement"))?;
                let recipient = self.recipient.ok_or_else(|| missing("recipient"))?;
                self.refuse_unused(&[
                    ("valueEquation", self.value_equation.is_some()),
                    ("pool", self.pool.is_some()),
                    ("amount", self.amount.is_some()),
                    ("accessRule", self.access_rule.is_some()),
                ])?;
                Carries::TransferCustodianship(Custodianship { agreement, recipient })
            }
            ProposalKind::ChangeAccessRule => {
                let Some(change) = &self.access_rule else {
                    return Err(DomainError::invalid(
                        "accessRule",
                        "a CHANGE_ACCESS_RULE proposal names the resource or resource specification and its new rule",
                    ));
                };
                self.refuse_unused(&[
                    ("valueEquation", self.value_equation.is_some()),
                    ("pool", self.pool.is_some()),
                    ("amount", self.amount.is_some()),
                    ("recipient", self.recipient.is_some()),
                    ("agreement", self.agreement.is_some()),
                ])?;
                change.check_scope(self.scope)?;
                Carries::ChangeAccessRule(change.clone())
            }
        };
        if self.deadline <= now {
            return Err(DomainError::invalid("deadline", "must be in the future"));
        }
        Ok(carries)
    }

    fn refuse_unused(&self, fields: &[(&str, bool)]) -> Result<(), DomainError> {
        match fields.iter().find(|(_, given)| *given) {
            Some((field, _)) => {
                Err(DomainError::invalid(*field, format!("is not used by an {} proposal", self.kind.as_str())))
            }
            None => Ok(()),
        }
    }
}

/// Value equations and governance belong to an organization (a project or a network): a
/// person has no contributors to decide for it.
pub fn check_scope(kind: AgentKind) -> Result<(), DomainError> {
    match kind {
        AgentKind::Organization => Ok(()),
        AgentKind::Person => Err(DomainError::invalid(
            "scope",
            "is a person; value equations and governance belong to a project or a network (an Organization)",
        )),
    }
}

/// Checks that `equation` may be put to the vote of `scope`: a version of that scope, and a
/// `DRAFT` (a proposed, adopted or retired version is a `CONFLICT` with its state).
pub fn check_proposable(equation: &ValueEquation, scope: AgentId) -> Result<(), DomainError> {
    if equation.scope != scope {
        return Err(DomainError::invalid(
            "valueEquation",
            format!("value equation {} belongs to another scope than {scope}", equation.id),
        ));
    }
    if equation.status != EquationStatus::Draft {
        return Err(DomainError::Conflict(format!(
            "version {} is {}; only a DRAFT version can be proposed for adoption",
            equation.version,
            equation.status.as_str()
        )));
    }
    Ok(())
}

/// A proposal put to a scope's vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceProposal {
    /// Identity.
    pub id: GovernanceProposalId,
    /// Revision (its status changes once, when it is decided).
    pub revision: i64,
    /// What is decided.
    pub kind: ProposalKind,
    /// The project or network that decides.
    pub scope: AgentId,
    /// The version to adopt (`ADOPT_VALUE_EQUATION`).
    pub value_equation: Option<ValueEquationId>,
    /// The pool, amount and recipient (`ALLOCATE_FROM_POOL`).
    pub allocation: Option<Allocation>,
    /// The agreement and the new custodian (`TRANSFER_CUSTODIANSHIP`).
    pub custodianship: Option<Custodianship>,
    /// The transfer that paid a passed allocation.
    pub payout: Option<EconomicEventId>,
    /// The target and the new rule (`CHANGE_ACCESS_RULE`).
    pub access_rule: Option<AccessChange>,
    /// Why a decided proposal failed: the quorum, the threshold, or a pool that could not pay.
    pub failure_reason: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// When the vote closes.
    pub deadline: DateTime<Utc>,
    /// Where it stands.
    pub status: ProposalStatus,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// Who made it.
    pub proposer: AgentId,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The quorum of the scope's rule when it was made.
    pub quorum: Fraction,
    /// The threshold of the scope's rule when it was made.
    pub threshold: Fraction,
    /// The weighting of the scope's rule when it was made.
    pub weighting: VoteWeighting,
    /// Which bootstrap step gave it its electorate.
    pub electorate_basis: ElectorateBasis,
}

impl GovernanceProposal {
    /// The proposal `new` made by `proposer` at `now` under `rule`, open, with an electorate
    /// found by `basis`; `allocation` is an allocation's checked terms.
    pub fn open(
        id: GovernanceProposalId,
        new: NewProposal,
        allocation: Option<Allocation>,
        proposer: AgentId,
        rule: &GovernanceRule,
        basis: ElectorateBasis,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            revision: 1,
            kind: new.kind,
            scope: new.scope,
            value_equation: new.value_equation,
            allocation,
            custodianship: match (new.kind, new.agreement, new.recipient) {
                (ProposalKind::TransferCustodianship, Some(agreement), Some(recipient)) => {
                    Some(Custodianship { agreement, recipient })
                }
                _ => None,
            },
            payout: None,
            access_rule: new.access_rule,
            failure_reason: None,
            note: new.note,
            deadline: new.deadline,
            status: ProposalStatus::Open,
            created: now,
            proposer,
            decided_at: None,
            quorum: rule.quorum,
            threshold: rule.threshold,
            weighting: rule.weighting,
            electorate_basis: basis,
        }
    }

    /// Whether the sweeper decides it at `now`: open, and its deadline has come.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.status == ProposalStatus::Open && self.deadline <= now
    }

    /// The proposal decided at `now` by `tally`; a failed one says why.
    pub fn decided(self, tally: &Tally, now: DateTime<Utc>) -> Self {
        let (status, failure_reason) = if tally.passed {
            (ProposalStatus::Passed, None)
        } else if !tally.quorum_reached {
            (ProposalStatus::Failed, Some("the quorum was not reached".to_owned()))
        } else {
            (ProposalStatus::Failed, Some("the votes in favour did not reach the threshold".to_owned()))
        };
        Self { status, failure_reason, decided_at: Some(now), ..self }
    }

    /// A proposal that passed the vote but could not be carried out (a pool that cannot pay:
    /// [`crate::sharing::pool::shortfall`]; a custodianship its recipient holds already):
    /// decided `FAILED` at `now` with `reason`, nothing carried out.
    pub fn unpaid(self, reason: String, now: DateTime<Utc>) -> Self {
        Self { status: ProposalStatus::Failed, failure_reason: Some(reason), decided_at: Some(now), ..self }
    }
}

/// Refuses a vote on a proposal that is decided or past its deadline (`CONFLICT` with its
/// state).
pub fn check_open_for_votes(proposal: &GovernanceProposal, now: DateTime<Utc>) -> Result<(), DomainError> {
    if proposal.status != ProposalStatus::Open {
        return Err(DomainError::Conflict(format!(
            "the proposal is {}; votes are taken only while it is OPEN",
            proposal.status.as_str()
        )));
    }
    if proposal.deadline <= now {
        return Err(DomainError::Conflict("the proposal's deadline has passed; it is being decided".into()));
    }
    Ok(())
}

/// A proposal's electorate: who may vote, and why these agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Electorate {
    /// Which bootstrap step applied.
    pub basis: ElectorateBasis,
    /// The electors, in id order.
    pub members: Vec<AgentId>,
}

/// The electorate of a proposal made by `proposer`: the scope's active `contributors`; with
/// none, its `stewards`; with neither, the proposer alone.
pub fn electorate(contributors: &BTreeSet<AgentId>, stewards: &BTreeSet<AgentId>, proposer: AgentId) -> Electorate {
    if !contributors.is_empty() {
        Electorate { basis: ElectorateBasis::Contributors, members: contributors.iter().copied().collect() }
    } else if !stewards.is_empty() {
        Electorate { basis: ElectorateBasis::Stewards, members: stewards.iter().copied().collect() }
    } else {
        Electorate { basis: ElectorateBasis::Proposer, members: vec![proposer] }
    }
}

/// The active contributors of the organization `scope` among `providers` (the agents that
/// provided events in scope of it): those whose events there are contributions. `ties` hold
/// the providers' own ties and the `partOf` chain above the scope.
pub fn active_contributors(
    scope: AgentId,
    providers: impl IntoIterator<Item = AgentId>,
    ties: &Ties,
) -> BTreeSet<AgentId> {
    providers.into_iter().filter(|provider| contributes_to(*provider, scope, ties)).collect()
}

/// The stewards of `scope`: of the scope itself or of a network it is part of (as
/// [`Ties::is_steward`] decides). `ties` hold the `partOf` chain above the scope with its
/// organizations' officers.
pub fn stewards_of(scope: AgentId, ties: &Ties) -> BTreeSet<AgentId> {
    ties.above(scope).into_iter().flat_map(|organization| ties.subjects(OvnRole::StewardOf, organization)).collect()
}

/// One elector and the weight of its vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elector {
    /// Who.
    pub agent: AgentId,
    /// How much its vote weighs (not negative).
    pub weight: Decimal,
}

/// The weights of `electorate` under `weighting`: 1 each, or each contributor's fluid `equity`
/// (0 for one that holds none). A bootstrap electorate weighs 1 each whatever the weighting.
pub fn weigh(electorate: &Electorate, weighting: VoteWeighting, equity: &[(AgentId, Decimal)]) -> Vec<Elector> {
    let by_equity = weighting == VoteWeighting::FluidEquity && electorate.basis == ElectorateBasis::Contributors;
    let equity: BTreeMap<AgentId, Decimal> = equity.iter().copied().collect();
    electorate
        .members
        .iter()
        .map(|agent| {
            let weight = if by_equity {
                equity.get(agent).copied().unwrap_or(Decimal::ZERO).max(Decimal::ZERO)
            } else {
                Decimal::ONE
            };
            Elector { agent: *agent, weight }
        })
        .collect()
}

/// One vote as cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    /// The elector.
    pub voter: AgentId,
    /// For or against.
    pub in_favour: bool,
    /// When it was cast (a second vote replaces the first and its time).
    pub cast_at: DateTime<Utc>,
}

/// The count of a proposal's votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// The whole electorate's weight.
    pub eligible_weight: Decimal,
    /// The weight of the votes cast.
    pub cast_weight: Decimal,
    /// The weight cast in favour.
    pub in_favour_weight: Decimal,
    /// The weight cast against.
    pub against_weight: Decimal,
    /// Whether the weight cast reaches the quorum.
    pub quorum_reached: bool,
    /// Whether it passes: quorum reached, something cast in favour, and the weight in favour
    /// reaches the threshold of the weight cast.
    pub passed: bool,
}

/// Counts `votes` (one per voter; votes of agents outside the electorate count for nothing)
/// against `electors` under `quorum` and `threshold`.
pub fn tally(electors: &[Elector], votes: &[Vote], quorum: Fraction, threshold: Fraction) -> Tally {
    let weights: BTreeMap<AgentId, Decimal> = electors.iter().map(|e| (e.agent, e.weight)).collect();
    let ballots: BTreeMap<AgentId, bool> = votes.iter().map(|v| (v.voter, v.in_favour)).collect();
    let eligible_weight: Decimal = weights.values().copied().sum();
    let (mut in_favour_weight, mut against_weight) = (Decimal::ZERO, Decimal::ZERO);
    for (voter, in_favour) in ballots {
        let Some(weight) = weights.get(&voter) else { continue };
        if in_favour {
            in_favour_weight += *weight;
        } else {
            against_weight += *weight;
        }
    }
    let cast_weight = in_favour_weight + against_weight;
    let quorum_reached = quorum.reached(cast_weight, eligible_weight);
    let passed = quorum_reached && in_favour_weight > Decimal::ZERO && threshold.reached(in_favour_weight, cast_weight);
    Tally { eligible_weight, cast_weight, in_favour_weight, against_weight, quorum_reached, passed }
}

/// Whether every elector has voted (the proposal is then decided at once).
pub fn everyone_voted(electors: &[Elector], votes: &[Vote]) -> bool {
    let voted: BTreeSet<AgentId> = votes.iter().map(|v| v.voter).collect();
    electors.iter().all(|e| voted.contains(&e.agent))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests unwrap: a failure should panic with the value")]
mod tests;
