//! Access rules: the stored versions of the rule of a resource or a resource specification,
//! and the batched read that gives each resource the rule that governs it. The rules are
//! [`ovn_domain::sharing::access`].
//!
//! A rule's history is its rows: a change inserts the next version (the unique index on
//! `(resource, version)` or `(resource_specification, version)` makes two changes racing from
//! the same version a conflict rather than two rules of one number).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use ovn_domain::sharing::access::{AccessRule, AccessTarget, AccessTerms, effective};
use ovn_domain::{
    AccessRuleId, AgentId, AgentRelationshipRoleId, EconomicResourceId, GovernanceProposalId, ResourceSpecificationId,
};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::decimal::DbDecimal;
use crate::entity::access_rule;
use crate::error::{PersistenceError, Result};
use crate::revisioned::IN_LIST_MAX;
use crate::rows::{id, ids_from_json, measure, measure_columns, opt};

fn rule_from(row: access_rule::Model) -> Result<AccessRule> {
    let target = match (&row.resource, &row.resource_specification) {
        (Some(resource), None) => AccessTarget::Resource(id(resource, EconomicResourceId::parse)?),
        (None, Some(specification)) => AccessTarget::Specification(id(specification, ResourceSpecificationId::parse)?),
        _ => return Err(PersistenceError::Corrupt(format!("access rule {} has no single target", row.id))),
    };
    Ok(AccessRule {
        id: id(&row.id, AccessRuleId::parse)?,
        target,
        version: row.version,
        terms: AccessTerms {
            scope: id(&row.scope, AgentId::parse)?,
            any_affiliate: row.any_affiliate,
            roles: ids_from_json(Some(&row.roles), AgentRelationshipRoleId::parse)?,
            agents: ids_from_json(Some(&row.agents), AgentId::parse)?,
            minimum_reputation: row.minimum_reputation.map(|d| d.0),
            requires_approval: row.requires_approval,
            longest_booking: row.longest_booking_seconds.map(TimeDelta::seconds),
            value_per_unit_of_use: measure(row.value_per_unit_of_use, row.value_per_unit_of_use_unit.as_deref())?,
            maintenance_share: row.maintenance_share.0,
            maintenance_recipient: opt(row.maintenance_recipient.as_deref(), AgentId::parse)?,
            note: row.note,
        },
        set_by: id(&row.set_by, AgentId::parse)?,
        set_at: row.set_at,
        proposal: opt(row.proposal.as_deref(), GovernanceProposalId::parse)?,
    })
}

fn json_ids<T: ToString>(ids: &[T]) -> String {
    serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".to_owned())
}

fn target_filter(target: AccessTarget) -> Condition {
    match target {
        AccessTarget::Resource(resource) => {
            Condition::all().add(access_rule::Column::Resource.eq(resource.to_string()))
        }
        AccessTarget::Specification(specification) => {
            Condition::all().add(access_rule::Column::ResourceSpecification.eq(specification.to_string()))
        }
    }
}

/// Every version of the rule of `target`, oldest first.
pub async fn history_in(conn: &impl ConnectionTrait, target: AccessTarget) -> Result<Vec<AccessRule>> {
    access_rule::Entity::find()
        .filter(target_filter(target))
        .order_by_asc(access_rule::Column::Version)
        .all(conn)
        .await?
        .into_iter()
        .map(rule_from)
        .collect()
}

/// The current rule of `target`, if it has one.
pub async fn current_in(conn: &impl ConnectionTrait, target: AccessTarget) -> Result<Option<AccessRule>> {
    let row = access_rule::Entity::find()
        .filter(target_filter(target))
        .order_by_desc(access_rule::Column::Version)
        .one(conn)
        .await?;
    row.map(rule_from).transpose()
}

