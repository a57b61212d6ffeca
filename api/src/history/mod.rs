//! vf-graphql module `history`: on every revisioned record, `meta: RecordMeta!` (its
//! revisions) and `revision(revisionId: ID!)` (the record as it was at one of them).
//!
//! Adding history to a record type is two fields in its `#[Object]` impl, each one line
//! calling this module, plus a `Historic` impl in `ovn-persistence` (one name in its
//! `historic_record!` list for a plain record):
//!
//! ```ignore
//! /// The record as it was at `revisionId` (vf-graphql `history`); null when this record
//! /// has no such revision.
//! async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
//!     Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
//! }
//!
//! /// Metadata about this record's revisions (vf-graphql `history`).
//! async fn meta(&self) -> crate::history::RecordMeta {
//!     crate::history::RecordMeta::of(&self.0)
//! }
//! ```

pub mod objects;

pub use objects::{AgentRevision, ProductBatch, RecordMeta, Revision, revision};
