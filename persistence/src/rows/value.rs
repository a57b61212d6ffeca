//! Rows of value equations and governance: a version of an equation (its buckets and rules as
//! one JSON column), a proposal, its electors and votes, a scope's rule.

use chrono::{DateTime, Utc};
use ovn_domain::governance::{
    Elector, ElectorateBasis, Fraction, GovernanceProposal, GovernanceRule, ProposalKind, ProposalStatus, Vote,
    VoteWeighting,
};
use ovn_domain::sharing::access::{AccessTarget, AccessTerms};
use ovn_domain::sharing::access_change::AccessChange;
use ovn_domain::sharing::custody::Custodianship;
use ovn_domain::sharing::pool::Allocation;
use ovn_domain::value::equation::{Bucket, EquationStatus, PercentageBehavior, Valuation, ValueEquation};
use ovn_domain::{
    AgentId, AgentRelationshipRoleId, AgreementId, DomainError, EconomicEventId, EconomicResourceId,
    GovernanceProposalId, Measure, ResourceSpecificationId, ValueEquationId,
};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;

use super::{Record, Stamps, corrupt, id, measure, measure_columns, opt, text};
use crate::decimal::DbDecimal;
use crate::entity::{governance_elector, governance_proposal, governance_rule, governance_vote, value_equation};
use crate::error::{PersistenceError, Result};
use crate::value::StoredEquation;

