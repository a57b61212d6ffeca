//! Distributions of revenue (DESIGN 4.3, 4.4, 7, 9): `distributeRevenue`, which splits a
//! payment to the exchange firm and pays every line once; the stored `Distribution` with its
//! lines, their payouts and its cascades into sub-scopes; and the reads: `distributions`,
//! `distribution`, `payoutsTo` and `outstandingDebtClaims`.

use async_graphql::{Context, ID, Object, SimpleObject};
use ovn_domain::value::revenue::{LinePart, StoredDistribution, StoredLine};
use ovn_domain::{AgentId, DistributionId, EconomicEventId, EconomicResourceId, ValueEquationId};
use ovn_persistence::value::distributions::DistributeRevenue;

use super::objects::ValueEquation;
use crate::agent::objects::{Agent, load_agent};
use crate::claim::objects::Claim;
use crate::context::ContextExt;
use crate::convert::{idempotency_of, opt_id, parse_id};
use crate::error::Result;
use crate::loaders::{CascadesOf, LinesOf, PartsOf};
use crate::observation::objects::{EconomicEvent, load_event};
use crate::scalars::{DateTime, Decimal};

/// One level of a revenue event's split: the sale's (at the top), or a cascade of one of
/// its lines into a sub-scope, split by that scope's own adopted equation.
#[derive(Clone)]
pub struct Distribution(pub StoredDistribution);

/// What one bucket took.
#[derive(SimpleObject)]
pub struct DistributionBucket {
    /// The bucket (`ValueEquation.buckets.id`).
    pub bucket: ID,
    /// Its kind.
    pub kind: String,
    /// Paid out of it, rounded to the minor unit.
    pub amount: Decimal,
    /// Its exact part of the amount.
    pub exact: Decimal,
    /// What nobody could claim in it, exact.
    pub unclaimed: Decimal,
}

#[Object]
impl Distribution {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The payment split (top level only).
    async fn revenue_event(&self, ctx: &Context<'_>) -> Result<Option<EconomicEvent>> {
        match self.0.revenue_event {
            Some(id) => Ok(Some(load_event(ctx, id).await?)),
            None => Ok(None),
        }
    }

    /// The scope whose equation split it.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.scope).await
    }

    /// Who paid the lines: the exchange firm at the top, the sub-scope in a cascade.
    async fn payer(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.payer).await
    }

    /// The money resource the payouts came out of.
    async fn resource(&self) -> Option<ID> {
        self.0.resource.map(|r| ID(r.to_string()))
    }

    /// The amount split.
    async fn amount(&self) -> Decimal {
        Decimal(self.0.amount)
    }

    /// Its unit (the revenue's currency).
    async fn unit(&self) -> Option<ID> {
        self.0.unit.map(|u| ID(u.to_string()))
    }

    /// What nobody could claim (a `REMAINING` equation's rest, capped claims, an empty
    /// bucket): it stays with the payer. The lines add up to `amount - unclaimed` exactly.
    async fn unclaimed(&self) -> Decimal {
        Decimal(self.0.unclaimed)
    }

    /// The version applied.
    async fn equation(&self, ctx: &Context<'_>) -> Result<Option<ValueEquation>> {
        Ok(ctx.load::<ValueEquationId, _>(self.0.equation).await?.map(ValueEquation))
    }

    /// Its version number.
    async fn equation_version(&self) -> i32 {
        self.0.equation_version
    }

    /// The version as it was applied (JSON), kept with the distribution.
    async fn equation_snapshot(&self) -> &str {
        &self.0.equation_snapshot
    }

    /// The deliverable sold, when a `DELIVERABLE` bucket split among its contributions.
    async fn deliverable(&self) -> Option<ID> {
        self.0.deliverable.map(|d| ID(d.to_string()))
    }

    /// The quantity of it sold.
    async fn quantity(&self) -> Option<Decimal> {
        self.0.quantity.map(Decimal)
    }

    /// What each bucket took, in sequence order.
    async fn buckets(&self) -> Vec<DistributionBucket> {
        self.0
            .buckets
            .iter()
            .map(|b| DistributionBucket {
                bucket: ID(b.bucket.to_string()),
                kind: b.kind.as_str().to_owned(),
                amount: Decimal(b.amount),
                exact: Decimal(b.exact - b.unclaimed),
                unclaimed: Decimal(b.unclaimed),
            })
            .collect()
    }

    /// The lines, bucket by bucket, largest first.
    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<PaidLine>> {
        let lines: Option<Vec<StoredLine>> = ctx.load(LinesOf(self.0.id)).await?;
        Ok(lines.unwrap_or_default().into_iter().map(PaidLine).collect())
    }

    /// The redistributions of its lines paid to sub-scopes with an adopted equation, each
    /// with its own lines and cascades.
    async fn cascades(&self, ctx: &Context<'_>) -> Result<Vec<Distribution>> {
        let found: Option<Vec<StoredDistribution>> = ctx.load(CascadesOf(self.0.id)).await?;
        Ok(found.unwrap_or_default().into_iter().map(Distribution).collect())
    }

    /// The distribution whose line this one redistributes (a cascade).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Distribution>> {
        match self.0.parent {
            Some(id) => Ok(ctx.load::<DistributionId, StoredDistribution>(id).await?.map(Distribution)),
            None => Ok(None),
        }
    }

    /// 0 for a sale, 1 for a cascade into a sub-scope, 2 below that, ...
    async fn depth(&self) -> i32 {
        self.0.depth
    }

    /// Who distributed it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.recorded_by).await
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created
    }
}

