//! Agent rates (OVN; the value engine's `rate`): what an agent's work in a skill is worth,
//! from a date on. Set by `setAgentRate` ([`set_agent_rate_in`]); read as an agent's history
//! ([`Store::agent_rates`]), as the rate in force at a time ([`Store::rate_at`]) and, for the
//! value engine, as [`Rates`] for many agents and skills at once ([`rates_for_in`]).
//!
//! Rates are append-only (the migration's triggers refuse changing or deleting one): a new
//! rate for a pair is a new row with a later `validFrom`, and a second rate for the same pair
//! from the same instant is a `CONFLICT`, so the rate that valued a past contribution can
//! always be read again. Who may set one is [`may_set_rate`]'s to say.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};
use futures::FutureExt;
use ovn_domain::agent::network::{OvnRole, Ties};
use ovn_domain::knowledge::ValuePerUnit;
use ovn_domain::permission::may_set_rate;
use ovn_domain::value::rates::{AgentRate, RateSource, Rates};
use ovn_domain::{AgentId, AgentRateId, Measure, ResourceSpecificationId, UnitId};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter};

use crate::agent::network::{ties_above, ties_of};
use crate::decimal::DbDecimal;
use crate::entity::{agent, agent_rate, resource_specification};
use crate::error::{PersistenceError, Result};
use crate::history::{Historic, read_snapshot, snapshot_in};
use crate::idempotency::Idempotency;
use crate::references::{Ref, References};
use crate::revisioned::IN_LIST_MAX;
use crate::rows::{corrupt, id, opt};
use crate::store::Store;

/// What a rate is called in messages and in `record_revision.kind`.
const KIND: &str = "agent rate";

/// `setAgentRate`, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetAgentRate {
    /// Whose rate.
    pub agent: AgentId,
    /// The skill (a resource specification of work).
    pub skill: ResourceSpecificationId,
    /// Value per unit of effort, in the unit of the value (a currency), when given.
    pub rate: Measure,
    /// From when it applies; now when not given.
    pub valid_from: Option<DateTime<Utc>>,
}

/// A time as stored: to the microsecond. PostgreSQL keeps no more and SQLite's text would
/// keep nanoseconds, so without this one instant could pass the unique key on one backend
/// and not on the other, and a rate read back would differ from the rate answered.
fn stored_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

fn rate_from(row: agent_rate::Model) -> Result<AgentRate> {
    AgentRate {
        id: id(&row.id, AgentRateId::parse)?,
        agent: id(&row.agent, AgentId::parse)?,
        skill: id(&row.skill, ResourceSpecificationId::parse)?,
        rate: row.rate.0,
        unit: opt(row.rate_unit.as_deref(), UnitId::parse)?,
        valid_from: row.valid_from,
        created: row.created_at,
    }
    .check()
    .map_err(corrupt)
}

fn rate_row(rate: &AgentRate, created_by: AgentId) -> agent_rate::Model {
    agent_rate::Model {
        id: rate.id.to_string(),
        agent: rate.agent.to_string(),
        skill: rate.skill.to_string(),
        rate: DbDecimal(rate.rate),
        rate_unit: rate.unit.map(|u| u.to_string()),
        valid_from: rate.valid_from,
        created_at: rate.created,
        created_by: created_by.to_string(),
    }
}

/// A rate is written once and never changed, so it is always at its first revision, and that
/// revision is kept when it is set.
impl Historic for AgentRate {
    type Id = AgentRateId;
    const KIND: &'static str = KIND;

    fn record_id(&self) -> Self::Id {
        self.id
    }

    fn revision_number(&self) -> i64 {
        1
    }

    fn from_snapshot(json: &str) -> Result<Self> {
        let (row, _) = read_snapshot::<agent_rate::Model>(json)?;
        rate_from(row)
    }
}

/// The ties [`may_set_rate`] reads: both agents' own, and the `partOf` chains above the
/// scopes the agent is an affiliate of. None when the actor sets its own rate.
async fn rate_ties(txn: &DatabaseTransaction, actor: AgentId, agent: AgentId) -> Result<Ties> {
    if actor == agent {
        return Ok(Ties::default());
    }
    let mut ties = Ties::new(ties_of(txn, &[actor, agent]).await?);
    let joined: Vec<AgentId> = ties.objects(agent, OvnRole::AffiliateOf).collect();
    ties.extend(ties_above(txn, &joined).await?);
    Ok(ties)
}

