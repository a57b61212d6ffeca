//! Distributions of revenue (DESIGN 4.3, 4.4, 7). `distributeRevenue` checks the revenue
//! event ([`ovn_domain::value::revenue`]), splits it with [`super::engine::split_in`] (the
//! split `previewDistribution` shows), and writes in one transaction:
//! - the distribution, its lines and each line's parts per contribution event;
//! - one `transfer` per line from the payer to the recipient, out of the money resource the
//!   revenue went into, recorded through the same service as every event with the consent
//!   given (the adopted equation is the contributors' consent), so never pending;
//! - a vf `Claim` for each `DEBT` or `ONCE` contribution the first time it is paid, and a
//!   `Settlement` of it by each payout;
//! - every cascade into a sub-scope with an adopted equation, with its own payouts out of the
//!   resource its line was paid into.
//!
//! The unique index on the revenue event makes it happen once: a concurrent second attempt
//! fails on it and answers with the first. Reads hand stored distributions back in batches.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::claim::{Claim, Settlement};
use ovn_domain::knowledge::ResourceSpecification;
use ovn_domain::observation::{EconomicResource, EventDetails, NewEvent, ResourceDetails};
use ovn_domain::value::distribution::{BucketSplit, PaidBefore};
use ovn_domain::value::equation::{BucketKind, ClaimType, ValueEquation};
use ovn_domain::value::revenue::{
    LinePart, LineWeights, StoredDistribution, StoredLine, check_cascade, check_paying_equation, check_revenue,
    explain_line, may_distribute,
};
use ovn_domain::{
    Action, AgentId, ClaimId, DistributionId, DistributionLineId, DomainError, EconomicEventId, EconomicResourceId,
    Measure, SettlementId, UnitId, Uri, ValueEquationBucketId, ValueEquationId,
};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::StoredEquation;
use super::engine::{Weighing, split_in};
use crate::decimal::DbDecimal;
use crate::entity::{
    claim, distribution, distribution_equity_parts, distribution_line, distribution_part, economic_event,
    economic_resource, resource_specification, settlement, value_equation,
};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::observation::{Consent, RecordEvent, Recording, events_with_scopes, record_all};
use crate::revisioned::{IN_LIST_MAX, by_ids, insert_all, insert_all_in};
use crate::rows::{Record, id, opt};
use crate::store::Store;

/// The classification of the claims a distribution records for `DEBT` contributions.
pub const DEBT_CLAIM: &str = "ovn:DebtClaim";
/// The classification of the claims a distribution records for `ONCE` contributions.
pub const ONCE_CLAIM: &str = "ovn:OnceClaim";

/// `distributeRevenue`, parsed.
#[derive(Debug, Clone)]
pub struct DistributeRevenue {
    /// The payment to the exchange firm.
    pub revenue_event: EconomicEventId,
    /// The version to apply (default: the one adopted in the sale's scope).
    pub equation: Option<ValueEquationId>,
    /// The deliverable sold (needed by a `DELIVERABLE` bucket).
    pub deliverable: Option<EconomicResourceId>,
    /// How much of it (default: all that came in).
    pub quantity: Option<Decimal>,
}

/// What earlier distributions paid on `DEBT` and `ONCE` claims, and the claim recorded for
/// each such contribution.
#[derive(Debug, Clone, Default)]
pub(crate) struct Paid {
    /// For the split.
    pub(crate) before: PaidBefore,
    /// The vf claim of each contribution paid before.
    pub(crate) claims: HashMap<EconomicEventId, ClaimId>,
}

