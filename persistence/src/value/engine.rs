//! The value engine's orchestrations: pick the equation, load the snapshot, run the domain's
//! pure function. Nothing here writes; a draft equation answers a what-if exactly as an
//! adopted one would. [`split_in`] is the split both `previewDistribution` and
//! `distributeRevenue` (which writes, in [`super::distributions`]) run.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ovn_domain::value::distribution::{Split, Weighted, distribute};
use ovn_domain::value::equation::{BucketKind, ClaimType, EquationStatus, ValueEquation};
use ovn_domain::value::equity::{FluidEquity, fluid_equity, value_contributions};
use ovn_domain::value::revenue::{maintenance_of_contributions, maintenance_weights};
use ovn_domain::value::rollup::{Rollup, rollup};
use ovn_domain::value::snapshot::{RuleScope, Snapshot};
use ovn_domain::{AgentId, DomainError, EconomicEventId, EconomicResourceId, ValueEquationBucketId, ValueEquationId};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use crate::error::{PersistenceError, Result};
use crate::store::Store;

/// Decimals of the currency's minor unit (units carry no such field yet: 2, as DESIGN 4.3
/// says unless the unit says otherwise).
pub const MINOR_DECIMALS: u32 = 2;

impl Store {
    /// One version of an equation; `NOT_FOUND` when there is none.
    pub async fn value_equation(&self, id: ValueEquationId) -> Result<ValueEquation> {
        let mut found = self.value_equations_by_id(&[id]).await?;
        found.remove(&id).map(|stored| stored.equation).ok_or_else(|| PersistenceError::not_found("value equation", id))
    }

    /// The equation named, or the one adopted for `scope` (at `at`, when given).
    async fn equation_for(
        &self,
        named: Option<ValueEquationId>,
        scope: Option<AgentId>,
        at: Option<DateTime<Utc>>,
    ) -> Result<ValueEquation> {
        if let Some(id) = named {
            return self.value_equation(id).await;
        }
        let Some(scope) = scope else {
            return Err(DomainError::invalid("equation", "name the equation to apply").into());
        };
        let history = self.equation_history(&[scope]).await?;
        let found = match at {
            Some(at) => history.into_iter().find(|v| v.in_force_at(at)),
            None => history.into_iter().find(|v| v.status == EquationStatus::Adopted),
        };
        found.ok_or_else(|| {
            DomainError::invalid(
                "equation",
                format!("the scope {scope} has no adopted value equation; name one (a draft for a what-if)"),
            )
            .into()
        })
    }

    /// The scope a resource was made in: the scopes of the processes that produced it, in
    /// recording order, first one with an adopted equation (else the first).
    async fn scope_of_resource(&self, resource: EconomicResourceId) -> Result<Option<AgentId>> {
        // Only the producing processes are read here, not the agreements.
        let none = super::index::Realized::default();
        let mut made = self.read_values(|log| log.sources_of(resource, &none))?;
        made.sort_by_key(|e| e.order_key());
        let process_ids: Vec<_> = made.iter().filter_map(|e| e.output_of).collect();
        let processes = self.processes_by_id(&process_ids).await?;
        let scopes: Vec<AgentId> =
            process_ids.iter().filter_map(|p| processes.get(p)).flat_map(|p| p.in_scope_of.iter().copied()).collect();
        let history = self.equation_history(&scopes).await?;
        let adopted =
            scopes.iter().find(|s| history.iter().any(|v| v.scope == **s && v.status == EquationStatus::Adopted));
        Ok(adopted.or(scopes.first()).copied())
    }

