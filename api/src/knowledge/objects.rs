//! The knowledge layer's output types (vf-graphql modules `measurement`,
//! `resource_specification`, `process_specification`).

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use ovn_domain::knowledge::{
    ProcessSpecification as DomainProcessSpecification, ResourceSpecification as DomainResourceSpecification,
    Unit as DomainUnit,
};

use ovn_persistence::observation::{EventFilter, ProcessFilter, ResourceFilter};
use ovn_persistence::planning::CommitmentFilter;

use crate::claim::objects::{ClaimConnection, claims_page};
use crate::connection;
use crate::context::ContextExt;
use crate::error::Result;
use crate::intent::objects::{IntentConnection, intents_page};
use crate::observation::objects::{
    EconomicEventConnection, EconomicResourceConnection, ProcessConnection, events_page, processes_page, resources_page,
};
use crate::planning::objects::{CommitmentConnection, commitments_page};
use crate::scalars::{Decimal, Uri};
use ovn_persistence::claim::ClaimFilter;
use ovn_persistence::intent::IntentFilter;

/// Defines a unit of measurement, along with its display symbol. From OM2 vocabulary.
#[derive(Debug, Clone)]
pub struct Unit(pub DomainUnit);

#[Object]
impl Unit {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
    /// no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    /// A human readable label for the unit, can be language specific.
    async fn label(&self) -> &str {
        self.0.label.as_str()
    }

    /// A standard display symbol for a unit of measure.
    async fn symbol(&self) -> &str {
        self.0.symbol.as_str()
    }

    /// The OM2 identifier of the unit (`hour`, `kilogram`, `one`), when it maps onto one.
    async fn om_unit_identifier(&self) -> Option<&str> {
        self.0.om_unit_identifier.as_deref()
    }
}

/// Semantic meaning for measurements: binds a quantity to its measurement unit.
#[derive(Debug, Clone, Copy)]
pub struct Measure(pub ovn_domain::Measure);

#[Object]
impl Measure {
    /// A number representing the quantity, will be paired with a unit.
    async fn has_numerical_value(&self) -> Decimal {
        Decimal(self.0.has_numerical_value)
    }

    /// A unit of measure.
    async fn has_unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.0.has_unit {
            Some(unit) => Ok(ctx.load(unit).await?.map(Unit)),
            None => Ok(None),
        }
    }
}

/// Defines the unit of time measured in a temporal `Duration`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "lowercase")]
pub enum TimeUnit {
    /// Years.
    Year,
    /// Months.
    Month,
    /// Weeks.
    Week,
    /// Days.
    Day,
    /// Hours.
    Hour,
    /// Minutes.
    Minute,
    /// Seconds.
    Second,
}

/// A `Duration` represents an interval between two `DateTime` values.
#[derive(SimpleObject, Debug, Clone)]
pub struct Duration {
    /// A number representing the duration, will be paired with a unit.
    pub numeric_duration: Decimal,
    /// A unit of measure.
    pub unit_type: TimeUnit,
}

/// Specification of a kind of resource.
#[derive(Debug, Clone)]
pub struct ResourceSpecification(pub DomainResourceSpecification);

#[Object]
impl ResourceSpecification {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
    /// no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    /// An informal or formal textual identifier for a type of resource.
    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// The uri to an image relevant to the entity, such as a photo, diagram, etc.
    async fn image(&self) -> Option<Uri> {
        self.0.image.as_ref().map(Uri::from)
    }

    /// URI addresses to images relevant to the type of resource.
    async fn image_list(&self) -> Option<Vec<Uri>> {
        (!self.0.image_list.is_empty()).then(|| self.0.image_list.iter().map(Uri::from).collect())
    }

