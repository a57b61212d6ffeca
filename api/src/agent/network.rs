//! OVN fields that read a network's shape from its agent relationships (the roles of
//! [`ovn_domain::agent::network`]): a network's affiliates, parts, stewards, exchange firm and
//! custodians, and an agent's networks and projects. Every list loads in batches.

use std::collections::{BTreeSet, HashMap};

use async_graphql::Context;
use ovn_domain::AgentId;
use ovn_domain::agent::network::{OvnRole, Tie, Ties};
use ovn_domain::agent::{Agent as DomainAgent, AgentKind};

use super::objects::{Agent, Organization};
use crate::context::ContextExt;
use crate::error::Result;
use crate::loaders::{Holders, ScopesProvidedIn, TiesAbove, TiesOf};

/// The classification of a network.
pub const NETWORK: &str = "ovn:Network";
/// The classification of a project.
pub const PROJECT: &str = "ovn:Project";

/// Loads agents by id, in the order given, leaving out any that no longer exist.
async fn agents_in_order(ctx: &Context<'_>, ids: &[AgentId]) -> Result<Vec<DomainAgent>> {
    let loaded: HashMap<AgentId, DomainAgent> = ctx.load_many(ids.iter().copied()).await?;
    Ok(ids.iter().filter_map(|id| loaded.get(id).cloned()).collect())
}

/// The agents that are `role` of `organization`, in the order they were related.
pub async fn holders(ctx: &Context<'_>, role: OvnRole, organization: AgentId) -> Result<Vec<Agent>> {
    let ids: Vec<AgentId> = ctx.load(Holders(role, organization)).await?.unwrap_or_default();
    Ok(agents_in_order(ctx, &ids).await?.into_iter().map(Agent::from).collect())
}

/// The organizations part of `organization` (its projects and sub-networks).
pub async fn parts(ctx: &Context<'_>, organization: AgentId) -> Result<Vec<Organization>> {
    let ids: Vec<AgentId> = ctx.load(Holders(OvnRole::PartOf, organization)).await?.unwrap_or_default();
    let agents = agents_in_order(ctx, &ids).await?;
    Ok(agents.into_iter().filter(|a| a.kind == AgentKind::Organization).map(Organization).collect())
}

fn classified(agent: &DomainAgent, class: &str) -> bool {
    agent.kind == AgentKind::Organization && agent.profile.classified_as.iter().any(|c| c.as_str() == class)
}

/// The networks `agent` belongs to: those it is an affiliate of (directly, or through a
/// project it is an affiliate of), and for a project or network, those it is part of, each
/// with every network above it.
pub async fn networks(ctx: &Context<'_>, agent: AgentId) -> Result<Vec<Organization>> {
    let own: Vec<Tie> = ctx.load(TiesOf(agent)).await?.unwrap_or_default();
    let mut starts: BTreeSet<AgentId> =
        own.iter().filter(|t| matches!(t.role, OvnRole::AffiliateOf | OvnRole::PartOf)).map(|t| t.object).collect();
    if starts.is_empty() {
        return Ok(Vec::new());
    }
    let above: HashMap<TiesAbove, Vec<Tie>> = ctx.load_many(starts.iter().copied().map(TiesAbove)).await?;
    let ties = Ties::new(above.into_values().flatten());
    for start in starts.clone() {
        starts.extend(ties.above(start));
    }
    let ids: Vec<AgentId> = starts.into_iter().collect();
    let agents = agents_in_order(ctx, &ids).await?;
    Ok(agents.into_iter().filter(|a| classified(a, NETWORK)).map(Organization).collect())
}

/// The projects `agent` takes part in: those it is an affiliate or a steward of, and those
/// it has provided events in.
pub async fn projects(ctx: &Context<'_>, agent: AgentId) -> Result<Vec<Organization>> {
    let own: Vec<Tie> = ctx.load(TiesOf(agent)).await?.unwrap_or_default();
    let mut ids: BTreeSet<AgentId> =
        own.iter().filter(|t| matches!(t.role, OvnRole::AffiliateOf | OvnRole::StewardOf)).map(|t| t.object).collect();
    let provided: Vec<AgentId> = ctx.load(ScopesProvidedIn(agent)).await?.unwrap_or_default();
    ids.extend(provided);
    let ids: Vec<AgentId> = ids.into_iter().collect();
    let agents = agents_in_order(ctx, &ids).await?;
    Ok(agents.into_iter().filter(|a| classified(a, PROJECT)).map(Organization).collect())
}
