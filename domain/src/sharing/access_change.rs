//! Changing an access rule (DESIGN 6): who may write the next version of the rule of a
//! resource or a resource specification, and what a `CHANGE_ACCESS_RULE` proposal must name.
//! The rules themselves are [`crate::sharing::access`]; these say who changes them.
//!
//! - **Directly** (`setAccessRule`): a private or pooled resource's rule by its owner
//!   (`primaryAccountable`), never by its custodian alone, since the rule decides who uses the
//!   owner's property; a specification's rule by a steward of the rule's scope (or of a network
//!   above it), since it speaks for every resource of the model in that scope. A nondominium
//!   resource's rule never directly: nobody owns it ([`rule_change`]).
//! - **By vote** (`CHANGE_ACCESS_RULE`): the proposal's scope is the rule's scope; a resource
//!   it names is nondominium and held for that scope's network (its custodian is `custodianOf`
//!   the scope or a network above it), so one project's contributors cannot vote the rule of
//!   another network's asset. A pooled resource is its owner's to rule, not the voters'.

use crate::agent::network::{OvnRole, Ties};
use crate::observation::PropertyRegime;
use crate::sharing::access::{AccessTarget, AccessTerms, RuleChange, rule_change};
use crate::{AgentId, DomainError, EconomicResourceId, ResourceSpecificationId};

/// A new rule for a target: what `setAccessRule` writes, and what a `CHANGE_ACCESS_RULE`
/// proposal writes when it passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessChange {
    /// The resource or specification whose rule changes.
    pub target: AccessTarget,
    /// The terms of the next version (checked: [`AccessTerms::check`]).
    pub terms: AccessTerms,
}

/// The target named by exactly one of `resource` and `resourceSpecification`.
pub fn target(
    resource: Option<EconomicResourceId>,
    specification: Option<ResourceSpecificationId>,
) -> Result<AccessTarget, DomainError> {
    match (resource, specification) {
        (Some(resource), None) => Ok(AccessTarget::Resource(resource)),
        (None, Some(specification)) => Ok(AccessTarget::Specification(specification)),
        (Some(_), Some(_)) => Err(DomainError::invalid(
            "resourceSpecification",
            "name either a resource or a resource specification, not both",
        )),
        (None, None) => Err(DomainError::invalid("resource", "name the resource or the resource specification")),
    }
}

impl AccessChange {
    /// The change a proposal's input states, if any: `terms` with the target named by
    /// `resource` or `specification`. A target without terms, or terms without a target, is
    /// refused naming what is missing.
    pub fn proposed(
        resource: Option<EconomicResourceId>,
        specification: Option<ResourceSpecificationId>,
        terms: Option<AccessTerms>,
    ) -> Result<Option<Self>, DomainError> {
        match terms {
            Some(terms) => Ok(Some(Self { target: target(resource, specification)?, terms })),
            None if resource.is_some() || specification.is_some() => Err(DomainError::invalid(
                "accessRule",
                "a CHANGE_ACCESS_RULE proposal states the new rule beside its resource or resource specification",
            )),
            None => Ok(None),
        }
    }

    /// A proposal decides in its own scope: the rule it proposes speaks of that scope.
    pub fn check_scope(&self, proposal_scope: AgentId) -> Result<(), DomainError> {
        if self.terms.scope == proposal_scope {
            Ok(())
        } else {
            Err(DomainError::invalid(
                "accessRule.scope",
                format!("must be the proposal's scope {proposal_scope}: the scope's contributors vote the rule"),
            ))
        }
    }
}

/// Whether `actor` may set the rule of `resource` directly: its owner, when the resource's
/// regime lets the owner rule it. A nondominium resource is refused with the way to change it.
pub fn may_set_resource_rule(
    actor: AgentId,
    resource: EconomicResourceId,
    regime: PropertyRegime,
    owner: Option<AgentId>,
) -> Result<(), DomainError> {
    match rule_change(regime)? {
        RuleChange::ByVote => Err(DomainError::Forbidden(format!(
            "resource {resource} is NONDOMINIUM: nobody owns it, so its access rule changes only through a passed \
             CHANGE_ACCESS_RULE governance proposal; propose one in the rule's scope"
        ))),
        RuleChange::ByOwner if owner == Some(actor) => Ok(()),
        RuleChange::ByOwner => Err(DomainError::Forbidden(format!(
            "only the owner (primaryAccountable) of resource {resource} sets its access rule"
        ))),
    }
}

/// Whether `actor` may set the rule of a specification directly: a steward of the rule's
/// `scope` (or of a network above it). `ties` hold the actor's ties and the chain above the
/// scope.
pub fn may_set_specification_rule(actor: AgentId, scope: AgentId, ties: &Ties) -> Result<(), DomainError> {
    if ties.is_steward(actor, scope) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "a resource specification's access rule is set only by a steward of the rule's scope {scope}"
        )))
    }
}