fn taken(rate: &AgentRate) -> PersistenceError {
    PersistenceError::Conflict(format!(
        "agent {} already has a rate for skill {} valid from {}; rates are append-only (their history stays \
         readable): set the new rate with a later validFrom",
        rate.agent,
        rate.skill,
        rate.valid_from.to_rfc3339()
    ))
}

// ---------------------------------------------------------------- writes

/// `setAgentRate` inside the caller's transaction: the rate must not be negative
/// (`BAD_INPUT`), the agent and the skill must exist (`NOT_FOUND`), its unit too (`BAD_INPUT`
/// on `rate.hasUnit`), `actor` must be allowed ([`may_set_rate`], `FORBIDDEN`), and the pair
/// must have no rate from the same instant (`CONFLICT`). Keeps the rate as its first revision.
pub async fn set_agent_rate_in(txn: &DatabaseTransaction, actor: AgentId, rate: AgentRate) -> Result<AgentRate> {
    let rate =
        AgentRate { valid_from: stored_time(rate.valid_from), created: stored_time(rate.created), ..rate }.check()?;
    if agent::Entity::find_by_id(rate.agent.to_string()).one(txn).await?.is_none() {
        return Err(PersistenceError::not_found("agent", rate.agent));
    }
    if resource_specification::Entity::find_by_id(rate.skill.to_string()).one(txn).await?.is_none() {
        return Err(PersistenceError::not_found("resource specification", rate.skill));
    }
    let mut references = References::new();
    references.add("rate.hasUnit", rate.unit.map(Ref::Unit));
    references.check(txn).await?;
    may_set_rate(actor, rate.agent, &rate_ties(txn, actor, rate.agent).await?)?;
    let same_instant = agent_rate::Entity::find()
        .filter(agent_rate::Column::Agent.eq(rate.agent.to_string()))
        .filter(agent_rate::Column::Skill.eq(rate.skill.to_string()))
        .filter(agent_rate::Column::ValidFrom.eq(rate.valid_from))
        .one(txn)
        .await?;
    if same_instant.is_some() {
        return Err(taken(&rate));
    }
    let row = rate_row(&rate, actor);
    // Two writers that both passed the check above (PostgreSQL writes concurrently) meet the
    // unique key: the later one is the same conflict.
    agent_rate::Entity::insert(row.clone().into_active_model()).exec_without_returning(txn).await.map_err(|e| {
        let err = PersistenceError::Database(e);
        if err.is_unique_violation() { taken(&rate) } else { err }
    })?;
    snapshot_in(txn, KIND, &row.id, 1, &row, &[], rate.created).await?;
    Ok(rate)
}

// ---------------------------------------------------------------- reads

/// Every rate of the pairs `agents` × `skills`, and the `defaultValuePerUnit` of those skills
/// that have one: one query each (more only past [`IN_LIST_MAX`] ids).
async fn load_rates<C: ConnectionTrait>(
    conn: &C,
    agents: &[AgentId],
    skills: &[ResourceSpecificationId],
) -> Result<(Vec<AgentRate>, HashMap<ResourceSpecificationId, ValuePerUnit>)> {
    let mut rates = Vec::new();
    // Both lists are bound in one statement, so each takes at most half of the bound.
    for agents in agents.chunks(IN_LIST_MAX / 2) {
        for skills in skills.chunks(IN_LIST_MAX / 2) {
            let rows = agent_rate::Entity::find()
                .filter(agent_rate::Column::Agent.is_in(agents.iter().map(ToString::to_string)))
                .filter(agent_rate::Column::Skill.is_in(skills.iter().map(ToString::to_string)))
                .all(conn)
                .await?;
            for row in rows {
                rates.push(rate_from(row)?);
            }
        }
    }
    let mut defaults = HashMap::new();
    for chunk in skills.chunks(IN_LIST_MAX) {
        let rows = resource_specification::Entity::find()
            .filter(resource_specification::Column::Id.is_in(chunk.iter().map(ToString::to_string)))
            .filter(resource_specification::Column::DefaultValuePerUnit.is_not_null())
            .all(conn)
            .await?;
        for row in rows {
            if let Some(value) = row.default_value_per_unit {
                let unit = opt(row.default_value_per_unit_unit.as_deref(), UnitId::parse)?;
                defaults.insert(id(&row.id, ResourceSpecificationId::parse)?, ValuePerUnit { value: value.0, unit });
            }
        }
    }
    Ok((rates, defaults))
}

