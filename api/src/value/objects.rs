//! `ValueEquation`, its buckets and rules, and the enums that describe them.

use async_graphql::{Context, ID, Object, SimpleObject};
use ovn_domain::value::equation::{
    Bucket, BucketKind as DomainBucketKind, ClaimType as DomainClaimType, EquationStatus as DomainStatus,
    PercentageBehavior as DomainBehavior, Rule, Valuation as DomainValuation,
};
use ovn_persistence::value::StoredEquation;

use crate::action::objects::Action;
use crate::agent::objects::{Agent, load_agent};
use crate::context::ContextExt;
use crate::error::Result;
use crate::knowledge::objects::{ProcessSpecification, ResourceSpecification};
use crate::scalars::{DateTime, Decimal, Uri};

/// Mirrors a domain enum as a GraphQL enum of the same items, both ways.
macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident <=> $domain:ty { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                match value { $(<$domain>::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => Self::$variant),+ }
            }
        }
    };
}
pub(crate) use mirror_enum;

mirror_enum!(
    /// OVN: where a version of a value equation stands.
    EquationStatus <=> DomainStatus {
        /// Being written; may be edited and used in what-if queries.
        Draft,
        /// Put to the contributors' vote; frozen.
        Proposed,
        /// The scope's equation in force; frozen.
        Adopted,
        /// Was adopted, replaced by a later version; frozen.
        Retired,
    }
);

mirror_enum!(
    /// OVN: how bucket percentages apply.
    PercentageBehavior <=> DomainBehavior {
        /// Each bucket takes its percentage of the whole amount; they add up to 100.
        Straight,
        /// Each bucket takes its percentage of what the earlier buckets left.
        Remaining,
    }
);

mirror_enum!(
    /// OVN: how a version values contributions recorded before its adoption.
    Valuation <=> DomainValuation {
        /// Every contribution of the scope is valued by this version.
        Restate,
        /// Contributions recorded before its adoption keep the values of the version in force
        /// when they were recorded.
        Forward,
    }
);

mirror_enum!(
    /// OVN: what a bucket pays.
    BucketKind <=> DomainBucketKind {
        /// All of it to a named recipient (infrastructure fund, exchange firm, custodian).
        Agent,
        /// Split among the contributions embodied in the sold deliverable.
        Deliverable,
        /// Split among the scope's contributions in a date range.
        Period,
        /// Split among the maintenance recipients of the shared assets used upstream.
        Maintenance,
    }
);

mirror_enum!(
    /// OVN: how a valued contribution shares in distributions.
    ClaimType <=> DomainClaimType {
        /// Fluid equity: shares in every distribution.
        Equity,
        /// Paid until its value is reached, then stops.
        Debt,
        /// Paid in the first distribution that includes it only.
        Once,
    }
);

/// OVN: a version of a scope's value equation: how its contributions are valued and how its
/// revenue is split (DESIGN 4.1). A new version is a `DRAFT`; a proposed, adopted or retired
/// one is frozen.
#[derive(Debug, Clone)]
pub struct ValueEquation(pub StoredEquation);

#[Object]
impl ValueEquation {
    /// The record as it was at `revisionId` (vf-graphql `history`); null when this record
    /// has no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    async fn id(&self) -> ID {
        ID(self.0.equation.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.equation.id, self.0.equation.revision)
    }

    /// The project or network the equation belongs to.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.equation.scope).await
    }

    /// 1, 2, ... per scope, in order of creation.
    async fn version(&self) -> i32 {
        self.0.equation.version
    }

    /// Where the version stands.
    async fn status(&self) -> EquationStatus {
        self.0.equation.status.into()
    }

    /// How bucket percentages apply.
    async fn percentage_behavior(&self) -> PercentageBehavior {
        self.0.equation.percentage_behavior.into()
    }

    /// How the version values contributions recorded before its adoption.
    async fn valuation(&self) -> Valuation {
        self.0.equation.valuation.into()
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.equation.name
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.equation.note.as_deref()
    }

    /// When the version was drafted.
    async fn created(&self) -> DateTime {
        self.0.equation.created
    }

    /// The agent who drafted it.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.created_by).await
    }

    /// When the contributors' vote adopted it.
    async fn adopted_at(&self) -> Option<DateTime> {
        self.0.equation.adopted_at
    }

    /// When a later version replaced it.
    async fn retired_at(&self) -> Option<DateTime> {
        self.0.equation.retired_at
    }

    /// The buckets, in the order they run (by sequence).
    async fn buckets(&self) -> Vec<ValueEquationBucket> {
        self.0.equation.buckets.iter().cloned().map(ValueEquationBucket).collect()
    }
}

