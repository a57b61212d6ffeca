//! Access rules (DESIGN 6): how a shared resource may be used. An owner who puts equipment in
//! the pool of shareables says who may use it and how; a nondominium asset's rule is the
//! affiliates' to change, by vote. The rules, as plain functions over what persistence loads:
//!
//! - **Which rule applies** ([`effective`]): a resource's own rule, else the rule of its
//!   resource specification (one rule for every printer of a model), else none. A resource with
//!   no rule is not shared: only its holders use it.
//! - **Who may use it** ([`check_user`]): its holders (the owner, `primaryAccountable`, and the
//!   custodian) always; anyone else only when the rule lets them in, by being an affiliate of
//!   the rule's scope (`anyAffiliate`), by holding one of the rule's relationship roles toward
//!   that scope, or by being named; and, when the rule sets a minimum reputation, by having at
//!   least that much (reputation is not computed yet, so it counts as 0 and such a rule admits
//!   only named agents and holders; the message says so).
//! - **For how long** ([`check_span`]): a booking ends after it begins and lasts no longer than
//!   the rule's longest booking; **whether the holder approves it** ([`needs_approval`]);
//!   **whether the slot is free** ([`check_free`]): intervals are half-open, so a booking that
//!   ends at 10:00 and one that begins at 10:00 do not overlap.
//! - **What a use is worth** ([`use_value_per_unit`], [`split_use_value`]): the rule's value
//!   per unit of use, else the resource's `valuePerUnitOfUse`; the rule's maintenance share of
//!   that value goes to the maintenance bucket, the rest is the owner's contribution.
//!
//! Every refusal is [`DomainError::AccessRule`] (`ACCESS_RULE_VIOLATION`) with a message that
//! names the rule that failed.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use crate::observation::PropertyRegime;
use crate::{
    AccessRuleId, AgentId, AgentRelationshipRoleId, CommitmentId, DomainError, EconomicResourceId,
    GovernanceProposalId, Measure, ResourceSpecificationId,
};

/// What a rule is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessTarget {
    /// One resource.
    Resource(EconomicResourceId),
    /// Every resource that conforms to a specification and has no rule of its own.
    Specification(ResourceSpecificationId),
}

/// The terms of a rule, as an owner or a proposal states them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTerms {
    /// The network or project whose affiliates (and roles) the rule speaks of.
    pub scope: AgentId,
    /// Any affiliate of the scope (or of a network it is part of) may use it.
    pub any_affiliate: bool,
    /// Agents holding one of these relationship roles toward the scope may use it.
    pub roles: Vec<AgentRelationshipRoleId>,
    /// These agents may use it.
    pub agents: Vec<AgentId>,
    /// The least reputation (0 to 1) a user must have, beside the clauses above.
    pub minimum_reputation: Option<Decimal>,
    /// A booking by anyone but a holder waits for a holder's approval.
    pub requires_approval: bool,
    /// The longest a booking may last.
    pub longest_booking: Option<TimeDelta>,
    /// The value of one unit of use (an hour of a printer), instead of the resource's own.
    pub value_per_unit_of_use: Option<Measure>,
    /// The part (0 to 1) of a use's value that goes to maintenance rather than to the owner.
    pub maintenance_share: Decimal,
    /// Who maintains it and receives the maintenance share through the `MAINTENANCE` bucket
    /// (none: the resource's custodian, else its owner; [`maintenance_recipient`]).
    pub maintenance_recipient: Option<AgentId>,
    /// Free text.
    pub note: Option<String>,
}

impl AccessTerms {
    /// Checks the terms as given: fractions within 0 and 1, a positive longest booking, a
    /// value per unit of use not below zero, no agent or role named twice.
    pub fn check(mut self) -> Result<Self, DomainError> {
        if self.maintenance_share < Decimal::ZERO || self.maintenance_share > Decimal::ONE {
            return Err(DomainError::invalid("maintenanceShare", "must be between 0 and 1"));
        }
        self.maintenance_share = self.maintenance_share.normalize();
        if let Some(minimum) = self.minimum_reputation
            && (minimum < Decimal::ZERO || minimum > Decimal::ONE)
        {
            return Err(DomainError::invalid("minimumReputation", "must be between 0 and 1"));
        }
        if let Some(longest) = self.longest_booking
            && longest <= TimeDelta::zero()
        {
            return Err(DomainError::invalid("longestBooking", "must be longer than zero"));
        }
        if let Some(value) = &self.value_per_unit_of_use
            && value.has_numerical_value < Decimal::ZERO
        {
            return Err(DomainError::invalid("valuePerUnitOfUse", "must not be negative"));
        }
        if self.agents.iter().collect::<BTreeSet<_>>().len() != self.agents.len() {
            return Err(DomainError::invalid("agents", "names an agent twice"));
        }
        if self.roles.iter().collect::<BTreeSet<_>>().len() != self.roles.len() {
            return Err(DomainError::invalid("roles", "names a role twice"));
        }
        Ok(self)
    }
}