    /// References a concept in a common taxonomy or other classification scheme.
    async fn resource_classified_as(&self) -> Option<Vec<Uri>> {
        let list = &self.0.resource_classified_as;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The default unit used for the resource itself.
    async fn default_unit_of_resource(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.0.default_unit_of_resource {
            Some(unit) => Ok(ctx.load(unit).await?.map(Unit)),
            None => Ok(None),
        }
    }

    /// The default unit used for use or work.
    async fn default_unit_of_effort(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.0.default_unit_of_effort {
            Some(unit) => Ok(ctx.load(unit).await?.map(Unit)),
            None => Ok(None),
        }
    }

    /// Defines if any resource of that type can be freely substituted for any other.
    async fn substitutable(&self) -> Option<bool> {
        self.0.substitutable
    }

    /// OVN: the value of one unit of this kind of resource, used by value equations when a
    /// contribution declares no value of its own.
    async fn default_value_per_unit(&self) -> Option<Measure> {
        self.0.default_value_per_unit.map(|v| Measure(ovn_domain::Measure::new(v.value, v.unit)))
    }

    /// VF 1.0: resources of this kind are a medium of exchange (money, credits).
    async fn medium_of_exchange(&self) -> Option<bool> {
        self.0.medium_of_exchange
    }

    /// The intents about resources of this specification.
    async fn intents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<IntentConnection>> {
        let filter = IntentFilter { resource_conforms_to: Some(self.0.id), ..IntentFilter::default() };
        intents_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// The claims for resources of this specification.
    async fn claims(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<ClaimConnection>> {
        let filter = ClaimFilter { resource_conforms_to: Some(self.0.id), ..ClaimFilter::default() };
        claims_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// The resources that conform to this specification.
    async fn conforming_resources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<EconomicResourceConnection>> {
        let filter = ResourceFilter { conforms_to: Some(self.0.id), ..ResourceFilter::default() };
        resources_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// The events about resources of this specification (by the event's `resourceConformsTo`).
    async fn economic_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<EconomicEventConnection>> {
        let filter = EventFilter { resource_conforms_to: Some(self.0.id), ..EventFilter::default() };
        events_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// The commitments about resources of this specification.
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<CommitmentConnection>> {
        let filter = CommitmentFilter { resource_conforms_to: Some(self.0.id), ..CommitmentFilter::default() };
        commitments_page(ctx, &filter, first, after, last, before).await.map(Some)
    }
}

/// Specifies the kind of process.
#[derive(Debug, Clone)]
pub struct ProcessSpecification(pub DomainProcessSpecification);

#[Object]
impl ProcessSpecification {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
    /// no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    /// An informal or formal textual identifier for the process.
    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The resources whose last process was of this kind.
    async fn resources_currently_at_stage(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<EconomicResourceConnection>> {
        let filter = ResourceFilter { stage: Some(self.0.id), ..ResourceFilter::default() };
        resources_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// The processes based on this specification.
    async fn conforming_processes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<ProcessConnection>> {
        let filter = ProcessFilter { based_on: Some(self.0.id), ..ProcessFilter::default() };
        processes_page(ctx, &filter, first, after, last, before).await.map(Some)
    }

    /// The commitments that need a resource at this stage.
    async fn commitments_requiring_stage(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<CommitmentConnection>> {
        let filter = CommitmentFilter { stage: Some(self.0.id), ..CommitmentFilter::default() };
        commitments_page(ctx, &filter, first, after, last, before).await.map(Some)
    }
}

connection!(UnitConnection, UnitEdge, Unit);
connection!(ResourceSpecificationConnection, ResourceSpecificationEdge, ResourceSpecification);
connection!(ProcessSpecificationConnection, ProcessSpecificationEdge, ProcessSpecification);

/// The created or updated unit.
#[derive(SimpleObject)]
pub struct UnitResponse {
    /// The unit.
    pub unit: Unit,
}

/// The created or updated resource specification.
#[derive(SimpleObject)]
pub struct ResourceSpecificationResponse {
    /// The resource specification.
    pub resource_specification: ResourceSpecification,
}

/// The created or updated process specification.
#[derive(SimpleObject)]
pub struct ProcessSpecificationResponse {
    /// The process specification.
    pub process_specification: ProcessSpecification,
}