/// OVN: one bucket of a value equation: a percentage paid to a named agent, or split among
/// contributions by the bucket's rules.
#[derive(Debug, Clone)]
pub struct ValueEquationBucket(pub Bucket);

#[Object]
impl ValueEquationBucket {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Order among the buckets (they run in this order).
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the bucket pays.
    async fn kind(&self) -> BucketKind {
        self.0.kind.into()
    }

    /// Its percentage (more than 0, at most 100) of the whole amount (`STRAIGHT`) or of what
    /// the earlier buckets left (`REMAINING`).
    async fn percentage(&self) -> Decimal {
        Decimal(self.0.percentage)
    }

    /// The recipient of an `AGENT` bucket.
    async fn recipient(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.recipient {
            Some(id) => load_agent(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }

    /// A `PERIOD` bucket's first instant (inclusive); null is from the beginning.
    async fn period_start(&self) -> Option<DateTime> {
        self.0.period_start
    }

    /// A `PERIOD` bucket's last instant (exclusive); null is until now.
    async fn period_end(&self) -> Option<DateTime> {
        self.0.period_end
    }

    /// The rules of a contribution bucket, in order: the most specific match values a
    /// contribution, the first on a tie.
    async fn rules(&self) -> Vec<ValueEquationRule> {
        self.0.rules.iter().cloned().map(ValueEquationRule).collect()
    }
}

/// OVN: a rule of a contribution bucket: which events it matches, and the formula that values
/// them.
#[derive(Debug, Clone)]
pub struct ValueEquationRule(pub Rule);

#[Object]
impl ValueEquationRule {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The events' action.
    async fn action(&self) -> Action {
        Action(self.0.action)
    }

    /// Matches only events whose resource conforms to this specification (for `work`, the
    /// skill).
    async fn resource_conforms_to(&self, ctx: &Context<'_>) -> Result<Option<ResourceSpecification>> {
        match self.0.resource_conforms_to {
            Some(id) => Ok(ctx.load(id).await?.map(ResourceSpecification)),
            None => Ok(None),
        }
    }

    /// Matches only events whose resource is classified as one of these.
    async fn resource_classified_as(&self) -> Option<Vec<Uri>> {
        let list = &self.0.resource_classified_as;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// Matches only events of processes based on this specification.
    async fn process_conforms_to(&self, ctx: &Context<'_>) -> Result<Option<ProcessSpecification>> {
        match self.0.process_conforms_to {
            Some(id) => Ok(ctx.load(id).await?.map(ProcessSpecification)),
            None => Ok(None),
        }
    }

    /// Matches only events of processes classified as one of these.
    async fn process_classified_as(&self) -> Option<Vec<Uri>> {
        let list = &self.0.process_classified_as;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// The value of a matching contribution, over exact decimals (`quantity * rate * 1.5`).
    async fn formula(&self) -> &str {
        self.0.formula.text()
    }

    /// How the value shares in distributions.
    async fn claim_type(&self) -> ClaimType {
        self.0.claim_type.into()
    }
}

/// The created or updated value equation.
#[derive(SimpleObject)]
pub struct ValueEquationResponse {
    /// The version.
    pub value_equation: ValueEquation,
}