/// One version of the rule of a resource or specification. Versions are never changed: a new
/// one replaces the last, and the history keeps them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRule {
    /// Identity of this version.
    pub id: AccessRuleId,
    /// What it is set on.
    pub target: AccessTarget,
    /// 1 for the first rule of the target, then one more for each change.
    pub version: i64,
    /// The terms.
    pub terms: AccessTerms,
    /// Who set it (for a rule changed by vote, the proposer).
    pub set_by: AgentId,
    /// When.
    pub set_at: DateTime<Utc>,
    /// The passed `CHANGE_ACCESS_RULE` proposal that set it, if it was voted.
    pub proposal: Option<GovernanceProposalId>,
}

impl AccessRule {
    /// How the rule names itself in a refusal.
    pub fn label(&self) -> String {
        let target = match self.target {
            AccessTarget::Resource(resource) => format!("resource {resource}"),
            AccessTarget::Specification(specification) => format!("resource specification {specification}"),
        };
        format!("access rule v{} of {target}", self.version)
    }
}

/// The rule that governs a resource: its own, else its specification's.
pub fn effective<'a>(own: Option<&'a AccessRule>, specification: Option<&'a AccessRule>) -> Option<&'a AccessRule> {
    own.or(specification)
}

/// How a resource's rule may be changed: directly by its owner (a private or pooled resource),
/// or only by a passed `CHANGE_ACCESS_RULE` proposal (a nondominium one, which nobody owns).
/// A commons is used by citing it; it takes no rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleChange {
    /// The owner sets it.
    ByOwner,
    /// The affiliates vote it.
    ByVote,
}

/// Who may change the rule of a resource held under `regime`.
pub fn rule_change(regime: PropertyRegime) -> Result<RuleChange, DomainError> {
    match regime {
        PropertyRegime::Private | PropertyRegime::PoolOfShareables => Ok(RuleChange::ByOwner),
        PropertyRegime::Nondominium => Ok(RuleChange::ByVote),
        PropertyRegime::Commons => {
            Err(DomainError::invalid("resource", "is a COMMONS: it is used by citing it, and takes no access rule"))
        }
    }
}

/// What persistence knows of an agent who wants to use a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The agent.
    pub agent: AgentId,
    /// It owns or holds the resource (its `primaryAccountable` or `custodian`).
    pub holder: bool,
    /// It is an affiliate of the rule's scope or of a network the scope is part of.
    pub affiliate: bool,
    /// The relationship roles it holds toward the rule's scope.
    pub roles: BTreeSet<AgentRelationshipRoleId>,
    /// Its reputation in the scope, 0 to 1 (0 until reputation is computed).
    pub reputation: Decimal,
}

/// Whether `standing` may use a resource governed by `rule` (none: only its holders).
pub fn check_user(
    rule: Option<&AccessRule>,
    resource: EconomicResourceId,
    standing: &Standing,
) -> Result<(), DomainError> {
    if standing.holder {
        return Ok(());
    }
    let Some(rule) = rule else {
        return Err(DomainError::AccessRule(format!(
            "resource {resource} has no access rule: only its owner or custodian may use it"
        )));
    };
    let terms = &rule.terms;
    let named = terms.agents.contains(&standing.agent);
    let admitted =
        named || (terms.any_affiliate && standing.affiliate) || terms.roles.iter().any(|r| standing.roles.contains(r));
    if !admitted {
        return Err(DomainError::AccessRule(format!(
            "{} lets in {}; agent {} is none of these",
            rule.label(),
            admits(terms),
            standing.agent
        )));
    }
    if let Some(minimum) = terms.minimum_reputation
        && !named
        && standing.reputation < minimum
    {
        return Err(DomainError::AccessRule(format!(
            "{} asks a reputation of at least {minimum}; agent {} has {} (reputation is not computed yet and counts as 0)",
            rule.label(),
            standing.agent,
            standing.reputation
        )));
    }
    Ok(())
}

