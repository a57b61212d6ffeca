//! `RecordMeta` and `Revision`, the `revision(revisionId)` lookup every record type shares,
//! and the placeholder `ProductBatch` the `history` module declares.

use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{Context, ContextSelectionSet, ID, Object, OutputType, Positioned, ServerResult, Value};
use ovn_domain::AgentId;
use ovn_domain::history::record_meta;
use ovn_persistence::history::{Historic, RevisionStamp};

use crate::agent::objects::{Agent, Organization, Person};
use crate::context::ContextExt;
use crate::error::Result;
use crate::loaders::RevisionsOf;
use crate::scalars::DateTime;

/// The record `current` as it was at `revision_id`: `current` itself when that is its
/// revision, else its kept revision; `None` when `revision_id` names another record or a
/// revision this record never had (or that was never kept). A `revision_id` that is not a
/// revision id at all is `BAD_INPUT`.
pub async fn revision<T: Historic + Clone>(ctx: &Context<'_>, current: &T, revision_id: &ID) -> Result<Option<T>> {
    let wanted = crate::convert::revision(revision_id, str::parse::<T::Id>)?;
    if wanted.id != current.record_id() {
        return Ok(None);
    }
    if wanted.number == current.revision_number() {
        return Ok(Some(current.clone()));
    }
    Ok(ctx.store()?.at_revision::<T>(wanted).await?)
}

/// The kept revisions of a record, through the batching loader (one query for the `meta` of
/// every record in a response).
async fn kept(ctx: &Context<'_>, record: &str) -> Result<Vec<RevisionStamp>> {
    Ok(ctx.load(RevisionsOf(record.to_owned())).await?.unwrap_or_default())
}

/// Metadata about a record's revisions (vf-graphql `history`). Revisions are kept from the
/// time ovn began to keep them: a record written before then, or brought in by an import,
/// has no earlier revision to show until it is written again, and says so (its
/// `previousRevisionsCount` is null when some earlier revisions were never kept).
#[derive(Debug, Clone)]
pub struct RecordMeta {
    record: String,
    retrieved: i64,
}

impl RecordMeta {
    /// The meta of `record` as read.
    pub fn of<T: Historic>(record: &T) -> Self {
        Self { record: record.record_id().to_string(), retrieved: record.revision_number() }
    }

    async fn meta(&self, ctx: &Context<'_>) -> Result<(ovn_domain::history::RecordMeta, Vec<RevisionStamp>)> {
        let kept = kept(ctx, &self.record).await?;
        let numbers: Vec<i64> = kept.iter().map(|stamp| stamp.number).collect();
        Ok((record_meta(&numbers, self.retrieved), kept))
    }

    fn revision_at(&self, number: i64, kept: &[RevisionStamp]) -> Revision {
        Revision {
            record: self.record.clone(),
            number,
            stamp: kept.iter().find(|stamp| stamp.number == number).cloned(),
        }
    }
}

#[Object]
impl RecordMeta {
    /// Metadata about the previous revision of this record, queryable via
    /// `revision(previousRevision.id)`. If this is the first revision of a record, this field
    /// is empty (OVN: also when the previous revision was written before revisions were kept).
    async fn previous_revision(&self, ctx: &Context<'_>) -> Result<Option<Revision>> {
        let (meta, kept) = self.meta(ctx).await?;
        Ok(meta.previous.map(|n| self.revision_at(n, &kept)))
    }

    /// Number of older revisions, if known (OVN: null when some were written before revisions
    /// were kept).
    async fn previous_revisions_count(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let (meta, _) = self.meta(ctx).await?;
        Ok(meta.previous_count.map(saturate))
    }

    /// Number of newer revisions, if known.
    async fn future_revisions_count(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let (meta, _) = self.meta(ctx).await?;
        Ok(Some(saturate(meta.future_count)))
    }

    /// Metadata regarding the most recent revision of this record, if able to be determined.
    async fn latest_revision(&self, ctx: &Context<'_>) -> Result<Option<Revision>> {
        let (meta, kept) = self.meta(ctx).await?;
        Ok(Some(self.revision_at(meta.latest, &kept)))
    }

    /// Metadata regarding the requested revision of this record. A record's
    /// `retrievedRevision.id` == `revisionId`.
    async fn retrieved_revision(&self, ctx: &Context<'_>) -> Result<Revision> {
        let kept = kept(ctx, &self.record).await?;
        Ok(self.revision_at(self.retrieved, &kept))
    }
}

fn saturate(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One revision of a record.
#[derive(Debug, Clone)]
pub struct Revision {
    record: String,
    number: i64,
    /// Its time and author, when it was kept.
    stamp: Option<RevisionStamp>,
}

#[Object]
impl Revision {
    /// ID of the revision, used to query a specific version of the related record.
    async fn id(&self) -> ID {
        ID(format!("{}:{}", self.record, self.number))
    }

    /// Time this revision was created, if known.
    async fn time(&self) -> Option<DateTime> {
        self.stamp.as_ref().map(|stamp| stamp.time)
    }

    /// The authoring `Agent` who created this revision (OVN: the agent whose token made the
    /// write; null for writes made without one, such as an import, and for an agent since
    /// deleted).
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        let Some(author) = self.stamp.as_ref().and_then(|stamp| stamp.author) else { return Ok(None) };
        Ok(ctx.load::<AgentId, _>(author).await?.map(Agent::from))
    }
}

/// What `Agent.revision` answers: the agent at that revision, a `Person` or an
/// `Organization` as the agent is. (Each agent type's own `revision` returns its own type;
/// this converts either into the interface.)
pub struct AgentRevision(pub Option<Agent>);

impl From<Option<Person>> for AgentRevision {
    fn from(person: Option<Person>) -> Self {
        Self(person.map(Agent::Person))
    }
}

impl From<Option<Organization>> for AgentRevision {
    fn from(organization: Option<Organization>) -> Self {
        Self(organization.map(Agent::Organization))
    }
}

impl OutputType for AgentRevision {
    fn type_name() -> Cow<'static, str> {
        <Option<Agent> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Option<Agent> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Option<Agent> as OutputType>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        OutputType::resolve(&self.0, ctx, field).await
    }
}

/// A lot or batch, defining a resource produced at the same time in the same way
/// (vf-graphql `product_batch`). OVN: not implemented yet; declared because the `history`
/// module extends it. No field returns one, so none is ever served.
#[derive(Debug, Clone)]
pub struct ProductBatch {
    id: String,
}

#[Object]
impl ProductBatch {
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }

    /// The batch as it was at `revisionId` (vf-graphql `history`); OVN: always null, since
    /// batches are not kept yet.
    async fn revision(&self, revision_id: ID) -> Option<ProductBatch> {
        let _ = revision_id;
        None
    }

    /// Metadata about this batch's revisions (vf-graphql `history`).
    async fn meta(&self) -> RecordMeta {
        RecordMeta { record: self.id.clone(), retrieved: 1 }
    }
}