/// Sums the stored parts of `events` that were `DEBT` or `ONCE` claims.
pub(crate) async fn paid_before_in<C: ConnectionTrait>(conn: &C, events: &[EconomicEventId]) -> Result<Paid> {
    let mut paid = Paid::default();
    for chunk in events.chunks(IN_LIST_MAX) {
        let rows = distribution_part::Entity::find()
            .filter(distribution_part::Column::Event.is_in(chunk.iter().map(ToString::to_string)))
            .filter(distribution_part::Column::ClaimType.ne(ClaimType::Equity.as_str()))
            .all(conn)
            .await?;
        for row in rows {
            let event = id(&row.event, EconomicEventId::parse)?;
            match id(&row.claim_type, ClaimType::parse)? {
                ClaimType::Debt => *paid.before.debt.entry(event).or_default() += row.part.0,
                ClaimType::Once => {
                    paid.before.once.insert(event);
                }
                ClaimType::Equity => {}
            }
            if let Some(claim) = opt(row.claim.as_deref(), ClaimId::parse)? {
                paid.claims.insert(event, claim);
            }
        }
    }
    Ok(paid)
}

/// One level of a distribution still to split and write.
struct Level {
    id: DistributionId,
    revenue_event: Option<EconomicEventId>,
    parent: Option<(DistributionId, DistributionLineId)>,
    root: DistributionId,
    depth: i32,
    scope: AgentId,
    payer: AgentId,
    resource: EconomicResourceId,
    amount: Decimal,
    unit: Option<UnitId>,
    equation: ValueEquation,
    weighing: Weighing,
    /// The scopes distributing on the way down, this one included.
    path: Vec<AgentId>,
    /// The event the payouts answer: the revenue, or the payout this level redistributes.
    trigger: EconomicEventId,
}

/// The top-level distribution of a revenue event, if it has one.
async fn distribution_of_revenue_in<C: ConnectionTrait>(
    conn: &C,
    revenue: EconomicEventId,
) -> Result<Option<DistributionId>> {
    let row = distribution::Entity::find()
        .filter(distribution::Column::RevenueEvent.eq(revenue.to_string()))
        .one(conn)
        .await?;
    row.map(|r| id(&r.id, DistributionId::parse)).transpose()
}

/// Whether `resource` conforms to a medium of exchange.
async fn is_money(txn: &DatabaseTransaction, resource: EconomicResourceId) -> Result<bool> {
    let Some(found) =
        by_ids::<EconomicResource, _>(txn, economic_resource::Column::Id, &[resource]).await?.remove(&resource)
    else {
        return Ok(false);
    };
    let spec = found.conforms_to;
    let specs = by_ids::<ResourceSpecification, _>(txn, resource_specification::Column::Id, &[spec]).await?;
    Ok(specs.get(&spec).is_some_and(|s| s.medium_of_exchange == Some(true)))
}

/// `distributeRevenue` inside the caller's transaction: the id of the revenue event's
/// distribution, written now as `id`, or the one written before.
pub async fn distribute_revenue_in(
    store: &Store,
    txn: &DatabaseTransaction,
    locks_rows: bool,
    actor: AgentId,
    command: DistributeRevenue,
    id: DistributionId,
    now: DateTime<Utc>,
) -> Result<DistributionId> {
    let revenue_id = command.revenue_event;
    let Some(row) = economic_event::Entity::find_by_id(revenue_id.to_string()).one(txn).await? else {
        return Err(
            DomainError::invalid("revenueEvent", format!("economic event `{revenue_id}` does not exist")).into()
        );
    };
    if let Some(existing) = distribution_of_revenue_in(txn, revenue_id).await? {
        return Ok(existing);
    }
    let event = events_with_scopes(txn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| PersistenceError::not_found("economic event", revenue_id))?;
    let money = match event.core.to_resource_inventoried_as {
        Some(resource) => is_money(txn, resource).await?,
        None => false,
    };
    let mut around = event.details.in_scope_of.clone();
    around.push(event.core.receiver);
    let ties = crate::agent::network::ties_around(txn, &[event.core.receiver, actor], &around).await?;
    let revenue = check_revenue(&event, money, &ties)?;
    may_distribute(actor, &revenue, &ties)?;
    let equation = match command.equation {
        Some(named) => {
            by_ids::<StoredEquation, _>(txn, value_equation::Column::Id, &[named])
                .await?
                .remove(&named)
                .ok_or_else(|| DomainError::invalid("equation", format!("value equation `{named}` does not exist")))?
                .equation
        }
        None => super::adopted_in(txn, &[revenue.scope]).await?.remove(&revenue.scope).ok_or_else(|| {
            DomainError::invalid(
                "equation",
                format!("the scope {} has no adopted value equation: adopt one before distributing", revenue.scope),
            )
        })?,
    };
    check_paying_equation(&equation, revenue.scope)?;
    let mut queue = vec![Level {
        id,
        revenue_event: Some(revenue.event),
        parent: None,
        root: id,
        depth: 0,
        scope: revenue.scope,
        payer: revenue.firm,
        resource: revenue.resource,
        amount: revenue.amount,
        unit: revenue.unit,
        equation,
        weighing: Weighing::Sale { deliverable: command.deliverable, quantity: command.quantity },
        path: vec![revenue.scope],
        trigger: revenue.event,
    }];
    // Depth first, one level at a time: no recursion, and the path of scopes bounds it (a
    // scope met again on the way down is a `CYCLE`).
    while let Some(level) = queue.pop() {
        queue.extend(write_level(store, txn, locks_rows, actor, level, now).await?);
    }
    Ok(id)
}

