//! The value engine's reads: `valueRollup`, `fluidEquity` and `previewDistribution`. Each
//! takes `equation:` (an adopted version, or a draft for a what-if) and writes nothing.

use async_graphql::{Context, ID, Object, SimpleObject};
use ovn_domain::flow::FlowNode;
use ovn_domain::value::distribution::Split;
use ovn_domain::value::equity::{FluidEquity as DomainEquity, Holding, ValuedContribution};
use ovn_domain::value::rollup::{Rollup, Share};
use ovn_domain::{AgentId, EconomicResourceId, ValueEquationId};

use crate::agent::objects::{Agent, load_agent};
use crate::context::ContextExt;
use crate::convert::parse_id;
use crate::error::Result;
use crate::knowledge::inputs::IMeasure;
use crate::observation::objects::{EconomicEvent, load_event};
use crate::scalars::{DateTime, Decimal};

/// The equation version that valued a result.
#[derive(SimpleObject, Clone)]
pub struct ValuedBy {
    /// The version applied (`ValueEquation.id`).
    pub equation: ID,
    /// Its version number.
    pub version: i32,
    /// Its status when the result was computed (`DRAFT` for a what-if).
    pub status: String,
}

fn valued_by(e: &ovn_domain::value::equation::ValueEquation) -> ValuedBy {
    ValuedBy { equation: ID(e.id.to_string()), version: e.version, status: e.status.as_str().to_owned() }
}

/// How much of each contribution is embodied in a quantity of a resource.
pub struct ValueRollup(pub Rollup, pub ValuedBy);

#[Object]
impl ValueRollup {
    /// The deliverable.
    async fn resource(&self) -> ID {
        ID(self.0.resource.to_string())
    }

    /// The quantity rolled up.
    async fn quantity(&self) -> Decimal {
        Decimal(self.0.quantity)
    }

    /// The rolled-up value: the sum of the shares, production credit included, and of the
    /// maintenance shares.
    async fn total_value(&self) -> Decimal {
        Decimal(self.0.total_value)
    }

    /// The equation applied.
    async fn valued_by(&self) -> &ValuedBy {
        &self.1
    }

    /// Each contribution's part, largest first; `agent:` keeps one agent's (why did I get
    /// this?).
    async fn shares(&self, agent: Option<ID>) -> Result<Vec<ValueShare>> {
        let only = agent.map(|a| parse_id(&a, AgentId::parse)).transpose()?;
        Ok(self.0.shares.iter().filter(|s| only.is_none_or(|a| s.agent == a)).cloned().map(ValueShare).collect())
    }

    /// The maintenance share of each use upstream (the used asset's access rule), credited to
    /// the asset's maintenance recipient, largest first: what a `MAINTENANCE` bucket weighs.
    /// `agent:` keeps one recipient's.
    async fn maintenance(&self, agent: Option<ID>) -> Result<Vec<ValueShare>> {
        let only = agent.map(|a| parse_id(&a, AgentId::parse)).transpose()?;
        Ok(self.0.maintenance.iter().filter(|s| only.is_none_or(|a| s.agent == a)).cloned().map(ValueShare).collect())
    }
}

/// One contribution's part of a rollup, with the path that led to it and why.
pub struct ValueShare(pub Share);

fn node_id(node: &FlowNode) -> ID {
    ID(match node {
        FlowNode::Event(id) => id.to_string(),
        FlowNode::Resource(id) => id.to_string(),
        FlowNode::Process(id) => id.to_string(),
    })
}

#[Object]
impl ValueShare {
    /// Who it is credited to.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.agent).await
    }

    /// The contributing event.
    async fn event(&self, ctx: &Context<'_>) -> Result<EconomicEvent> {
        load_event(ctx, self.0.event).await
    }

    /// Its part of the rolled-up value.
    async fn value(&self) -> Decimal {
        Decimal(self.0.value)
    }

    /// The ids of the nodes from the deliverable to the event (resources, processes and
    /// events, alternating as the flow goes).
    async fn path(&self) -> Vec<ID> {
        self.0.path.iter().map(node_id).collect()
    }

    /// Why, in one line.
    async fn explanation(&self) -> String {
        self.0.explanation.to_string()
    }

    /// The version of the equation that valued the event.
    async fn equation_version(&self) -> i32 {
        self.0.version
    }

    /// How it shares in distributions (`EQUITY`, `DEBT`, `ONCE`).
    async fn claim_type(&self) -> &'static str {
        self.0.claim_type.as_str()
    }
}

