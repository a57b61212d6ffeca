//! Loads the OVN relationships a rule of [`ovn_domain::agent::network`] needs, in a few
//! indexed queries: an agent's own ties (`subject = agent`), and for a scope the `partOf` chain
//! above it (one query per level, each agent once) with the stewards, exchange firms and
//! custodians of every organization on it (few per organization). Affiliates are never loaded
//! wholesale: a network may have thousands, and every rule asks about one agent's affiliations,
//! which are that agent's own ties.

use std::collections::{BTreeSet, HashMap};

use ovn_domain::AgentId;
use ovn_domain::agent::network::{OvnRole, Tie, Ties};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{agent_relationship, economic_event, economic_event_scope};
use crate::error::Result;
use crate::revisioned::IN_LIST_MAX;
use crate::rows::id;
use crate::store::Store;

fn role_ids(roles: &[OvnRole]) -> Vec<String> {
    roles.iter().map(|r| r.id().to_string()).collect()
}

fn tie_of(row: &agent_relationship::Model) -> Result<Option<Tie>> {
    let Some(role) = OvnRole::of(id(&row.relationship, ovn_domain::AgentRelationshipRoleId::parse)?) else {
        return Ok(None);
    };
    Ok(Some(Tie { subject: id(&row.subject, AgentId::parse)?, role, object: id(&row.object, AgentId::parse)? }))
}

/// The OVN relationships whose `column` is one of `agents`, of the given roles.
async fn ties_where<C: ConnectionTrait>(
    conn: &C,
    column: agent_relationship::Column,
    agents: &[AgentId],
    roles: &[OvnRole],
) -> Result<Vec<Tie>> {
    let mut ties = Vec::new();
    for chunk in agents.chunks(IN_LIST_MAX) {
        let rows = agent_relationship::Entity::find()
            .filter(column.is_in(chunk.iter().map(ToString::to_string)))
            .filter(agent_relationship::Column::Relationship.is_in(role_ids(roles)))
            .order_by_asc(agent_relationship::Column::Id)
            .all(conn)
            .await?;
        for row in &rows {
            ties.extend(tie_of(row)?);
        }
    }
    Ok(ties)
}

/// Every OVN relationship each of `agents` is the subject of (its affiliations, stewardships,
/// the networks it is part of, ...).
pub(crate) async fn ties_of<C: ConnectionTrait>(conn: &C, agents: &[AgentId]) -> Result<Vec<Tie>> {
    ties_where(conn, agent_relationship::Column::Subject, agents, &OvnRole::ALL).await
}

/// The `partOf` chains above `scopes` (each scope and every network it is part of, however
/// far up), with the stewards, exchange firms and custodians of every organization on them.
pub(crate) async fn ties_above<C: ConnectionTrait>(conn: &C, scopes: &[AgentId]) -> Result<Vec<Tie>> {
    let mut seen: BTreeSet<AgentId> = scopes.iter().copied().collect();
    let mut frontier: Vec<AgentId> = seen.iter().copied().collect();
    let mut ties = Vec::new();
    while !frontier.is_empty() {
        let up = ties_where(conn, agent_relationship::Column::Subject, &frontier, &[OvnRole::PartOf]).await?;
        frontier = up.iter().map(|t| t.object).filter(|o| seen.insert(*o)).collect();
        ties.extend(up);
    }
    let organizations: Vec<AgentId> = seen.into_iter().collect();
    let officers = [OvnRole::StewardOf, OvnRole::ExchangeFirmOf, OvnRole::CustodianOf];
    ties.extend(ties_where(conn, agent_relationship::Column::Object, &organizations, &officers).await?);
    Ok(ties)
}

/// [`ties_of`] `agents` and [`ties_above`] `scopes`, together.
pub(crate) async fn ties_around<C: ConnectionTrait>(conn: &C, agents: &[AgentId], scopes: &[AgentId]) -> Result<Ties> {
    let mut ties = Ties::new(ties_of(conn, agents).await?);
    ties.extend(ties_above(conn, scopes).await?);
    Ok(ties)
}