/// The buckets' splits as stored (JSON: read whole, never queried).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredBucket {
    bucket: ValueEquationBucketId,
    kind: String,
    amount: Decimal,
    exact: Decimal,
    unclaimed: Decimal,
}

fn buckets_json(buckets: &[BucketSplit]) -> Result<String> {
    let stored: Vec<StoredBucket> = buckets
        .iter()
        .map(|b| StoredBucket {
            bucket: b.bucket,
            kind: b.kind.as_str().to_owned(),
            amount: b.amount,
            exact: b.exact,
            unclaimed: b.unclaimed,
        })
        .collect();
    serde_json::to_string(&stored).map_err(|e| PersistenceError::Corrupt(format!("distribution buckets: {e}")))
}

fn buckets_from(text: &str) -> Result<Vec<BucketSplit>> {
    let stored: Vec<StoredBucket> =
        serde_json::from_str(text).map_err(|e| PersistenceError::Corrupt(format!("distribution buckets: {e}")))?;
    stored
        .into_iter()
        .map(|b| {
            Ok(BucketSplit {
                bucket: b.bucket,
                kind: id(&b.kind, BucketKind::parse)?,
                amount: b.amount,
                exact: b.exact,
                unclaimed: b.unclaimed,
            })
        })
        .collect()
}

/// The payout of one line: a `transfer` from the payer out of the level's resource, in scope
/// of the level's scope; into a new resource of the recipient when it cascades (it pays its
/// own lines out of it).
fn payout_command(level: &Level, agent: AgentId, amount: Decimal, bucket: &str, cascades: bool) -> RecordEvent {
    let mut core = NewEvent::new(Action::Transfer, level.payer, agent);
    core.resource_inventoried_as = Some(level.resource);
    core.resource_quantity = Some(Measure::new(amount, level.unit));
    core.creates_resource = cascades;
    let details = EventDetails {
        in_scope_of: vec![level.scope],
        triggered_by: Some(level.trigger),
        note: Some(format!("payout of distribution {}, bucket `{bucket}`", level.id)),
        ..EventDetails::default()
    };
    let new_resource = cascades.then(|| ResourceDetails {
        name: Some(format!("received from distribution {}", level.id)),
        ..ResourceDetails::default()
    });
    RecordEvent {
        core,
        details,
        new_resource,
        new_resource_id: cascades.then(EconomicResourceId::new),
        new_resource_container: None,
    }
}

/// A new vf claim for a `DEBT` (owed the event's whole value) or `ONCE` (paid once, so
/// finished by this payment) contribution: the scope owes the contributor.
fn new_claim(level: &Level, agent: AgentId, event: EconomicEventId, kind: ClaimType, owed: Decimal) -> Result<Claim> {
    let class = if kind == ClaimType::Debt { DEBT_CLAIM } else { ONCE_CLAIM };
    Ok(Claim {
        id: ClaimId::new(),
        revision: 1,
        action: Action::Transfer,
        provider: Some(level.scope),
        receiver: Some(agent),
        resource_conforms_to: None,
        resource_classified_as: vec![Uri::parse("resourceClassifiedAs", class)?],
        resource_quantity: Some(Measure::new(owed, level.unit)),
        effort_quantity: None,
        triggered_by: event,
        due: None,
        created: Utc::now(),
        finished: kind == ClaimType::Once,
        note: Some(format!("{} claim on a contribution, paid by distributions", kind.as_str())),
        agreed_in: None,
        in_scope_of: vec![level.scope],
    })
}