/// What one agent received from one bucket of a distribution, and the event that paid it.
pub struct PaidLine(pub StoredLine);

/// One contribution's exact part of a line.
pub struct PaidPart(pub LinePart);

#[Object]
impl PaidPart {
    /// The contribution.
    async fn event(&self, ctx: &Context<'_>) -> Result<EconomicEvent> {
        load_event(ctx, self.0.event).await
    }

    /// Its exact part of the line.
    async fn part(&self) -> Decimal {
        Decimal(self.0.part)
    }

    /// How it shares (`EQUITY`, `DEBT`, `ONCE`).
    async fn claim_type(&self) -> &'static str {
        self.0.claim_type.as_str()
    }
}

#[Object]
impl PaidLine {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The recipient.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.agent).await
    }

    /// What was paid, rounded to the minor unit.
    async fn amount(&self) -> Decimal {
        Decimal(self.0.amount)
    }

    /// Before rounding.
    async fn exact(&self) -> Decimal {
        Decimal(self.0.exact)
    }

    /// The bucket it was paid from (`ValueEquation.buckets.id`).
    async fn bucket(&self) -> ID {
        ID(self.0.bucket.to_string())
    }

    /// The bucket's name when it paid.
    async fn bucket_name(&self) -> &str {
        &self.0.bucket_name
    }

    /// The bucket's kind.
    async fn bucket_kind(&self) -> &'static str {
        self.0.bucket_kind.as_str()
    }

    /// Why, in one line.
    async fn explanation(&self) -> &str {
        &self.0.explanation
    }

    /// The `transfer` that paid it (null for a line rounded to zero).
    async fn payout(&self, ctx: &Context<'_>) -> Result<Option<EconomicEvent>> {
        match self.0.payout {
            Some(id) => Ok(Some(load_event(ctx, id).await?)),
            None => Ok(None),
        }
    }

    /// The contributions it pays, with their exact parts (none for an `AGENT` bucket).
    async fn parts(&self, ctx: &Context<'_>) -> Result<Vec<PaidPart>> {
        let found: Option<Vec<LinePart>> = ctx.load(PartsOf(self.0.id)).await?;
        Ok(found.unwrap_or_default().into_iter().map(PaidPart).collect())
    }

    /// Its distribution.
    async fn distribution(&self, ctx: &Context<'_>) -> Result<Option<Distribution>> {
        Ok(ctx.load::<DistributionId, StoredDistribution>(self.0.distribution).await?.map(Distribution))
    }

    /// Its redistribution inside the recipient, when the recipient is a scope with an adopted
    /// equation.
    async fn cascade(&self, ctx: &Context<'_>) -> Result<Option<Distribution>> {
        let found: Option<Vec<StoredDistribution>> = ctx.load(CascadesOf(self.0.distribution)).await?;
        Ok(found.unwrap_or_default().into_iter().find(|d| d.parent_line == Some(self.0.id)).map(Distribution))
    }
}

/// What `distributeRevenue` answers.
#[derive(SimpleObject)]
pub struct DistributionResponse {
    /// The revenue event's distribution (the first one, when it was distributed before).
    pub distribution: Distribution,
}