/// The rates the value engine needs, inside the caller's transaction (or on any connection):
/// every rate of `agents` for `skills`, and the skills' `defaultValuePerUnit`, in two batched
/// queries. [`Rates::rate`] then says which applies at a time.
pub async fn rates_for_in<C: ConnectionTrait>(
    txn: &C,
    agents: &[AgentId],
    skills: &[ResourceSpecificationId],
) -> Result<Rates> {
    let (rates, defaults) = load_rates(txn, agents, skills).await?;
    Ok(Rates::new(rates, defaults.into_iter().map(|(skill, default)| (skill, default.value))))
}

impl Store {
    /// `setAgentRate` ([`set_agent_rate_in`]); `validFrom` defaults to now.
    pub async fn set_agent_rate(
        &self,
        actor: AgentId,
        set: SetAgentRate,
        idem: Option<&Idempotency>,
    ) -> Result<AgentRate> {
        let now = Utc::now();
        let rate = AgentRate {
            id: AgentRateId::new(),
            agent: set.agent,
            skill: set.skill,
            rate: set.rate.has_numerical_value,
            unit: set.rate.has_unit,
            valid_from: set.valid_from.unwrap_or(now),
            created: now,
        };
        let outcome =
            self.create(idem, rate.id.to_string(), move |txn| set_agent_rate_in(txn, actor, rate).boxed()).await?;
        self.created(outcome, KIND, async |store: &Store, id| Ok(store.agent_rates_by_id(&[id]).await?.remove(&id)))
            .await
    }

    /// Many rates by id, in one query.
    pub async fn agent_rates_by_id(&self, ids: &[AgentRateId]) -> Result<HashMap<AgentRateId, AgentRate>> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = agent_rate::Entity::find()
                .filter(agent_rate::Column::Id.is_in(chunk.iter().map(ToString::to_string)))
                .all(self.connection())
                .await?;
            for row in rows {
                let rate = rate_from(row)?;
                found.insert(rate.id, rate);
            }
        }
        Ok(found)
    }

    /// Every rate of `agent` (for `skill` only, when given), ordered by skill, then by
    /// `validFrom`: its whole history, superseded rates included.
    pub async fn agent_rates(&self, agent: AgentId, skill: Option<ResourceSpecificationId>) -> Result<Vec<AgentRate>> {
        let mut select = agent_rate::Entity::find().filter(agent_rate::Column::Agent.eq(agent.to_string()));
        if let Some(skill) = skill {
            select = select.filter(agent_rate::Column::Skill.eq(skill.to_string()));
        }
        let mut rates = select.all(self.connection()).await?.into_iter().map(rate_from).collect::<Result<Vec<_>>>()?;
        // Ordered here, by the instant: SQLite keeps times as text.
        rates.sort_by_key(|r| (r.skill, r.valid_from, r.id));
        Ok(rates)
    }

    /// The rate of `agent` for `skill` in force at `at` ([`Rates::rate`]): its own latest rate
    /// valid from `at` or earlier, else the skill's `defaultValuePerUnit`, else none; with the
    /// unit of whichever applies.
    pub async fn rate_at(
        &self,
        agent: AgentId,
        skill: ResourceSpecificationId,
        at: DateTime<Utc>,
    ) -> Result<Option<Measure>> {
        let (rates, defaults) = load_rates(self.connection(), &[agent], &[skill]).await?;
        let units: HashMap<DateTime<Utc>, Option<UnitId>> = rates.iter().map(|r| (r.valid_from, r.unit)).collect();
        let table = Rates::new(rates, defaults.iter().map(|(skill, default)| (*skill, default.value)));
        Ok(table.rate(agent, skill, at).map(|(value, source)| {
            let unit = match source {
                RateSource::Agent(from) => units.get(&from).copied().flatten(),
                RateSource::Default => defaults.get(&skill).and_then(|default| default.unit),
            };
            Measure::new(value, unit)
        }))
    }

    /// [`rates_for_in`] on the store's connection.
    pub async fn rates_for(&self, agents: &[AgentId], skills: &[ResourceSpecificationId]) -> Result<Rates> {
        rates_for_in(self.connection(), agents, skills).await
    }
}