/// Splits one level, writes it with its payouts, claims and settlements, and returns the
/// levels its lines cascade into.
async fn write_level(
    store: &Store,
    txn: &DatabaseTransaction,
    locks_rows: bool,
    actor: AgentId,
    level: Level,
    now: DateTime<Utc>,
) -> Result<Vec<Level>> {
    let started = std::time::Instant::now();
    let planned = split_in(store, txn, level.amount, &level.equation, level.weighing).await?;
    let split = &planned.split;
    tracing::debug!(elapsed = ?started.elapsed(), lines = split.lines.len(), "distribution: split");
    let (deliverable, quantity) = match level.weighing {
        Weighing::Sale { deliverable, quantity } => (deliverable, quantity),
        Weighing::Scope => (None, None),
    };
    let snapshot = serde_json::to_string(&level.equation)
        .map_err(|e| PersistenceError::Corrupt(format!("value equation snapshot: {e}")))?;
    // The distribution first: on PostgreSQL a concurrent distribution of the same revenue
    // waits here on the unique index, then fails, before it has touched any resource.
    distribution::Entity::insert(distribution::ActiveModel {
        id: Set(level.id.to_string()),
        revenue_event: Set(level.revenue_event.map(|e| e.to_string())),
        parent: Set(level.parent.map(|(d, _)| d.to_string())),
        parent_line: Set(level.parent.map(|(_, l)| l.to_string())),
        root: Set(level.root.to_string()),
        depth: Set(level.depth),
        scope: Set(level.scope.to_string()),
        payer: Set(level.payer.to_string()),
        resource: Set(Some(level.resource.to_string())),
        amount: Set(DbDecimal(level.amount)),
        unit: Set(level.unit.map(|u| u.to_string())),
        unclaimed: Set(DbDecimal(split.unclaimed)),
        equation: Set(level.equation.id.to_string()),
        equation_version: Set(level.equation.version),
        equation_snapshot: Set(snapshot),
        deliverable: Set(deliverable.map(|d| d.to_string())),
        quantity: Set(quantity.map(DbDecimal)),
        buckets: Set(buckets_json(&split.buckets)?),
        recorded_by: Set(actor.to_string()),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;

    let paid_agents: Vec<AgentId> = split
        .lines
        .iter()
        .filter(|l| l.amount > Decimal::ZERO)
        .map(|l| l.agent)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let sub_scopes = super::adopted_in(txn, &paid_agents).await?;
    let weights: HashMap<(ValueEquationBucketId, EconomicEventId), (ClaimType, Decimal)> = planned
        .inputs
        .iter()
        .flat_map(|(bucket, ws)| ws.iter().map(move |w| ((*bucket, w.event), (w.claim_type, w.event_value))))
        .collect();
    let line_weights = LineWeights::of(&planned.inputs);
    let mut claims = planned.paid.claims.clone();
    let (mut lines, mut parts, mut settlements, mut children) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut payouts, mut new_claims) = (Vec::new(), Vec::new());
    let mut equity_documents = Vec::new();
    for (position, (line, bucket)) in split
        .lines
        .iter()
        .filter_map(|l| split.buckets.iter().find(|b| b.bucket == l.bucket).map(|b| (l, b)))
        .enumerate()
    {
        let line_id = DistributionLineId::new();
        let spec = level.equation.buckets.iter().find(|b| b.id == line.bucket);
        let name = spec.map(|b| b.name.clone()).unwrap_or_default();
        let cascade = sub_scopes.get(&line.agent).filter(|_| line.amount > Decimal::ZERO);
        if cascade.is_some() {
            check_cascade(&level.path, line.agent)?;
        }
        let payout = if line.amount > Decimal::ZERO {
            let payout_id = EconomicEventId::new();
            let command = payout_command(&level, line.agent, line.amount, &name, cascade.is_some());
            if let (Some(equation), Some(received)) = (cascade, command.new_resource_id) {
                let mut path = level.path.clone();
                path.push(line.agent);
                children.push(Level {
                    id: DistributionId::new(),
                    revenue_event: None,
                    parent: Some((level.id, line_id)),
                    root: level.root,
                    depth: level.depth + 1,
                    scope: line.agent,
                    payer: line.agent,
                    resource: received,
                    amount: line.amount,
                    unit: level.unit,
                    equation: equation.clone(),
                    weighing: Weighing::Scope,
                    path,
                    trigger: payout_id,
                });
            }
            payouts.push(Recording { id: payout_id, command, fulfills: &[] });
            Some(payout_id)
        } else {
            None
        };
        lines.push(distribution_line::ActiveModel {
            id: Set(line_id.to_string()),
            distribution: Set(level.id.to_string()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            bucket: Set(line.bucket.to_string()),
            bucket_name: Set(name),
            bucket_kind: Set(bucket.kind.as_str().to_owned()),
            agent: Set(line.agent.to_string()),
            amount: Set(DbDecimal(line.amount)),
            exact: Set(DbDecimal(line.exact)),
            explanation: Set(explain_line(&level.equation, bucket, line, &line_weights)),
            payout: Set(payout.map(|p| p.to_string())),
        });
        let mut equity = Vec::new();
        for (event, part) in &line.events {
            let (kind, owed) = weights.get(&(line.bucket, *event)).copied().unwrap_or((ClaimType::Equity, *part));
            let claim = match (kind, payout) {
                (ClaimType::Equity, _) | (_, None) => None,
                (_, Some(payout)) => {
                    let claim = match claims.get(event) {
                        Some(existing) => *existing,
                        None => {
                            let created = new_claim(
                                &level,
                                line.agent,
                                *event,
                                kind,
                                if kind == ClaimType::Debt { owed } else { *part },
                            )?;
                            claims.insert(*event, created.id);
                            let id = created.id;
                            new_claims.push(created);
                            id
                        }
                    };
                    settlements.push(Settlement {
                        id: SettlementId::new(),
                        revision: 1,
                        settles: claim,
                        settled_by: payout,
                        resource_quantity: Some(Measure::new(*part, level.unit)),
                        effort_quantity: None,
                        note: None,
                    });
                    Some(claim)
                }
            };
            if kind == ClaimType::Equity {
                equity.push((*event, *part));
                continue;
            }
            parts.push(distribution_part::ActiveModel {
                line: Set(line_id.to_string()),
                event: Set(event.to_string()),
                claim_type: Set(kind.as_str().to_owned()),
                part: Set(DbDecimal(*part)),
                claim: Set(claim.map(|c| c.to_string())),
            });
        }
        if !equity.is_empty() {
            let parts = equity_parts_json(&equity)?;
            let size = parts.len();
            let document = distribution_equity_parts::ActiveModel { line: Set(line_id.to_string()), parts: Set(parts) };
            equity_documents.push((document, size));
        }
    }
    tracing::debug!(elapsed = ?started.elapsed(), "distribution: lines explained");
    // Every payout of the level at once: one till, a hundred transfers out of it.
    record_all(txn, locks_rows, actor, payouts, now, Consent::Given).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "distribution: payouts written");
    insert_all(txn, lines).await?;
    insert_all_in(txn, &new_claims, now).await?;
    insert_all_in(txn, &settlements, now).await?;
    insert_all(txn, parts).await?;
    // As few statements as fit a few megabytes: on PostgreSQL each large statement waited on
    // the network (a document at a time, 101 lines of 1,000 parts each took 4.5 s).
    let mut batch = Vec::new();
    let mut bytes = 0;
    for (document, size) in equity_documents {
        batch.push(document);
        bytes += size;
        if bytes >= DOCUMENT_BATCH_BYTES {
            distribution_equity_parts::Entity::insert_many(std::mem::take(&mut batch))
                .exec_without_returning(txn)
                .await?;
            bytes = 0;
        }
    }
    if !batch.is_empty() {
        distribution_equity_parts::Entity::insert_many(batch).exec_without_returning(txn).await?;
    }
    tracing::debug!(elapsed = ?started.elapsed(), "distribution: lines and parts written");
    Ok(children)
}

/// How many bytes of `EQUITY` parts one statement writes, at most (and one document more).
const DOCUMENT_BATCH_BYTES: usize = 8 << 20;

/// A line's `EQUITY` parts as stored (D194): `[[event, part], …]`.
fn equity_parts_json(parts: &[(EconomicEventId, Decimal)]) -> Result<String> {
    serde_json::to_string(parts).map_err(|e| PersistenceError::Corrupt(format!("equity parts: {e}")))
}

/// A line's `EQUITY` parts read back.
fn equity_parts_from(text: &str) -> Result<Vec<(EconomicEventId, Decimal)>> {
    serde_json::from_str(text).map_err(|e| PersistenceError::Corrupt(format!("equity parts: {e}")))
}

// ---------------------------------------------------------------- reads

fn distribution_from(row: distribution::Model) -> Result<StoredDistribution> {
    Ok(StoredDistribution {
        id: id(&row.id, DistributionId::parse)?,
        revenue_event: opt(row.revenue_event.as_deref(), EconomicEventId::parse)?,
        parent: opt(row.parent.as_deref(), DistributionId::parse)?,
        parent_line: opt(row.parent_line.as_deref(), DistributionLineId::parse)?,
        root: id(&row.root, DistributionId::parse)?,
        depth: row.depth,
        scope: id(&row.scope, AgentId::parse)?,
        payer: id(&row.payer, AgentId::parse)?,
        resource: opt(row.resource.as_deref(), EconomicResourceId::parse)?,
        amount: row.amount.0,
        unit: opt(row.unit.as_deref(), UnitId::parse)?,
        unclaimed: row.unclaimed.0,
        equation: id(&row.equation, ValueEquationId::parse)?,
        equation_version: row.equation_version,
        equation_snapshot: row.equation_snapshot,
        deliverable: opt(row.deliverable.as_deref(), EconomicResourceId::parse)?,
        quantity: row.quantity.map(|q| q.0),
        buckets: buckets_from(&row.buckets)?,
        recorded_by: id(&row.recorded_by, AgentId::parse)?,
        created: row.created_at,
    })
}

fn line_from(row: distribution_line::Model) -> Result<StoredLine> {
    Ok(StoredLine {
        id: id(&row.id, DistributionLineId::parse)?,
        distribution: id(&row.distribution, DistributionId::parse)?,
        position: row.position,
        bucket: id(&row.bucket, ovn_domain::ValueEquationBucketId::parse)?,
        bucket_name: row.bucket_name,
        bucket_kind: id(&row.bucket_kind, BucketKind::parse)?,
        agent: id(&row.agent, AgentId::parse)?,
        amount: row.amount.0,
        exact: row.exact.0,
        explanation: row.explanation,
        payout: opt(row.payout.as_deref(), EconomicEventId::parse)?,
    })
}

/// A page size: at most 100, 100 when not given.
fn page(first: Option<u64>) -> u64 {
    first.unwrap_or(100).min(100)
}

impl Store {
    /// `distributeRevenue`: splits the revenue event and pays every line, once. A second call
    /// for the same revenue event (concurrent or later) answers with the first distribution;
    /// a retry with the same idempotency key and another input is a mismatch.
    pub async fn distribute_revenue(
        &self,
        actor: AgentId,
        command: DistributeRevenue,
        idem: Option<&Idempotency>,
    ) -> Result<StoredDistribution> {
        let revenue = command.revenue_event;
        let locks_rows = self.locks_rows();
        // The key is kept against the revenue event: whatever distribution it has is the answer.
        self.catch_up_values().await?;
        let store = self.clone();
        let written = self
            .create(idem, revenue.to_string(), move |txn| {
                async move {
                    distribute_revenue_in(&store, txn, locks_rows, actor, command, DistributionId::new(), Utc::now())
                        .await
                }
                .boxed()
            })
            .await;
        let found = match written {
            Ok(crate::Outcome::Created(id)) => self.distributions_by_id(&[id]).await?.remove(&id),
            Ok(crate::Outcome::Replayed(_)) => self.distribution_of_revenue(revenue).await?,
            // Lost the race to a concurrent first distribution of the same revenue: it has
            // committed by now, so it answers.
            Err(err) if err.is_unique_violation() => match self.distribution_of_revenue(revenue).await? {
                Some(first) => Some(first),
                None => return Err(err),
            },
            Err(err) => return Err(err),
        };
        found.ok_or_else(|| PersistenceError::not_found("distribution of revenue event", revenue))
    }

    /// Distributions by id, in one query per chunk.
    pub async fn distributions_by_id(
        &self,
        ids: &[DistributionId],
    ) -> Result<HashMap<DistributionId, StoredDistribution>> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = distribution::Entity::find()
                .filter(distribution::Column::Id.is_in(chunk.iter().map(ToString::to_string)))
                .all(self.connection())
                .await?;
            for row in rows {
                let d = distribution_from(row)?;
                found.insert(d.id, d);
            }
        }
        Ok(found)
    }

    /// Every distribution (top-level and cascades) in id order, `limit` at a time after
    /// `after`: the pages an export walks, so no read holds the whole table.
    pub async fn distributions_page(
        &self,
        after: Option<DistributionId>,
        limit: u64,
    ) -> Result<Vec<StoredDistribution>> {
        let mut query = distribution::Entity::find();
        if let Some(after) = after {
            query = query.filter(distribution::Column::Id.gt(after.to_string()));
        }
        let rows = query.order_by_asc(distribution::Column::Id).limit(limit).all(self.connection()).await?;
        rows.into_iter().map(distribution_from).collect()
    }

    /// The top-level distribution of a revenue event, if it was distributed.
    pub async fn distribution_of_revenue(&self, revenue: EconomicEventId) -> Result<Option<StoredDistribution>> {
        let row = distribution::Entity::find()
            .filter(distribution::Column::RevenueEvent.eq(revenue.to_string()))
            .one(self.connection())
            .await?;
        row.map(distribution_from).transpose()
    }

    /// The distributions made by `scope`'s equation (sales, and cascades into it), newest
    /// first, at most `first` (100).
    pub async fn distributions_in(&self, scope: AgentId, first: Option<u64>) -> Result<Vec<StoredDistribution>> {
        let rows = distribution::Entity::find()
            .filter(distribution::Column::Scope.eq(scope.to_string()))
            .order_by_desc(distribution::Column::CreatedAt)
            .order_by_desc(distribution::Column::Id)
            .limit(page(first))
            .all(self.connection())
            .await?;
        rows.into_iter().map(distribution_from).collect()
    }

    /// The lines of many distributions, each in order (DataLoader batches).
    pub async fn distribution_lines(&self, ids: &[DistributionId]) -> Result<HashMap<DistributionId, Vec<StoredLine>>> {
        let mut rows = Vec::new();
        for chunk in ids.chunks(IN_LIST_MAX) {
            rows.extend(
                distribution_line::Entity::find()
                    .filter(distribution_line::Column::Distribution.is_in(chunk.iter().map(ToString::to_string)))
                    .order_by_asc(distribution_line::Column::Position)
                    .all(self.connection())
                    .await?,
            );
        }
        let mut found: HashMap<DistributionId, Vec<StoredLine>> = ids.iter().map(|d| (*d, Vec::new())).collect();
        for row in rows {
            let line = line_from(row)?;
            found.entry(line.distribution).or_default().push(line);
        }
        Ok(found)
    }

    /// The parts of many lines, each by event (DataLoader batches; asked for apart from the
    /// lines, as a line may pay a whole scope's contributions): the `DEBT` and `ONCE` parts
    /// from their rows, the `EQUITY` parts from the line's document (D194; the lines written
    /// before it have them as rows too).
    pub async fn line_parts(&self, ids: &[DistributionLineId]) -> Result<HashMap<DistributionLineId, Vec<LinePart>>> {
        let mut found: HashMap<DistributionLineId, Vec<LinePart>> = ids.iter().map(|l| (*l, Vec::new())).collect();
        for chunk in ids.chunks(IN_LIST_MAX) {
            let keys = || chunk.iter().map(ToString::to_string);
            let rows = distribution_part::Entity::find()
                .filter(distribution_part::Column::Line.is_in(keys()))
                .all(self.connection())
                .await?;
            for p in rows {
                found.entry(id(&p.line, DistributionLineId::parse)?).or_default().push(LinePart {
                    event: id(&p.event, EconomicEventId::parse)?,
                    part: p.part.0,
                    claim_type: id(&p.claim_type, ClaimType::parse)?,
                });
            }
            let documents = distribution_equity_parts::Entity::find()
                .filter(distribution_equity_parts::Column::Line.is_in(keys()))
                .all(self.connection())
                .await?;
            for d in documents {
                let parts = found.entry(id(&d.line, DistributionLineId::parse)?).or_default();
                parts.extend(equity_parts_from(&d.parts)?.into_iter().map(|(event, part)| LinePart {
                    event,
                    part,
                    claim_type: ClaimType::Equity,
                }));
            }
        }
        for parts in found.values_mut() {
            parts.sort_by_key(|p| p.event);
        }
        Ok(found)
    }

    /// The cascades of many distributions: the distributions that redistribute their lines
    /// (DataLoader batches).
    pub async fn distribution_cascades(
        &self,
        ids: &[DistributionId],
    ) -> Result<HashMap<DistributionId, Vec<StoredDistribution>>> {
        let mut found: HashMap<DistributionId, Vec<StoredDistribution>> =
            ids.iter().map(|d| (*d, Vec::new())).collect();
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = distribution::Entity::find()
                .filter(distribution::Column::Parent.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(distribution::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                let d = distribution_from(row)?;
                if let Some(parent) = d.parent {
                    found.entry(parent).or_default().push(d);
                }
            }
        }
        Ok(found)
    }

    /// What `agent` was paid by distributions, in every scope, newest first, at most `first`
    /// (100): the lines naming it.
    pub async fn payouts_to(&self, agent: AgentId, first: Option<u64>) -> Result<Vec<StoredLine>> {
        let rows = distribution_line::Entity::find()
            .filter(distribution_line::Column::Agent.eq(agent.to_string()))
            .filter(distribution_line::Column::Payout.is_not_null())
            .order_by_desc(distribution_line::Column::Id)
            .limit(page(first))
            .all(self.connection())
            .await?;
        rows.into_iter().map(line_from).collect()
    }

    /// `agent`'s `DEBT` claims that distributions have not paid in full yet, in every scope,
    /// oldest first.
    pub async fn outstanding_debt_claims(&self, agent: AgentId) -> Result<Vec<Claim>> {
        let rows = claim::Entity::find()
            .filter(claim::Column::Receiver.eq(agent.to_string()))
            .filter(claim::Column::ResourceClassifiedAs.like(format!("%\"{DEBT_CLAIM}\"%")))
            .filter(claim::Column::Finished.eq(false))
            .order_by_asc(claim::Column::Id)
            .all(self.connection())
            .await?;
        let claims: Vec<Claim> = rows.into_iter().map(Claim::from_row).collect::<Result<_>>()?;
        let keys: Vec<String> = claims.iter().map(|c| c.id.to_string()).collect();
        let mut settled: HashMap<ClaimId, Vec<Settlement>> = HashMap::new();
        for chunk in keys.chunks(IN_LIST_MAX) {
            let found = settlement::Entity::find()
                .filter(Condition::all().add(settlement::Column::Settles.is_in(chunk.iter().cloned())))
                .all(self.connection())
                .await?;
            for s in found {
                let s = Settlement::from_row(s)?;
                settled.entry(s.settles).or_default().push(s);
            }
        }
        let mut out = Vec::new();
        for c in claims {
            let tally = c.tally(settled.get(&c.id).into_iter().flatten());
            if !c.finished(&tally) {
                out.push(c);
            }
        }
        Ok(out)
    }
}