/// Whether the contributors of `scope` may vote the rule of `resource`: it is nondominium, and
/// its `custodian` holds it for the scope's network (`custodianOf` the scope or a network above
/// it). `ties` hold the chain above the scope with its officers.
pub fn check_votable(
    resource: EconomicResourceId,
    regime: PropertyRegime,
    custodian: Option<AgentId>,
    scope: AgentId,
    ties: &Ties,
) -> Result<(), DomainError> {
    if rule_change(regime)? == RuleChange::ByOwner {
        return Err(DomainError::invalid(
            "resource",
            format!(
                "resource {resource} is {}: its owner sets its access rule (setAccessRule); only a NONDOMINIUM \
                 resource's rule is voted",
                regime.as_str()
            ),
        ));
    }
    let held_for_scope = custodian.is_some_and(|custodian| {
        ties.above(scope)
            .into_iter()
            .any(|organization| ties.subjects(OvnRole::CustodianOf, organization).any(|c| c == custodian))
    });
    if held_for_scope {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "resource {resource} is not held for {scope}: its custodian is not custodianOf the scope or a network it is part of"
        )))
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::agent::network::Tie;

    fn terms(scope: AgentId) -> AccessTerms {
        AccessTerms {
            scope,
            any_affiliate: true,
            roles: Vec::new(),
            agents: Vec::new(),
            minimum_reputation: None,
            requires_approval: false,
            longest_booking: None,
            value_per_unit_of_use: None,
            maintenance_share: Decimal::ZERO,
            maintenance_recipient: None,
            note: None,
        }
    }

    fn field(err: DomainError) -> String {
        match err {
            DomainError::Invalid { field, .. } => field,
            other => format!("not bad input: {other:?}"),
        }
    }

    #[test]
    fn a_change_names_exactly_one_target_and_its_terms() {
        let (resource, specification, scope) =
            (EconomicResourceId::new(), ResourceSpecificationId::new(), AgentId::new());
        assert_eq!(target(Some(resource), None), Ok(AccessTarget::Resource(resource)));
        assert_eq!(target(None, Some(specification)), Ok(AccessTarget::Specification(specification)));
        assert_eq!(target(Some(resource), Some(specification)).map_err(field), Err("resourceSpecification".into()));
        assert_eq!(target(None, None).map_err(field), Err("resource".into()));

        assert_eq!(AccessChange::proposed(None, None, None), Ok(None));
        let change = AccessChange::proposed(Some(resource), None, Some(terms(scope)));
        assert_eq!(change, Ok(Some(AccessChange { target: AccessTarget::Resource(resource), terms: terms(scope) })));
        assert_eq!(AccessChange::proposed(Some(resource), None, None).map_err(field), Err("accessRule".into()));
        assert_eq!(AccessChange::proposed(None, None, Some(terms(scope))).map_err(field), Err("resource".into()));
    }

    #[test]
    fn a_proposed_rule_speaks_of_the_proposal_s_scope() {
        let (scope, other) = (AgentId::new(), AgentId::new());
        let change = AccessChange { target: AccessTarget::Resource(EconomicResourceId::new()), terms: terms(scope) };
        assert_eq!(change.check_scope(scope), Ok(()));
        assert_eq!(change.check_scope(other).map_err(field), Err("accessRule.scope".into()));
    }

    #[test]
    fn the_owner_rules_a_pooled_resource_and_nobody_rules_a_nondominium_one_directly() {
        let (owner, custodian, resource) = (AgentId::new(), AgentId::new(), EconomicResourceId::new());
        assert_eq!(may_set_resource_rule(owner, resource, PropertyRegime::PoolOfShareables, Some(owner)), Ok(()));
        assert_eq!(may_set_resource_rule(owner, resource, PropertyRegime::Private, Some(owner)), Ok(()));
        // The custodian of a pooled printer holds it; the owner still decides who uses it.
        let refused = may_set_resource_rule(custodian, resource, PropertyRegime::PoolOfShareables, Some(owner));
        assert!(matches!(refused, Err(DomainError::Forbidden(m)) if m.contains("only the owner")));
        // Not even the holder of a nondominium asset: the message says how to change it.
        let refused = may_set_resource_rule(custodian, resource, PropertyRegime::Nondominium, Some(custodian));
        assert!(matches!(refused, Err(DomainError::Forbidden(m)) if m.contains("CHANGE_ACCESS_RULE")));
        assert_eq!(
            may_set_resource_rule(owner, resource, PropertyRegime::Commons, Some(owner)).map_err(field),
            Err("resource".into())
        );
    }

    #[test]
    fn a_steward_of_the_scope_or_of_a_network_above_it_rules_a_specification() {
        let (steward, stranger, project, network) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let ties = Ties::new([
            Tie { subject: project, role: OvnRole::PartOf, object: network },
            Tie { subject: steward, role: OvnRole::StewardOf, object: network },
        ]);
        assert_eq!(may_set_specification_rule(steward, project, &ties), Ok(()));
        assert!(matches!(may_set_specification_rule(stranger, project, &ties), Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn only_a_nondominium_resource_held_for_the_scope_s_network_is_voted() {
        let (custodian, other, project, network) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let resource = EconomicResourceId::new();
        let ties = Ties::new([
            Tie { subject: project, role: OvnRole::PartOf, object: network },
            Tie { subject: custodian, role: OvnRole::CustodianOf, object: network },
        ]);
        let nondominium = PropertyRegime::Nondominium;
        assert_eq!(check_votable(resource, nondominium, Some(custodian), project, &ties), Ok(()));
        assert_eq!(check_votable(resource, nondominium, Some(custodian), network, &ties), Ok(()));
        for held_by in [Some(other), None] {
            let refused = check_votable(resource, nondominium, held_by, project, &ties);
            assert!(matches!(refused, Err(DomainError::Forbidden(m)) if m.contains("not held for")));
        }
        let pooled = check_votable(resource, PropertyRegime::PoolOfShareables, Some(custodian), project, &ties);
        assert_eq!(pooled.map_err(field), Err("resource".into()));
    }
}
