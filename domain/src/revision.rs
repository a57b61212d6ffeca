//! The two shapes every revisioned record shares: its `revisionId` and the one-field-at-a-time
//! update (`Patch`) with vf-graphql's omitted / `null` / value semantics.

use std::fmt;

use crate::DomainError;

/// A record's revision, as vf-graphql's `revisionId`: the record id and a counter that grows
/// with every update. Updates and deletes name the revision they were made against; a stale
/// revision is a conflict (optimistic concurrency), not a silent overwrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision<Id> {
    /// The record.
    pub id: Id,
    /// 1 on creation, +1 per update.
    pub number: i64,
}

impl<Id: fmt::Display + Copy> Revision<Id> {
    /// The wire form: `{id}:{number}`.
    pub fn to_wire(&self) -> String {
        format!("{}:{}", self.id, self.number)
    }

    /// Parses the wire form, with `parse_id` for the id part.
    pub fn parse(text: &str, parse_id: impl Fn(&str) -> Result<Id, DomainError>) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::invalid(
                "revisionId",
                format!("`{}` is not a revision id", text.chars().take(80).collect::<String>()),
            )
        };
        let (id, number) = text.rsplit_once(':').ok_or_else(bad)?;
        let number: i64 = number.parse().map_err(|_| bad())?;
        if number < 1 {
            return Err(bad());
        }
        Ok(Self { id: parse_id(id)?, number })
    }
}

/// One field of an update, with vf-graphql's semantics: omitted keeps the value, `null`
/// erases it, a value replaces it (lists are replaced whole).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Leave as is (the field was omitted).
    #[default]
    Keep,
    /// Erase (the field was `null`).
    Clear,
    /// Replace.
    Set(T),
}

impl<T> Patch<T> {
    /// Applies the patch to an optional field.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Keep => current,
            Self::Clear => None,
            Self::Set(value) => Some(value),
        }
    }

    /// Applies the patch to a required field: erasing it is refused.
    pub fn apply_required(self, field: &str, current: T) -> Result<T, DomainError> {
        match self {
            Self::Keep => Ok(current),
            Self::Clear => Err(DomainError::invalid(field, "is required and cannot be erased")),
            Self::Set(value) => Ok(value),
        }
    }

    /// Converts the value inside, keeping `Keep`/`Clear`.
    pub fn try_map<U>(self, f: impl FnOnce(T) -> Result<U, DomainError>) -> Result<Patch<U>, DomainError> {
        Ok(match self {
            Self::Keep => Patch::Keep,
            Self::Clear => Patch::Clear,
            Self::Set(value) => Patch::Set(f(value)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AgentId;

    #[test]
    fn revision_ids_round_trip_and_reject_garbage() {
        let id = AgentId::new();
        let revision = Revision { id, number: 7 };
        assert_eq!(Revision::parse(&revision.to_wire(), AgentId::parse), Ok(revision));
        assert!(Revision::parse(&id.to_string(), AgentId::parse).is_err());
        assert!(Revision::parse(&format!("{id}:0"), AgentId::parse).is_err());
    }

    #[test]
    fn a_patch_keeps_clears_or_sets() {
        assert_eq!(Patch::Keep.apply(Some(1)), Some(1));
        assert_eq!(Patch::<i32>::Clear.apply(Some(1)), None);
        assert_eq!(Patch::Set(2).apply(Some(1)), Some(2));
        assert!(Patch::<i32>::Clear.apply_required("name", 1).is_err());
    }
}