    /// `valueRollup`: how much of each contribution is in `quantity` (default: all) of
    /// `resource`, by the equation named or the one adopted in the scope the resource was
    /// made in.
    pub async fn value_rollup(
        &self,
        resource: EconomicResourceId,
        quantity: Option<Decimal>,
        equation: Option<ValueEquationId>,
    ) -> Result<(ValueEquation, Rollup)> {
        self.catch_up_values().await?;
        if !self.resources_by_id(&[resource]).await?.contains_key(&resource) {
            return Err(PersistenceError::not_found("economic resource", resource));
        }
        let equation = match equation {
            Some(id) => self.value_equation(id).await?,
            None => {
                let scope = self.scope_of_resource(resource).await?;
                self.equation_for(None, scope, None).await?
            }
        };
        let snapshot = super::snapshot::rollup_snapshot_in(self, self.connection(), resource, &equation).await?;
        let result = rollup(&snapshot, resource, quantity, &equation, RuleScope::All)?;
        Ok((equation, result))
    }

    /// `fluidEquity`: the scope's contributions valued by the equation named, or the one
    /// adopted (at `as_of`, when given), summed per agent. The answer for now is kept while the
    /// books do not change (see [`super::cache`]).
    pub async fn fluid_equity(
        &self,
        scope: AgentId,
        equation: Option<ValueEquationId>,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Arc<(ValueEquation, FluidEquity)>> {
        let equation = self.equation_for(equation, Some(scope), as_of).await?;
        let compute = async {
            self.catch_up_values().await?;
            let snapshot =
                Arc::new(super::snapshot::scope_snapshot_in(self, self.connection(), scope, &equation).await?);
            let started = std::time::Instant::now();
            let equity = fluid_equity(&snapshot, scope, &equation, as_of)?;
            tracing::debug!(elapsed = ?started.elapsed(), "fluid equity: valued");
            Ok((equation.clone(), equity))
        };
        match as_of {
            Some(_) => Ok(Arc::new(compute.await?)),
            None => self.equity_cached(scope, &equation, compute).await,
        }
    }

    /// `previewDistribution`: what the equation's buckets would pay out of `amount`, for
    /// `quantity` of `deliverable` when it has a `DELIVERABLE` bucket, counting what `DEBT`
    /// and `ONCE` claims were paid by the distributions stored so far. Writes nothing.
    pub async fn preview_distribution(
        &self,
        amount: Decimal,
        equation: ValueEquationId,
        deliverable: Option<EconomicResourceId>,
        quantity: Option<Decimal>,
    ) -> Result<(ValueEquation, Split)> {
        let equation = self.value_equation(equation).await?;
        self.catch_up_values().await?;
        let weighing = Weighing::Sale { deliverable, quantity };
        let planned = split_in(self, self.connection(), amount, &equation, weighing).await?;
        Ok((equation, planned.split))
    }
}

/// Where a distribution's contribution buckets find their contributions.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Weighing {
    /// A sale: a `DELIVERABLE` bucket splits among the contributions embodied in `quantity` of
    /// the deliverable (which it then needs), a `MAINTENANCE` bucket among the recipients of
    /// the assets used upstream of it.
    Sale {
        /// The deliverable sold.
        deliverable: Option<EconomicResourceId>,
        /// How much of it (default: all that came in).
        quantity: Option<Decimal>,
    },
    /// A cascade into a sub-scope: no deliverable; `DELIVERABLE` buckets weigh the scope's
    /// valued contributions, as fluid equity does, and `MAINTENANCE` the uses among them.
    Scope,
}

/// A split and the weights it was made from (which explain its lines).
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// The split.
    pub(crate) split: Split,
    /// Each contribution bucket's weighted contributions.
    pub(crate) inputs: HashMap<ValueEquationBucketId, Vec<Weighted>>,
    /// What `DEBT` and `ONCE` claims were paid before, and the claims recorded for them.
    pub(crate) paid: super::distributions::Paid,
}

