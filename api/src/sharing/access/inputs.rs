//! The terms of an access rule as a client states them, converted into the domain's checked
//! [`AccessTerms`] in one `TryFrom`.

use async_graphql::{ID, InputObject};
use chrono::TimeDelta;
use ovn_domain::sharing::access::AccessTerms;
use ovn_domain::{AgentId, AgentRelationshipRoleId, DomainError};

use crate::convert::{id_list, note, opt_id, parse_id};
use crate::knowledge::inputs::{IMeasure, measure};
use crate::scalars::Decimal;

/// OVN: who may use a shared resource and how. A field left out grants or asks nothing:
/// nobody beyond the holders, no approval, no booking limit, no value of its own, no
/// maintenance share.
#[derive(InputObject, Debug, Clone)]
pub struct AccessRuleParams {
    /// (`Agent`) The network or project whose affiliates and roles the rule speaks of.
    pub scope: ID,
    /// Any affiliate of the scope (or of a network it is part of) may use it.
    pub any_affiliate: Option<bool>,
    /// (`AgentRelationshipRole`) Agents holding one of these roles toward the scope may use it.
    pub roles: Option<Vec<ID>>,
    /// (`Agent`) These agents may use it.
    pub agents: Option<Vec<ID>>,
    /// The least reputation (0 to 1) a user must have beside the clauses above (reputation is
    /// not computed yet: it counts as 0, so such a rule admits only named agents).
    pub minimum_reputation: Option<Decimal>,
    /// A booking by anyone but a holder waits for a holder's approval.
    pub requires_approval: Option<bool>,
    /// The longest a booking may last, in minutes (more than 0).
    pub longest_booking_minutes: Option<i32>,
    /// The value of one unit of use, instead of the resource's own `valuePerUnitOfUse`.
    pub value_per_unit_of_use: Option<IMeasure>,
    /// The part (0 to 1) of a use's value that goes to maintenance; 0 when left out.
    pub maintenance_share: Option<Decimal>,
    /// (`Agent`) Who receives the maintenance share (left out: the custodian, else the owner).
    pub maintenance_recipient: Option<ID>,
    /// A textual description or comment.
    pub note: Option<String>,
}

impl TryFrom<&AccessRuleParams> for AccessTerms {
    type Error = DomainError;

    fn try_from(p: &AccessRuleParams) -> Result<Self, DomainError> {
        let longest_booking = match p.longest_booking_minutes {
            Some(minutes) if minutes <= 0 => {
                return Err(DomainError::invalid("longestBookingMinutes", "must be more than 0"));
            }
            minutes => minutes.map(|m| TimeDelta::minutes(i64::from(m))),
        };
        Self {
            scope: parse_id(&p.scope, AgentId::parse)?,
            any_affiliate: p.any_affiliate.unwrap_or(false),
            roles: id_list(&p.roles, AgentRelationshipRoleId::parse)?,
            agents: id_list(&p.agents, AgentId::parse)?,
            minimum_reputation: p.minimum_reputation.map(|d| d.0),
            requires_approval: p.requires_approval.unwrap_or(false),
            longest_booking,
            value_per_unit_of_use: measure(&p.value_per_unit_of_use)?,
            maintenance_share: p.maintenance_share.map_or(rust_decimal::Decimal::ZERO, |d| d.0),
            maintenance_recipient: opt_id(&p.maintenance_recipient, AgentId::parse)?,
            note: note(&p.note)?,
        }
        .check()
    }
}
