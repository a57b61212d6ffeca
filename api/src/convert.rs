//! Conversions every module's inputs share: ids, revisions, tri-state patches, URIs and the
//! idempotency fingerprint of a create. Each returns the domain's error, so a whole input
//! converts with one `?`.

use async_graphql::{ID, InputType, MaybeUndefined};
use ovn_domain::revision::{Patch, Revision};
use ovn_domain::text::{Name, parse_note};
use ovn_domain::{AgentId, DomainError};
use ovn_persistence::Idempotency;
use sha2::{Digest, Sha256};

use crate::scalars::Uri;

/// Parses an id with the parser of its kind; a malformed id is `BAD_INPUT`, not "not found".
pub fn parse_id<T>(id: &ID, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<T, DomainError> {
    parse(id.as_str())
}

/// Same as [`parse_id`], for an optional id.
pub fn opt_id<T>(id: &Option<ID>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Option<T>, DomainError> {
    id.as_ref().map(|id| parse(id.as_str())).transpose()
}

/// Same as [`parse_id`], for an optional list of ids (absent is empty).
pub fn id_list<T>(
    ids: &Option<Vec<ID>>,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Vec<T>, DomainError> {
    ids.iter().flatten().map(|id| parse(id.as_str())).collect()
}

/// A `revisionId` (`<id>:<number>`) of a record kind.
pub fn revision<T: Copy + std::fmt::Display>(
    id: &ID,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Revision<T>, DomainError> {
    Revision::parse(id.as_str(), parse)
}

/// vf-graphql's `revisionId` of a record at revision `number` (the domain's wire form).
pub fn revision_id<Id: std::fmt::Display + Copy>(id: Id, number: i64) -> ID {
    ID(Revision { id, number }.to_wire())
}

/// A required name.
pub fn name(field: &str, text: &str) -> Result<Name, DomainError> {
    Name::parse(field, text)
}

/// An optional note.
pub fn note(text: &Option<String>) -> Result<Option<String>, DomainError> {
    text.as_deref().map(|t| parse_note("note", t)).transpose()
}

/// An optional URI.
pub fn uri(field: &str, uri: &Option<Uri>) -> Result<Option<ovn_domain::text::Uri>, DomainError> {
    uri.as_ref().map(|u| u.to_domain(field)).transpose()
}

/// An optional list of URIs (absent is empty).
pub fn uris(field: &str, list: &Option<Vec<Uri>>) -> Result<Vec<ovn_domain::text::Uri>, DomainError> {
    Uri::list(field, list.as_deref().unwrap_or_default())
}

/// Turns an async-graphql tri-state into a domain patch.
pub fn patch<T: Clone>(value: &MaybeUndefined<T>) -> Patch<T> {
    match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(v.clone()),
    }
}

/// Same as [`patch`], for a plain `Option` on a create input (absent means not given).
pub fn given<T: Clone>(value: &Option<T>) -> Patch<T> {
    match value {
        None => Patch::Keep,
        Some(v) => Patch::Set(v.clone()),
    }
}

/// Builds the idempotency record of a create from its key and its input.
pub fn idempotency<T: InputType>(
    agent: AgentId,
    key: Option<String>,
    operation: &'static str,
    input: &T,
) -> crate::error::Result<Option<Idempotency>> {
    idempotency_of(agent, key, operation, input.to_value())
}

/// Same as [`idempotency`], over an already converted input value.
pub fn idempotency_of(
    agent: AgentId,
    key: Option<String>,
    operation: &'static str,
    input: async_graphql::Value,
) -> crate::error::Result<Option<Idempotency>> {
    let Some(key) = key else { return Ok(None) };
    // The fingerprint is a digest of the input as GraphQL coerced it (defaults filled in,
    // field order fixed by the type), so a retry matches whatever whitespace or key order
    // the client used.
    let canonical = input.into_json().map_err(|e| DomainError::invalid("input", e.to_string()))?;
    let digest = hex::encode(Sha256::digest(canonical.to_string().as_bytes()));
    Ok(Some(Idempotency::new(agent, &key, operation, digest)?))
}

/// An update input, parsed: the revision the change is made against, and the change.
#[derive(Debug, Clone)]
pub struct Update<Id, Change> {
    /// The revision the client read.
    pub revision: Revision<Id>,
    /// What to change.
    pub changes: Change,
}