/// Each contribution bucket's weighted contributions, as `weighing` says: the events from
/// `store`'s value index, the rest on `conn`.
pub(crate) async fn bucket_inputs_in<C: ConnectionTrait>(
    store: &Store,
    conn: &C,
    equation: &ValueEquation,
    weighing: Weighing,
) -> Result<HashMap<ValueEquationBucketId, Vec<Weighted>>> {
    let kinds = |k: &[BucketKind]| equation.buckets.iter().any(|b| k.contains(&b.kind));
    let deliverable = match weighing {
        Weighing::Sale { deliverable, .. } => deliverable,
        Weighing::Scope => None,
    };
    let deliverable_snapshot = match deliverable {
        Some(d) if kinds(&[BucketKind::Deliverable, BucketKind::Maintenance]) => {
            Some(super::snapshot::rollup_snapshot_in(store, conn, d, equation).await?)
        }
        _ => None,
    };
    let scope_wide = matches!(weighing, Weighing::Scope) && kinds(&[BucketKind::Deliverable, BucketKind::Maintenance]);
    let scope_snapshot = if kinds(&[BucketKind::Period]) || scope_wide {
        super::snapshot::scope_snapshot_in(store, conn, equation.scope, equation).await?
    } else {
        Snapshot::default()
    };
    let scope_events = |start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>| {
        scope_snapshot.events().filter(move |e| {
            e.in_scope_of.contains(&equation.scope)
                && start.is_none_or(|s| e.point_in_time >= s)
                && end.is_none_or(|end| e.point_in_time < end)
        })
    };
    let mut inputs: HashMap<_, Vec<Weighted>> = HashMap::new();
    for bucket in &equation.buckets {
        let weights: Vec<Weighted> = match (bucket.kind, weighing) {
            (BucketKind::Agent, _) => continue,
            (BucketKind::Deliverable, Weighing::Sale { quantity, .. }) => {
                let (Some(d), Some(snapshot)) = (deliverable, deliverable_snapshot.as_ref()) else {
                    return Err(DomainError::invalid(
                        "deliverable",
                        format!("the equation's bucket `{}` splits among a deliverable's contributions: name the deliverable", bucket.name),
                    )
                    .into());
                };
                let r = rollup(snapshot, d, quantity, equation, RuleScope::Bucket(bucket.id))?;
                r.shares.iter().map(Weighted::from).collect()
            }
            (BucketKind::Deliverable, Weighing::Scope) => {
                value_contributions(&scope_snapshot, scope_events(None, None), equation, RuleScope::Bucket(bucket.id))?
                    .iter()
                    .map(Weighted::from)
                    .collect()
            }
            (BucketKind::Period, _) => value_contributions(
                &scope_snapshot,
                scope_events(bucket.period_start, bucket.period_end),
                equation,
                RuleScope::Bucket(bucket.id),
            )?
            .iter()
            .map(Weighted::from)
            .collect(),
            (BucketKind::Maintenance, Weighing::Sale { quantity, .. }) => {
                let (Some(d), Some(snapshot)) = (deliverable, deliverable_snapshot.as_ref()) else {
                    // No deliverable, no asset used upstream of it: what it would pay is unclaimed.
                    continue;
                };
                maintenance_weights(&rollup(snapshot, d, quantity, equation, RuleScope::All)?)
            }
            (BucketKind::Maintenance, Weighing::Scope) => maintenance_of_contributions(&value_contributions(
                &scope_snapshot,
                scope_events(None, None),
                equation,
                RuleScope::All,
            )?),
        };
        inputs.insert(bucket.id, weights);
    }
    Ok(inputs)
}

/// Splits `amount` by `equation`: the buckets' inputs as `weighing` says, and what earlier
/// distributions paid on `DEBT` and `ONCE` claims (from the stored line parts). Writes
/// nothing; `previewDistribution` and `distributeRevenue` both run it.
pub(crate) async fn split_in<C: ConnectionTrait>(
    store: &Store,
    conn: &C,
    amount: Decimal,
    equation: &ValueEquation,
    weighing: Weighing,
) -> Result<Planned> {
    let inputs = bucket_inputs_in(store, conn, equation, weighing).await?;
    let capped: Vec<EconomicEventId> = inputs
        .values()
        .flatten()
        .filter(|w| w.claim_type != ClaimType::Equity)
        .map(|w| w.event)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let paid = super::distributions::paid_before_in(conn, &capped).await?;
    let split = distribute(amount, MINOR_DECIMALS, equation, &inputs, &paid.before)?;
    Ok(Planned { split, inputs, paid })
}
