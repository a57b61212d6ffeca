//! The governance module's inputs, each converted into the store's command in one `TryFrom`.

use async_graphql::{ID, InputObject};
use ovn_domain::governance::NewProposal;
use ovn_domain::sharing::access::AccessTerms;
use ovn_domain::sharing::access_change::AccessChange;
use ovn_domain::{AgentId, AgreementId, DomainError, EconomicResourceId, ResourceSpecificationId, ValueEquationId};

use super::objects::GovernanceProposalKind;
use crate::convert::{note, opt_id};
use crate::knowledge::inputs::{IMeasure, measure};
use crate::scalars::DateTime;
use crate::sharing::access::inputs::AccessRuleParams;

/// OVN: a new governance proposal. `ADOPT_VALUE_EQUATION`, `ALLOCATE_FROM_POOL` and
/// `TRANSFER_CUSTODIANSHIP` and `CHANGE_ACCESS_RULE` are carried out; the other kinds are refused as not supported yet.
#[derive(InputObject)]
pub struct GovernanceProposalCreateParams {
    /// What to decide.
    pub kind: GovernanceProposalKind,
    /// (`Agent`) The project or network that decides.
    pub scope: ID,
    /// (`ValueEquation`) For `ADOPT_VALUE_EQUATION`: the draft version to adopt.
    pub value_equation: Option<ID>,
    /// (`EconomicResource`) For `ALLOCATE_FROM_POOL`: the pool.
    pub pool: Option<ID>,
    /// For `ALLOCATE_FROM_POOL`: how much, more than zero, in the pool's unit (taken when
    /// `hasUnit` is left out).
    pub amount: Option<IMeasure>,
    /// (`Agent`) For `ALLOCATE_FROM_POOL` and `TRANSFER_CUSTODIANSHIP`: to whom (for the
    /// latter, the new custodian).
    pub recipient: Option<ID>,
    /// (`CustodianAgreement`) For `TRANSFER_CUSTODIANSHIP`: the custodian agreement whose
    /// resources go to the recipient.
    pub agreement: Option<ID>,
    /// (`EconomicResource`) For `CHANGE_ACCESS_RULE`: the NONDOMINIUM resource whose rule
    /// changes (or give `resourceSpecification`).
    pub resource: Option<ID>,
    /// (`ResourceSpecification`) For `CHANGE_ACCESS_RULE`: the specification whose rule
    /// changes (or give `resource`).
    pub resource_specification: Option<ID>,
    /// For `CHANGE_ACCESS_RULE`: the new rule; its scope is the proposal's.
    pub access_rule: Option<AccessRuleParams>,
    /// When the vote closes (in the future).
    pub deadline: DateTime,
    /// A textual description or comment.
    pub note: Option<String>,
}

impl TryFrom<GovernanceProposalCreateParams> for NewProposal {
    type Error = DomainError;

    fn try_from(p: GovernanceProposalCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            kind: p.kind.into(),
            scope: AgentId::parse(p.scope.as_str())?,
            value_equation: opt_id(&p.value_equation, ValueEquationId::parse)?,
            pool: opt_id(&p.pool, EconomicResourceId::parse)?,
            amount: measure(&p.amount)?,
            recipient: opt_id(&p.recipient, AgentId::parse)?,
            agreement: opt_id(&p.agreement, AgreementId::parse)?,
            access_rule: AccessChange::proposed(
                opt_id(&p.resource, EconomicResourceId::parse)?,
                opt_id(&p.resource_specification, ResourceSpecificationId::parse)?,
                p.access_rule.as_ref().map(AccessTerms::try_from).transpose()?,
            )?,
            deadline: p.deadline,
            note: note(&p.note)?,
        })
    }
}