/// A scope's fluid equity.
pub struct FluidEquity(
    pub std::sync::Arc<(ovn_domain::value::equation::ValueEquation, DomainEquity)>,
    pub ValuedBy,
    pub AgentId,
);

#[Object]
impl FluidEquity {
    /// The scope.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.2).await
    }

    /// The sum of every holder's value.
    async fn total(&self) -> Decimal {
        Decimal(self.0.1.total)
    }

    /// The equation applied.
    async fn valued_by(&self) -> &ValuedBy {
        &self.1
    }

    /// Every contributor's part; the shares add up to exactly 1.
    async fn holders(&self) -> Vec<EquityHolder> {
        self.0.1.holders.iter().cloned().map(EquityHolder).collect()
    }

    /// The valued contributions (at most `first`, default 100, in recording order), each with
    /// the version that valued it; `agent:` keeps one agent's.
    async fn contributions(&self, agent: Option<ID>, first: Option<i32>) -> Result<Vec<ValuedContributionObject>> {
        let only = agent.map(|a| parse_id(&a, AgentId::parse)).transpose()?;
        let first = usize::try_from(first.unwrap_or(100).clamp(0, 100)).unwrap_or(100);
        let listed = self.0.1.contributions(only).take(first).collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(listed.into_iter().map(ValuedContributionObject).collect())
    }
}

/// One holder of fluid equity.
pub struct EquityHolder(pub Holding);

#[Object]
impl EquityHolder {
    /// The agent.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.agent).await
    }

    /// The sum of its contributions' values.
    async fn value(&self) -> Decimal {
        Decimal(self.0.value)
    }

    /// Its share, six decimals, rounded so that all shares add up to exactly 1.
    async fn share(&self) -> Decimal {
        Decimal(self.0.share)
    }

    /// `value / total`, exact to 28 digits.
    async fn exact_share(&self) -> Decimal {
        Decimal(self.0.exact_share)
    }
}

/// One contribution, valued.
#[derive(Clone)]
pub struct ValuedContributionObject(pub ValuedContribution);

#[Object(name = "ValuedContribution")]
impl ValuedContributionObject {
    /// The event.
    async fn event(&self, ctx: &Context<'_>) -> Result<EconomicEvent> {
        load_event(ctx, self.0.event).await
    }

    /// Who it is credited to.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.agent).await
    }

    /// Its value (for a use, less the maintenance share).
    async fn value(&self) -> Decimal {
        Decimal(self.0.value)
    }

    /// For a use of an asset whose access rule takes a maintenance share: that share of the
    /// use's value, which is nobody's equity.
    async fn maintenance(&self) -> Option<Decimal> {
        self.0.maintenance.map(|(_, value)| Decimal(value))
    }

    /// Who receives that maintenance share: the asset's maintenance recipient.
    async fn maintenance_recipient(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.maintenance {
            Some((agent, _)) => Ok(Some(load_agent(ctx, agent).await?)),
            None => Ok(None),
        }
    }

    /// The version of the equation that valued it.
    async fn equation_version(&self) -> i32 {
        self.0.version
    }

    /// Why.
    async fn explanation(&self) -> String {
        self.0.working.to_string()
    }
}

/// What the buckets of an equation would pay out of an amount (nothing is written).
pub struct DistributionPreview(pub Split, pub ValuedBy);

/// What one bucket would take.
#[derive(SimpleObject)]
pub struct BucketPreview {
    /// The bucket (`ValueEquation.buckets.id`).
    pub bucket: ID,
    /// Its kind.
    pub kind: String,
    /// Paid out of it, rounded to the minor unit.
    pub amount: Decimal,
    /// What nobody could claim in it, exact.
    pub unclaimed: Decimal,
}