fn admits(terms: &AccessTerms) -> String {
    let mut clauses = Vec::new();
    if terms.any_affiliate {
        clauses.push(format!("any affiliate of {}", terms.scope));
    }
    if !terms.roles.is_empty() {
        let roles: Vec<_> = terms.roles.iter().map(ToString::to_string).collect();
        clauses.push(format!("holders of the roles {} toward {}", roles.join(", "), terms.scope));
    }
    if !terms.agents.is_empty() {
        let agents: Vec<_> = terms.agents.iter().map(ToString::to_string).collect();
        clauses.push(format!("the agents {}", agents.join(", ")));
    }
    if clauses.is_empty() {
        return "only the owner or custodian".into();
    }
    clauses.join(" or ")
}

/// Checks a booking's interval against the rule: it ends after it begins, and lasts no longer
/// than the rule's longest booking (holders included: the rule protects the other users).
pub fn check_span(rule: Option<&AccessRule>, begins: DateTime<Utc>, ends: DateTime<Utc>) -> Result<(), DomainError> {
    if ends <= begins {
        return Err(DomainError::invalid("hasEnd", "must be after hasBeginning"));
    }
    if let Some(rule) = rule
        && let Some(longest) = rule.terms.longest_booking
        && ends - begins > longest
    {
        return Err(DomainError::AccessRule(format!(
            "{} allows bookings of at most {} minutes; this one lasts {} minutes",
            rule.label(),
            longest.num_minutes(),
            (ends - begins).num_minutes()
        )));
    }
    Ok(())
}

/// Whether a booking by `standing` waits for a holder's approval.
pub fn needs_approval(rule: Option<&AccessRule>, standing: &Standing) -> bool {
    !standing.holder && rule.is_some_and(|rule| rule.terms.requires_approval)
}

/// A booked interval of a resource, `[begins, ends)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The booking (a `use` commitment).
    pub booking: CommitmentId,
    /// When it begins.
    pub begins: DateTime<Utc>,
    /// When it ends (excluded).
    pub ends: DateTime<Utc>,
}

/// Whether `[begins, ends)` is free among the resource's live bookings.
pub fn check_free(
    resource: EconomicResourceId,
    begins: DateTime<Utc>,
    ends: DateTime<Utc>,
    booked: &[Slot],
) -> Result<(), DomainError> {
    match booked.iter().find(|slot| slot.begins < ends && begins < slot.ends) {
        Some(slot) => Err(DomainError::AccessRule(format!(
            "resource {resource} is booked from {} to {} (booking {}); bookings may not overlap",
            slot.begins.to_rfc3339(),
            slot.ends.to_rfc3339(),
            slot.booking
        ))),
        None => Ok(()),
    }
}

/// The value of one unit of use: the rule's, else the resource's own `valuePerUnitOfUse`.
pub fn use_value_per_unit<'a>(
    rule: Option<&'a AccessRule>,
    resource_value: Option<&'a Measure>,
) -> Option<&'a Measure> {
    rule.and_then(|rule| rule.terms.value_per_unit_of_use.as_ref()).or(resource_value)
}

/// Splits a use's value into (maintenance, owner's contribution) by the rule's maintenance
/// share, exactly: the two parts always add up to `value`.
pub fn split_use_value(rule: Option<&AccessRule>, value: Decimal) -> (Decimal, Decimal) {
    let share = rule.map_or(Decimal::ZERO, |rule| rule.terms.maintenance_share);
    let maintenance = value.checked_mul(share).unwrap_or(value);
    (maintenance, value - maintenance)
}

/// Who receives the maintenance share of a resource's uses: the rule's maintenance recipient,
/// else the resource's custodian, else its owner.
pub fn maintenance_recipient(
    rule: Option<&AccessRule>,
    custodian: Option<AgentId>,
    owner: Option<AgentId>,
) -> Option<AgentId> {
    rule.and_then(|rule| rule.terms.maintenance_recipient).or(custodian).or(owner)
}

#[cfg(test)]
mod tests;