/// Writes `terms` as the next version of the rule of `target`, set by `set_by` at `now`
/// (through `proposal` when it was voted), in the caller's transaction.
pub async fn set_rule_in(
    conn: &impl ConnectionTrait,
    target: AccessTarget,
    terms: AccessTerms,
    set_by: AgentId,
    proposal: Option<GovernanceProposalId>,
    now: DateTime<Utc>,
) -> Result<AccessRule> {
    let version = current_in(conn, target).await?.map_or(1, |rule| rule.version + 1);
    let rule = AccessRule { id: AccessRuleId::new(), target, version, terms, set_by, set_at: now, proposal };
    let (resource, resource_specification) = match target {
        AccessTarget::Resource(resource) => (Some(resource.to_string()), None),
        AccessTarget::Specification(specification) => (None, Some(specification.to_string())),
    };
    let (value, unit) = measure_columns(rule.terms.value_per_unit_of_use);
    let row = access_rule::ActiveModel {
        id: Set(rule.id.to_string()),
        resource: Set(resource),
        resource_specification: Set(resource_specification),
        version: Set(version),
        scope: Set(rule.terms.scope.to_string()),
        any_affiliate: Set(rule.terms.any_affiliate),
        roles: Set(json_ids(&rule.terms.roles)),
        agents: Set(json_ids(&rule.terms.agents)),
        minimum_reputation: Set(rule.terms.minimum_reputation.map(DbDecimal)),
        requires_approval: Set(rule.terms.requires_approval),
        longest_booking_seconds: Set(rule.terms.longest_booking.map(|d| d.num_seconds())),
        value_per_unit_of_use: Set(value),
        value_per_unit_of_use_unit: Set(unit),
        maintenance_share: Set(DbDecimal(rule.terms.maintenance_share)),
        maintenance_recipient: Set(rule.terms.maintenance_recipient.map(|a| a.to_string())),
        note: Set(rule.terms.note.clone()),
        set_by: Set(set_by.to_string()),
        set_at: Set(now),
        proposal: Set(proposal.map(|p| p.to_string())),
    };
    access_rule::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(rule)
}

/// The rule that governs each of `resources` (given with the specification each conforms
/// to): its own current rule, else its specification's. Resources with neither are absent.
/// Two queries per 10,000 resources, whatever their number.
pub async fn effective_rules_in(
    conn: &impl ConnectionTrait,
    resources: &[(EconomicResourceId, Option<ResourceSpecificationId>)],
) -> Result<HashMap<EconomicResourceId, AccessRule>> {
    let mut own: HashMap<EconomicResourceId, AccessRule> = HashMap::new();
    let mut by_specification: HashMap<ResourceSpecificationId, AccessRule> = HashMap::new();
    let mut keep = |rule: AccessRule| match rule.target {
        AccessTarget::Resource(resource) => {
            if own.get(&resource).is_none_or(|kept| kept.version < rule.version) {
                own.insert(resource, rule);
            }
        }
        AccessTarget::Specification(specification) => {
            if by_specification.get(&specification).is_none_or(|kept| kept.version < rule.version) {
                by_specification.insert(specification, rule);
            }
        }
    };
    for chunk in resources.chunks(IN_LIST_MAX) {
        let ids: Vec<String> = chunk.iter().map(|(resource, _)| resource.to_string()).collect();
        for row in access_rule::Entity::find().filter(access_rule::Column::Resource.is_in(ids)).all(conn).await? {
            keep(rule_from(row)?);
        }
        let mut specifications: Vec<String> =
            chunk.iter().filter_map(|(_, specification)| specification.map(|s| s.to_string())).collect();
        specifications.sort();
        specifications.dedup();
        if !specifications.is_empty() {
            let rows = access_rule::Entity::find()
                .filter(access_rule::Column::ResourceSpecification.is_in(specifications))
                .all(conn)
                .await?;
            for row in rows {
                keep(rule_from(row)?);
            }
        }
    }
    Ok(resources
        .iter()
        .filter_map(|(resource, specification)| {
            let rule = effective(own.get(resource), specification.and_then(|s| by_specification.get(&s)))?;
            Some((*resource, rule.clone()))
        })
        .collect())
}