/// What the market-exchange rule ([`ovn_domain::exchange`]) and the permission rules need for
/// transfers in scope: the actor's and the receivers' own ties, and the `partOf` chains (with
/// their officers) above the scopes, the receivers, and every organization a receiver is
/// related to (which tells whether it is inside a scope's network). As many queries as
/// [`ties_around`] whatever the number of receivers (a distribution's payouts are checked
/// together): one for the agents' ties, one per level of the chains, one for the officers.
pub(crate) async fn ties_for_market<C: ConnectionTrait>(
    conn: &C,
    actor: AgentId,
    receivers: &[AgentId],
    scopes: &[AgentId],
) -> Result<Ties> {
    let mut agents = receivers.to_vec();
    agents.push(actor);
    let own = ties_of(conn, &agents).await?;
    let mut starts: BTreeSet<AgentId> = scopes.iter().copied().collect();
    starts.extend(receivers.iter().copied());
    starts.extend(own.iter().filter(|t| receivers.contains(&t.subject)).map(|t| t.object));
    let mut ties = Ties::new(own);
    ties.extend(ties_above(conn, &starts.into_iter().collect::<Vec<_>>()).await?);
    Ok(ties)
}

impl Store {
    /// The OVN relationships each agent is the subject of, by agent (DataLoader batches).
    pub async fn ovn_ties_of(&self, agents: &[AgentId]) -> Result<HashMap<AgentId, Vec<Tie>>> {
        let mut found: HashMap<AgentId, Vec<Tie>> = agents.iter().map(|a| (*a, Vec::new())).collect();
        for tie in ties_of(self.connection(), agents).await? {
            found.entry(tie.subject).or_default().push(tie);
        }
        Ok(found)
    }

    /// The `partOf` chains above many scopes at once, by scope (DataLoader batches). Every
    /// scope gets the ties loaded for the batch: a rule reads only the part above its scope.
    pub async fn ovn_ties_above(&self, scopes: &[AgentId]) -> Result<HashMap<AgentId, Vec<Tie>>> {
        let ties = ties_above(self.connection(), scopes).await?;
        Ok(scopes.iter().map(|s| (*s, ties.clone())).collect())
    }

    /// The subjects that are `role` of each object (a network's affiliates, parts, stewards,
    /// exchange firm, custodians), by object, in the order they were related.
    pub async fn ovn_subjects(&self, role: OvnRole, objects: &[AgentId]) -> Result<HashMap<AgentId, Vec<AgentId>>> {
        let mut found: HashMap<AgentId, Vec<AgentId>> = objects.iter().map(|o| (*o, Vec::new())).collect();
        for tie in ties_where(self.connection(), agent_relationship::Column::Object, objects, &[role]).await? {
            found.entry(tie.object).or_default().push(tie.subject);
        }
        Ok(found)
    }
}

impl Store {
    /// The scopes each agent has provided events in (where it may have contributed), by
    /// agent, in one query for the batch (DataLoader).
    pub async fn scopes_provided_in(&self, agents: &[AgentId]) -> Result<HashMap<AgentId, Vec<AgentId>>> {
        use sea_orm::sea_query::{Expr, ExprTrait, Query};

        let (event, scope) = (economic_event::Entity, economic_event_scope::Entity);
        let mut found: HashMap<AgentId, Vec<AgentId>> = agents.iter().map(|a| (*a, Vec::new())).collect();
        for chunk in agents.chunks(IN_LIST_MAX) {
            let pairs = Query::select()
                .distinct()
                .column((event, economic_event::Column::Provider))
                .column((scope, economic_event_scope::Column::ScopeId))
                .from(scope)
                .inner_join(
                    event,
                    Expr::col((event, economic_event::Column::Id))
                        .equals((scope, economic_event_scope::Column::EventId)),
                )
                .and_where(
                    Expr::col((event, economic_event::Column::Provider)).is_in(chunk.iter().map(ToString::to_string)),
                )
                .order_by((scope, economic_event_scope::Column::ScopeId), sea_orm::Order::Asc)
                .to_owned();
            for row in self.connection().query_all(&pairs).await? {
                let provider: String = row.try_get_by_index(0)?;
                let scope: String = row.try_get_by_index(1)?;
                found.entry(id(&provider, AgentId::parse)?).or_default().push(id(&scope, AgentId::parse)?);
            }
        }
        Ok(found)
    }
}