/// Distributing revenue.
#[derive(Default)]
pub struct DistributionMutation;

#[Object]
impl DistributionMutation {
    /// OVN: splits a payment to a network's exchange firm (`revenueEvent`) by `equation`
    /// (default: the one adopted in the sale's scope), for `quantity` of `deliverable` when
    /// the equation has a `DELIVERABLE` bucket, and pays every line as a `transfer` from the
    /// exchange firm, cascading into sub-scopes. Once: a second call for the same revenue
    /// event answers with the first distribution. By the exchange firm, or a steward of it or
    /// of the sale's scope.
    async fn distribute_revenue(
        &self,
        ctx: &Context<'_>,
        revenue_event: ID,
        equation: Option<ID>,
        deliverable: Option<ID>,
        quantity: Option<Decimal>,
        idempotency_key: Option<String>,
    ) -> Result<DistributionResponse> {
        let actor = ctx.require_agent()?;
        let fingerprint = async_graphql::Value::from_json(serde_json::json!({
            "revenueEvent": revenue_event.as_str(),
            "equation": equation.as_ref().map(|e| e.as_str()),
            "deliverable": deliverable.as_ref().map(|d| d.as_str()),
            "quantity": quantity.as_ref().map(|q| ovn_domain::canonical(q.0)),
        }))
        .map_err(|e| ovn_domain::DomainError::invalid("input", e.to_string()))?;
        let idem = idempotency_of(actor, idempotency_key, "distributeRevenue", fingerprint)?;
        let command = DistributeRevenue {
            revenue_event: parse_id(&revenue_event, EconomicEventId::parse)?,
            equation: opt_id(&equation, ValueEquationId::parse)?,
            deliverable: opt_id(&deliverable, EconomicResourceId::parse)?,
            quantity: quantity.map(|q| q.0),
        };
        let stored = ctx.store()?.distribute_revenue(actor, command, idem.as_ref()).await?;
        Ok(DistributionResponse { distribution: Distribution(stored) })
    }
}

/// Reads of distributions.
#[derive(Default)]
pub struct DistributionQuery;

#[Object]
impl DistributionQuery {
    /// OVN: one distribution (a sale's, or a cascade).
    async fn distribution(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Distribution>> {
        let id = parse_id(&id, DistributionId::parse)?;
        Ok(ctx.load::<DistributionId, StoredDistribution>(id).await?.map(Distribution))
    }

    /// OVN: the distribution of a revenue event, if it was distributed.
    async fn distribution_of(&self, ctx: &Context<'_>, revenue_event: ID) -> Result<Option<Distribution>> {
        let revenue = parse_id(&revenue_event, EconomicEventId::parse)?;
        Ok(ctx.store()?.distribution_of_revenue(revenue).await?.map(Distribution))
    }

    /// OVN: the distributions `scope`'s equation made (its sales, and the cascades into it),
    /// newest first, at most `first` (default and most: 100).
    async fn distributions(&self, ctx: &Context<'_>, scope: ID, first: Option<i32>) -> Result<Vec<Distribution>> {
        let scope = parse_id(&scope, AgentId::parse)?;
        let first = first.map(|f| u64::try_from(f.max(0)).unwrap_or(0));
        Ok(ctx.store()?.distributions_in(scope, first).await?.into_iter().map(Distribution).collect())
    }

    /// OVN: what `agent` was paid by distributions in every scope (the lines naming it, each
    /// with its payout event), newest first, at most `first` (default and most: 100).
    async fn payouts_to(&self, ctx: &Context<'_>, agent: ID, first: Option<i32>) -> Result<Vec<PaidLine>> {
        let agent = parse_id(&agent, AgentId::parse)?;
        let first = first.map(|f| u64::try_from(f.max(0)).unwrap_or(0));
        Ok(ctx.store()?.payouts_to(agent, first).await?.into_iter().map(PaidLine).collect())
    }

    /// OVN: `agent`'s `DEBT` claims (vf `Claim`s classified `ovn:DebtClaim`) that
    /// distributions have not paid in full, in every scope.
    async fn outstanding_debt_claims(&self, ctx: &Context<'_>, agent: ID) -> Result<Vec<Claim>> {
        let agent = parse_id(&agent, AgentId::parse)?;
        Ok(ctx.store()?.outstanding_debt_claims(agent).await?.into_iter().map(Claim).collect())
    }
}
