//! Changing an access rule: `setAccessRule` by the owner or a steward, the checks a
//! `CHANGE_ACCESS_RULE` proposal makes when it is created, and the version a passed one writes
//! in the decision's transaction. Who may change what is [`ovn_domain::sharing::access_change`];
//! the versions are written by [`super::access::set_rule_in`].
//!
//! Why two changes of one rule cannot both win: the target's row (the resource, or the
//! specification) is locked (`SELECT … FOR UPDATE`, PostgreSQL) before the current version is
//! read, so a second change waits for the first to commit and then writes the version after
//! it. SQLite has one writer at a time. The unique `(target, version)` index is the backstop: a
//! clash it still catches is a `CONFLICT`, never two rules of one number.

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::agent::network::Ties;
use ovn_domain::governance::GovernanceProposal;
use ovn_domain::observation::EconomicResource;
use ovn_domain::sharing::access::{AccessRule, AccessTarget, AccessTerms};
use ovn_domain::sharing::access_change::{
    AccessChange, check_votable, may_set_resource_rule, may_set_specification_rule,
};
use ovn_domain::{AgentId, DomainError, EconomicResourceId, GovernanceProposalId};
use sea_orm::{DatabaseTransaction, EntityTrait, QuerySelect};

use super::access::{effective_rules_in, history_in, set_rule_in};
use crate::agent::network::{ties_above, ties_around};
use crate::entity::{economic_resource, resource_specification};
use crate::error::{PersistenceError, Result};
use crate::references::{Ref, References};
use crate::rows::Record;
use crate::store::Store;
use crate::value::equations::scope_in;

/// The references a rule's terms make, named under `input` (`rule` or `accessRule`).
fn term_references(input: &str, terms: &AccessTerms) -> References {
    let mut references = References::new();
    references.add(format!("{input}.scope"), Some(Ref::Agent(terms.scope)));
    for agent in &terms.agents {
        references.add(format!("{input}.agents"), Some(Ref::Agent(*agent)));
    }
    for role in &terms.roles {
        references.add(format!("{input}.roles"), Some(Ref::Role(*role)));
    }
    references.add(format!("{input}.maintenanceRecipient"), terms.maintenance_recipient.map(Ref::Agent)).add(
        format!("{input}.valuePerUnitOfUse.hasUnit"),
        terms.value_per_unit_of_use.and_then(|m| m.has_unit).map(Ref::Unit),
    );
    references
}

/// Loads the resource a rule is set on, locked when `lock` (`BAD_INPUT` on `resource` when
/// it does not exist).
async fn resource_in(txn: &DatabaseTransaction, resource: EconomicResourceId, lock: bool) -> Result<EconomicResource> {
    let mut select = economic_resource::Entity::find_by_id(resource.to_string());
    if lock {
        select = select.lock_exclusive();
    }
    let row = select
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::invalid("resource", format!("economic resource `{resource}` does not exist")))?;
    EconomicResource::from_row(row)
}

/// Locks the row of `target` until the transaction ends; answers the resource when the target
/// is one (`BAD_INPUT` when the target does not exist).
async fn lock_target_in(txn: &DatabaseTransaction, target: AccessTarget) -> Result<Option<EconomicResource>> {
    match target {
        AccessTarget::Resource(resource) => Ok(Some(resource_in(txn, resource, true).await?)),
        AccessTarget::Specification(specification) => {
            resource_specification::Entity::find_by_id(specification.to_string())
                .lock_exclusive()
                .one(txn)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid(
                        "resourceSpecification",
                        format!("resource specification `{specification}` does not exist"),
                    )
                })?;
            Ok(None)
        }
    }
}

/// Writes the next version of the locked target's rule; a version another writer took first
/// is a `CONFLICT`.
async fn write_in(
    txn: &DatabaseTransaction,
    change: AccessChange,
    set_by: AgentId,
    proposal: Option<GovernanceProposalId>,
    now: DateTime<Utc>,
) -> Result<AccessRule> {
    set_rule_in(txn, change.target, change.terms, set_by, proposal, now).await.map_err(|err| {
        if err.is_unique_violation() {
            PersistenceError::Conflict("the access rule was changed meanwhile; read it again and retry".into())
        } else {
            err
        }
    })
}

/// `setAccessRule` inside the caller's transaction: `actor` writes the next version of the
/// rule of `change.target` at `now`, as its owner (a resource) or a steward of the rule's
/// scope (a specification).
pub async fn set_access_rule_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    change: AccessChange,
    now: DateTime<Utc>,
) -> Result<AccessRule> {
    let scope = change.terms.scope;
    match lock_target_in(txn, change.target).await? {
        Some(resource) => {
            may_set_resource_rule(
                actor,
                resource.id,
                resource.details.property_regime,
                resource.state.primary_accountable,
            )?;
        }
        None => {
            let ties = ties_around(txn, &[actor], &[scope]).await?;
            may_set_specification_rule(actor, scope, &ties)?;
        }
    }
    scope_in(txn, scope, false).await?;
    term_references("rule", &change.terms).check(txn).await?;
    write_in(txn, change, actor, None, now).await
}

/// Checks a `CHANGE_ACCESS_RULE` proposal of `scope` as it is created: its references exist,
/// and a resource it names is nondominium and held for the scope's network.
pub(crate) async fn check_proposed_in(txn: &DatabaseTransaction, scope: AgentId, change: &AccessChange) -> Result<()> {
    let mut references = term_references("accessRule", &change.terms);
    match change.target {
        AccessTarget::Resource(resource) => {
            references.check(txn).await?;
            let found = resource_in(txn, resource, false).await?;
            let ties = Ties::new(ties_above(txn, &[scope]).await?);
            check_votable(resource, found.details.property_regime, found.state.custodian, scope, &ties)?;
        }
        AccessTarget::Specification(specification) => {
            references.add("resourceSpecification", Some(Ref::ResourceSpecification(specification)));
            references.check(txn).await?;
        }
    }
    Ok(())
}

/// Carries out a passed `CHANGE_ACCESS_RULE` proposal in the decision's transaction: the rule
/// it states becomes the target's next version, set by its proposer through it.
pub(crate) async fn change_by_vote_in(
    txn: &DatabaseTransaction,
    proposal: &GovernanceProposal,
    change: AccessChange,
    now: DateTime<Utc>,
) -> Result<AccessRule> {
    lock_target_in(txn, change.target).await?;
    write_in(txn, change, proposal.proposer, Some(proposal.id), now).await
}

impl Store {
    /// `setAccessRule`.
    pub async fn set_access_rule(&self, actor: AgentId, change: AccessChange) -> Result<AccessRule> {
        self.write(move |txn| set_access_rule_in(txn, actor, change, Utc::now()).boxed()).await
    }

    /// `accessRuleHistory`: every version of the rule of `target`, oldest first.
    pub async fn access_rule_history(&self, target: AccessTarget) -> Result<Vec<AccessRule>> {
        history_in(self.connection(), target).await
    }

    /// The rule that governs each resource (given with its specification), by resource;
    /// resources governed by none are absent (DataLoader batches).
    pub async fn effective_access_rules(
        &self,
        resources: &[(EconomicResourceId, Option<ovn_domain::ResourceSpecificationId>)],
    ) -> Result<std::collections::HashMap<EconomicResourceId, AccessRule>> {
        effective_rules_in(self.connection(), resources).await
    }
}