fn parsed<T>(text: &str, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<T> {
    parse(text).map_err(corrupt)
}

fn fraction(field: &str, text: &str) -> Result<Fraction> {
    Fraction::parse(field, text).map_err(corrupt)
}

/// The buckets as stored: their JSON, each formula as its text.
fn buckets_to_json(buckets: &[Bucket]) -> String {
    // A `Vec<Bucket>` holds only strings, decimals as text, ids, enums and lists (no map keys,
    // no floats): serialising it cannot fail. Were it ever to, `null` is written, which the
    // next read reports as corrupt rather than as an equation without buckets.
    serde_json::to_string(buckets).unwrap_or_else(|_| "null".to_owned())
}

fn buckets_from_json(text: &str) -> Result<Vec<Bucket>> {
    serde_json::from_str(text).map_err(|e| PersistenceError::Corrupt(format!("value equation buckets: {e}")))
}

impl Record for StoredEquation {
    type Entity = value_equation::Entity;
    type Row = value_equation::ActiveModel;
    type Id = ValueEquationId;
    const KIND: &'static str = "value equation";

    fn id(&self) -> ValueEquationId {
        self.equation.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.equation.revision = revision;
    }

    fn row_revision(row: &value_equation::Model) -> i64 {
        row.revision
    }

    fn from_row(row: value_equation::Model) -> Result<Self> {
        Ok(StoredEquation {
            equation: ValueEquation {
                id: id(&row.id, ValueEquationId::parse)?,
                revision: row.revision,
                scope: id(&row.scope, AgentId::parse)?,
                version: row.version,
                name: row.name,
                status: parsed(&row.status, EquationStatus::parse)?,
                percentage_behavior: parsed(&row.percentage_behavior, PercentageBehavior::parse)?,
                valuation: parsed(&row.valuation, Valuation::parse)?,
                note: row.note,
                buckets: buckets_from_json(&row.buckets)?,
                created: row.created,
                adopted_at: row.adopted_at,
                retired_at: row.retired_at,
            },
            created_by: id(&row.created_by, AgentId::parse)?,
        })
    }

    fn to_row(&self, stamps: Stamps) -> value_equation::ActiveModel {
        let e = &self.equation;
        value_equation::ActiveModel {
            id: Set(e.id.to_string()),
            scope: Set(e.scope.to_string()),
            version: Set(e.version),
            name: Set(e.name.clone()),
            status: Set(e.status.as_str().to_owned()),
            percentage_behavior: Set(e.percentage_behavior.as_str().to_owned()),
            valuation: Set(e.valuation.as_str().to_owned()),
            note: Set(e.note.clone()),
            buckets: Set(buckets_to_json(&e.buckets)),
            created: Set(e.created),
            created_by: Set(self.created_by.to_string()),
            adopted_at: Set(e.adopted_at),
            retired_at: Set(e.retired_at),
            revision: Set(e.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for GovernanceProposal {
    type Entity = governance_proposal::Entity;
    type Row = governance_proposal::ActiveModel;
    type Id = GovernanceProposalId;
    const KIND: &'static str = "governance proposal";

    fn id(&self) -> GovernanceProposalId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &governance_proposal::Model) -> i64 {
        row.revision
    }

    fn from_row(row: governance_proposal::Model) -> Result<Self> {
        let (allocation, custodianship) = terms_from(&row)?;
        let access_rule = access_change_from(&row)?;
        Ok(GovernanceProposal {
            id: id(&row.id, GovernanceProposalId::parse)?,
            revision: row.revision,
            kind: parsed(&row.kind, ProposalKind::parse)?,
            scope: id(&row.scope, AgentId::parse)?,
            value_equation: opt(row.value_equation.as_deref(), ValueEquationId::parse)?,
            note: row.note,
            deadline: row.deadline,
            status: parsed(&row.status, ProposalStatus::parse)?,
            created: row.created,
            proposer: id(&row.proposer, AgentId::parse)?,
            decided_at: row.decided_at,
            quorum: fraction("quorum", &row.quorum)?,
            threshold: fraction("threshold", &row.threshold)?,
            weighting: parsed(&row.weighting, VoteWeighting::parse)?,
            electorate_basis: parsed(&row.electorate_basis, ElectorateBasis::parse)?,
            allocation,
            custodianship,
            payout: opt(row.payout.as_deref(), EconomicEventId::parse)?,
            access_rule,
            failure_reason: row.failure_reason,
        })
    }

    fn to_row(&self, stamps: Stamps) -> governance_proposal::ActiveModel {
        let (amount, amount_unit) = measure_columns(self.allocation.map(|a| a.amount));
        let access = self.access_rule.as_ref();
        let (access_resource, access_resource_specification) = match access.map(|change| change.target) {
            Some(AccessTarget::Resource(resource)) => (Some(resource.to_string()), None),
            Some(AccessTarget::Specification(specification)) => (None, Some(specification.to_string())),
            None => (None, None),
        };
        governance_proposal::ActiveModel {
            id: Set(self.id.to_string()),
            kind: Set(self.kind.as_str().to_owned()),
            scope: Set(self.scope.to_string()),
            value_equation: Set(text(self.value_equation)),
            note: Set(self.note.clone()),
            deadline: Set(self.deadline),
            status: Set(self.status.as_str().to_owned()),
            created: Set(self.created),
            proposer: Set(self.proposer.to_string()),
            decided_at: Set(self.decided_at),
            quorum: Set(self.quorum.text()),
            threshold: Set(self.threshold.text()),
            weighting: Set(self.weighting.as_str().to_owned()),
            electorate_basis: Set(self.electorate_basis.as_str().to_owned()),
            pool: Set(text(self.allocation.map(|a| a.pool))),
            amount: Set(amount),
            amount_unit: Set(amount_unit),
            recipient: Set(text(self.allocation.map(|a| a.recipient).or(self.custodianship.map(|c| c.recipient)))),
            payout: Set(text(self.payout)),
            failure_reason: Set(self.failure_reason.clone()),
            agreement: Set(text(self.custodianship.map(|c| c.agreement))),
            access_resource: Set(access_resource),
            access_resource_specification: Set(access_resource_specification),
            access_terms: Set(access.map(|change| terms_to_json(&change.terms))),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

/// The terms of an allocation (pool, amount, recipient) or of a custodianship (agreement,
/// recipient): all of one's columns, or none.
fn terms_from(row: &governance_proposal::Model) -> Result<(Option<Allocation>, Option<Custodianship>)> {
    let amount = measure(row.amount, row.amount_unit.as_deref())?;
    let recipient = opt(row.recipient.as_deref(), AgentId::parse)?;
    let missing = || PersistenceError::Corrupt(format!("governance proposal {}: a term is missing", row.id));
    match (row.pool.as_deref(), amount, row.agreement.as_deref(), recipient) {
        (Some(pool), Some(amount), None, Some(recipient)) => {
            Ok((Some(Allocation { pool: id(pool, EconomicResourceId::parse)?, amount, recipient }), None))
        }
        (None, None, Some(agreement), Some(recipient)) => {
            Ok((None, Some(Custodianship { agreement: id(agreement, AgreementId::parse)?, recipient })))
        }
        (None, None, None, None) => Ok((None, None)),
        _ => Err(missing()),
    }
}

/// The terms of a proposed access rule as stored (JSON; D176): ids as text, decimals as
/// canonical text, the longest booking in seconds as `access_rule` keeps it.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StoredTerms {
    scope: AgentId,
    any_affiliate: bool,
    roles: Vec<AgentRelationshipRoleId>,
    agents: Vec<AgentId>,
    minimum_reputation: Option<Decimal>,
    requires_approval: bool,
    longest_booking_seconds: Option<i64>,
    value_per_unit_of_use: Option<Measure>,
    maintenance_share: Decimal,
    maintenance_recipient: Option<AgentId>,
    note: Option<String>,
}

fn terms_to_json(terms: &AccessTerms) -> String {
    let stored = StoredTerms {
        scope: terms.scope,
        any_affiliate: terms.any_affiliate,
        roles: terms.roles.clone(),
        agents: terms.agents.clone(),
        minimum_reputation: terms.minimum_reputation,
        requires_approval: terms.requires_approval,
        longest_booking_seconds: terms.longest_booking.map(|d| d.num_seconds()),
        value_per_unit_of_use: terms.value_per_unit_of_use,
        maintenance_share: terms.maintenance_share,
        maintenance_recipient: terms.maintenance_recipient,
        note: terms.note.clone(),
    };
    // Ids, decimals as text, integers, booleans and strings: serialising cannot fail. Were it
    // ever to, `null` is written, which the next read reports as corrupt.
    serde_json::to_string(&stored).unwrap_or_else(|_| "null".to_owned())
}

/// The target and terms of a `CHANGE_ACCESS_RULE` proposal: a target and its terms, or none.
fn access_change_from(row: &governance_proposal::Model) -> Result<Option<AccessChange>> {
    let target = match (row.access_resource.as_deref(), row.access_resource_specification.as_deref()) {
        (Some(resource), None) => Some(AccessTarget::Resource(id(resource, EconomicResourceId::parse)?)),
        (None, Some(specification)) => {
            Some(AccessTarget::Specification(id(specification, ResourceSpecificationId::parse)?))
        }
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(PersistenceError::Corrupt(format!("governance proposal {}: two access rule targets", row.id)));
        }
    };
    match (target, row.access_terms.as_deref()) {
        (Some(target), Some(json)) => {
            let stored: StoredTerms = serde_json::from_str(json).map_err(|e| {
                PersistenceError::Corrupt(format!("governance proposal {}: access rule terms: {e}", row.id))
            })?;
            let terms = AccessTerms {
                scope: stored.scope,
                any_affiliate: stored.any_affiliate,
                roles: stored.roles,
                agents: stored.agents,
                minimum_reputation: stored.minimum_reputation,
                requires_approval: stored.requires_approval,
                longest_booking: stored.longest_booking_seconds.map(chrono::TimeDelta::seconds),
                value_per_unit_of_use: stored.value_per_unit_of_use,
                maintenance_share: stored.maintenance_share,
                maintenance_recipient: stored.maintenance_recipient,
                note: stored.note,
            };
            Ok(Some(AccessChange { target, terms }))
        }
        (None, None) => Ok(None),
        _ => {
            Err(PersistenceError::Corrupt(format!("governance proposal {}: an access rule without its target", row.id)))
        }
    }
}

/// An elector of `proposal`, as stored.
pub(crate) fn elector_row(proposal: GovernanceProposalId, elector: &Elector) -> governance_elector::ActiveModel {
    governance_elector::ActiveModel {
        proposal: Set(proposal.to_string()),
        agent: Set(elector.agent.to_string()),
        weight: Set(DbDecimal(elector.weight)),
    }
}

/// A stored elector, with its proposal.
pub(crate) fn elector_from(row: &governance_elector::Model) -> Result<(GovernanceProposalId, Elector)> {
    Ok((
        id(&row.proposal, GovernanceProposalId::parse)?,
        Elector { agent: id(&row.agent, AgentId::parse)?, weight: row.weight.0 },
    ))
}

/// A vote on `proposal`, as stored.
pub(crate) fn vote_row(proposal: GovernanceProposalId, vote: &Vote) -> governance_vote::ActiveModel {
    governance_vote::ActiveModel {
        proposal: Set(proposal.to_string()),
        voter: Set(vote.voter.to_string()),
        in_favour: Set(vote.in_favour),
        cast_at: Set(vote.cast_at),
    }
}

/// A stored vote, with its proposal.
pub(crate) fn vote_from(row: &governance_vote::Model) -> Result<(GovernanceProposalId, Vote)> {
    Ok((
        id(&row.proposal, GovernanceProposalId::parse)?,
        Vote { voter: id(&row.voter, AgentId::parse)?, in_favour: row.in_favour, cast_at: row.cast_at },
    ))
}

/// A scope's stored rule.
pub(crate) fn rule_from(row: &governance_rule::Model) -> Result<GovernanceRule> {
    Ok(GovernanceRule {
        scope: id(&row.scope, AgentId::parse)?,
        quorum: fraction("quorum", &row.quorum)?,
        threshold: fraction("threshold", &row.threshold)?,
        weighting: parsed(&row.weighting, VoteWeighting::parse)?,
    })
}

/// A scope's rule as stored, set by `set_by` at `now` (an insert sets `created_at`; the
/// upsert keeps the first one).
pub(crate) fn rule_row(rule: &GovernanceRule, set_by: AgentId, now: DateTime<Utc>) -> governance_rule::ActiveModel {
    governance_rule::ActiveModel {
        scope: Set(rule.scope.to_string()),
        quorum: Set(rule.quorum.text()),
        threshold: Set(rule.threshold.text()),
        weighting: Set(rule.weighting.as_str().to_owned()),
        set_by: Set(set_by.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