/// One line of a distribution.
pub struct DistributionLine(pub ovn_domain::value::distribution::Line);

#[Object]
impl DistributionLine {
    /// The recipient.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.agent).await
    }

    /// Rounded to the minor unit.
    async fn amount(&self) -> Decimal {
        Decimal(self.0.amount)
    }

    /// Before rounding.
    async fn exact(&self) -> Decimal {
        Decimal(self.0.exact)
    }

    /// The bucket it is paid from.
    async fn bucket(&self) -> ID {
        ID(self.0.bucket.to_string())
    }
}

#[Object]
impl DistributionPreview {
    /// The amount split.
    async fn amount(&self) -> Decimal {
        Decimal(self.0.amount)
    }

    /// The equation applied.
    async fn valued_by(&self) -> &ValuedBy {
        &self.1
    }

    /// The buckets, in sequence order.
    async fn buckets(&self) -> Vec<BucketPreview> {
        self.0
            .buckets
            .iter()
            .map(|b| BucketPreview {
                bucket: ID(b.bucket.to_string()),
                kind: b.kind.as_str().to_owned(),
                amount: Decimal(b.amount),
                unclaimed: Decimal(b.unclaimed),
            })
            .collect()
    }

    /// The lines, bucket by bucket, largest first; they add up to `amount − unclaimed`.
    async fn lines(&self) -> Vec<DistributionLine> {
        self.0.lines.iter().cloned().map(DistributionLine).collect()
    }

    /// What nobody could claim: it stays with the exchange firm.
    async fn unclaimed(&self) -> Decimal {
        Decimal(self.0.unclaimed)
    }
}

/// The value engine's queries.
#[derive(Default)]
pub struct ValueEngineQuery;

#[Object]
impl ValueEngineQuery {
    /// How much of each contribution is in `quantity` (default: all that ever came in) of
    /// `resource`, by `equation` (default: the one adopted where the resource was made).
    async fn value_rollup(
        &self,
        ctx: &Context<'_>,
        resource: ID,
        quantity: Option<Decimal>,
        equation: Option<ID>,
    ) -> Result<ValueRollup> {
        let resource = parse_id(&resource, EconomicResourceId::parse)?;
        let equation = equation.map(|e| parse_id(&e, ValueEquationId::parse)).transpose()?;
        let (eq, rollup) = ctx.store()?.value_rollup(resource, quantity.map(|q| q.0), equation).await?;
        Ok(ValueRollup(rollup, valued_by(&eq)))
    }

    /// Each contributor's share of `scope`'s valued contributions, by `equation` (default: the
    /// adopted one), as the books stood at `asOf` (default: now).
    async fn fluid_equity(
        &self,
        ctx: &Context<'_>,
        scope: ID,
        equation: Option<ID>,
        as_of: Option<DateTime>,
    ) -> Result<FluidEquity> {
        let scope = parse_id(&scope, AgentId::parse)?;
        let equation = equation.map(|e| parse_id(&e, ValueEquationId::parse)).transpose()?;
        let answer = ctx.store()?.fluid_equity(scope, equation, as_of).await?;
        let by = valued_by(&answer.0);
        Ok(FluidEquity(answer, by, scope))
    }

    /// What `equation`'s buckets would pay out of `amount` for `quantity` of `deliverable`.
    async fn preview_distribution(
        &self,
        ctx: &Context<'_>,
        amount: IMeasure,
        equation: ID,
        deliverable: Option<ID>,
        quantity: Option<Decimal>,
    ) -> Result<DistributionPreview> {
        let equation = parse_id(&equation, ValueEquationId::parse)?;
        let deliverable = deliverable.map(|d| parse_id(&d, EconomicResourceId::parse)).transpose()?;
        let (eq, split) = ctx
            .store()?
            .preview_distribution(amount.has_numerical_value.0, equation, deliverable, quantity.map(|q| q.0))
            .await?;
        Ok(DistributionPreview(split, valued_by(&eq)))
    }
}
